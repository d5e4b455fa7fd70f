"""Helpers for the applicability record tests."""

from tests.duties.support import builtin


def url(plan) -> str:
    return f"/api/v1/plans/{plan.id}/duty-assessment"


async def entries(session) -> list[dict]:
    """A typical record: the s14Z45 duty applies at consult level, formal consultation does not."""
    s14z45 = await builtin(session, "nhs-act-s14z45")
    gunning = await builtin(session, "gunning")
    return [{"duty_id": str(s14z45.id), "applies": True, "reasons": "The change moves where services are delivered",
             "level": "consult"},
            {"duty_id": str(gunning.id), "applies": False, "reasons": "No formal consultation is planned",
             "level": None}]
