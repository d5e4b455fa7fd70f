from datetime import timedelta

import pytest

from api.activities.engagement import UK
from api.db import utcnow
from tests import factories
from tests.activities.support import LOGGERS, READ_ONLY, ROLES, URL, audit_events, audit_text, count_activities, plan
from tests.imports.support import export_text, post_import
from tests.replay import restore_replays

BRIEFING = {
    "title": "Standard presentation to the Torfaen strategic group",
    "method": "briefing",
    "level": "inform",
    "audience_categories": ["partner", "elected_representative"],
    "duty_limb": "planning",
    "status": "planned",
    "starts_at": "2026-04-14T10:00:00+01:00",
    "ends_at": "2026-04-14T11:30:00+01:00",
    "location": "Civic Centre, Pontypool",
    "channel": "face_to_face",
    "led_by_name": "Gwen Morgan",
    "cost_pence": 12500,
    "accessible_formats": ["large_print", "translation"],
    "translation_languages": ["Welsh"],
    "external_id": "RSE-001",
}


@pytest.mark.parametrize("role", LOGGERS)
async def test_loggers_record_an_activity(client, a, role):
    r = await client.post(URL, json=BRIEFING, headers=a[role])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["starts_at"] == "2026-04-14T09:00:00Z"
    assert body["invited_count"] == 0 and body["attended_count"] == 0
    assert body["created_by"] == str(a.users[role].id)
    assert r.headers["location"] == f"{URL}/{body['id']}"
    assert r.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_record_edit_or_archive(client, session, a, role):
    act = await factories.activity(session, a.tenant, title="Stay")
    assert (await client.post(URL, json=BRIEFING, headers=a[role])).status_code == 403
    assert (await client.patch(f"{URL}/{act.id}", json={"title": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(f"{URL}/{act.id}", headers=a[role])).status_code == 403
    assert await count_activities(session, a.tenant) == 1
    await session.refresh(act)
    assert act.title == "Stay" and act.archived_at is None


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads(client, session, a, role):
    act = await factories.activity(session, a.tenant, title="PPG meeting")
    listing = await client.get(URL, headers=a[role])
    assert [i["id"] for i in listing.json()["items"]] == [str(act.id)]
    one = await client.get(f"{URL}/{act.id}", headers=a[role])
    assert one.status_code == 200 and one.headers["etag"] == '"1"'


@pytest.mark.parametrize("change,field", [
    ({"title": ""}, "title"),
    ({"method": "carrier_pigeon"}, "method"),
    ({"level": "co_produce"}, "level"),
    ({"duty_limb": "consultation"}, "duty_limb"),
    ({"status": "maybe"}, "status"),
    ({"starts_at": "2026-04-14T10:00:00"}, "starts_at"),  # no offset
    ({"starts_at": "0001-01-01T00:00:00+14:00"}, "starts_at"),
    ({"ends_at": "2026-04-14T08:00:00+00:00"}, "ends_at"),  # before it starts
    ({"cost_pence": -1}, "cost_pence"),
    ({"unnamed_attendees": -3}, "unnamed_attendees"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"accessible_formats": ["easy_read"]}, "translation_languages"),  # languages without translation
    ({"tenant_id": "00000000-0000-0000-0000-000000000000"}, "tenant_id"),
    ({"invited_count": 5}, "invited_count"),
    ({"plan_id": "00000000-0000-0000-0000-000000000000"}, "plan_id"),
    ({"led_by": "00000000-0000-0000-0000-000000000000"}, "led_by"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, change, field):
    r = await client.post(URL, json={**BRIEFING, **change}, headers=a["contributor"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await count_activities(session, a.tenant) == 0


async def test_a_translation_language_holds_no_semicolon_so_it_travels_through_csv(client, session, a):
    """A CSV cell separates a list's items with ';': exported and imported back, one language became two."""
    langs = {**BRIEFING, "accessible_formats": ["translation"]}
    r = await client.post(URL, json={**langs, "translation_languages": ["Chinese (Cantonese; Mandarin)"]},
                          headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "translation_languages", 0], r.text
    assert await count_activities(session, a.tenant) == 0
    r = await client.post(URL, json={**langs, "translation_languages": ["Chinese (Cantonese, Mandarin)", "Welsh"]},
                          headers=a["lead"])
    assert r.status_code == 201, r.text
    csv = await export_text(client, "activities", a["lead"])
    back = await post_import(client, "activities", a["lead"], csv.encode(), "?match=external_id&on_conflict=update")
    assert back.status_code == 200, back.text
    read = (await client.get(f"{URL}/{r.json()['id']}", headers=a["lead"])).json()
    assert (read["translation_languages"], read["version"]) == (["Chinese (Cantonese, Mandarin)", "Welsh"], 1)


async def test_another_tenants_plan_or_user_is_422(client, session, a, b):
    their_plan = await plan(session, b.tenant)
    r = await client.post(URL, json={**BRIEFING, "plan_id": str(their_plan.id),
                                     "led_by": str(b.users["lead"].id)}, headers=a["lead"])
    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["errors"]} == {"plan_id", "led_by"}
    assert await count_activities(session, a.tenant) == 0


async def test_own_plan_and_leader_are_accepted(client, session, a):
    mine = await plan(session, a.tenant)
    r = await client.post(URL, json={**BRIEFING, "plan_id": str(mine.id), "led_by": str(a.users["lead"].id)},
                          headers=a["contributor"])
    assert r.status_code == 201
    assert r.json()["plan_id"] == str(mine.id) and r.json()["led_by"] == str(a.users["lead"].id)


async def test_other_tenants_activity_is_404_everywhere(client, session, a, b):
    theirs = await factories.activity(session, b.tenant, title="Theirs")
    for method, path, kwargs in [
        ("GET", f"{URL}/{theirs.id}", {}),
        ("PATCH", f"{URL}/{theirs.id}", {"json": {"title": "Mine now"}}),
        ("DELETE", f"{URL}/{theirs.id}", {}),
        ("POST", f"{URL}/{theirs.id}/restore", {}),
        ("GET", f"{URL}/{theirs.id}/attendance", {}),
        ("POST", f"{URL}/{theirs.id}/attendance", {"json": {"unnamed_attendees": 4}}),
    ]:
        r = await client.request(method, path, headers=a["admin"], **kwargs)
        assert r.status_code == 404, (method, path)
    listing = await client.get(URL, params={"include_total": "true"}, headers=a["admin"])
    assert listing.json() == {"items": [], "next_cursor": None, "total": 0}
    await session.refresh(theirs)
    assert theirs.title == "Theirs" and theirs.unnamed_attendees == 0


async def test_update_checks_dates_against_the_stored_start(client, session, a):
    created = (await client.post(URL, json=BRIEFING, headers=a["lead"])).json()
    r = await client.patch(f"{URL}/{created['id']}", json={"ends_at": "2026-04-13T10:00:00Z"}, headers=a["lead"])
    assert r.status_code == 422
    ok = await client.patch(f"{URL}/{created['id']}", json={"status": "done", "outcome_summary": "Well received"},
                            headers=a["contributor"])
    assert ok.status_code == 200 and ok.json()["status"] == "done" and ok.headers["etag"] == '"2"'
    assert ok.json()["title"] == BRIEFING["title"]


async def test_stale_if_match_is_412(client, session, a):
    act = await factories.activity(session, a.tenant)
    first = await client.patch(f"{URL}/{act.id}", json={"title": "A"}, headers={**a["lead"], "If-Match": '"1"'})
    second = await client.patch(f"{URL}/{act.id}", json={"title": "B"}, headers={**a["admin"], "If-Match": '"1"'})
    assert (first.status_code, second.status_code) == (200, 412)


async def test_external_id_clash_is_409(client, session, a, b):
    await factories.activity(session, a.tenant, external_id="RSE-001")
    assert (await client.post(URL, json=BRIEFING, headers=a["lead"])).status_code == 409
    await factories.activity(session, b.tenant, external_id="RSE-002")
    assert (await client.post(URL, json={**BRIEFING, "external_id": "RSE-002"}, headers=a["lead"])).status_code == 201


async def test_idempotency_key_replays(client, session, a):
    headers = {**a["contributor"], "Idempotency-Key": "rse-1"}
    first = await client.post(URL, json=BRIEFING, headers=headers)
    again = await client.post(URL, json=BRIEFING, headers=headers)
    assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
    assert await count_activities(session, a.tenant) == 1


async def test_delete_archives_and_restore_brings_back(client, session, a):
    act = await factories.activity(session, a.tenant)
    assert (await client.delete(f"{URL}/{act.id}", headers=a["contributor"])).status_code == 204
    assert (await client.get(URL, headers=a["viewer"])).json()["items"] == []
    archived = (await client.get(URL, params={"archived": "true"}, headers=a["viewer"])).json()["items"]
    assert [i["id"] for i in archived] == [str(act.id)]
    restored = await client.post(f"{URL}/{act.id}/restore", headers=a["contributor"])
    assert restored.status_code == 200 and restored.json()["archived_at"] is None


async def test_a_retried_restore_with_its_key_gets_the_first_response(client, session, a):
    """A client whose restore's response was lost sends it again with its Idempotency-Key: the first answer, not a
    second restore of an activity archived again meanwhile."""
    act = await factories.activity(session, a.tenant)
    await restore_replays(client, session, f"{URL}/{act.id}", a["contributor"], a["lead"])


async def test_writes_are_audited_without_the_leaders_name_or_what_staff_wrote(client, session, a):
    """The trail outlives an erasure, which scrubs people out of an activity's description, location and outcome:
    it says those changed, never what they said."""
    visit = {**BRIEFING, "description": "Home visit to Ann Example, 07700 900123", "location": "Ann's flat"}
    created = (await client.post(URL, json=visit, headers=a["contributor"])).json()
    await client.patch(f"{URL}/{created['id']}", json={"status": "cancelled", "led_by_name": "Someone Else",
                                                       "outcome_summary": "Ann asked for large print"},
                       headers=a["lead"])
    await client.delete(f"{URL}/{created['id']}", headers=a["lead"])
    events = await audit_events(session, created["id"])
    assert [e.action for e in events] == ["create", "update", "archive"]
    assert events[1].changes["status"] == {"before": "planned", "after": "cancelled"}
    assert events[1].changes["outcome_summary"] == {"before": None, "after": "[personal data]"}
    assert events[0].changes["description"] == {"after": "[personal data]"}
    for words in ("Gwen", "Someone Else", "Ann", "07700"):
        assert words not in audit_text(events), words


async def test_an_activity_is_done_only_once_it_has_started(client, session, a):
    tomorrow = (utcnow().astimezone(UK) + timedelta(days=1)).isoformat()
    body = {**BRIEFING, "ends_at": None, "external_id": None}
    for starts_at in ("2199-01-01T10:00:00Z", tomorrow):
        r = await client.post(URL, json={**body, "status": "done", "starts_at": starts_at}, headers=a["contributor"])
        assert r.status_code == 422, r.text
        assert [(e["loc"], e["type"]) for e in r.json()["errors"]] == [(["body", "starts_at"], "done_before_start")]
    assert await count_activities(session, a.tenant) == 0
    done = await client.post(URL, json={**body, "status": "done", "starts_at": utcnow().isoformat()},
                             headers=a["contributor"])
    assert done.status_code == 201, done.text
    planned = (await client.post(URL, json={**body, "starts_at": tomorrow}, headers=a["contributor"])).json()
    for activity, change in ((planned, {"status": "done"}), (done.json(), {"starts_at": "2199-01-01T10:00:00Z"})):
        r = await client.patch(f"{URL}/{activity['id']}", json=change, headers=a["lead"])
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "starts_at"], r.text


async def test_a_cancelled_activity_takes_no_headcount(client, session, a):
    r = await client.post(URL, json={**BRIEFING, "status": "cancelled", "unnamed_attendees": 64},
                          headers=a["contributor"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    assert await count_activities(session, a.tenant) == 0
    act = await factories.activity(session, a.tenant, status="done", unnamed_attendees=10)
    for change in ({"status": "cancelled", "unnamed_attendees": 64}, {"unnamed_attendees": 11}):
        if "status" not in change:
            assert (await client.patch(f"{URL}/{act.id}", json={"status": "cancelled"},
                                       headers=a["lead"])).status_code == 200
        r = await client.patch(f"{URL}/{act.id}", json=change, headers=a["contributor"])
        assert r.status_code == 409, r.text
    kept = await client.patch(f"{URL}/{act.id}", json={"unnamed_attendees": 10, "title": "Called off"},
                              headers=a["contributor"])
    assert kept.status_code == 200 and kept.json()["attended_count"] == 10, kept.text
