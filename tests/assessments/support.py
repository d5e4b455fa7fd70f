"""Helpers shared by the assessment and grid tests."""

from sqlalchemy import select

from api.models import Assessment, AuditEvent

WRITERS = ("admin", "lead")
READ_ONLY = ("contributor", "viewer", "auditor")
ROLES = WRITERS + READ_ONLY
NIL = "00000000-0000-0000-0000-000000000000"


def url(stakeholder_id) -> str:
    return f"/api/v1/stakeholders/{stakeholder_id}/assessments"


async def assessments_of(session, stakeholder) -> list[Assessment]:
    return list((await session.execute(select(Assessment).where(Assessment.stakeholder_id == stakeholder.id)
                                       .order_by(Assessment.assessed_at))).scalars().all())


async def audit_events(session, resource_type: str) -> list[AuditEvent]:
    return list((await session.execute(select(AuditEvent).where(AuditEvent.resource_type == resource_type)
                                       .order_by(AuditEvent.seq))).scalars().all())
