"""A held plan's action plan keeps what was planned: no action is dropped, and none's description, due date or
linked activity changes; the progress recorded since (status, owner, notes, a first link) still does."""

from datetime import date

import pytest

from tests import factories
from tests.actions.support import action, url
from tests.gdpr.support import held_plan, hold_url, is_problem
from tests.gdpr.support import is_held as is_hold_problem
from tests.plans.support import NIL, READ_ONLY, WRITERS, audit_events


@pytest.fixture
async def held(session, a):
    return await held_plan(session, a.tenant, "Held actions")


def is_held(r) -> bool:
    return is_hold_problem(r, "Held actions")


async def unchanged(session, row) -> bool:
    await session.refresh(row)
    return row.version == 1 and await audit_events(session, row.id) == []


@pytest.mark.parametrize("role", WRITERS)
async def test_a_held_plans_action_cannot_be_dropped(client, session, a, held, role):
    row = await action(session, held, status="in_progress")
    assert is_held(await client.delete(url(held.id, row.id), headers=a[role]))
    assert is_held(await client.patch(url(held.id, row.id), json={"status": "dropped"}, headers=a[role]))
    assert await unchanged(session, row) and row.status == "in_progress"


async def test_dropping_an_action_dropped_before_the_hold_changes_nothing(client, session, a, held):
    row = await action(session, held, status="dropped")
    assert (await client.delete(url(held.id, row.id), headers=a["lead"])).status_code == 204
    assert await unchanged(session, row)


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("change", ["description", "due_date", "another activity", "no activity"])
async def test_what_a_held_plans_action_planned_cannot_change(client, session, a, held, role, change):
    linked = await factories.activity(session, a.tenant, plan_id=held.id)
    row = await action(session, held, due_date=date(2026, 3, 1), activity_id=linked.id)
    other = await factories.activity(session, a.tenant, plan_id=held.id)
    body = {"description": {"description": "Brief nobody"}, "due_date": {"due_date": "2027-01-01"},
            "another activity": {"activity_id": str(other.id)}, "no activity": {"activity_id": None}}[change]
    assert is_held(await client.patch(url(held.id, row.id), json=body, headers=a[role]))
    assert await unchanged(session, row) and row.activity_id == linked.id


@pytest.mark.parametrize("role", WRITERS)
async def test_the_progress_of_a_held_plans_action_still_changes_and_is_audited(client, session, a, held, role):
    row = await action(session, held, due_date=date(2026, 3, 1))
    activity = await factories.activity(session, a.tenant, plan_id=held.id)
    # What was planned, sent back as it was read, is no change of it; a first link to its activity is progress.
    body = {"description": "Brief the Health Scrutiny Committee", "due_date": "2026-03-01",
            "activity_id": str(activity.id), "notes": "Briefed in March", "owner_name": "Comms team"}
    r = await client.patch(url(held.id, row.id), json=body, headers=a[role])
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in body} == body and r.json()["status"] == "done"
    back = await client.patch(url(held.id, row.id), json={"status": "in_progress", "activity_id": str(activity.id)},
                              headers=a[role])
    assert back.status_code == 200 and back.json()["status"] == "in_progress", back.text
    events = await audit_events(session, row.id)
    assert [e.action for e in events] == ["update", "update"]
    assert set(events[0].changes) == {"activity_id", "notes", "owner_name", "status", "completed_at"}


async def test_once_the_hold_is_lifted_an_action_is_dropped_again(client, session, a, held):
    row = await action(session, held)
    assert (await client.delete(hold_url(held.id), headers=a["admin"])).status_code == 200
    assert (await client.delete(url(held.id, row.id), headers=a["lead"])).status_code == 204
    r = await client.patch(url(held.id, row.id), json={"description": "Reworded"}, headers=a["lead"])
    assert r.status_code == 200 and (r.json()["status"], r.json()["description"]) == ("dropped", "Reworded")


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_change_a_held_plans_action(client, session, a, held, role):
    row = await action(session, held)
    assert is_problem(await client.delete(url(held.id, row.id), headers=a[role]), 403)
    assert is_problem(await client.patch(url(held.id, row.id), json={"notes": "x"}, headers=a[role]), 403)
    assert await unchanged(session, row)


async def test_another_tenants_held_action_is_404(client, session, a, b, held):
    row = await action(session, held)
    for path in (url(held.id, row.id), url(held.id, NIL)):
        assert is_problem(await client.delete(path, headers=b["admin"]), 404)
        assert is_problem(await client.patch(path, json={"description": "X"}, headers=b["admin"]), 404)
    assert await unchanged(session, row)
