from datetime import UTC, datetime

import pytest

from api import audit
from tests import factories
from tests.audit_trail import audit_text
from tests.consultations.support import FULL, count, url
from tests.documents.support import NIL, READ_ONLY, ROLES, WRITERS, audit_events, consultation, document, upload
from tests.replay import restore_replays


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_create_a_consultation(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    r = await client.post(url(plan.id), json=FULL, headers=a[role])
    assert r.status_code == 201, r.text
    got = r.json()
    for name, value in FULL.items():
        assert got[name] == value, name
    assert got["plan_id"] == str(plan.id) and got["duration_days"] == 85 and got["shorter_than_minimum"] is False
    assert got["documents"] == [] and got["archived_at"] is None and got["version"] == 1
    assert got["created_by"] == str(a.users[role].id)
    assert r.headers["location"] == f"{url(plan.id)}/{got['id']}" and r.headers["etag"] == '"1"'
    again = await client.get(r.headers["location"], headers=a["auditor"])
    assert again.json() == got and again.headers["etag"] == '"1"'
    [event] = await audit_events(session, got["id"])
    assert event.action == "create" and event.resource_type == "consultation"


async def test_a_title_is_enough(client, session, a):
    plan = await factories.plan(session, a.tenant)
    got = (await client.post(url(plan.id), json={"title": "Early listening"}, headers=a["lead"])).json()
    assert got["opened_date"] is None and got["duration_days"] is None and got["shorter_than_minimum"] is None


async def test_a_window_shorter_than_its_minimum_says_so(client, session, a):
    plan = await factories.plan(session, a.tenant)
    body = {"title": "Short", "opened_date": "2026-01-05", "closed_date": "2026-01-30", "minimum_days": 84,
            "shorter_reason": "Winter pressures: the service closes on 1 February"}
    got = (await client.post(url(plan.id), json=body, headers=a["lead"])).json()
    assert got["duration_days"] == 26 and got["shorter_than_minimum"] is True
    assert got["shorter_reason"].startswith("Winter pressures")


async def test_documents_are_listed_with_whether_they_were_out_at_launch(client, session, a):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan, opened_date=datetime(2026, 1, 5).date())
    on_time = await document(session, plan, consultation_id=consult.id, kind="consultation_pack",
                             published_at=datetime(2026, 1, 4, 23, 30, tzinfo=UTC))
    # 23:30 UTC on 5 January is still 5 January in the UK (GMT): at launch.
    same_day = await document(session, plan, consultation_id=consult.id, kind="equality_impact_assessment",
                              published_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))
    late = await document(session, plan, consultation_id=consult.id, kind="other",
                          published_at=datetime(2026, 1, 6, 0, 0, tzinfo=UTC))
    never = await document(session, plan, consultation_id=consult.id, kind="other")
    await document(session, plan)  # not this consultation's
    got = (await client.get(f"{url(plan.id)}/{consult.id}", headers=a["viewer"])).json()
    launch = {d["id"]: d["published_at_launch"] for d in got["documents"]}
    assert launch == {str(on_time.id): True, str(same_day.id): True, str(late.id): False, str(never.id): False}
    first = got["documents"][0]
    assert first["sha256"] == on_time.sha256 and first["size_bytes"] == on_time.size_bytes
    assert first["media_type"] == "application/pdf" and first["kind"] == "consultation_pack"


async def test_an_uploaded_pack_appears_in_its_consultation(client, session, a):
    plan = await factories.plan(session, a.tenant)
    consult = (await client.post(url(plan.id), json=FULL, headers=a["lead"])).json()
    doc = (await upload(client, a["lead"], plan.id, consultation_id=consult["id"],
                        published_at="2026-01-05T09:00:00+00:00")).json()
    got = (await client.get(f"{url(plan.id)}/{consult['id']}", headers=a["lead"])).json()
    assert [(d["id"], d["sha256"], d["published_at_launch"]) for d in got["documents"]] == [
        (doc["id"], doc["sha256"], True)]


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_consultations(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan, title="Readable")
    listing = await client.get(url(plan.id), headers=a[role])
    assert [c["id"] for c in listing.json()["items"]] == [str(consult.id)]
    one = await client.get(f"{url(plan.id)}/{consult.id}", headers=a[role])
    assert one.status_code == 200 and one.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_write(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan, title="Stay")
    item = f"{url(plan.id)}/{consult.id}"
    assert (await client.post(url(plan.id), json=FULL, headers=a[role])).status_code == 403
    assert (await client.patch(item, json={"title": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(item, headers=a[role])).status_code == 403
    assert (await client.post(f"{item}/restore", headers=a[role])).status_code == 403
    await session.refresh(consult)
    assert consult.title == "Stay" and consult.archived_at is None and await count(session, a.tenant) == 1


async def test_another_tenants_plan_or_consultation_is_404(client, session, a, b):
    mine = await factories.plan(session, a.tenant)
    theirs = await factories.plan(session, b.tenant)
    their_consult = await consultation(session, theirs, title="Theirs")
    other_plans = await consultation(session, await factories.plan(session, a.tenant))
    for path in (url(theirs.id), f"{url(theirs.id)}/{their_consult.id}", f"{url(mine.id)}/{their_consult.id}",
                 f"{url(mine.id)}/{other_plans.id}", url(NIL)):
        r = await client.get(path, headers=a["admin"])
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json", path
    item = f"{url(mine.id)}/{their_consult.id}"
    assert (await client.post(url(theirs.id), json=FULL, headers=a["admin"])).status_code == 404
    assert (await client.patch(item, json={"title": "X"}, headers=a["admin"])).status_code == 404
    assert (await client.delete(item, headers=a["admin"])).status_code == 404
    await session.refresh(their_consult)
    assert their_consult.title == "Theirs" and their_consult.archived_at is None
    assert await count(session, b.tenant) == 1


@pytest.mark.parametrize("body,field", [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "X", "opened_date": "2026-02-01", "closed_date": "2026-01-31"}, "closed_date"),
    ({"title": "X", "opened_date": "soon"}, "opened_date"),
    ({"title": "X", "opened_date": 0}, "opened_date"),
    ({"title": "X", "closed_date": "0"}, "closed_date"),
    ({"title": "X", "decision_date": "2026-13-01"}, "decision_date"),
    ({"title": "X", "minimum_days": 0}, "minimum_days"),
    ({"title": "X", "minimum_days": -5}, "minimum_days"),
    ({"title": "X", "minimum_days": 12.5}, "minimum_days"),
    ({"title": "X", "duration_days": 10}, "duration_days"),
    ({"title": "X", "documents": []}, "documents"),
    ({"title": "X", "plan_id": NIL}, "plan_id"),
    ({"title": "X", "decision_maker": "\x00"}, "decision_maker"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, body, field):
    plan = await factories.plan(session, a.tenant)
    r = await client.post(url(plan.id), json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await count(session, a.tenant) == 0


async def test_a_duplicate_external_id_is_409(client, session, a):
    plan = await factories.plan(session, a.tenant)
    await consultation(session, plan, external_id="CONS-1")
    r = await client.post(url(plan.id), json=FULL, headers=a["lead"])
    assert r.status_code == 409 and await count(session, a.tenant) == 1


async def test_idempotency_key_replays_the_first_response(client, session, a):
    plan = await factories.plan(session, a.tenant)
    headers = {**a["lead"], "Idempotency-Key": "cons-1"}
    first = await client.post(url(plan.id), json=FULL, headers=headers)
    again = await client.post(url(plan.id), json=FULL, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = await client.post(url(plan.id), json={**FULL, "title": "Another"}, headers=headers)
    assert other.status_code == 422 and await count(session, a.tenant) == 1


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_update_with_if_match(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan, opened_date=datetime(2026, 1, 5).date())
    item = f"{url(plan.id)}/{consult.id}"
    r = await client.patch(item, json={"closed_date": "2026-02-02", "minimum_days": 30},
                           headers={**a[role], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["duration_days"] == 29 and r.json()["shorter_than_minimum"] is True
    assert r.headers["etag"] == '"2"'
    event = (await audit_events(session, consult.id))[-1]
    assert event.action == "update" and event.changes["closed_date"] == {"before": None, "after": "2026-02-02"}


async def test_the_audit_trail_records_what_was_decided_and_why_without_their_words(client, session, a):
    """Who decided, why the window was shorter and what was decided are staff's words, which may name a person: the
    trail, which an erasure cannot change, records that they were given or changed, never what they said; the window
    itself (dates, days) and the title in clear."""
    plan = await factories.plan(session, a.tenant)
    body = {**FULL, "minimum_days": 90, "decision_maker": "Dr Hettie Mallinson",
            "shorter_reason": "Mrs Hettie Mallinson's request", "decision_summary": "Agreed with Hettie Mallinson"}
    r = await client.post(url(plan.id), json=body, headers=a["lead"])
    assert r.status_code == 201, r.text
    r = await client.patch(r.headers["location"], json={"decision_maker": "Cllr Mallinson", "decision_summary": None},
                           headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    created, updated = await audit_events(session, r.json()["id"])
    for name in ("decision_maker", "shorter_reason", "decision_summary"):
        assert created.changes[name] == {"after": audit.REDACTED}, name
    assert created.changes["title"] == {"after": FULL["title"]} and created.changes["minimum_days"] == {"after": 90}
    assert updated.changes == {"decision_maker": {"before": audit.REDACTED, "after": audit.REDACTED},
                               "decision_summary": {"before": audit.REDACTED, "after": None}}
    assert "mallinson" not in audit_text([created, updated]).lower()


async def test_an_update_closing_before_opening_is_422(client, session, a):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan, opened_date=datetime(2026, 1, 5).date())
    r = await client.patch(f"{url(plan.id)}/{consult.id}", json={"closed_date": "2026-01-04"}, headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "closed_date"]
    r = await client.patch(f"{url(plan.id)}/{consult.id}", json={"title": None}, headers=a["lead"])
    assert r.status_code == 422
    await session.refresh(consult)
    assert consult.closed_date is None and consult.version == 1


async def test_a_stale_if_match_is_412(client, session, a):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan, title="Stay")
    stale = {**a["lead"], "If-Match": '"3"'}
    item = f"{url(plan.id)}/{consult.id}"
    assert (await client.patch(item, json={"title": "X"}, headers=stale)).status_code == 412
    assert (await client.delete(item, headers=stale)).status_code == 412
    await session.refresh(consult)
    assert consult.title == "Stay" and consult.archived_at is None


async def test_delete_archives_and_restore_brings_it_back(client, session, a):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan)
    pack = await document(session, plan, consultation_id=consult.id)
    item = f"{url(plan.id)}/{consult.id}"
    assert (await client.delete(item, headers=a["lead"])).status_code == 204
    assert (await client.get(url(plan.id), headers=a["lead"])).json()["items"] == []
    archived = (await client.get(url(plan.id), params={"archived": "true"}, headers=a["lead"])).json()["items"]
    assert [c["id"] for c in archived] == [str(consult.id)] and archived[0]["documents"][0]["id"] == str(pack.id)
    restored = await client.post(f"{item}/restore", headers=a["lead"])
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert [e.action for e in await audit_events(session, consult.id)] == ["archive", "restore"]


async def test_a_retried_restore_with_its_key_gets_the_first_response(client, session, a):
    """A client whose restore's response was lost sends it again with its Idempotency-Key: the first answer, not a
    second restore of a consultation archived again meanwhile."""
    plan = await factories.plan(session, a.tenant)
    item = f"{url(plan.id)}/{(await consultation(session, plan)).id}"
    await restore_replays(client, session, item, a["lead"], a["admin"])
