"""Once a plan is approved what its objectives and key messages say is locked, item by item, but the progress
recorded against them (an objective's status, a message's approval_status) may change."""

import pytest

from tests import factories
from tests.plans.support import NIL, READ_ONLY, URL, WRITERS, audit_events

OBJECTIVES = [
    {"id": "6d7c0c1e-0000-4000-8000-000000000001", "statement": "Hear from 300 residents", "measure": "Responses",
     "target": "300", "due_date": "2026-04-30", "status": "on_track"},
    {"id": "6d7c0c1e-0000-4000-8000-000000000002", "statement": "Brief every GP practice", "measure": None,
     "target": None, "due_date": None, "status": "planned"},
]
MESSAGES = [{"id": "6d7c0c1e-0000-4000-8000-000000000003", "text": "Care closer to home", "approval_status": "draft"}]


def without_ids(items):
    return [{k: v for k, v in item.items() if k != "id"} for item in items]


async def plan_at(client, session, a, status="active"):
    plan = await factories.plan(session, a.tenant, status=status, objectives=OBJECTIVES, key_messages=MESSAGES)
    await session.commit()
    return plan, (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json()


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("status", ["approved", "active", "closed"])
async def test_objective_progress_and_message_approval_are_recorded_once_approved(client, session, a, role, status):
    plan, before = await plan_at(client, session, a, status)
    objectives = [{**OBJECTIVES[0], "status": "achieved"}, OBJECTIVES[1]]
    messages = [{**MESSAGES[0], "approval_status": "approved"}]
    r = await client.patch(f"{URL}/{plan.id}", json={"objectives": objectives, "key_messages": messages},
                           headers=a[role])
    assert r.status_code == 200, r.text
    assert r.json()["objectives"] == objectives and r.json()["key_messages"] == messages
    assert r.json()["version"] == before["version"] + 1
    event = (await audit_events(session, plan.id))[-1]
    assert event.action == "update" and event.actor_id == a.users[role].id
    assert event.changes["objectives"]["before"][0]["status"] == "on_track"


async def test_items_resent_without_ids_keep_theirs_and_change_nothing(client, session, a):
    plan, before = await plan_at(client, session, a)
    r = await client.patch(f"{URL}/{plan.id}", json={"objectives": without_ids(OBJECTIVES),
                                                     "key_messages": without_ids(MESSAGES)}, headers=a["lead"])
    assert r.status_code == 200, r.text
    assert r.json() == before and r.headers["etag"] == f'"{before["version"]}"'
    assert await audit_events(session, plan.id) == []


async def test_progress_sent_without_ids_lands_on_the_item_in_the_same_place(client, session, a):
    plan, _ = await plan_at(client, session, a)
    sent = without_ids(OBJECTIVES)
    sent[1]["status"] = "at_risk"
    r = await client.patch(f"{URL}/{plan.id}", json={"objectives": sent}, headers=a["lead"])
    assert r.status_code == 200, r.text
    assert r.json()["objectives"] == [OBJECTIVES[0], {**OBJECTIVES[1], "status": "at_risk"}]


@pytest.mark.parametrize("status", ["approved", "active", "closed"])
@pytest.mark.parametrize("change", [
    {"objectives": [{**OBJECTIVES[0], "statement": "Hear from 30 residents"}, OBJECTIVES[1]]},
    {"objectives": [{**OBJECTIVES[0], "measure": "Likes"}, OBJECTIVES[1]]},
    {"objectives": [{**OBJECTIVES[0], "target": "30"}, OBJECTIVES[1]]},
    {"objectives": [{**OBJECTIVES[0], "due_date": "2027-04-30"}, OBJECTIVES[1]]},
    {"objectives": [OBJECTIVES[1], OBJECTIVES[0]]},  # moved
    {"objectives": [OBJECTIVES[0]]},  # removed
    {"objectives": [*OBJECTIVES, {"statement": "A new objective"}]},  # added
    {"objectives": [OBJECTIVES[0], {**OBJECTIVES[1], "id": NIL}]},  # another item under an unknown id
    {"objectives": [{**without_ids(OBJECTIVES)[0], "statement": "Reworded"}, OBJECTIVES[1]]},
    {"key_messages": [{**MESSAGES[0], "text": "Care further from home", "approval_status": "approved"}]},
])
async def test_what_an_approved_item_says_is_locked(client, session, a, status, change):
    plan, before = await plan_at(client, session, a, status)
    r = await client.patch(f"{URL}/{plan.id}", json=change, headers=a["admin"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    assert next(iter(change)) in r.json()["detail"]
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json() == before


async def test_a_draft_keeps_the_ids_of_items_resent_unchanged_and_gives_changed_ones_new_ids(client, session, a):
    plan, _ = await plan_at(client, session, a, "draft")
    sent = without_ids(OBJECTIVES)
    sent[1]["statement"] = "Brief every GP practice and pharmacy"
    got = (await client.patch(f"{URL}/{plan.id}", json={"objectives": sent}, headers=a["lead"])).json()["objectives"]
    assert got[0] == OBJECTIVES[0]
    assert got[1]["id"] != OBJECTIVES[1]["id"] and got[1]["statement"] == sent[1]["statement"]


async def test_an_id_sent_with_another_item_is_not_taken_twice(client, session, a):
    plan, _ = await plan_at(client, session, a, "draft")
    sent = [without_ids(OBJECTIVES)[0], {**OBJECTIVES[0], "statement": "Moved here"}]
    r = await client.patch(f"{URL}/{plan.id}", json={"objectives": sent}, headers=a["lead"])
    assert r.status_code == 200, r.text
    ids = [o["id"] for o in r.json()["objectives"]]
    assert ids[1] == OBJECTIVES[0]["id"] and ids[0] not in (OBJECTIVES[0]["id"], OBJECTIVES[1]["id"])


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_record_progress(client, session, a, role):
    plan, before = await plan_at(client, session, a)
    r = await client.patch(f"{URL}/{plan.id}", json={"objectives": [{**OBJECTIVES[0], "status": "achieved"}]},
                           headers=a[role])
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json() == before


async def test_another_tenants_plan_is_404(client, session, a, b):
    plan, before = await plan_at(client, session, a)
    r = await client.patch(f"{URL}/{plan.id}", json={"objectives": [{**OBJECTIVES[0], "status": "achieved"}]},
                           headers=b["lead"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json() == before


@pytest.mark.parametrize("body", [
    {"objectives": [{**OBJECTIVES[0], "status": "done"}, OBJECTIVES[1]]},
    {"key_messages": [{**MESSAGES[0], "approval_status": "maybe"}]},
    {"objectives": [OBJECTIVES[0], OBJECTIVES[0]]},
    {"objectives": [{**OBJECTIVES[0], "statement": ""}, OBJECTIVES[1]]},
])
async def test_bad_progress_is_422_and_changes_nothing(client, session, a, body):
    plan, before = await plan_at(client, session, a)
    r = await client.patch(f"{URL}/{plan.id}", json=body, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json() == before
