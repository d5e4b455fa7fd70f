import pytest

from api.models import Stakeholder
from tests import factories
from tests.gdpr.support import NIL, events, is_problem, person_url
from tests.replay import keyed_replays

BODY = {"scope": "contact", "grounds": "Does not want newsletters any more", "objection_date": "2026-03-02"}


@pytest.mark.parametrize("role", ("admin", "lead"))
async def test_objecting_to_contact_is_recorded_shown_and_turns_consent_off(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant, contact_consent=True, consent_basis="consent")
    await session.commit()
    r = await client.post(person_url(person.id, "/objection"), json=BODY, headers=a[role])
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["objection_date"], got["objection_scope"], got["objection_grounds"], got["objection_outcome"]) == (
        "2026-03-02", "contact", BODY["grounds"], "pending")
    assert got["contact_consent"] is False and got["consent_recorded_at"]
    shown = (await client.get(person_url(person.id), headers=a["contributor"])).json()
    assert shown["objection_grounds"] == BODY["grounds"] and shown["contact_consent"] is False
    [event] = await events(session, person.id, "objection")
    assert event.changes["objection_grounds"] == {"before": None, "after": "[personal data]"}
    assert event.changes["contact_consent"] == {"before": True, "after": False}
    consenting = await client.get("/api/v1/stakeholders", params={"contact_consent": "true"}, headers=a["lead"])
    assert consenting.json()["items"] == []


async def test_a_retried_objection_with_its_key_gets_the_first_response(client, session, a):
    """A client whose objection's response was lost sends it again with its Idempotency-Key: the first answer, not a
    second objection recorded and audited."""
    person = await factories.stakeholder(session, a.tenant, contact_consent=True, consent_basis="consent")
    await session.commit()
    await keyed_replays(client, session, person_url(person.id, "/objection"), a["lead"], body=BODY, etag='"2"',
                        resource_id=person.id, actions=["objection"])


async def test_objecting_to_processing_keeps_consent_and_records_the_outcome(client, session, a):
    person = await factories.stakeholder(session, a.tenant, contact_consent=True)
    await session.commit()
    body = {"scope": "processing", "grounds": "Legitimate interests challenged", "outcome": "not_upheld"}
    got = (await client.post(person_url(person.id, "/objection"), json=body, headers=a["admin"])).json()
    assert got["contact_consent"] is True and got["objection_outcome"] == "not_upheld"
    assert got["objection_date"]  # today by default


async def test_viewer_sees_the_grounds_masked(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    await client.post(person_url(person.id, "/objection"), json=BODY, headers=a["lead"])
    shown = (await client.get(person_url(person.id), headers=a["viewer"])).json()
    assert shown["objection_grounds"] == "***" and shown["objection_scope"] == "contact"


@pytest.mark.parametrize("role", ("contributor", "viewer", "auditor"))
async def test_other_roles_cannot_record_an_objection(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    assert is_problem(await client.post(person_url(person.id, "/objection"), json=BODY, headers=a[role]), 403)
    assert await events(session, person.id) == []


async def test_other_tenant_and_unknown_ids_are_404(client, session, a, b):
    theirs = await factories.stakeholder(session, b.tenant, contact_consent=True)
    await session.commit()
    assert is_problem(await client.post(person_url(theirs.id, "/objection"), json=BODY, headers=a["admin"]), 404)
    assert is_problem(await client.post(person_url(NIL, "/objection"), json=BODY, headers=a["admin"]), 404)
    assert (await session.get(Stakeholder, theirs.id, populate_existing=True)).contact_consent is True


@pytest.mark.parametrize("change", [{"scope": "everything"}, {"grounds": ""}, {"grounds": None},
                                   {"objection_date": "2026-13-01"}, {"outcome": "maybe"}, {"extra": 1}])
async def test_bad_bodies_are_422_and_change_nothing(client, session, a, change):
    person = await factories.stakeholder(session, a.tenant, contact_consent=True)
    await session.commit()
    r = await client.post(person_url(person.id, "/objection"), json={**BODY, **change}, headers=a["admin"])
    assert is_problem(r, 422)
    row = await session.get(Stakeholder, person.id, populate_existing=True)
    assert row.contact_consent is True and row.objection_scope is None


async def test_erased_person_cannot_object(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    await client.post(person_url(person.id, "/erase"), headers=a["admin"])
    assert is_problem(await client.post(person_url(person.id, "/objection"), json=BODY, headers=a["admin"]), 409)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", 1700000000, "2026-03-02T10:00:00Z"])
async def test_an_objection_date_outside_the_supported_years_or_not_a_date_is_422(client, session, a, day):
    # As every other date the API takes: YYYY-MM-DD in 1900–2200, not a Unix timestamp (and nothing is written).
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    r = await client.post(person_url(person.id, "/objection"), json={**BODY, "objection_date": day},
                          headers=a["admin"])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "objection_date"]
    assert await events(session, person.id, "objection") == []


async def test_erasure_wipes_the_objection_grounds_and_restriction_reason(client, session, a):
    # Both are free text about the person, in their words or an admin's (personal in the audit trail): erasure takes
    # them with the rest, and keeps the facts (when, what scope, what outcome, that processing is restricted).
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    grounds = {**BODY, "grounds": "Mrs Ndlovu says her son reads her post"}
    assert (await client.post(person_url(person.id, "/objection"), json=grounds, headers=a["admin"])).status_code == 200
    restricted = await client.post(person_url(person.id, "/restriction"), headers=a["admin"],
                                   json={"reason": "Mrs Ndlovu contests her address"})
    assert restricted.status_code == 200
    erased = await client.post(person_url(person.id, "/erase"), headers=a["admin"])
    assert erased.status_code == 200, erased.text
    got = erased.json()
    assert got["objection_grounds"] is None and got["restriction_reason"] is None
    assert (got["objection_date"], got["objection_scope"], got["restricted_at"] is not None) == (
        "2026-03-02", "contact", True)
    [event] = await events(session, person.id, "erase")
    assert "Ndlovu" not in str(event.changes)
    assert event.changes["objection_grounds"] == {"before": "[personal data]", "after": None}


async def consent_is_refused(client, a, person) -> None:
    """Neither a PATCH nor an import row (the person's external_id is A1) turns their contact consent back on."""
    r = await client.patch(person_url(person.id), json={"contact_consent": True}, headers=a["lead"])
    assert is_problem(r, 409) and "objected" in r.json()["detail"], r.text
    imported = await client.post("/api/v1/imports/stakeholders?on_conflict=update",
                                 content="external_id,contact_consent,consent_basis\nA1,true,consent\n",
                                 headers={**a["lead"], "Content-Type": "text/csv"})
    assert imported.status_code == 422 and "objected" in imported.json()["errors"][0]["message"], imported.text


@pytest.mark.parametrize("outcome", ["pending", "upheld"])
async def test_consent_stays_off_while_an_objection_to_contact_stands(client, session, a, outcome):
    # A PATCH or an import turned it straight back on, back into ?contact_consent=true lists and mailing exports
    person = await factories.stakeholder(session, a.tenant, external_id="A1", contact_consent=True,
                                         consent_basis="consent")
    await session.commit()
    assert (await client.post(person_url(person.id, "/objection"), json={**BODY, "outcome": outcome},
                              headers=a["lead"])).status_code == 200
    await consent_is_refused(client, a, person)
    assert (await client.get(person_url(person.id), headers=a["lead"])).json()["contact_consent"] is False
    # Once the objection is decided against, consent may be recorded again
    assert (await client.post(person_url(person.id, "/objection"), json={**BODY, "outcome": "not_upheld"},
                              headers=a["lead"])).status_code == 200
    again = await client.patch(person_url(person.id), json={"contact_consent": True}, headers=a["lead"])
    assert again.status_code == 200 and again.json()["contact_consent"] is True, again.text


async def test_a_null_consent_date_is_no_date_given(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    r = await client.patch(person_url(person.id), headers=a["lead"], json={
        "contact_consent": True, "consent_basis": "consent", "consent_recorded_at": None})
    assert r.status_code == 200 and r.json()["consent_recorded_at"] is not None, r.text
    dated = r.json()["consent_recorded_at"]
    r = await client.patch(person_url(person.id), json={"consent_recorded_at": None}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["consent_recorded_at"] == dated, r.text


async def test_a_later_objection_to_processing_leaves_an_objection_to_contact_standing(client, session, a):
    # Only the latest objection was kept: one to processing replaced an upheld one to contact, and consent came back on
    person = await factories.stakeholder(session, a.tenant, external_id="A1", contact_consent=True,
                                         consent_basis="consent")
    await session.commit()
    assert (await client.post(person_url(person.id, "/objection"), json={**BODY, "outcome": "upheld"},
                              headers=a["lead"])).status_code == 200
    later = {"scope": "processing", "grounds": "Legitimate interests challenged", "outcome": "pending"}
    r = await client.post(person_url(person.id, "/objection"), json=later, headers=a["lead"])
    assert r.status_code == 200 and (r.json()["objection_scope"], r.json()["contact_objection"]) == (
        "processing", "upheld"), r.text
    await consent_is_refused(client, a, person)
    # The objection to contact decided against: consent may be recorded again, whatever the processing one says
    assert (await client.post(person_url(person.id, "/objection"), json={**BODY, "outcome": "not_upheld"},
                              headers=a["lead"])).status_code == 200
    again = await client.patch(person_url(person.id), json={"contact_consent": True}, headers=a["lead"])
    assert again.status_code == 200 and again.json()["contact_consent"] is True, again.text
    assert again.json()["contact_objection"] == "not_upheld"
