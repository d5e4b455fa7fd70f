"""A plan on legal hold keeps its status and what was approved: it can be neither un-approved nor rewritten."""

import pytest

from tests import factories
from tests.plans.support import NIL, READ_ONLY, URL, WRITERS, audit_events

HELD = "https://involve.nhs.example/problems/legal-hold"
OBJECTIVE = {"id": "6d7c0c1e-0000-4000-8000-00000000000a", "statement": "Hear from 300 residents", "measure": None,
             "target": "300", "due_date": "2026-04-30", "status": "on_track"}
MESSAGE = {"id": "6d7c0c1e-0000-4000-8000-00000000000b", "text": "Care closer to home", "approval_status": "draft"}


async def held_plan(client, session, a, status="approved", **values):
    plan = await factories.plan(session, a.tenant, status=status, purpose="Original purpose", objectives=[OBJECTIVE],
                                key_messages=[MESSAGE], approved_by=None if status == "draft" else a.users["lead"].id,
                                **values)
    await session.commit()
    r = await client.post(f"{URL}/{plan.id}/legal-hold", json={"reason": "Judicial review claim"}, headers=a["admin"])
    assert r.status_code == 200, r.text
    return plan, r.json()


def is_held_conflict(r) -> bool:
    return (r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
            and r.json()["type"] == HELD)


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("start,target", [("approved", "draft"), ("active", "draft"), ("approved", "active"),
                                          ("active", "closed")])
async def test_a_held_plans_status_cannot_change(client, session, a, role, start, target):
    plan, before = await held_plan(client, session, a, status=start)
    r = await client.patch(f"{URL}/{plan.id}", json={"status": target}, headers=a[role])
    assert is_held_conflict(r), r.text
    assert "legal hold" in r.json()["detail"] and "status" in r.json()["detail"]
    after = (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json()
    assert (after["status"], after["approved_by"], after["version"]) == (start, before["approved_by"],
                                                                         before["version"])


@pytest.mark.parametrize("status", ["draft", "approved", "active", "closed"])
@pytest.mark.parametrize("change", [
    {"purpose": "Rewritten after the claim"},
    {"objectives": [{**OBJECTIVE, "statement": "Hear from 30 residents"}]},
    {"objectives": [{**OBJECTIVE, "due_date": "2027-01-01"}]},
    {"objectives": []},
    {"key_messages": [{**MESSAGE, "text": "Care further from home"}]},
    {"key_messages": [MESSAGE, {"text": "A message added after the claim"}]},
])
async def test_what_a_held_plan_says_cannot_change_whatever_its_status(client, session, a, status, change):
    plan, before = await held_plan(client, session, a, status=status)
    r = await client.patch(f"{URL}/{plan.id}", json=change, headers=a["admin"])
    assert is_held_conflict(r), r.text
    after = (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json()
    assert after == before


async def test_a_held_draft_cannot_be_approved(client, session, a):
    plan, before = await held_plan(client, session, a, status="draft")
    assert is_held_conflict(await client.post(f"{URL}/{plan.id}/approve", headers=a["lead"]))
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json()["status"] == "draft"


@pytest.mark.parametrize("role", WRITERS)
async def test_progress_and_other_fields_of_a_held_plan_still_change_and_are_audited(client, session, a, role):
    # What was claimed is frozen; progress recorded since is new evidence, not a rewrite.
    plan, _ = await held_plan(client, session, a, status="active")
    body = {"title": "Renamed", "channels": ["Website"], "objectives": [{**OBJECTIVE, "status": "achieved"}],
            "key_messages": [{**MESSAGE, "approval_status": "approved"}], "purpose": "Original purpose",
            "status": "active"}
    r = await client.patch(f"{URL}/{plan.id}", json=body, headers=a[role])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["objectives"] == [{**OBJECTIVE, "status": "achieved"}] and got["title"] == "Renamed"
    assert got["key_messages"][0]["approval_status"] == "approved" and got["legal_hold_at"]
    event = (await audit_events(session, plan.id))[-1]
    assert event.action == "update" and event.actor_id == a.users[role].id
    assert event.changes["objectives"]["after"][0]["status"] == "achieved"


async def test_once_the_hold_is_lifted_the_plan_returns_to_draft(client, session, a):
    plan, _ = await held_plan(client, session, a)
    assert (await client.delete(f"{URL}/{plan.id}/legal-hold", headers=a["admin"])).status_code == 200
    r = await client.patch(f"{URL}/{plan.id}", json={"status": "draft"}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["approved_by"] is None


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_change_a_held_plan(client, session, a, role):
    plan, before = await held_plan(client, session, a)
    r = await client.patch(f"{URL}/{plan.id}", json={"status": "draft"}, headers=a[role])
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json() == before


async def test_another_tenants_held_plan_is_404(client, session, a, b):
    plan, before = await held_plan(client, session, a)
    for url in (f"{URL}/{plan.id}", f"{URL}/{NIL}"):
        r = await client.patch(url, json={"status": "draft"}, headers=b["lead"])
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json() == before


async def test_a_bad_body_for_a_held_plan_is_422_and_changes_nothing(client, session, a):
    plan, before = await held_plan(client, session, a)
    for body in ({"status": "archived"}, {"objectives": [{**OBJECTIVE, "status": "done"}]}):
        r = await client.patch(f"{URL}/{plan.id}", json=body, headers=a["lead"])
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json() == before
