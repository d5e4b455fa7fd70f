import pytest

from api import audit
from tests import factories
from tests.audit_trail import audit_text
from tests.documents.support import NIL, READ_ONLY, ROLES, WRITERS, audit_events
from tests.scrutiny.support import FULL, counts, letter, record, url


async def test_before_the_first_put_the_record_reads_as_its_defaults(client, session, a):
    plan = await factories.plan(session, a.tenant)
    r = await client.get(url(plan.id), headers=a["viewer"])
    assert r.status_code == 200 and r.headers["etag"] == '"0"'
    got = r.json()
    assert got["recorded"] is False and got["id"] is None and got["version"] == 0 and got["body"] == "osc"
    assert got["substantial_variation"] is None and got["correspondence"] == []


async def test_a_welsh_body_defaults_to_llais(client, session, app):
    tenant = await factories.tenant(session, jurisdiction="wales")
    lead = await factories.user(session, tenant, role="lead")
    headers = factories.auth_headers(app, lead)
    plan = await factories.plan(session, tenant)
    assert (await client.get(url(plan.id), headers=headers)).json()["body"] == "llais"
    r = await client.put(url(plan.id), json={"committee_name": "Llais Cwm Taf Morgannwg"}, headers=headers)
    assert r.status_code == 201 and r.json()["body"] == "llais"


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_create_then_replace_the_record(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    r = await client.put(url(plan.id), json=FULL, headers={**a[role], "If-Match": '"0"'})
    assert r.status_code == 201, r.text
    got = r.json()
    for name, value in FULL.items():
        assert got[name] == value, name
    assert got["recorded"] is True and got["version"] == 1 and r.headers["etag"] == '"1"'
    assert r.headers["location"] == url(plan.id) and got["created_by"] == str(a.users[role].id)
    replaced = await client.put(url(plan.id), json={"substantial_variation": False,
                                                    "substantial_variation_reason": "A change of hours only"},
                                headers={**a[role], "If-Match": '"1"'})
    assert replaced.status_code == 200 and replaced.headers["etag"] == '"2"'
    again = replaced.json()
    assert again["id"] == got["id"] and again["substantial_variation"] is False
    assert again["committee_name"] is None and again["sos_notified_date"] is None  # PUT replaces the whole record
    assert again["body"] == "osc"
    assert [e.action for e in await audit_events(session, got["id"])] == ["create", "update"]
    assert (await client.get(url(plan.id), headers=a["auditor"])).json() == again


async def test_the_audit_trail_records_the_views_without_their_words(client, session, a):
    """Why a change is a substantial variation and the committee's view are staff's words, which may name a person (a
    councillor, a campaigner): the trail, which an erasure cannot change, records that they were given or changed,
    never what they said; the committee's name (a body) and the findings (yes/no, dates) in clear."""
    plan = await factories.plan(session, a.tenant)
    body = {**FULL, "substantial_variation_reason": "Raised by Cllr Hettie Mallinson",
            "committee_view": "Cllr Mallinson moved to refer it"}
    r = await client.put(url(plan.id), json=body, headers={**a["lead"], "If-Match": '"0"'})
    assert r.status_code == 201, r.text
    r = await client.put(url(plan.id), json={**body, "committee_view": "Mallinson's motion fell"},
                         headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    created, updated = await audit_events(session, r.json()["id"])
    assert created.changes["substantial_variation_reason"] == created.changes["committee_view"] == {
        "after": audit.REDACTED}
    assert created.changes["committee_name"] == {"after": FULL["committee_name"]}
    assert created.changes["substantial_variation"] == {"after": True}
    assert updated.changes == {"committee_view": {"before": audit.REDACTED, "after": audit.REDACTED}}
    assert "mallinson" not in audit_text([created, updated]).lower()


async def test_the_record_lists_its_correspondence_oldest_first(client, session, a):
    plan = await factories.plan(session, a.tenant)
    from datetime import date
    later = await letter(session, plan, correspondence_date=date(2026, 3, 1))
    earlier = await letter(session, plan, correspondence_date=date(2026, 2, 1))
    await letter(session, await factories.plan(session, a.tenant))
    got = (await client.get(url(plan.id), headers=a["lead"])).json()
    assert [c["id"] for c in got["correspondence"]] == [str(earlier.id), str(later.id)]


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_the_record(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    await record(session, plan, committee_name="OSC")
    r = await client.get(url(plan.id), headers=a[role])
    assert r.status_code == 200 and r.json()["committee_name"] == "OSC" and r.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_put(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    assert (await client.put(url(plan.id), json=FULL, headers=a[role])).status_code == 403
    assert await counts(session, a.tenant) == (0, 0)


async def test_another_tenants_plan_is_404(client, session, a, b):
    theirs = await factories.plan(session, b.tenant)
    await record(session, theirs, committee_name="Theirs")
    for path in (url(theirs.id), url(NIL)):
        assert (await client.get(path, headers=a["admin"])).status_code == 404
        r = await client.put(path, json=FULL, headers=a["admin"])
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert await counts(session, b.tenant) == (1, 0)


@pytest.mark.parametrize("body,field", [
    ({"substantial_variation": True}, "substantial_variation_reason"),
    ({"substantial_variation": False, "substantial_variation_reason": "  "}, "substantial_variation_reason"),
    ({"sos_notification_required": False, "sos_notified_date": "2026-01-01"}, "sos_notified_date"),
    ({"body": "healthwatch"}, "body"),
    ({"committee_view_date": "last week"}, "committee_view_date"),
    ({"committee_view_date": 0}, "committee_view_date"),
    ({"committee_name": ""}, "committee_name"),
    ({"substantial_variation": "perhaps"}, "substantial_variation"),
    ({"correspondence": []}, "correspondence"),
    ({"version": 3}, "version"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, body, field):
    plan = await factories.plan(session, a.tenant)
    existing = await record(session, plan, committee_name="Stay")
    r = await client.put(url(plan.id), json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    await session.refresh(existing)
    assert existing.committee_name == "Stay" and existing.version == 1


async def test_a_stale_if_match_is_412(client, session, a):
    plan = await factories.plan(session, a.tenant)
    assert (await client.put(url(plan.id), json=FULL, headers={**a["lead"], "If-Match": '"1"'})).status_code == 412
    assert await counts(session, a.tenant) == (0, 0)
    existing = await record(session, plan, committee_name="Stay")
    r = await client.put(url(plan.id), json=FULL, headers={**a["lead"], "If-Match": '"0"'})
    assert r.status_code == 412
    await session.refresh(existing)
    assert existing.committee_name == "Stay"
