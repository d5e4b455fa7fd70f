"""What an evidence item of a plan on legal hold states about its decision is kept: a decision or decision date once
recorded can be neither changed nor cleared (409, nothing written, nothing audited); a blank one may still be filled
in, as a new item recording the decision could be added."""

from datetime import date

import pytest

from tests import factories
from tests.duties.support import EDITORS, audit_events, evidence, requirement
from tests.evidence.support import url
from tests.gdpr.support import held_plan, is_held

RECORDED = {"decision": "Governing Body chose option B", "decision_date": date(2026, 4, 2)}


async def held_item(session, tenant, **values):
    plan = await held_plan(session, tenant, "Held evidence")
    item = await evidence(session, plan, await requirement(session, "gunning", "gunning-1"), summary="Minutes",
                          **values)
    return plan, item


@pytest.mark.parametrize("role", EDITORS)
@pytest.mark.parametrize("change", [{"decision": "Governing Body chose option C"}, {"decision": None},
                                    {"decision_date": "2026-03-01"}, {"decision_date": None},
                                    {"decision": None, "decision_date": None}])
async def test_a_held_plans_evidence_keeps_the_decision_it_recorded(client, session, a, b, role, change):
    free = await factories.plan(session, a.tenant)
    unheld = await evidence(session, free, await requirement(session, "gunning", "gunning-1"), **RECORDED)
    r = await client.patch(f"{url(free)}/{unheld.id}", json=change, headers=a[role])
    assert r.status_code == 200, r.text  # without a hold it still changes
    plan, item = await held_item(session, a.tenant, **RECORDED)
    item_url = f"{url(plan)}/{item.id}"
    r = await client.patch(item_url, json={"summary": "Board minutes", **change}, headers=a[role])
    assert is_held(r, "Held evidence"), r.text
    assert all(name in r.json()["detail"] for name in change)
    # Another tenant is told nothing of the hold
    r = await client.patch(item_url, json=change, headers=b["admin"])
    assert r.status_code == 404 and "Held evidence" not in r.text, r.text
    await session.refresh(item)
    assert (item.summary, item.decision, item.decision_date, item.version) == (
        "Minutes", RECORDED["decision"], RECORDED["decision_date"], 1)
    assert await audit_events(session, "evidence", item.id) == []
    # Sent back as it was read, it is no change: the rest of the item still changes
    r = await client.patch(item_url, headers=a[role], json={
        "summary": "Board minutes", "decision": RECORDED["decision"], "decision_date": "2026-04-02"})
    assert r.status_code == 200 and r.json()["summary"] == "Board minutes", r.text


@pytest.mark.parametrize("role", EDITORS)
async def test_a_blank_decision_of_a_held_plans_evidence_may_be_filled_in(client, session, a, role):
    plan, item = await held_item(session, a.tenant)
    item_url = f"{url(plan)}/{item.id}"
    r = await client.patch(item_url, json={"decision_date": "2026-04-02"}, headers=a[role])
    assert r.status_code == 200 and r.json()["decision_date"] == "2026-04-02", r.text
    r = await client.patch(item_url, json={"decision": "Governing Body chose option B"}, headers=a[role])
    assert r.status_code == 200 and r.json()["decision"] == "Governing Body chose option B", r.text
    assert [e.changes for e in await audit_events(session, "evidence", item.id)] == [
        {"decision_date": {"before": None, "after": "2026-04-02"}},
        {"decision": {"before": None, "after": "[personal data]"}}]
    # Once filled in, it is kept as one recorded before the hold
    r = await client.patch(item_url, json={"decision_date": "2026-05-01"}, headers=a[role])
    assert is_held(r, "Held evidence"), r.text
