"""Approval and the status workflow: draft → approved → active → closed, and back to draft."""

import pytest

from tests import factories
from tests.plans.support import FULL_PLAN, URL, WRITERS, audit_events
from tests.replay import keyed_replays


async def new_plan(client, a) -> dict:
    return (await client.post(URL, json=FULL_PLAN, headers=a["lead"])).json()


async def approve(client, a, plan_id, role="lead"):
    return await client.post(f"{URL}/{plan_id}/approve", headers=a[role])


async def set_status(client, a, plan_id, status):
    return await client.patch(f"{URL}/{plan_id}", json={"status": status}, headers=a["lead"])


@pytest.mark.parametrize("role", WRITERS)
async def test_a_writer_approves_a_draft_recording_who_and_when(client, session, a, role):
    plan = await new_plan(client, a)
    r = await approve(client, a, plan["id"], role)
    assert r.status_code == 200
    got = r.json()
    assert got["status"] == "approved" and got["approved_by"] == str(a.users[role].id)
    assert got["approved_at"] is not None and r.headers["etag"] == '"2"'
    [_, event] = await audit_events(session, plan["id"])
    assert event.action == "approve" and event.actor_id == a.users[role].id
    assert event.changes["status"] == {"before": "draft", "after": "approved"}


async def test_approval_honours_if_match(client, a):
    plan = await new_plan(client, a)
    await client.patch(f"{URL}/{plan['id']}", json={"title": "Changed"}, headers=a["lead"])
    r = await client.post(f"{URL}/{plan['id']}/approve", headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 412


@pytest.mark.parametrize("status", ["approved", "active", "closed"])
async def test_only_a_draft_can_be_approved(client, session, a, status):
    plan = await factories.plan(session, a.tenant, status=status)
    r = await approve(client, a, plan.id)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    await session.refresh(plan)
    assert plan.status == status and plan.approved_by is None


async def test_an_archived_plan_cannot_be_approved(client, session, a):
    plan = await factories.plan(session, a.tenant)
    await client.delete(f"{URL}/{plan.id}", headers=a["lead"])
    assert (await approve(client, a, plan.id)).status_code == 409


async def test_patch_cannot_approve(client, a):
    plan = await new_plan(client, a)
    r = await set_status(client, a, plan["id"], "approved")
    assert r.status_code == 409 and "approve" in r.json()["detail"]


async def test_the_whole_lifecycle(client, session, a):
    plan = await new_plan(client, a)
    assert (await approve(client, a, plan["id"])).status_code == 200
    active = await set_status(client, a, plan["id"], "active")
    assert active.status_code == 200 and active.json()["status"] == "active"
    assert active.json()["approved_by"] == str(a.users["lead"].id)  # approval stays while active
    closed = await set_status(client, a, plan["id"], "closed")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert [e.action for e in await audit_events(session, plan["id"])] == ["create", "approve", "update", "update"]


@pytest.mark.parametrize("start,target", [
    ("draft", "active"), ("draft", "closed"), ("approved", "closed"), ("closed", "draft"), ("closed", "active"),
    ("active", "approved"),
])
async def test_illegal_transitions_are_409(client, session, a, start, target):
    plan = await factories.plan(session, a.tenant, status=start)
    r = await set_status(client, a, plan.id, target)
    assert r.status_code == 409
    await session.refresh(plan)
    assert plan.status == start and plan.version == 1


async def test_the_same_status_is_no_change(client, session, a):
    plan = await factories.plan(session, a.tenant, status="active")
    r = await set_status(client, a, plan.id, "active")
    assert r.status_code == 200 and r.headers["etag"] == '"1"'


@pytest.mark.parametrize("start", ["approved", "active"])
async def test_returning_to_draft_clears_the_approval_and_is_audited(client, session, a, start):
    plan = await new_plan(client, a)
    await approve(client, a, plan["id"], "admin")
    if start == "active":
        await set_status(client, a, plan["id"], "active")
    r = await set_status(client, a, plan["id"], "draft")
    assert r.status_code == 200
    got = r.json()
    assert got["status"] == "draft" and got["approved_by"] is None and got["approved_at"] is None
    event = (await audit_events(session, plan["id"]))[-1]
    assert event.action == "return_to_draft" and event.actor_id == a.users["lead"].id
    assert event.changes["status"] == {"before": start, "after": "draft"}
    assert event.changes["approved_by"] == {"before": str(a.users["admin"].id), "after": None}
    assert (await approve(client, a, plan["id"])).status_code == 200  # and it can be approved again


@pytest.mark.parametrize("status", ["approved", "active", "closed"])
@pytest.mark.parametrize("change", [
    {"purpose": "Something else"},
    {"objectives": [{"statement": "A new objective"}]},
    {"key_messages": []},
])
async def test_what_was_approved_is_locked(client, session, a, status, change):
    plan = await factories.plan(session, a.tenant, status=status, purpose="Original",
                                key_messages=[{"id": "6d7c0c1e-0000-4000-8000-000000000001", "text": "M",
                                               "approval_status": "approved"}])
    r = await client.patch(f"{URL}/{plan.id}", json=change, headers=a["admin"])
    assert r.status_code == 409
    assert ("draft" in r.json()["detail"]) == (status != "closed")
    await session.refresh(plan)
    assert plan.purpose == "Original" and plan.objectives == [] and len(plan.key_messages) == 1
    assert plan.version == 1


async def test_returning_to_draft_and_editing_in_one_request_is_refused(client, session, a):
    plan = await factories.plan(session, a.tenant, status="approved", purpose="Original")
    r = await client.patch(f"{URL}/{plan.id}", json={"status": "draft", "purpose": "New"}, headers=a["lead"])
    assert r.status_code == 409
    await session.refresh(plan)
    assert plan.status == "approved"


async def test_other_fields_stay_editable_while_approved(client, session, a):
    plan = await new_plan(client, a)
    await approve(client, a, plan["id"])
    body = {"stage": "deploy", "channels": ["Website"], "budget_lines": [], "title": "Renamed",
            "purpose": plan["purpose"], "objectives": plan["objectives"]}  # unchanged locked fields are fine
    r = await client.patch(f"{URL}/{plan['id']}", json=body, headers=a["lead"])
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "deploy" and r.json()["status"] == "approved"


async def test_after_returning_to_draft_the_content_can_change(client, a):
    plan = await new_plan(client, a)
    await approve(client, a, plan["id"])
    assert (await client.patch(f"{URL}/{plan['id']}", json={"purpose": "New"}, headers=a["lead"])).status_code == 409
    await set_status(client, a, plan["id"], "draft")
    r = await client.patch(f"{URL}/{plan['id']}", json={"purpose": "New"}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["purpose"] == "New"


async def test_a_retried_approve_with_its_key_gets_the_first_response(client, session, a):
    """A client whose approval's response was lost sends it again with its Idempotency-Key: the first answer, not a
    409 for a plan no longer a draft, and one approval only."""
    plan = await new_plan(client, a)
    await keyed_replays(client, session, f"{URL}/{plan['id']}/approve", a["lead"], etag='"2"', resource_id=plan["id"],
                        actions=["create", "approve"])
    again = await client.post(f"{URL}/{plan['id']}/approve", headers={**a["lead"], "Idempotency-Key": "other"})
    assert again.status_code == 409


@pytest.mark.parametrize("change", [{"status": "active"}, {"status": "draft"}])
async def test_an_archived_plans_status_cannot_change(client, session, a, change):
    approved = await approve(client, a, (await new_plan(client, a))["id"])
    plan = approved.json()
    assert (await client.delete(f"{URL}/{plan['id']}", headers=a["lead"])).status_code == 204
    r = await client.patch(f"{URL}/{plan['id']}", json=change, headers=a["lead"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "archived; restore it before changing its status" in r.json()["detail"]
    got = (await client.get(f"{URL}/{plan['id']}", headers=a["lead"])).json()
    assert got["status"] == "approved" and got["approved_at"] == plan["approved_at"]


async def test_an_archived_plan_still_takes_corrections_with_its_status_resent(client, session, a):
    plan = await factories.plan(session, a.tenant, status="active")
    await session.commit()
    await client.delete(f"{URL}/{plan.id}", headers=a["lead"])
    r = await client.patch(f"{URL}/{plan.id}", json={"title": "Corrected", "status": "active"}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["title"] == "Corrected" and r.json()["status"] == "active"
    assert r.json()["archived_at"] is not None


async def test_an_archived_plans_stage_cannot_change_but_resending_it_is_no_change(client, session, a, b):
    """An archived plan moves no further along its lifecycle either: 409, and nothing written (no version, no
    audit event); its current stage sent back with a correction is no change, and restoring it lets the stage move.
    Another tenant's lead does not learn the plan exists (404)."""
    plan = await new_plan(client, a)
    assert (await client.delete(f"{URL}/{plan['id']}", headers=a["lead"])).status_code == 204
    before = await client.get(f"{URL}/{plan['id']}", headers=a["lead"])
    events = len(await audit_events(session, plan["id"]))
    r = await client.patch(f"{URL}/{plan['id']}", json={"stage": "deploy", "title": "Moved on"}, headers=a["lead"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "archived; restore it before changing its stage" in r.json()["detail"]
    after = await client.get(f"{URL}/{plan['id']}", headers=a["lead"])
    assert after.json() == before.json() and after.headers["etag"] == before.headers["etag"]
    assert after.json()["stage"] == "develop" and len(await audit_events(session, plan["id"])) == events
    assert (await client.patch(f"{URL}/{plan['id']}", json={"stage": "deploy"}, headers=b["lead"])).status_code == 404
    r = await client.patch(f"{URL}/{plan['id']}", json={"title": "Corrected", "stage": "develop"}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["title"] == "Corrected" and r.json()["stage"] == "develop"
    assert (await client.post(f"{URL}/{plan['id']}/restore", headers=a["lead"])).status_code == 200
    r = await client.patch(f"{URL}/{plan['id']}", json={"stage": "deploy"}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["stage"] == "deploy"
