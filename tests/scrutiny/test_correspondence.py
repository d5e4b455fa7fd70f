from datetime import date

import pytest

from api import audit
from tests import factories
from tests.audit_trail import audit_text
from tests.documents.support import NIL, READ_ONLY, ROLES, WRITERS, audit_events, document
from tests.scrutiny.support import LETTER, counts, letter, letters_url


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_record_correspondence_with_its_document(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    doc = await document(session, plan, kind="correspondence")
    r = await client.post(letters_url(plan.id), json={**LETTER, "document_id": str(doc.id)}, headers=a[role])
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["direction"] == "sent" and got["correspondence_date"] == "2026-02-10"
    assert got["summary"] == LETTER["summary"] and got["document_id"] == str(doc.id)
    assert got["plan_id"] == str(plan.id) and got["version"] == 1
    assert r.headers["location"] == f"{letters_url(plan.id)}/{got['id']}" and r.headers["etag"] == '"1"'
    assert (await client.get(r.headers["location"], headers=a["auditor"])).json() == got
    [event] = await audit_events(session, got["id"])
    assert event.action == "create" and event.resource_type == "scrutiny_correspondence"


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_lists_and_reads_correspondence(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    later = await letter(session, plan, correspondence_date=date(2026, 3, 2))
    earlier = await letter(session, plan, correspondence_date=date(2026, 3, 1))
    listing = await client.get(letters_url(plan.id), headers=a[role])
    assert [c["id"] for c in listing.json()["items"]] == [str(earlier.id), str(later.id)]
    newest = await client.get(letters_url(plan.id), params={"sort": "-correspondence_date"}, headers=a[role])
    assert newest.json()["items"][0]["id"] == str(later.id)
    one = await client.get(f"{letters_url(plan.id)}/{later.id}", headers=a[role])
    assert one.status_code == 200 and one.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_write(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    row = await letter(session, plan, summary="Stay")
    item = f"{letters_url(plan.id)}/{row.id}"
    assert (await client.post(letters_url(plan.id), json=LETTER, headers=a[role])).status_code == 403
    assert (await client.patch(item, json={"summary": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(item, headers=a[role])).status_code == 403
    await session.refresh(row)
    assert row.summary == "Stay" and await counts(session, a.tenant) == (0, 1)


async def test_another_tenants_plan_or_correspondence_is_404(client, session, a, b):
    mine = await factories.plan(session, a.tenant)
    theirs = await factories.plan(session, b.tenant)
    their_letter = await letter(session, theirs, summary="Theirs")
    other_plans = await letter(session, await factories.plan(session, a.tenant))
    for path in (letters_url(theirs.id), f"{letters_url(theirs.id)}/{their_letter.id}",
                 f"{letters_url(mine.id)}/{their_letter.id}", f"{letters_url(mine.id)}/{other_plans.id}",
                 letters_url(NIL)):
        r = await client.get(path, headers=a["admin"])
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json", path
    item = f"{letters_url(mine.id)}/{their_letter.id}"
    assert (await client.post(letters_url(theirs.id), json=LETTER, headers=a["admin"])).status_code == 404
    assert (await client.patch(item, json={"summary": "X"}, headers=a["admin"])).status_code == 404
    assert (await client.delete(item, headers=a["admin"])).status_code == 404
    await session.refresh(their_letter)
    assert their_letter.summary == "Theirs" and await counts(session, b.tenant) == (0, 1)


async def test_a_document_of_another_plan_or_tenant_is_422(client, session, a, b):
    plan = await factories.plan(session, a.tenant)
    other_plans = await document(session, await factories.plan(session, a.tenant))
    theirs = await document(session, await factories.plan(session, b.tenant))
    for doc_id in (other_plans.id, theirs.id, NIL):
        r = await client.post(letters_url(plan.id), json={**LETTER, "document_id": str(doc_id)}, headers=a["lead"])
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "document_id"]
    row = await letter(session, plan)
    r = await client.patch(f"{letters_url(plan.id)}/{row.id}", json={"document_id": str(theirs.id)},
                           headers=a["lead"])
    assert r.status_code == 422
    await session.refresh(row)
    assert row.document_id is None and await counts(session, a.tenant) == (0, 1)


@pytest.mark.parametrize("body,field", [
    ({**LETTER, "direction": "forwarded"}, "direction"),
    ({**LETTER, "correspondence_date": "2026-02-30"}, "correspondence_date"),
    ({**LETTER, "correspondence_date": 0}, "correspondence_date"),
    ({**LETTER, "summary": ""}, "summary"),
    ({**LETTER, "summary": "a\x00b"}, "summary"),
    ({**LETTER, "document_id": "nope"}, "document_id"),
    ({"direction": "sent", "summary": "S"}, "correspondence_date"),
    ({**LETTER, "plan_id": NIL}, "plan_id"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, body, field):
    plan = await factories.plan(session, a.tenant)
    r = await client.post(letters_url(plan.id), json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await counts(session, a.tenant) == (0, 0)


async def test_idempotency_key_replays_the_first_response(client, session, a):
    plan = await factories.plan(session, a.tenant)
    headers = {**a["lead"], "Idempotency-Key": "letter-1"}
    first = await client.post(letters_url(plan.id), json=LETTER, headers=headers)
    again = await client.post(letters_url(plan.id), json=LETTER, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert await counts(session, a.tenant) == (0, 1)


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_update_and_delete_with_if_match(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    doc = await document(session, plan)
    row = await letter(session, plan, summary="Draft")
    item = f"{letters_url(plan.id)}/{row.id}"
    r = await client.patch(item, json={"summary": "Committee minutes", "direction": "meeting",
                                       "document_id": str(doc.id)}, headers={**a[role], "If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    assert r.json()["direction"] == "meeting" and r.json()["document_id"] == str(doc.id)
    assert (await client.patch(item, json={"summary": None}, headers=a[role])).status_code == 422
    assert (await client.delete(item, headers={**a[role], "If-Match": '"1"'})).status_code == 412
    assert (await client.delete(item, headers={**a[role], "If-Match": '"2"'})).status_code == 204
    assert await counts(session, a.tenant) == (0, 0)
    assert [e.action for e in await audit_events(session, row.id)] == ["update", "delete"]


async def test_the_audit_trail_keeps_when_and_which_way_a_letter_went_not_what_it_said(client, session, a):
    """A letter's summary may name or quote a person (an objector, a councillor): recorded, changed or deleted, the
    trail, which an erasure cannot change, records that it had one, and its direction, date and document in clear."""
    plan = await factories.plan(session, a.tenant)
    doc = await document(session, plan, kind="correspondence")
    r = await client.post(letters_url(plan.id), headers=a["lead"], json={
        "direction": "received", "correspondence_date": "2026-02-10", "document_id": str(doc.id),
        "summary": "Objection from Hettie Mallinson, hettie@example.org"})
    assert r.status_code == 201, r.text
    item = r.headers["location"]
    r = await client.patch(item, json={"summary": "Objection from Mrs Mallinson"},
                           headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert (await client.delete(item, headers={**a["lead"], "If-Match": '"2"'})).status_code == 204
    created, updated, deleted = await audit_events(session, r.json()["id"])
    assert created.changes["summary"] == {"after": audit.REDACTED}
    assert updated.changes == {"summary": {"before": audit.REDACTED, "after": audit.REDACTED}}
    assert deleted.changes == {"direction": {"before": "received"}, "correspondence_date": {"before": "2026-02-10"},
                               "summary": {"before": audit.REDACTED}, "document_id": {"before": str(doc.id)}}
    assert "mallinson" not in audit_text([created, updated, deleted]).lower()
