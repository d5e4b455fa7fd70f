import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from api.models import IdempotencyRecord, Stakeholder
from tests import factories
from tests.replay import restore_replays
from tests.stakeholders.support import PERSON, READ_ONLY, ROLES, URL, WRITERS, audit_events, count

NIL = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_create_a_stakeholder(client, session, a, role):
    org = await factories.organisation(session, a.tenant, name="Bridport Patient Group")
    body = {**PERSON, "organisation_id": str(org.id), "owner_id": str(a.users["lead"].id)}
    r = await client.post(URL, json=body, headers=a[role])
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["name"] == "Margaret Okafor"
    assert got["email"] == "Margaret.Okafor@example.org"  # the domain is normalised, the local part kept
    assert got["postcode"] == "DT6 3NQ"
    assert got["categories"] == ["patient", "carer"]
    assert got["communication_needs"] == ["large_print", "interpreter"]
    assert got["organisation_id"] == str(org.id) and got["owner_id"] == str(a.users["lead"].id)
    assert got["contact_details_masked"] is False
    assert got["consent_recorded_at"] is not None  # consent given without a date: recorded now
    assert got["created_by"] == str(a.users[role].id) and got["version"] == 1
    assert got["archived_at"] is None and got["erased_at"] is None
    assert r.headers["location"] == f"{URL}/{got['id']}"
    assert r.headers["etag"] == '"1"'
    row = await session.get(Stakeholder, uuid.UUID(got["id"]))
    assert row.tenant_id == a.tenant.id and row.phone == "+44 1308 422100"


async def test_create_needs_only_a_name(client, a):
    r = await client.post(URL, json={"name": "Dorset Youth Forum"}, headers=a["lead"])
    assert r.status_code == 201
    got = r.json()
    assert got["kind"] == "person" and got["categories"] == [] and got["tags"] == []
    assert got["contact_consent"] is False and got["consent_recorded_at"] is None


async def test_create_keeps_a_given_consent_date_and_dedupes_lists(client, a):
    body = {"name": "Consent", "contact_consent": True, "consent_recorded_at": "2025-03-01T09:30:00+00:00",
            "categories": ["patient", "patient"], "tags": ["a", "a", "b"]}
    got = (await client.post(URL, json=body, headers=a["lead"])).json()
    assert datetime.fromisoformat(got["consent_recorded_at"]) == datetime.fromisoformat("2025-03-01T09:30:00+00:00")
    assert got["categories"] == ["patient"] and got["tags"] == ["a", "b"]


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_create(client, session, a, role):
    r = await client.post(URL, json={"name": "X"}, headers=a[role])
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 0


async def test_anonymous_gets_401(client):
    r = await client.get(URL)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant, name="Pat Reader")
    listing = await client.get(URL, headers=a[role])
    assert listing.status_code == 200
    assert [s["id"] for s in listing.json()["items"]] == [str(person.id)]
    one = await client.get(f"{URL}/{person.id}", headers=a[role])
    assert one.status_code == 200
    assert one.json()["name"] == "Pat Reader"
    assert one.headers["etag"] == '"1"'


async def test_unknown_stakeholder_is_404(client, a):
    r = await client.get(f"{URL}/{NIL}", headers=a["viewer"])
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("body,field", [
    ({"name": ""}, "name"),
    ({}, "name"),
    ({"name": "X", "kind": "robot"}, "kind"),
    ({"name": "X", "categories": ["aliens"]}, 0),
    ({"name": "X", "preferred_channels": ["pigeon"]}, 0),
    ({"name": "X", "communication_needs": ["telepathy"]}, 0),
    ({"name": "X", "consent_basis": "because"}, "consent_basis"),
    ({"name": "X", "consent_recorded_at": "2025-03-01T09:30:00"}, "consent_recorded_at"),
    ({"name": "X", "email": "not-an-email"}, "email"),
    ({"name": "X", "postcode": "NOT A CODE"}, "postcode"),
    ({"name": "X", "phone": "call me"}, "phone"),
    ({"name": "X", "organisation_id": "not-a-uuid"}, "organisation_id"),
    ({"name": "X", "tags": ["a,b"]}, 0),
    ({"name": "X", "tenant_id": NIL}, "tenant_id"),
    ({"name": "X", "id": NIL}, "id"),
    ({"name": "X", "created_by": NIL}, "created_by"),
    ({"name": "X", "erased_at": "2025-01-01T00:00:00Z"}, "erased_at"),
    ({"name": "X", "contact_details_masked": False}, "contact_details_masked"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, body, field):
    r = await client.post(URL, json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    problem = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in problem["errors"]), problem
    assert await count(session, a.tenant) == 0


async def test_validation_problem_does_not_echo_the_input(client, a):
    r = await client.post(URL, json={"name": "X", "email": "secret-person@"}, headers=a["lead"])
    assert r.status_code == 422
    assert "secret-person" not in r.text


@pytest.mark.parametrize("field", ["organisation_id", "owner_id"])
async def test_link_to_another_tenant_is_422(client, session, a, b, field):
    theirs = {"organisation_id": (await factories.organisation(session, b.tenant)).id,
              "owner_id": b.users["lead"].id}[field]
    r = await client.post(URL, json={"name": "X", field: str(theirs)}, headers=a["lead"])
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["errors"]] == [["body", field]]
    assert await count(session, a.tenant) == 0


async def test_unknown_organisation_and_owner_are_both_reported(client, session, a):
    r = await client.post(URL, json={"name": "X", "organisation_id": NIL, "owner_id": NIL}, headers=a["lead"])
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["errors"]] == [["body", "organisation_id"], ["body", "owner_id"]]


@pytest.mark.parametrize("field", ["organisation_id", "owner_id"])
async def test_update_link_to_another_tenant_is_422(client, session, a, b, field):
    person = await factories.stakeholder(session, a.tenant, name="Stay")
    theirs = {"organisation_id": (await factories.organisation(session, b.tenant)).id,
              "owner_id": b.users["admin"].id}[field]
    r = await client.patch(f"{URL}/{person.id}", json={field: str(theirs)}, headers=a["lead"])
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", field]
    await session.refresh(person)
    assert getattr(person, field) is None and person.version == 1


async def test_other_tenants_stakeholder_is_404_everywhere(client, session, a, b):
    theirs = await factories.stakeholder(session, b.tenant, name="Their Person", email="their@example.org")
    for method, path, kwargs in [
        ("GET", f"{URL}/{theirs.id}", {}),
        ("PATCH", f"{URL}/{theirs.id}", {"json": {"name": "Mine now"}}),
        ("DELETE", f"{URL}/{theirs.id}", {}),
        ("POST", f"{URL}/{theirs.id}/restore", {}),
        ("POST", f"{URL}/{theirs.id}/erase", {}),
    ]:
        r = await client.request(method, path, headers=a["admin"], **kwargs)
        assert r.status_code == 404, (method, path)
    for archived in ("false", "true"):
        listing = await client.get(URL, params={"include_total": "true", "archived": archived}, headers=a["admin"])
        assert listing.json() == {"items": [], "next_cursor": None, "total": 0}
    await session.refresh(theirs)
    assert theirs.name == "Their Person" and theirs.archived_at is None and theirs.erased_at is None
    assert theirs.version == 1


async def test_other_tenants_email_is_no_clash(client, session, a, b):
    await factories.stakeholder(session, b.tenant, email="shared@example.org")
    r = await client.post(URL, json={"name": "Mine", "email": "shared@example.org"}, headers=a["lead"])
    assert r.status_code == 201


async def test_update_changes_only_given_fields_and_bumps_etag(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Old", notes="keep me", tags=["x"],
                                         is_champion=True)
    r = await client.patch(f"{URL}/{person.id}", json={"name": "New", "categories": ["staff"]}, headers=a["lead"])
    assert r.status_code == 200
    got = r.json()
    assert got["name"] == "New" and got["categories"] == ["staff"]
    assert got["notes"] == "keep me" and got["tags"] == ["x"] and got["is_champion"] is True
    assert got["updated_by"] == str(a.users["lead"].id)
    assert r.headers["etag"] == '"2"'


async def test_update_with_nothing_new_keeps_the_version(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Same")
    r = await client.patch(f"{URL}/{person.id}", json={"name": "Same"}, headers=a["lead"])
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    assert await audit_events(session, person.id) == []


@pytest.mark.parametrize("field", ["name", "kind", "categories", "preferred_channels", "communication_needs",
                                   "contact_consent", "is_champion", "is_public_representative", "tags"])
async def test_update_refuses_null_for_a_required_field(client, session, a, field):
    person = await factories.stakeholder(session, a.tenant, name="Keep")
    r = await client.patch(f"{URL}/{person.id}", json={field: None}, headers=a["lead"])
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"][-1] == field
    await session.refresh(person)
    assert person.name == "Keep" and person.version == 1


async def test_update_null_clears_an_optional_field(client, session, a):
    person = await factories.stakeholder(session, a.tenant, email="clear@example.org", phone="01305 111222")
    r = await client.patch(f"{URL}/{person.id}", json={"email": None}, headers=a["lead"])
    assert r.status_code == 200
    assert r.json()["email"] is None and r.json()["phone"] == "01305 111222"


async def test_update_sets_consent_date_when_consent_changes(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    r = await client.patch(f"{URL}/{person.id}", json={"contact_consent": True, "consent_basis": "public_task"},
                           headers=a["lead"])
    assert r.json()["consent_recorded_at"] is not None
    assert r.json()["consent_basis"] == "public_task"


async def test_stale_if_match_is_412_and_one_of_two_racing_edits_wins(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Race")
    first = await client.patch(f"{URL}/{person.id}", json={"name": "A"}, headers={**a["lead"], "If-Match": '"1"'})
    second = await client.patch(f"{URL}/{person.id}", json={"name": "B"}, headers={**a["admin"], "If-Match": '"1"'})
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.headers["content-type"] == "application/problem+json"
    await session.refresh(person)
    assert person.name == "A"


async def test_a_weak_tag_names_its_version_as_a_compressing_proxy_hands_it_on(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Tagged")
    stale = await client.patch(f"{URL}/{person.id}", json={"name": "Stale"}, headers={**a["lead"], "If-Match": 'W/"7"'})
    assert stale.status_code == 412 and stale.headers["content-type"] == "application/problem+json"
    await session.refresh(person)
    assert person.name == "Tagged"
    r = await client.patch(f"{URL}/{person.id}", json={"name": "Weak"}, headers={**a["lead"], "If-Match": 'W/"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"', r.text


async def test_stale_if_match_on_delete_is_412(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Race")
    await client.patch(f"{URL}/{person.id}", json={"name": "Moved on"}, headers=a["lead"])
    r = await client.delete(f"{URL}/{person.id}", headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 412
    await session.refresh(person)
    assert person.archived_at is None


@pytest.mark.parametrize("email", ["dup@example.org", "DUP@Example.ORG"])
async def test_duplicate_email_is_409_whatever_its_case(client, session, a, email):
    await factories.stakeholder(session, a.tenant, email="Dup@example.org")
    r = await client.post(URL, json={"name": "Twin", "email": email}, headers=a["lead"])
    assert r.status_code == 409
    assert "email" in r.json()["detail"] and email not in r.json()["detail"]
    assert await count(session, a.tenant) == 1


async def test_duplicate_email_of_an_archived_stakeholder_points_to_restore(client, session, a):
    old = await factories.stakeholder(session, a.tenant, email="back@example.org")
    await client.delete(f"{URL}/{old.id}", headers=a["lead"])
    r = await client.post(URL, json={"name": "Again", "email": "back@example.org"}, headers=a["lead"])
    assert r.status_code == 409
    assert "restore" in r.json()["detail"]


async def test_update_to_another_stakeholders_email_is_409(client, session, a):
    await factories.stakeholder(session, a.tenant, email="taken@example.org")
    mine = await factories.stakeholder(session, a.tenant, email="mine@example.org")
    r = await client.patch(f"{URL}/{mine.id}", json={"email": "TAKEN@example.org"}, headers=a["lead"])
    assert r.status_code == 409
    keep = await client.patch(f"{URL}/{mine.id}", json={"email": "Mine@example.org"}, headers=a["lead"])
    assert keep.status_code == 200  # its own address in another case is no clash


# SQLite's lower() folds ASCII letters only: compared by it, these were two stakeholders of one tenant there.
ÉLODIE = "Élodie.Martin@somerset.nhs.uk"


@pytest.mark.parametrize("email", ["élodie.martin@somerset.nhs.uk", "ÉLODIE.MARTIN@Somerset.nhs.uk"])
async def test_an_email_differing_only_in_a_non_ascii_letters_case_is_409(client, session, a, email):
    await factories.stakeholder(session, a.tenant, email=ÉLODIE)
    mine = await factories.stakeholder(session, a.tenant, email="mine@example.org")
    created = await client.post(URL, json={"name": "Twin", "email": email}, headers=a["lead"])
    assert created.status_code == 409 and "email" in created.json()["detail"]
    patched = await client.patch(f"{URL}/{mine.id}", json={"email": email}, headers=a["lead"])
    assert patched.status_code == 409 and "email" in patched.json()["detail"]
    assert await count(session, a.tenant) == 2
    await session.refresh(mine)
    assert mine.email == "mine@example.org" and mine.version == 1


async def test_database_index_backs_the_email_check(client, session, a, monkeypatch):
    from api.stakeholders import service

    async def no_check(*args, **kwargs):
        return None

    await factories.stakeholder(session, a.tenant, email="race@example.org")
    await session.commit()
    monkeypatch.setattr(service, "_ensure_email_free", no_check)
    r = await client.post(URL, json={"name": "Racer", "email": "RACE@example.org"}, headers=a["lead"])
    assert r.status_code == 409
    await session.rollback()  # the request's failed flush left the shared test session to roll back
    await session.refresh(a.tenant)
    assert await count(session, a.tenant) == 1


async def test_external_id_clash_is_409(client, session, a, b):
    await factories.stakeholder(session, a.tenant, external_id="CRM-1")
    await factories.stakeholder(session, b.tenant, external_id="CRM-2")
    clash = await client.post(URL, json={"name": "Dup", "external_id": "CRM-1"}, headers=a["lead"])
    assert clash.status_code == 409
    ok = await client.post(URL, json={"name": "Fine", "external_id": "CRM-2"}, headers=a["lead"])
    assert ok.status_code == 201
    moved = await client.patch(f"{URL}/{ok.json()['id']}", json={"external_id": "CRM-1"}, headers=a["lead"])
    assert moved.status_code == 409


async def test_external_id_held_by_an_archived_stakeholder_says_so(client, session, a):
    """As the email check does: ?external_id= does not find an archived person without archived=true."""
    gone = await factories.stakeholder(session, a.tenant, external_id="CRM-9",
                                       archived_at=datetime(2026, 1, 5, tzinfo=UTC))
    live = await factories.stakeholder(session, a.tenant, external_id="CRM-8")
    clash = await client.post(URL, json={"name": "Dup", "external_id": "CRM-9"}, headers=a["lead"])
    assert clash.status_code == 409 and clash.headers["content-type"] == "application/problem+json"
    assert "archived" in clash.json()["detail"] and "archived=true" in clash.json()["detail"]
    moved = await client.patch(f"{URL}/{live.id}", json={"external_id": "CRM-9"}, headers=a["lead"])
    assert moved.status_code == 409 and "archived" in moved.json()["detail"]
    other = await client.post(URL, json={"name": "Dup", "external_id": "CRM-8"}, headers=a["lead"])
    assert other.status_code == 409 and "archived" not in other.json()["detail"]
    found = await client.get(URL, params={"external_id": "CRM-9", "archived": "true"}, headers=a["lead"])
    assert [s["id"] for s in found.json()["items"]] == [str(gone.id)]
    assert await count(session, a.tenant) == 2


async def test_delete_archives_repeats_harmlessly_and_restore_brings_back(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Gone")
    assert (await client.delete(f"{URL}/{person.id}", headers=a["lead"])).status_code == 204
    assert (await client.delete(f"{URL}/{person.id}", headers=a["lead"])).status_code == 204
    assert (await client.get(URL, headers=a["lead"])).json()["items"] == []
    archived = (await client.get(URL, params={"archived": "true"}, headers=a["lead"])).json()["items"]
    assert [s["id"] for s in archived] == [str(person.id)]
    assert (await client.get(f"{URL}/{person.id}", headers=a["lead"])).json()["archived_at"] is not None
    restored = await client.post(f"{URL}/{person.id}/restore", headers=a["admin"])
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert restored.headers["etag"] == '"3"'
    again = await client.post(f"{URL}/{person.id}/restore", headers=a["admin"])
    assert again.status_code == 200 and again.headers["etag"] == '"3"'
    assert [e.action for e in await audit_events(session, person.id)] == ["archive", "restore"]


async def test_a_retried_restore_with_its_key_gets_the_first_response(client, session, a):
    """A client whose restore's response was lost sends it again with its Idempotency-Key: the first answer, not a
    second restore of a record archived again meanwhile."""
    person = await factories.stakeholder(session, a.tenant, name="Gone")
    await restore_replays(client, session, f"{URL}/{person.id}", a["lead"], a["admin"])


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_edit_archive_or_restore(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant, name="Stay")
    archived = await factories.stakeholder(session, a.tenant, name="Archived")
    await client.delete(f"{URL}/{archived.id}", headers=a["lead"])
    assert (await client.patch(f"{URL}/{person.id}", json={"name": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(f"{URL}/{person.id}", headers=a[role])).status_code == 403
    assert (await client.post(f"{URL}/{archived.id}/restore", headers=a[role])).status_code == 403
    await session.refresh(person)
    await session.refresh(archived)
    assert person.name == "Stay" and person.archived_at is None and person.version == 1
    assert archived.archived_at is not None


async def test_idempotency_key_replays_and_refuses_another_body(client, session, a):
    headers = {**a["lead"], "Idempotency-Key": "import-7"}
    first = await client.post(URL, json={"name": "Once", "email": "once@example.org"}, headers=headers)
    again = await client.post(URL, json={"name": "Once", "email": "once@example.org"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert await count(session, a.tenant) == 1
    other = await client.post(URL, json={"name": "Twice"}, headers=headers)
    assert other.status_code == 422
    assert await count(session, a.tenant) == 1


async def test_expired_responses_are_purged_by_later_keyed_writes_not_only_by_their_own_key(client, session, a, b):
    # Stored bodies hold personal data: kept 24 hours, then gone whoever writes next in the tenant.
    first = await client.post(URL, json={"name": "Old Response", "email": "old@example.org"},
                              headers={**a["lead"], "Idempotency-Key": "day-1"})
    theirs = await client.post(URL, json={"name": "Other Tenant"}, headers={**b["lead"], "Idempotency-Key": "day-1"})
    assert first.status_code == theirs.status_code == 201
    await session.execute(update(IdempotencyRecord).values(created_at=datetime.now(UTC) - timedelta(hours=25)))
    await session.commit()
    await client.post(URL, json={"name": "Next Day"}, headers={**a["admin"], "Idempotency-Key": "day-2"})
    left = (await session.execute(select(IdempotencyRecord.tenant_id, IdempotencyRecord.key)
                                  .order_by(IdempotencyRecord.key))).all()
    assert left == [(b.tenant.id, "day-1"), (a.tenant.id, "day-2")]  # the other tenant's waits for its own writes


async def test_writes_are_audited_without_personal_values(client, session, a):
    created = (await client.post(URL, json={"name": "Audited", "email": "aud@example.org", "kind": "group"},
                                 headers=a["lead"])).json()
    await client.patch(f"{URL}/{created['id']}", json={"name": "Audited 2", "is_champion": True}, headers=a["lead"])
    await client.delete(f"{URL}/{created['id']}", headers=a["lead"])
    await client.post(f"{URL}/{created['id']}/restore", headers=a["lead"])
    events = await audit_events(session, created["id"])
    assert [e.action for e in events] == ["create", "update", "archive", "restore"]
    assert all(e.resource_type == "stakeholder" and e.actor_id == a.users["lead"].id for e in events)
    assert events[0].changes["name"] == {"after": "[personal data]"}
    assert events[0].changes["email"] == {"after": "[personal data]"}
    assert events[0].changes["kind"] == {"after": "group"}
    assert events[1].changes == {"name": {"before": "[personal data]", "after": "[personal data]"},
                                 "is_champion": {"before": False, "after": True}}
    assert "Audited" not in str([e.changes for e in events]) and "aud@" not in str([e.changes for e in events])
