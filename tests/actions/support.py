"""Builders for the tactical action plan's tests, which the erasure and legal-hold tests use too."""

from api.models import PlanAction


def url(plan_id, action_id=None) -> str:
    base = f"/api/v1/plans/{plan_id}/actions"
    return f"{base}/{action_id}" if action_id else base


async def action(session, plan, **values) -> PlanAction:
    values.setdefault("description", "Brief the Health Scrutiny Committee")
    row = PlanAction(tenant_id=plan.tenant_id, plan_id=plan.id, **values)
    session.add(row)
    await session.flush()
    return row
