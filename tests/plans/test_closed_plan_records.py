"""A closed plan's tactical action plan and Risk & Issue Log are finished: neither takes a new line (409, nothing
written). The record of what happened stays open (children.open_plan): a decision's minutes as evidence, the final
report as a document, a consultation, a scrutiny record and its letters, the applicability record."""

from sqlalchemy import func, select

from api.models import PlanAction, PlanRisk
from tests import factories
from tests.duties.support import requirement
from tests.plans.support import record_creates


async def test_a_closed_plan_takes_no_new_action_or_risk_but_still_takes_the_record_of_what_happened(
        client, session, a):
    plan = await factories.plan(session, a.tenant, status="closed")
    req = await requirement(session, "nhs-act-s14z45", "limb-c-decisions")
    await session.commit()
    base = f"/api/v1/plans/{plan.id}"
    refused = {
        "action": lambda: client.post(f"{base}/actions", json={"description": "Run the survey"}, headers=a["lead"]),
        "risk": lambda: client.post(f"{base}/risks", json={"description": "Low turnout", "likelihood": 3,
                                                           "impact": 3}, headers=a["lead"]),
    }
    for name, create in refused.items():
        r = await create()
        assert r.status_code == 409 and "The plan is closed" in r.json()["detail"], (name, r.text)
    for model in (PlanAction, PlanRisk):
        assert (await session.execute(select(func.count()).select_from(model))).scalar_one() == 0, model
    allowed = record_creates(client, a["lead"], plan.id, req)
    for name, create in allowed.items():
        r = await create()
        assert r.status_code in (200, 201), (name, r.text)
