from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from api.activities.engagement import uk_today
from api.models import AuditEvent, PlanAction
from tests import factories
from tests.actions.support import action, url
from tests.plans.support import NIL, READ_ONLY, ROLES, WRITERS

TODAY = uk_today()


async def actions_of(session, plan) -> list[PlanAction]:
    return list((await session.execute(select(PlanAction).where(PlanAction.plan_id == plan.id))).scalars().all())


@pytest.fixture
async def plan(session, a):
    return await factories.plan(session, a.tenant, title="Action plan")


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_add_an_action(client, session, a, plan, role):
    body = {"description": "Book the Bridport venue", "owner_id": str(a.users["lead"].id),
            "owner_name": "Comms team", "due_date": "2026-03-01", "notes": "Step-free access"}
    r = await client.post(url(plan.id), json=body, headers=a[role])
    assert r.status_code == 201, r.text
    got = r.json()
    assert {k: got[k] for k in body} == body
    assert got["status"] == "planned" and got["completed_at"] is None and got["plan_id"] == str(plan.id)
    assert got["created_by"] == str(a.users[role].id) and got["version"] == 1
    assert r.headers["location"] == url(plan.id, got["id"]) and r.headers["etag"] == '"1"'
    one = await client.get(r.headers["location"], headers=a["viewer"])
    assert one.json() == got and one.headers["etag"] == '"1"'


async def test_an_action_created_done_has_a_completion_time(client, a, plan):
    got = (await client.post(url(plan.id), json={"description": "Done already", "status": "done"},
                             headers=a["lead"])).json()
    assert got["completed_at"] is not None


async def test_completed_at_follows_status(client, session, a, plan):
    row = await action(session, plan)
    done = (await client.patch(url(plan.id, row.id), json={"status": "done"}, headers=a["lead"])).json()
    assert done["completed_at"] is not None and done["overdue"] is False
    notes = (await client.patch(url(plan.id, row.id), json={"notes": "went well"}, headers=a["lead"])).json()
    assert notes["completed_at"] == done["completed_at"]
    back = (await client.patch(url(plan.id, row.id), json={"status": "in_progress"}, headers=a["lead"])).json()
    assert back["completed_at"] is None


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_write(client, session, a, plan, role):
    row = await action(session, plan)
    assert (await client.post(url(plan.id), json={"description": "X"}, headers=a[role])).status_code == 403
    assert (await client.patch(url(plan.id, row.id), json={"status": "done"}, headers=a[role])).status_code == 403
    assert (await client.delete(url(plan.id, row.id), headers=a[role])).status_code == 403
    await session.refresh(row)
    assert row.status == "planned" and row.version == 1 and len(await actions_of(session, plan)) == 1


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads(client, session, a, plan, role):
    row = await action(session, plan)
    assert [x["id"] for x in (await client.get(url(plan.id), headers=a[role])).json()["items"]] == [str(row.id)]
    assert (await client.get(url(plan.id, row.id), headers=a[role])).status_code == 200


async def test_overdue_is_measured_against_the_uk_day(client, session, a, plan, monkeypatch):
    # At 23:30 UTC on 10 June it is 00:30 on 11 June in the UK: an action due on the 10th is late (UTC said not yet;
    # the year is far ahead, so that only the clock of the UK day can make it late)
    monkeypatch.setattr("api.activities.engagement.utcnow", lambda: datetime(2099, 6, 10, 23, 30, tzinfo=UTC))
    late = await action(session, plan, description="due on the 10th", due_date=date(2099, 6, 10))
    await session.commit()
    r = await client.get(url(plan.id), params={"overdue": "true"}, headers=a["viewer"])
    assert [x["description"] for x in r.json()["items"]] == ["due on the 10th"], r.text
    assert (await client.get(url(plan.id, late.id), headers=a["viewer"])).json()["overdue"] is True


async def test_filters_and_overdue(client, session, a, plan):
    rows = {
        "late": await action(session, plan, description="late", due_date=TODAY - timedelta(days=1),
                             owner_id=a.users["lead"].id),
        "late but done": await action(session, plan, description="late but done", status="done",
                                      due_date=TODAY - timedelta(days=9)),
        "late but dropped": await action(session, plan, description="late but dropped", status="dropped",
                                         due_date=TODAY - timedelta(days=9)),
        "due today": await action(session, plan, description="due today", due_date=TODAY, status="in_progress"),
        "no date": await action(session, plan, description="no date", owner_id=a.users["lead"].id),
    }
    other_plan = await factories.plan(session, a.tenant)
    await action(session, other_plan, description="another plan's", due_date=date(2020, 1, 1))

    async def names(**params):
        r = await client.get(url(plan.id), params=params, headers=a["viewer"])
        assert r.status_code == 200, r.text
        return [x["description"] for x in r.json()["items"]]

    assert await names() == list(rows)
    assert await names(overdue="true") == ["late"]
    assert await names(overdue="false") == ["late but done", "late but dropped", "due today", "no date"]
    assert await names(status="done") == ["late but done"]
    assert await names(owner_id=str(a.users["lead"].id)) == ["late", "no date"]
    assert await names(owner_id=str(a.users["lead"].id), overdue="true") == ["late"]
    listed = (await client.get(url(plan.id), headers=a["viewer"])).json()["items"]
    assert [x["overdue"] for x in listed] == [True, False, False, False, False]
    first = (await client.get(url(plan.id), params={"limit": 3, "sort": "-created_at"}, headers=a["viewer"])).json()
    rest = (await client.get(url(plan.id), params={"limit": 3, "sort": "-created_at",
                                                   "cursor": first["next_cursor"]}, headers=a["viewer"])).json()
    assert [x["description"] for x in first["items"] + rest["items"]] == list(rows)[::-1]


async def test_delete_marks_the_action_dropped_and_keeps_it(client, session, a, plan):
    row = await action(session, plan, status="done", completed_at=datetime.now(UTC))
    assert (await client.delete(url(plan.id, row.id), headers=a["lead"])).status_code == 204
    assert (await client.delete(url(plan.id, row.id), headers=a["lead"])).status_code == 204
    got = (await client.get(url(plan.id, row.id), headers=a["lead"])).json()
    assert got["status"] == "dropped" and got["completed_at"] is None and got["version"] == 2
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == str(row.id)))).scalars().all()
    assert [e.action for e in events] == ["drop"]
    assert events[0].changes["status"] == {"before": "done", "after": "dropped"}


async def test_stale_if_match_is_412(client, session, a, plan):
    row = await action(session, plan)
    await client.patch(url(plan.id, row.id), json={"notes": "x"}, headers=a["lead"])
    stale = {**a["lead"], "If-Match": '"1"'}
    assert (await client.patch(url(plan.id, row.id), json={"notes": "y"}, headers=stale)).status_code == 412
    assert (await client.delete(url(plan.id, row.id), headers=stale)).status_code == 412
    await session.refresh(row)
    assert row.notes == "x" and row.status == "planned"


@pytest.mark.parametrize("body,field", [
    ({}, "description"),
    ({"description": ""}, "description"),
    ({"description": "X", "status": "finished"}, "status"),
    ({"description": "X", "due_date": "next week"}, "due_date"),
    ({"description": "X", "due_date": 0}, "due_date"),
    ({"description": "X", "due_date": "0001-01-01"}, "due_date"),  # a year no plan is about, as everywhere else
    ({"description": "X", "due_date": "20260101"}, "due_date"),  # ISO's basic form: only YYYY-MM-DD, as elsewhere
    ({"description": "X", "owner_id": NIL}, "owner_id"),
    ({"description": "X", "completed_at": "2026-01-01T00:00:00Z"}, "completed_at"),
    ({"description": "X", "plan_id": NIL}, "plan_id"),
    ({"description": "X", "owner_name": "a\nb"}, "owner_name"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, plan, body, field):
    r = await client.post(url(plan.id), json=body, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await actions_of(session, plan) == []


async def test_an_owner_from_another_tenant_is_422(client, session, a, b, plan):
    row = await action(session, plan)
    theirs = str(b.users["lead"].id)
    assert (await client.post(url(plan.id), json={"description": "X", "owner_id": theirs},
                              headers=a["lead"])).status_code == 422
    assert (await client.patch(url(plan.id, row.id), json={"owner_id": theirs}, headers=a["lead"])).status_code == 422
    await session.refresh(row)
    assert row.owner_id is None


async def test_another_tenants_plan_and_action_are_404_everywhere(client, session, a, b, plan):
    their_plan = await factories.plan(session, b.tenant)
    theirs = await action(session, their_plan)
    mine = await action(session, plan)
    other_plan = await factories.plan(session, a.tenant)
    for method, path, body in [
        ("GET", url(their_plan.id), None),
        ("POST", url(their_plan.id), {"description": "X"}),
        ("GET", url(their_plan.id, theirs.id), None),
        ("PATCH", url(their_plan.id, theirs.id), {"status": "done"}),
        ("DELETE", url(their_plan.id, theirs.id), None),
        ("GET", url(plan.id, theirs.id), None),  # their action under my plan
        ("PATCH", url(plan.id, theirs.id), {"status": "done"}),
        ("GET", url(other_plan.id, mine.id), None),  # my action under another of my plans
        ("PATCH", url(other_plan.id, mine.id), {"status": "done"}),
        ("DELETE", url(other_plan.id, mine.id), None),
        ("GET", url(NIL), None),
    ]:
        r = await client.request(method, path, json=body, headers=a["admin"])
        assert r.status_code == 404, (method, path)
    await session.refresh(theirs)
    await session.refresh(mine)
    assert theirs.status == mine.status == "planned" and theirs.version == mine.version == 1
    assert len(await actions_of(session, their_plan)) == 1


async def test_idempotency_key_replays(client, session, a, plan):
    headers = {**a["lead"], "Idempotency-Key": "act-1"}
    first = await client.post(url(plan.id), json={"description": "Once"}, headers=headers)
    again = await client.post(url(plan.id), json={"description": "Once"}, headers=headers)
    assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
    assert len(await actions_of(session, plan)) == 1


async def test_writes_are_audited(client, session, a, plan):
    created = (await client.post(url(plan.id), json={"description": "Audited"}, headers=a["lead"])).json()
    await client.patch(url(plan.id, created["id"]), json={"status": "in_progress"}, headers=a["admin"])
    await client.delete(url(plan.id, created["id"]), headers=a["lead"])
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == created["id"])
                                    .order_by(AuditEvent.seq))).scalars().all()
    assert [e.action for e in events] == ["create", "update", "drop"]
    assert all(e.resource_type == "plan_action" for e in events)
    assert events[0].changes["plan_id"] == {"after": str(plan.id)}
    assert events[1].changes == {"status": {"before": "planned", "after": "in_progress"}}


async def test_an_owner_who_is_not_a_user_is_never_named_in_the_audit_trail(client, session, a, plan):
    created = (await client.post(url(plan.id), json={"description": "Book the hall", "owner_name": "Jane Partner"},
                                 headers=a["lead"])).json()
    await client.patch(url(plan.id, created["id"]), json={"owner_name": "John Officer"}, headers=a["lead"])
    await client.patch(url(plan.id, created["id"]), json={"owner_name": None}, headers=a["lead"])
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == created["id"])
                                    .order_by(AuditEvent.seq))).scalars().all()
    assert [e.changes["owner_name"] for e in events] == [
        {"after": "[personal data]"}, {"before": "[personal data]", "after": "[personal data]"},
        {"before": "[personal data]", "after": None}]
    assert (await client.get(url(plan.id, created["id"]), headers=a["lead"])).json()["owner_name"] is None


async def test_what_staff_write_of_an_action_is_never_in_the_audit_trail_in_clear(client, session, a, plan):
    """It may give a person's contact, which an erasure scrubs from the row: the trail must not keep it."""
    created = (await client.post(url(plan.id), json={"description": "Call Ann on 07700 900123",
                                                     "notes": "or ann@example.org"}, headers=a["lead"])).json()
    await client.patch(url(plan.id, created["id"]), json={"notes": "Phone 07700 900123"}, headers=a["lead"])
    text = str([e.changes for e in (await session.execute(select(AuditEvent).where(
        AuditEvent.resource_id == created["id"]))).scalars()])
    assert "07700" not in text and "ann@" not in text and "[personal data]" in text


async def test_a_closed_plan_takes_no_new_action_but_its_own_may_be_updated(client, session, a, b):
    """A closed plan's tactical action plan is finished: a new line is a 409 and nothing is written, while a line it
    holds may still be marked done or dropped; another tenant's closed plan stays a 404."""
    plan = await factories.plan(session, a.tenant, status="closed")
    row = await action(session, plan)
    r = await client.post(url(plan.id), json={"description": "Run the survey"}, headers=a["lead"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"].startswith("The plan is closed: its tactical action plan is finished"), r.text
    assert [i["id"] for i in (await client.get(url(plan.id), headers=a["lead"])).json()["items"]] == [str(row.id)]
    created = (await session.execute(select(AuditEvent).where(AuditEvent.resource_type == "plan_action"))).all()
    assert created == []
    r = await client.patch(url(plan.id, row.id), json={"status": "done"}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    assert (await client.delete(url(plan.id, row.id), headers=a["lead"])).status_code == 204
    theirs = await factories.plan(session, b.tenant, status="closed")
    assert (await client.post(url(theirs.id), json={"description": "X"}, headers=a["admin"])).status_code == 404
