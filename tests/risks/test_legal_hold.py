"""A held plan's Risk & Issue Log keeps what each entry stated (its kind, description, likelihood and impact); the
progress recorded since (owner, mitigation, status, review date) still changes."""

import pytest

from tests import factories
from tests.gdpr.support import held_plan, hold_url, is_held, is_problem
from tests.plans.support import NIL, READ_ONLY, WRITERS, audit_events
from tests.risks.support import risk, url


@pytest.fixture
async def held(session, a):
    return await held_plan(session, a.tenant, "Held risks")


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("change", [{"description": "GPs were always keen"}, {"likelihood": 1}, {"impact": 1},
                                    {"kind": "issue"}, {"status": "closed", "impact": 5}])
async def test_a_held_plans_risk_keeps_its_assessment(client, session, a, held, role, change):
    row = await risk(session, held)
    r = await client.patch(url(held.id, row.id), json=change, headers=a[role])
    assert is_held(r), r.text
    assert "Held risks" in r.json()["detail"] and str(held.id) in r.json()["detail"]
    await session.refresh(row)
    assert (row.kind, row.likelihood, row.impact, row.status, row.version) == ("risk", 3, 3, "open", 1)
    assert await audit_events(session, row.id) == []


@pytest.mark.parametrize("role", WRITERS)
async def test_the_progress_of_a_held_plans_risk_still_changes_and_is_audited(client, session, a, held, role):
    row = await risk(session, held)
    # The assessment sent back as it was read is no change of it.
    body = {"description": "GPs do not attend the workshops", "likelihood": 3, "impact": 3, "kind": "risk",
            "status": "managed", "mitigation": "Evening sessions", "owner_id": str(a.users["lead"].id),
            "review_date": "2026-05-01"}
    r = await client.patch(url(held.id, row.id), json=body, headers=a[role])
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in body} == body and r.json()["version"] == 2
    [event] = await audit_events(session, row.id)
    assert event.action == "update" and set(event.changes) == {"status", "mitigation", "owner_id", "review_date"}


async def test_once_the_hold_is_lifted_the_assessment_changes_again(client, session, a, held):
    row = await risk(session, held)
    assert (await client.delete(hold_url(held.id), headers=a["admin"])).status_code == 200
    r = await client.patch(url(held.id, row.id), json={"likelihood": 5}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["score"] == 15, r.text


async def test_a_plan_not_on_hold_rescores_its_risks(client, session, a):
    plan = await factories.plan(session, a.tenant)
    row = await risk(session, plan)
    r = await client.patch(url(plan.id, row.id), json={"description": "Reworded", "kind": "issue"}, headers=a["lead"])
    assert r.status_code == 200 and (r.json()["description"], r.json()["kind"]) == ("Reworded", "issue")


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_change_a_held_plans_risk(client, session, a, held, role):
    row = await risk(session, held)
    assert is_problem(await client.patch(url(held.id, row.id), json={"status": "closed"}, headers=a[role]), 403)
    await session.refresh(row)
    assert row.version == 1


async def test_another_tenants_held_risk_is_404(client, session, a, b, held):
    row = await risk(session, held)
    for path in (url(held.id, row.id), url(held.id, NIL)):
        assert is_problem(await client.patch(path, json={"likelihood": 1}, headers=b["admin"]), 404)
    await session.refresh(row)
    assert row.likelihood == 3 and row.version == 1
