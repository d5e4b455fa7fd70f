"""Helpers the engagement tests share (activities, feedback, calendar, reports)."""

import json

from sqlalchemy import func, select

from api.models import Activity, Assessment, AuditEvent, Plan

URL = "/api/v1/activities"
LOGGERS = ("admin", "lead", "contributor")
READ_ONLY = ("viewer", "auditor")
ROLES = LOGGERS + READ_ONLY


async def plan(session, tenant, **values) -> Plan:
    """A plan row (the plans feature owns the API; these tests only need something to link to)."""
    values.setdefault("title", "Urgent care review")
    for name in ("objectives", "key_messages", "channels", "budget_lines", "evaluation_measures",
                 "audience_categories"):
        values.setdefault(name, [])
    row = Plan(tenant_id=tenant.id, **values)
    session.add(row)
    await session.flush()
    return row


async def assess(session, tenant, stakeholder, *, interest: int, influence: int, plan_id=None) -> Assessment:
    row = Assessment(tenant_id=tenant.id, stakeholder_id=stakeholder.id, plan_id=plan_id, interest=interest,
                     influence=influence, is_latest=True)
    session.add(row)
    await session.flush()
    return row


async def count_activities(session, tenant) -> int:
    return (await session.execute(select(func.count()).select_from(Activity)
                                  .where(Activity.tenant_id == tenant.id))).scalar_one()


async def audit_events(session, resource_id) -> list[AuditEvent]:
    return list((await session.execute(select(AuditEvent).where(AuditEvent.resource_id == str(resource_id))
                                       .order_by(AuditEvent.seq))).scalars().all())


def audit_text(events: list[AuditEvent]) -> str:
    return json.dumps([e.changes for e in events])
