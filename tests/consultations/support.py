"""Helpers for the consultation tests (rows are built with tests.documents.support's builders)."""

from sqlalchemy import func, select

from api.models import Consultation

FULL = {
    "title": "Urgent care in West Dorset: formal consultation",
    "opened_date": "2026-01-05",
    "closed_date": "2026-03-30",
    "minimum_days": 84,
    "shorter_reason": None,
    "decision_date": "2026-05-14",
    "decision_maker": "ICB Board",
    "decision_summary": "The urgent treatment centre opens in Bridport",
    "external_id": "CONS-1",
}


def url(plan_id) -> str:
    return f"/api/v1/plans/{plan_id}/consultations"


async def count(session, tenant) -> int:
    return (await session.execute(select(func.count()).select_from(Consultation)
                                  .where(Consultation.tenant_id == tenant.id))).scalar_one()
