import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import IdempotencyRecord, Stakeholder
from tests import factories
from tests.gdpr.support import NIL, NOT_ADMIN, events, is_problem, lift_honours_if_match, person_url
from tests.replay import keyed_replays

AT = datetime(2026, 2, 1, tzinfo=UTC)
REASON = {"reason": "Accuracy contested by the person (Art. 18(1)(a))"}


async def restrict(client, a, person):
    r = await client.post(person_url(person.id, "/restriction"), json=REASON, headers=a["admin"])
    assert r.status_code == 200, r.text
    return r


async def test_admin_restricts_and_it_is_audited_without_the_reason(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Ann Example")
    await session.commit()
    got = (await restrict(client, a, person)).json()
    assert got["restricted_at"] and got["restriction_reason"] == REASON["reason"] and got["name"] == "Ann Example"
    [event] = await events(session, person.id, "restrict")
    assert event.changes["restriction_reason"] == {"before": None, "after": "[personal data]"}
    assert "Accuracy" not in str(event.changes)


async def test_a_retried_restriction_with_its_key_gets_the_first_response(client, session, a):
    """A client whose restriction's response was lost sends it again with its Idempotency-Key: the first answer, not
    a 409 for a person already restricted."""
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    await keyed_replays(client, session, person_url(person.id, "/restriction"), a["admin"], body=REASON, etag='"2"',
                        resource_id=person.id, actions=["restrict"])


async def test_restricted_person_is_left_out_of_lists_exports_grids_and_reports(client, session, a):
    kept = await factories.stakeholder(session, a.tenant, name="Kept Person", categories=["patient"])
    hidden = await factories.stakeholder(session, a.tenant, name="Hidden Person", categories=["patient"])
    plan = await factories.plan(session, a.tenant, audience_stakeholders=[kept, hidden],
                                audience_categories=["patient"])
    await factories.assessment(session, hidden, interest=5, influence=5)
    await session.commit()
    await restrict(client, a, hidden)
    for role in ("admin", "lead"):
        names = [s["name"] for s in (await client.get("/api/v1/stakeholders", headers=a[role])).json()["items"]]
        assert names == ["Kept Person"]
        by_email = await client.get("/api/v1/stakeholders", params={"email": hidden.email}, headers=a[role])
        assert by_email.json()["items"] == []
    export = await client.get("/api/v1/exports/stakeholders", headers=a["lead"])
    assert export.status_code == 200 and "Kept Person" in export.text and "Hidden Person" not in export.text
    for url in ("/api/v1/stakeholders/grid", f"/api/v1/plans/{plan.id}/grid"):
        grid = (await client.get(url, headers=a["lead"])).json()
        assert [s["id"] for s in grid["stakeholders"]] == [str(kept.id)], url
    report = await client.get("/api/v1/reports/engagement", params={"from": "2026-01-01", "to": "2026-12-31"},
                              headers=a["lead"])
    assert report.json()["stakeholders"]["stakeholders"] == 1


async def test_admin_reads_a_restricted_person_and_every_read_is_audited(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    await restrict(client, a, person)
    for _ in range(2):
        r = await client.get(person_url(person.id), headers=a["admin"])
        assert r.status_code == 200 and r.json()["restricted_at"]
    logged = await events(session, person.id, "read_restricted")
    assert len(logged) == 2 and {e.actor_id for e in logged} == {a.users["admin"].id}


@pytest.mark.parametrize("role", NOT_ADMIN)
async def test_other_roles_cannot_see_a_restricted_person(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    await restrict(client, a, person)
    assert is_problem(await client.get(person_url(person.id), headers=a[role]), 404)
    if role == "lead":
        assert is_problem(await client.patch(person_url(person.id), json={"name": "X"}, headers=a[role]), 404)


async def test_unrestricted_reads_are_not_audited(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    assert (await client.get(person_url(person.id), headers=a["admin"])).status_code == 200
    assert await events(session, person.id) == []


async def test_lifting_brings_the_person_back(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Back Again")
    await session.commit()
    await restrict(client, a, person)
    r = await client.delete(person_url(person.id, "/restriction"), headers=a["admin"])
    assert r.status_code == 200 and r.json()["restricted_at"] is None and r.json()["restriction_reason"] is None
    names = [s["name"] for s in (await client.get("/api/v1/stakeholders", headers=a["lead"])).json()["items"]]
    assert names == ["Back Again"]
    assert (await client.get(person_url(person.id), headers=a["viewer"])).status_code == 200
    assert [e.action for e in await events(session, person.id)] == ["restrict", "lift_restriction"]


async def test_lifting_honours_if_match(client, session, a):
    """DESIGN: a DELETE honours If-Match; a stale ETag is 412 and the restriction stays, unaudited."""
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    current = (await restrict(client, a, person)).headers["ETag"]
    await lift_honours_if_match(client, session, person_url(person.id, "/restriction"), a["admin"], current,
                                Stakeholder, person.id, "restricted_at", ["restrict"])


@pytest.mark.parametrize("role", NOT_ADMIN)
async def test_only_admin_restricts_or_lifts(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    assert is_problem(await client.post(person_url(person.id, "/restriction"), json=REASON, headers=a[role]), 403)
    await restrict(client, a, person)
    assert is_problem(await client.delete(person_url(person.id, "/restriction"), headers=a[role]), 403)
    assert (await session.get(Stakeholder, person.id, populate_existing=True)).restricted_at is not None


async def test_other_tenant_and_unknown_ids_are_404(client, session, a, b):
    theirs = await factories.stakeholder(session, b.tenant)
    await session.commit()
    for url in (person_url(theirs.id, "/restriction"), person_url(NIL, "/restriction")):
        assert is_problem(await client.post(url, json=REASON, headers=a["admin"]), 404)
        assert is_problem(await client.delete(url, headers=a["admin"]), 404)
    assert (await session.get(Stakeholder, theirs.id, populate_existing=True)).restricted_at is None


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "a\x00b"}, {"reason": "x" * 2001},
                                  {"reason": "ok", "restricted_at": "2026-01-01T00:00:00Z"}, {"reason": 5}])
async def test_bad_bodies_are_422_and_change_nothing(client, session, a, body):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    assert is_problem(await client.post(person_url(person.id, "/restriction"), json=body, headers=a["admin"]), 422)
    restricted = (await session.execute(select(Stakeholder.restricted_at).where(Stakeholder.id == person.id)))
    assert restricted.scalar_one() is None


async def test_restricting_twice_lifting_when_not_restricted_and_erased_are_409(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    erased = await factories.stakeholder(session, a.tenant)
    await session.commit()
    assert is_problem(await client.delete(person_url(person.id, "/restriction"), headers=a["admin"]), 409)
    await restrict(client, a, person)
    assert is_problem(await client.post(person_url(person.id, "/restriction"), json=REASON, headers=a["admin"]), 409)
    assert (await client.post(person_url(erased.id, "/erase"), headers=a["admin"])).status_code == 200
    assert is_problem(await client.post(person_url(erased.id, "/restriction"), json=REASON, headers=a["admin"]), 409)


async def test_a_restriction_outlives_the_erasure_it_preceded(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    await restrict(client, a, person)
    assert (await client.post(person_url(person.id, "/erase"), headers=a["admin"])).status_code == 200
    assert is_problem(await client.delete(person_url(person.id, "/restriction"), headers=a["admin"]), 409)
    assert (await session.get(Stakeholder, person.id, populate_existing=True)).restricted_at is not None


async def test_a_key_held_by_a_restricted_person_is_taken_and_nothing_more_is_said(client, session, a):
    # The unique indexes make the clash unavoidable; but no list shows the person (to a lead they are a 404), so the
    # message must not send anyone to restore or list an archived record they could never find.
    await factories.stakeholder(session, a.tenant, name="Rita Restricted", email="rita@example.org",
                                external_id="CRM-R", archived_at=AT, restricted_at=AT)
    await factories.stakeholder(session, a.tenant, name="Archie Archived", email="archie@example.org",
                                external_id="CRM-A", archived_at=AT)
    await session.commit()
    for role in ("admin", "lead"):
        by_email = await client.post("/api/v1/stakeholders", json={"name": "New", "email": "RITA@example.org"},
                                     headers=a[role])
        assert is_problem(by_email, 409)
        assert by_email.json()["detail"] == "This email address is already used by another stakeholder in this tenant"
        by_key = await client.post("/api/v1/stakeholders", json={"name": "New", "external_id": "CRM-R"},
                                   headers=a[role])
        assert is_problem(by_key, 409)
        assert by_key.json()["detail"] == "external_id 'CRM-R' is already used by another record in this tenant"
        imported = await client.post("/api/v1/imports/stakeholders", content="name,email\nNew,rita@example.org\n",
                                     headers={**a[role], "Content-Type": "text/csv"})
        assert imported.status_code == 422, imported.text
        assert imported.json()["errors"][0]["message"] == "This email is used by another stakeholder in your tenant"
    # An archived person anyone may list still gets the hint
    archived = await client.post("/api/v1/stakeholders", json={"name": "New", "email": "archie@example.org"},
                                 headers=a["lead"])
    assert "archived stakeholder (restore it instead)" in archived.json()["detail"]
    imported = await client.post("/api/v1/imports/stakeholders", content="name,email\nNew,archie@example.org\n",
                                 headers={**a["lead"], "Content-Type": "text/csv"})
    assert imported.json()["errors"][0]["message"] == "This email is used by an archived stakeholder in your tenant"


async def test_a_retry_after_the_restriction_does_not_replay_the_person(client, session, a):
    # A lead's stored POST /stakeholders response would otherwise show, on a retry with its key, the person that every
    # read now answers 404 for; another person's stored response stays.
    headers = {**a["lead"], "Idempotency-Key": "crm-1"}
    body = {"name": "Ann Restricted", "email": "ann.restricted@example.org"}
    created = await client.post("/api/v1/stakeholders", json=body, headers=headers)
    other = await client.post("/api/v1/stakeholders", json={"name": "Bob Kept"},
                              headers={**a["lead"], "Idempotency-Key": "crm-2"})
    person = await session.get(Stakeholder, uuid.UUID(created.json()["id"]))
    await restrict(client, a, person)
    retried = await client.post("/api/v1/stakeholders", json=body, headers=headers)
    assert retried.headers.get("idempotent-replayed") is None and "ann.restricted" not in retried.text, retried.text
    assert is_problem(retried, 409)  # taken as a new request: the email is held (by someone it does not name)
    replayed = await client.post("/api/v1/stakeholders", json={"name": "Bob Kept"},
                                 headers={**a["lead"], "Idempotency-Key": "crm-2"})
    assert replayed.headers["idempotent-replayed"] == "true" and replayed.json() == other.json()


async def test_the_restriction_drops_every_stored_response_naming_them_by_id(client, session, a):
    # Their id inside another record's response (feedback they gave, an attendance log they are on) names them as
    # their record's own response does; a response naming someone else stays.
    person, other = await factories.stakeholder(session, a.tenant), await factories.stakeholder(session, a.tenant)
    act = await factories.activity(session, a.tenant)
    await session.commit()
    said = {"text": "The bus is late", "stakeholder_id": str(person.id)}
    posts = [("/api/v1/feedback", said, "said"),
             (f"/api/v1/activities/{act.id}/attendance",
              {"entries": [{"stakeholder_id": str(person.id), "attended": True}]}, "log"),
             ("/api/v1/feedback", {"text": "Mine", "stakeholder_id": str(other.id)}, "kept")]
    for path, body, key in posts:
        r = await client.post(path, json=body, headers={**a["lead"], "Idempotency-Key": key})
        assert r.status_code in (200, 201), r.text
    await restrict(client, a, person)
    stored = (await session.execute(select(IdempotencyRecord.key, IdempotencyRecord.body).where(
        IdempotencyRecord.tenant_id == a.tenant.id))).all()
    assert [key for key, _ in stored] == ["kept"] and str(person.id).encode() not in stored[0].body
    retried = await client.post("/api/v1/feedback", json=said, headers={**a["lead"], "Idempotency-Key": "said"})
    assert retried.headers.get("idempotent-replayed") is None and is_problem(retried, 422), retried.text
