"""Helpers the engagement tests share (activities, feedback, calendar, reports)."""

from sqlalchemy import func, select

from api.models import Activity, Assessment, Plan
from tests.audit_trail import audit_events, audit_text  # noqa: F401 (the feature's tests import it from here)

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
