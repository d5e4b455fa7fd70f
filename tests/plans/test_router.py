import uuid

import pytest

from api.models import Plan
from tests import factories
from tests.plans.support import FULL_PLAN, NIL, READ_ONLY, ROLES, URL, WRITERS, audit_events, count
from tests.replay import restore_replays


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_create_a_plan(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    org = await factories.organisation(session, a.tenant)
    body = {**FULL_PLAN, "lead_id": str(a.users["lead"].id), "audience_stakeholder_ids": [str(person.id)],
            "audience_organisation_ids": [str(org.id)]}
    r = await client.post(URL, json=body, headers=a[role])
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["status"] == "draft" and got["stage"] == "develop" and got["version"] == 1
    assert got["approved_by"] is None and got["approved_at"] is None and got["archived_at"] is None
    for name in ("title", "programme", "delivery_group", "purpose", "situation_analysis", "approach", "start_date",
                 "end_date", "channels", "audience_categories", "external_id", "lead_id"):
        assert got[name] == body[name], name
    assert got["audience_stakeholder_ids"] == [str(person.id)] and got["audience_organisation_ids"] == [str(org.id)]
    objective = got["objectives"][0]
    assert uuid.UUID(objective["id"]) and objective["statement"] == "Hear from 300 residents by April"
    assert objective["due_date"] == "2026-04-30" and objective["status"] == "on_track"
    assert got["key_messages"][0]["approval_status"] == "approved" and uuid.UUID(got["key_messages"][0]["id"])
    assert [b["amount_pence"] for b in got["budget_lines"]] == [45000, 120050]
    assert got["budget_lines"][1]["funded_from"] is None and got["budget_total_pence"] == 165050
    assert got["evaluation_measures"][0] == {"id": got["evaluation_measures"][0]["id"], "name": "Attendance at events",
                                             "target": "150", "actual": None}
    assert got["created_by"] == str(a.users[role].id)
    assert r.headers["location"] == f"{URL}/{got['id']}" and r.headers["etag"] == '"1"'
    again = await client.get(r.headers["location"], headers=a["viewer"])
    assert again.json() == got and again.headers["etag"] == '"1"'


async def test_create_needs_only_a_title(client, a):
    r = await client.post(URL, json={"title": "Minimal"}, headers=a["lead"])
    assert r.status_code == 201
    got = r.json()
    assert got["stage"] == "design" and got["status"] == "draft" and got["objectives"] == []
    assert got["audience_stakeholder_ids"] == [] and got["budget_total_pence"] == 0


async def test_sub_items_keep_a_given_id(client, a):
    item_id = str(uuid.uuid4())
    body = {"title": "Ids", "objectives": [{"id": item_id, "statement": "Mine"}, {"statement": "New"}]}
    got = (await client.post(URL, json=body, headers=a["lead"])).json()
    assert got["objectives"][0]["id"] == item_id and got["objectives"][1]["id"] != item_id


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_create_edit_or_archive(client, session, a, role):
    plan = await factories.plan(session, a.tenant, title="Stay")
    assert (await client.post(URL, json={"title": "X"}, headers=a[role])).status_code == 403
    assert (await client.patch(f"{URL}/{plan.id}", json={"title": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(f"{URL}/{plan.id}", headers=a[role])).status_code == 403
    assert (await client.post(f"{URL}/{plan.id}/restore", headers=a[role])).status_code == 403
    assert (await client.post(f"{URL}/{plan.id}/approve", headers=a[role])).status_code == 403
    await session.refresh(plan)
    assert plan.title == "Stay" and plan.version == 1 and plan.status == "draft"
    assert await count(session, a.tenant) == 1


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_plans(client, session, a, role):
    plan = await factories.plan(session, a.tenant, title="Readable")
    listing = await client.get(URL, headers=a[role])
    assert [p["id"] for p in listing.json()["items"]] == [str(plan.id)]
    one = await client.get(f"{URL}/{plan.id}", headers=a[role])
    assert one.status_code == 200 and one.headers["etag"] == '"1"'


@pytest.mark.parametrize("body,field", [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "X", "stage": "launch"}, "stage"),
    ({"title": "X", "status": "approved"}, "status"),
    ({"title": "X", "approved_by": NIL}, "approved_by"),
    ({"title": "X", "tenant_id": NIL}, "tenant_id"),
    ({"title": "X", "start_date": "soon"}, "start_date"),
    ({"title": "X", "start_date": 0}, "start_date"),  # not a Unix timestamp
    ({"title": "X", "start_date": "1066-10-14"}, "start_date"),  # before 1900: a mistyped year, as everywhere else
    ({"title": "X", "end_date": "0"}, "end_date"),
    ({"title": "X", "objectives": [{"statement": "S", "due_date": 86400}]}, "due_date"),
    ({"title": "X", "start_date": "2026-02-01", "end_date": "2026-01-01"}, "end_date"),
    ({"title": "X", "objectives": [{"measure": "no statement"}]}, "statement"),
    ({"title": "X", "objectives": [{"statement": "S", "status": "done"}]}, "status"),
    ({"title": "X", "objectives": [{"statement": "S", "colour": "red"}]}, "colour"),
    ({"title": "X", "objectives": [{"id": NIL, "statement": "A"}, {"id": NIL, "statement": "B"}]}, "objectives"),
    ({"title": "X", "key_messages": [{"text": "M", "approval_status": "maybe"}]}, "approval_status"),
    ({"title": "X", "budget_lines": [{"item": "Venue", "amount_pence": -1}]}, "amount_pence"),
    ({"title": "X", "budget_lines": [{"item": "Venue", "amount_pence": 12.5}]}, "amount_pence"),
    ({"title": "X", "budget_lines": [{"item": "Venue"}]}, "amount_pence"),
    ({"title": "X", "evaluation_measures": [{"target": "10"}]}, "name"),
    ({"title": "X", "channels": [""]}, 0),
    ({"title": "X", "audience_categories": ["aliens"]}, 0),
    ({"title": "X", "audience_stakeholder_ids": ["nope"]}, 0),
    ({"title": "X", "lead_id": NIL}, "lead_id"),
    ({"title": "X", "audience_stakeholder_ids": [NIL]}, 0),
    ({"title": "X", "audience_organisation_ids": [NIL]}, 0),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, body, field):
    r = await client.post(URL, json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await count(session, a.tenant) == 0


async def test_links_to_another_tenant_are_422_naming_each(client, session, a, b):
    mine = await factories.stakeholder(session, a.tenant)
    theirs = await factories.stakeholder(session, b.tenant)
    their_org = await factories.organisation(session, b.tenant)
    body = {"title": "X", "lead_id": str(b.users["lead"].id),
            "audience_stakeholder_ids": [str(mine.id), str(theirs.id)],
            "audience_organisation_ids": [str(their_org.id)]}
    r = await client.post(URL, json=body, headers=a["lead"])
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["errors"]] == [
        ["body", "lead_id"], ["body", "audience_stakeholder_ids", 1], ["body", "audience_organisation_ids", 0]]
    assert await count(session, a.tenant) == 0


async def test_update_changes_only_the_fields_given_and_replaces_lists(client, session, a):
    one, two = await factories.stakeholder(session, a.tenant), await factories.stakeholder(session, a.tenant)
    org = await factories.organisation(session, a.tenant)
    created = (await client.post(URL, json={**FULL_PLAN, "audience_stakeholder_ids": [str(one.id)],
                                            "audience_organisation_ids": [str(org.id)]}, headers=a["lead"])).json()
    body = {"title": "Renamed", "channels": ["Website"], "audience_stakeholder_ids": [str(two.id)],
            "stage": "deploy", "lead_id": str(a.users["admin"].id)}
    r = await client.patch(f"{URL}/{created['id']}", json=body, headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["title"] == "Renamed" and got["channels"] == ["Website"] and got["stage"] == "deploy"
    assert got["audience_stakeholder_ids"] == [str(two.id)]
    assert got["audience_organisation_ids"] == [str(org.id)]  # not given: kept
    assert got["purpose"] == FULL_PLAN["purpose"] and got["objectives"] == created["objectives"]
    assert r.headers["etag"] == '"2"' and got["version"] == 2


async def test_a_change_of_the_audience_alone_moves_the_etag_and_is_audited(client, session, a):
    plan = await factories.plan(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant)
    r = await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": [str(person.id)]},
                           headers=a["lead"])
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    [event] = await audit_events(session, plan.id)
    assert event.changes == {"audience_stakeholder_ids": {"before": [], "after": [str(person.id)]}}
    same = await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": [str(person.id)]},
                              headers=a["lead"])
    assert same.headers["etag"] == '"2"' and len(await audit_events(session, plan.id)) == 1


async def test_update_with_nothing_new_keeps_the_version(client, session, a):
    plan = await factories.plan(session, a.tenant, title="Same")
    r = await client.patch(f"{URL}/{plan.id}", json={"title": "Same"}, headers=a["lead"])
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    assert await audit_events(session, plan.id) == []


@pytest.mark.parametrize("field", ["title", "stage", "status", "objectives", "channels", "audience_categories",
                                   "audience_stakeholder_ids"])
async def test_update_refuses_null_for_a_required_field(client, session, a, field):
    plan = await factories.plan(session, a.tenant, title="Keep")
    r = await client.patch(f"{URL}/{plan.id}", json={field: None}, headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == field
    await session.refresh(plan)
    assert plan.version == 1


async def test_update_checks_dates_against_the_stored_ones(client, session, a):
    plan = await factories.plan(session, a.tenant, start_date=__import__("datetime").date(2026, 5, 1))
    r = await client.patch(f"{URL}/{plan.id}", json={"end_date": "2026-04-01"}, headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "end_date"]


async def test_update_link_to_another_tenant_is_422(client, session, a, b):
    plan = await factories.plan(session, a.tenant)
    their_org = await factories.organisation(session, b.tenant)
    r = await client.patch(f"{URL}/{plan.id}", json={"audience_organisation_ids": [str(their_org.id)]},
                           headers=a["lead"])
    assert r.status_code == 422
    assert (await client.get(f"{URL}/{plan.id}", headers=a["lead"])).json()["audience_organisation_ids"] == []


async def test_stale_if_match_is_412(client, session, a):
    plan = await factories.plan(session, a.tenant, title="Race")
    first = await client.patch(f"{URL}/{plan.id}", json={"title": "A"}, headers={**a["lead"], "If-Match": '"1"'})
    second = await client.patch(f"{URL}/{plan.id}", json={"title": "B"}, headers={**a["admin"], "If-Match": '"1"'})
    assert (first.status_code, second.status_code) == (200, 412)
    stale_delete = await client.delete(f"{URL}/{plan.id}", headers={**a["lead"], "If-Match": '"1"'})
    assert stale_delete.status_code == 412
    await session.refresh(plan)
    assert plan.title == "A" and plan.archived_at is None


async def test_external_id_clash_is_409(client, session, a, b):
    await factories.plan(session, a.tenant, external_id="P-1")
    await factories.plan(session, b.tenant, external_id="P-2")
    assert (await client.post(URL, json={"title": "Dup", "external_id": "P-1"}, headers=a["lead"])).status_code == 409
    ok = await client.post(URL, json={"title": "Fine", "external_id": "P-2"}, headers=a["lead"])
    assert ok.status_code == 201
    moved = await client.patch(f"{URL}/{ok.json()['id']}", json={"external_id": "P-1"}, headers=a["lead"])
    assert moved.status_code == 409


async def test_delete_archives_and_restore_brings_back(client, session, a):
    plan = await factories.plan(session, a.tenant, title="Gone")
    assert (await client.delete(f"{URL}/{plan.id}", headers=a["lead"])).status_code == 204
    assert (await client.delete(f"{URL}/{plan.id}", headers=a["lead"])).status_code == 204
    assert (await client.get(URL, headers=a["lead"])).json()["items"] == []
    assert [p["id"] for p in (await client.get(URL, params={"archived": "true"}, headers=a["lead"])).json()[
        "items"]] == [str(plan.id)]
    restored = await client.post(f"{URL}/{plan.id}/restore", headers=a["admin"])
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert restored.headers["etag"] == '"3"'
    assert [e.action for e in await audit_events(session, plan.id)] == ["archive", "restore"]


async def test_other_tenants_plan_is_404_everywhere(client, session, a, b):
    theirs = await factories.plan(session, b.tenant, title="Theirs")
    for method, path, body in [
        ("GET", f"{URL}/{theirs.id}", None),
        ("PATCH", f"{URL}/{theirs.id}", {"title": "Mine now"}),
        ("DELETE", f"{URL}/{theirs.id}", None),
        ("POST", f"{URL}/{theirs.id}/restore", None),
        ("POST", f"{URL}/{theirs.id}/approve", None),
        ("GET", f"{URL}/{theirs.id}/grid", None),
        ("GET", f"{URL}/{NIL}", None),
    ]:
        r = await client.request(method, path, json=body, headers=a["admin"])
        assert r.status_code == 404, (method, path)
        assert r.headers["content-type"] == "application/problem+json"
    for archived in ("false", "true"):
        listing = await client.get(URL, params={"include_total": "true", "archived": archived}, headers=a["admin"])
        assert listing.json() == {"items": [], "next_cursor": None, "total": 0}
    await session.refresh(theirs)
    assert theirs.title == "Theirs" and theirs.version == 1 and theirs.status == "draft"


async def test_idempotency_key_replays_and_refuses_another_body(client, session, a):
    headers = {**a["lead"], "Idempotency-Key": "plan-1"}
    first = await client.post(URL, json={"title": "Once", "objectives": [{"statement": "S"}]}, headers=headers)
    again = await client.post(URL, json={"title": "Once", "objectives": [{"statement": "S"}]}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true" and again.headers["etag"] == '"1"'
    assert await count(session, a.tenant) == 1
    assert (await client.post(URL, json={"title": "Twice"}, headers=headers)).status_code == 422


async def test_writes_are_audited(client, session, a):
    created = (await client.post(URL, json={"title": "Audited", "stage": "design"}, headers=a["lead"])).json()
    await client.patch(f"{URL}/{created['id']}", json={"stage": "develop"}, headers=a["admin"])
    await client.delete(f"{URL}/{created['id']}", headers=a["lead"])
    await client.post(f"{URL}/{created['id']}/restore", headers=a["lead"])
    events = await audit_events(session, created["id"])
    assert [e.action for e in events] == ["create", "update", "archive", "restore"]
    assert all(e.resource_type == "plan" and e.tenant_id == a.tenant.id for e in events)
    assert events[0].changes["title"] == {"after": "Audited"} and events[0].changes["status"] == {"after": "draft"}
    assert events[1].changes == {"stage": {"before": "design", "after": "develop"}}
    assert events[1].actor_id == a.users["admin"].id


async def test_the_row_keeps_sub_items_as_json_with_ids(client, session, a):
    created = (await client.post(URL, json=FULL_PLAN, headers=a["lead"])).json()
    row = await session.get(Plan, uuid.UUID(created["id"]))
    assert row.objectives[0]["id"] == created["objectives"][0]["id"]
    assert row.budget_lines[0]["amount_pence"] == 45000


async def test_a_retried_restore_with_its_key_gets_the_first_response(client, session, a):
    plan = await factories.plan(session, a.tenant, title="Gone")
    await session.commit()
    await restore_replays(client, session, f"{URL}/{plan.id}", a["lead"], a["admin"])
