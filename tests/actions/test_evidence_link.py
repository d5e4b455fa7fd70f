"""Linking an action to the activity that evidences it marks the action done."""

from tests import factories


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
