"""Builders for the Risk & Issue Log's tests, which the erasure and legal-hold tests use too."""

from api.models import PlanRisk


def url(plan_id, risk_id=None) -> str:
    base = f"/api/v1/plans/{plan_id}/risks"
    return f"{base}/{risk_id}" if risk_id else base


async def risk(session, plan, **values) -> PlanRisk:
    values.setdefault("description", "GPs do not attend the workshops")
    values.setdefault("likelihood", 3)
    values.setdefault("impact", 3)
    row = PlanRisk(tenant_id=plan.tenant_id, plan_id=plan.id, **values)
    session.add(row)
    await session.flush()
    return row
