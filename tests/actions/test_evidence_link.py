"""Linking an action to the activity that evidences it marks the action done."""

from datetime import UTC, datetime

import pytest

from tests import factories
from tests.plans.support import READ_ONLY, WRITERS


def url(plan_id) -> str:
    return f"/api/v1/plans/{plan_id}/actions"


async def test_linking_an_activity_marks_the_action_done(client, session, a):
    plan = await factories.plan(session, a.tenant)
    activity = await factories.activity(session, a.tenant, plan_id=plan.id)
    action = (await client.post(url(plan.id), json={"description": "Brief the PPG"}, headers=a["lead"])).json()
    assert action["status"] == "planned"
    r = await client.patch(f"{url(plan.id)}/{action['id']}", json={"activity_id": str(activity.id)}, headers=a["lead"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "done" and r.json()["completed_at"] is not None
    assert r.json()["activity_id"] == str(activity.id)


async def test_sending_back_the_link_it_has_does_not_mark_the_action_done_again(client, session, a):
    # A client saving the action as it read it sends its activity_id back: not a new link, so no new completion.
    plan = await factories.plan(session, a.tenant)
    activity = await factories.activity(session, a.tenant, plan_id=plan.id)
    action = (await client.post(url(plan.id), json={"description": "Brief the PPG", "activity_id": str(activity.id)},
                                headers=a["lead"])).json()
    reopened = await client.patch(f"{url(plan.id)}/{action['id']}", json={"status": "in_progress"}, headers=a["lead"])
    assert reopened.json()["status"] == "in_progress" and reopened.json()["completed_at"] is None
    r = await client.patch(f"{url(plan.id)}/{action['id']}",
                           json={"description": "Brief the PPG twice", "activity_id": str(activity.id)},
                           headers=a["lead"])
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["completed_at"]) == ("in_progress", None)


async def test_creating_an_action_with_its_activity_is_done_at_once(client, session, a):
    plan = await factories.plan(session, a.tenant)
    activity = await factories.activity(session, a.tenant)
    r = await client.post(url(plan.id), json={"description": "Run the survey", "activity_id": str(activity.id)},
                          headers=a["lead"])
    assert r.status_code == 201 and r.json()["status"] == "done"


async def test_another_tenants_activity_cannot_be_linked(client, session, a, b):
    plan = await factories.plan(session, a.tenant)
    theirs = await factories.activity(session, b.tenant)
    action = (await client.post(url(plan.id), json={"description": "X"}, headers=a["lead"])).json()
    r = await client.patch(f"{url(plan.id)}/{action['id']}", json={"activity_id": str(theirs.id)}, headers=a["lead"])
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "activity_id"]
    again = (await client.get(f"{url(plan.id)}/{action['id']}", headers=a["lead"])).json()
    assert again["status"] == "planned" and again["activity_id"] is None


@pytest.mark.parametrize("role", WRITERS)
async def test_another_plans_activity_cannot_be_linked(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    theirs = await factories.activity(session, a.tenant, plan_id=(await factories.plan(session, a.tenant)).id)
    body = {"description": "Brief the PPG", "activity_id": str(theirs.id)}
    r = await client.post(url(plan.id), json=body, headers=a[role])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["body", "activity_id"]]
    assert (await client.get(url(plan.id), headers=a[role])).json()["items"] == []
    action = (await client.post(url(plan.id), json={"description": "Brief the PPG"}, headers=a[role])).json()
    r = await client.patch(f"{url(plan.id)}/{action['id']}", json={"activity_id": str(theirs.id)}, headers=a[role])
    assert r.status_code == 422 and [e["loc"] for e in r.json()["errors"]] == [["body", "activity_id"]], r.text
    assert (await client.get(f"{url(plan.id)}/{action['id']}", headers=a[role])).json() == action


async def test_a_link_an_action_has_stays_when_its_activity_moves_to_another_plan(client, session, a):
    # A client saving the action as it read it sends the link back: no new link, so not refused.
    plan = await factories.plan(session, a.tenant)
    activity = await factories.activity(session, a.tenant, plan_id=plan.id)
    action = (await client.post(url(plan.id), json={"description": "Brief the PPG", "activity_id": str(activity.id)},
                                headers=a["lead"])).json()
    activity.plan_id = (await factories.plan(session, a.tenant)).id
    await session.flush()
    r = await client.patch(f"{url(plan.id)}/{action['id']}", json={"activity_id": str(activity.id), "notes": "Moved"},
                           headers=a["lead"])
    assert r.status_code == 200 and r.json()["activity_id"] == str(activity.id), r.text


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_link_no_activity(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    activity = await factories.activity(session, a.tenant, plan_id=plan.id)
    r = await client.post(url(plan.id), json={"description": "X", "activity_id": str(activity.id)}, headers=a[role])
    assert r.status_code == 403 and (await client.get(url(plan.id), headers=a[role])).json()["items"] == []


async def test_an_archived_activity_is_not_linked_anew_but_a_held_link_stays(client, session, a):
    """As everywhere: nothing new is linked to an archived record (409), while a link already held is kept."""
    plan = await factories.plan(session, a.tenant)
    held = await factories.activity(session, a.tenant, plan_id=plan.id)
    gone = await factories.activity(session, a.tenant, plan_id=plan.id, archived_at=datetime.now(UTC))
    await session.commit()
    r = await client.post(url(plan.id), json={"description": "Run the survey", "activity_id": str(gone.id)},
                          headers=a["lead"])
    assert r.status_code == 409 and "archived" in r.json()["detail"], r.text
    action = (await client.post(url(plan.id), json={"description": "Brief the PPG", "activity_id": str(held.id)},
                                headers=a["lead"])).json()
    assert (await client.get(url(plan.id), headers=a["lead"])).json()["items"] == [action]
    r = await client.patch(f"{url(plan.id)}/{action['id']}", json={"activity_id": str(gone.id)}, headers=a["lead"])
    assert r.status_code == 409, r.text
    assert (await client.delete(f"/api/v1/activities/{held.id}", headers=a["lead"])).status_code == 204
    r = await client.patch(f"{url(plan.id)}/{action['id']}", json={"activity_id": str(held.id), "notes": "Done"},
                           headers=a["lead"])
    assert r.status_code == 200 and r.json()["activity_id"] == str(held.id), r.text


async def test_an_archived_plan_takes_no_new_action_or_risk_but_its_own_may_be_corrected(client, session, a):
    """Adding to an archived plan's action plan or risk log is a new link to an archived record (409, nothing
    written); what the plan already holds may still be corrected, and restoring the plan opens it again."""
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    risks = f"/api/v1/plans/{plan.id}/risks"
    action = (await client.post(url(plan.id), json={"description": "Brief the PPG"}, headers=a["lead"])).json()
    assert (await client.delete(f"/api/v1/plans/{plan.id}", headers=a["lead"])).status_code == 204
    r = await client.post(url(plan.id), json={"description": "Run the survey"}, headers=a["lead"])
    assert r.status_code == 409 and r.json()["detail"] == "The plan is archived; restore it before linking anything " \
                                                          "new to it", r.text
    r = await client.post(risks, json={"description": "Low turnout", "likelihood": 3, "impact": 3},
                          headers=a["lead"])
    assert r.status_code == 409 and "archived" in r.json()["detail"], r.text
    assert [i["id"] for i in (await client.get(url(plan.id), headers=a["lead"])).json()["items"]] == [action["id"]]
    assert (await client.get(risks, headers=a["lead"])).json()["items"] == []
    r = await client.patch(f"{url(plan.id)}/{action['id']}", json={"notes": "Moved to the next plan"},
                           headers=a["lead"])
    assert r.status_code == 200, r.text
    assert (await client.post(f"/api/v1/plans/{plan.id}/restore", headers=a["lead"])).status_code == 200
    r = await client.post(url(plan.id), json={"description": "Run the survey"}, headers=a["lead"])
    assert r.status_code == 201, r.text
