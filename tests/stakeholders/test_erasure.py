import logging
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from api import audit
from api.models import IdempotencyRecord, Stakeholder
from tests import factories
from tests.actions.support import action
from tests.gdpr.support import evidence, held_plan
from tests.stakeholders.support import PERSON, PERSONAL_VALUES, URL, audit_events, audit_text


async def create_person(client, a, session, **extra) -> dict:
    org = await factories.organisation(session, a.tenant, name="Bridport Patient Group")
    body = {**PERSON, "organisation_id": str(org.id), "owner_id": str(a.users["lead"].id), **extra}
    r = await client.post(URL, json=body, headers=a["lead"])
    assert r.status_code == 201, r.text
    return r.json()


async def test_admin_erases_personal_data_and_keeps_the_row(client, session, a):
    person = await create_person(client, a, session)
    r = await client.post(f"{URL}/{person['id']}/erase", headers=a["admin"])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["name"] == "Erased stakeholder"
    for field in ("email", "phone", "address", "postcode", "job_title", "notes", "interpreter_language",
                  "external_id"):
        assert got[field] is None, field
    assert got["communication_needs"] == [] and got["preferred_channels"] == [] and got["tags"] == []
    # what is not personal stays: identity, kind, categories, links and flags
    kept = ("id", "kind", "categories", "organisation_id", "owner_id", "is_champion", "is_public_representative",
            "contact_consent", "consent_basis", "created_at", "created_by")
    assert {k: got[k] for k in kept} == {k: person[k] for k in kept}
    assert got["erased_at"] is not None and got["archived_at"] is not None
    assert got["updated_by"] == str(a.users["admin"].id)
    assert r.headers["etag"] == f'"{got["version"]}"' and got["version"] == 2
    row = await session.get(Stakeholder, uuid.UUID(person["id"]))
    await session.refresh(row)
    assert row.name == "Erased stakeholder" and row.email is None and row.phone is None and row.notes is None


async def test_erasure_leaves_no_personal_value_in_the_audit_trail(client, session, a):
    person = await create_person(client, a, session)
    await client.patch(f"{URL}/{person['id']}", json={"name": "Maggie Okafor", "phone": "+44 1308 422101",
                                                      "tags": ["west-dorset", "ppg"]}, headers=a["lead"])
    await client.delete(f"{URL}/{person['id']}", headers=a["lead"])
    assert (await client.post(f"{URL}/{person['id']}/erase", headers=a["admin"])).status_code == 200
    events = await audit_events(session, person["id"])
    assert [e.action for e in events] == ["create", "update", "archive", "erase"]
    text = audit_text(events).lower()
    for value in (*PERSONAL_VALUES, "Maggie", "422101", "ppg", person["email"]):
        assert value.lower() not in text, value
    erase = events[-1]
    assert erase.actor_id == a.users["admin"].id
    assert erase.changes["email"] == {"before": "[personal data]", "after": None}
    assert erase.changes["name"] == {"before": "[personal data]", "after": "[personal data]"}
    assert erase.changes["preferred_channels"] == {"before": ["email", "post"], "after": []}
    assert "erased_at" in erase.changes
    assert "archived_at" not in erase.changes  # it was archived already


async def test_erasure_keeps_the_audit_chain_intact(client, session, a):
    person = await create_person(client, a, session)
    await client.post(f"{URL}/{person['id']}/erase", headers=a["admin"])
    report = await audit.verify(session, a.tenant.id)
    assert report.intact and report.events_checked == 2


async def test_erasure_removes_the_stored_idempotent_response(client, session, a):
    headers = {**a["lead"], "Idempotency-Key": "crm-sync-1"}
    created = await client.post(URL, json=PERSON, headers=headers)
    other = await client.post(URL, json={"name": "Someone else"}, headers={**a["lead"], "Idempotency-Key": "k2"})
    stored = select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id)
    assert (await session.execute(stored)).scalar_one() == 2
    await client.post(f"{URL}/{created.json()['id']}/erase", headers=a["admin"])
    records = (await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id)))
    assert [r.headers["Location"] for r in records.scalars()] == [other.headers["location"]]


async def test_erasure_removes_the_stored_responses_of_their_feedback_and_assessments(client, session, a):
    # A retried POST /feedback would otherwise replay the text as it was before the erasure, and the stored
    # bodies (their words, the rationale about them) stay in the database for the 24 hours they are kept.
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer")
    await session.commit()
    said = {"text": "I am Wendy Writer of Bridport", "stakeholder_id": str(person.id)}
    headers = {**a["lead"], "Idempotency-Key": "said-1"}
    assert (await client.post("/api/v1/feedback", json=said, headers=headers)).status_code == 201
    assessed = await client.post(f"{URL}/{person.id}/assessments", headers={**a["lead"], "Idempotency-Key": "as-1"},
                                 json={"interest": 4, "influence": 2, "rationale": "Wendy chairs the PPG"})
    assert assessed.status_code == 201
    feedback_id = (await client.post("/api/v1/feedback", json=said, headers=headers)).json()["id"]
    answered = await client.post(f"/api/v1/feedback/{feedback_id}/response",
                                 headers={**a["lead"], "Idempotency-Key": "r"},
                                 json={"response_text": "Thanks", "outcome": "information_given"})
    assert answered.status_code == 200, answered.text
    act = await factories.activity(session, a.tenant)
    await session.commit()
    logged = await client.post(f"/api/v1/activities/{act.id}/attendance",
                               headers={**a["lead"], "Idempotency-Key": "l"},
                               json={"entries": [{"stakeholder_id": str(person.id), "attended": True}]})
    assert logged.status_code == 200, logged.text
    kept = await client.post("/api/v1/feedback", json={"text": "Anonymous"},
                             headers={**a["lead"], "Idempotency-Key": "k"})
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    records = (await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id)))
    assert [r.headers["Location"] for r in records.scalars()] == [kept.headers["location"]]
    retried = await client.post("/api/v1/feedback", json=said, headers=headers)
    assert "Wendy" not in retried.text


async def test_erased_stakeholder_cannot_be_edited_restored_or_erased_again(client, session, a):
    person = await create_person(client, a, session)
    await client.post(f"{URL}/{person['id']}/erase", headers=a["admin"])
    for method, path, kwargs in [
        ("PATCH", f"{URL}/{person['id']}", {"json": {"name": "Margaret Okafor"}}),
        ("POST", f"{URL}/{person['id']}/restore", {}),
        ("POST", f"{URL}/{person['id']}/erase", {}),
    ]:
        r = await client.request(method, path, headers=a["admin"], **kwargs)
        assert r.status_code == 409, (method, path)
        assert r.headers["content-type"] == "application/problem+json"
    got = (await client.get(f"{URL}/{person['id']}", headers=a["admin"])).json()
    assert got["name"] == "Erased stakeholder" and got["archived_at"] is not None and got["version"] == 2


async def test_archiving_an_erased_stakeholder_is_harmless(client, session, a):
    person = await create_person(client, a, session)
    await client.post(f"{URL}/{person['id']}/erase", headers=a["admin"])
    assert (await client.delete(f"{URL}/{person['id']}", headers=a["lead"])).status_code == 204
    assert (await client.get(f"{URL}/{person['id']}", headers=a["lead"])).json()["version"] == 2


async def test_erased_stakeholder_is_listed_only_as_archived(client, session, a):
    person = await create_person(client, a, session)
    await client.post(f"{URL}/{person['id']}/erase", headers=a["admin"])
    active = (await client.get(URL, headers=a["lead"])).json()["items"]
    archived = (await client.get(URL, params={"archived": "true"}, headers=a["lead"])).json()["items"]
    assert active == [] and [s["id"] for s in archived] == [person["id"]]
    assert (await client.get(URL, params={"q": "okafor", "archived": "true"}, headers=a["lead"])).json()["items"] == []


async def test_erasure_frees_the_email_for_a_new_record(client, session, a):
    person = await create_person(client, a, session)
    await client.post(f"{URL}/{person['id']}/erase", headers=a["admin"])
    again = await client.post(URL, json={"name": "New record", "email": PERSON["email"]}, headers=a["lead"])
    assert again.status_code == 201


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_only_admins_erase(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant, name="Still Here", email="still@example.test")
    r = await client.post(f"{URL}/{person.id}/erase", headers=a[role])
    assert r.status_code == 403
    await session.refresh(person)
    assert person.name == "Still Here" and person.email == "still@example.test" and person.erased_at is None
    assert await audit_events(session, person.id) == []


async def test_personal_data_is_not_logged(client, session, a, caplog):
    caplog.set_level(logging.DEBUG, logger="api")
    person = await create_person(client, a, session)
    await client.patch(f"{URL}/{person['id']}", json={"notes": "Prefers morning calls still"}, headers=a["lead"])
    await client.post(URL, json={**PERSON, "external_id": None}, headers=a["lead"])  # a 409 on the email
    await client.get(URL, params={"q": "Okafor"}, headers=a["lead"])
    await client.post(f"{URL}/{person['id']}/erase", headers=a["admin"])
    logged = " ".join(str(vars(r)) for r in caplog.records if r.name.startswith("api")).lower()
    assert caplog.records  # the access log did run
    for value in (*PERSONAL_VALUES, person["email"]):
        assert value.lower() not in logged, value


async def test_erasure_wipes_the_text_of_their_feedback_but_keeps_the_record(client, session, a):
    from api.models import Feedback

    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", email="wendy@example.org")
    other = await factories.stakeholder(session, a.tenant, name="Other Person", email="other@example.org")
    theirs = await factories.feedback(session, a.tenant, stakeholder_id=person.id, text="I am Wendy from Bridport",
                                      themes=["access"])
    kept = await factories.feedback(session, a.tenant, stakeholder_id=other.id, text="Keep this")
    r = await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])
    assert r.status_code == 200
    await session.refresh(theirs)
    await session.refresh(kept)
    assert "Wendy" not in theirs.text and theirs.themes == ["access"] and theirs.stakeholder_id == person.id
    assert kept.text == "Keep this"
    assert (await session.get(Feedback, theirs.id)).version == 2


async def test_erasure_clears_the_rationale_of_their_assessments(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Rita Rationale")
    assessment = await factories.assessment(session, person, interest=4, influence=2,
                                            rationale="Rita chairs the Bridport PPG")
    assert (await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])).status_code == 200
    await session.refresh(assessment)
    assert assessment.rationale is None and assessment.interest is not None


async def test_erasure_takes_them_out_of_what_staff_wrote_on_their_activities(client, session, a):
    """A home visit's description names the person: the calendar feed publishes it, and after the erasure nothing
    would know the name any more, so it goes with the rest (name, email, phone; the venue and others' stay)."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", email="wendy@example.org",
                                         phone="07700 900123")
    visit = await factories.activity(session, a.tenant, title="Home visit", location="Wendy Writer's home",
                                     description="Wendy (wendy@example.org, 07700900123) with her carer Bob",
                                     outcome_summary="Wendy Writer asked for large print")
    drew = await factories.activity(session, a.tenant, title="Survey", description="Sent to Wendy and Bob")
    other = await factories.activity(session, a.tenant, title="Open day", description="Wendy's colleague Bob came")
    await factories.attendance(session, visit, person)
    await factories.feedback(session, a.tenant, stakeholder_id=person.id, activity_id=drew.id)
    await session.commit()
    visit, drew, other = visit.id, drew.id, other.id
    r = await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])
    assert r.status_code == 200, r.text
    session.expire_all()  # the erasure updates in SQL; the test's shared session still holds the builders' objects
    read = {i: (await client.get(f"/api/v1/activities/{i}", headers=a["lead"])).json() for i in (visit, drew, other)}
    assert (read[visit]["description"], read[visit]["location"], read[visit]["outcome_summary"]) == (
        "[removed] ([removed], [removed]) with her carer Bob", "[removed] [removed]'s home",
        "[removed] [removed] asked for large print")
    assert read[visit]["version"] == 2
    assert read[drew]["description"] == "Sent to [removed] and Bob"
    assert (read[other]["description"], read[other]["version"]) == ("Wendy's colleague Bob came", 1)


async def test_erasure_takes_their_email_and_phone_out_of_every_activity_not_their_name(client, session, a):
    """An activity they are not linked to may still carry their contact details ("call Wendy on 07700 900 123"):
    those are theirs wherever written. The words of their name are left there: they may be someone else's. A plan on
    legal hold keeps its activities' words until the hold is lifted."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", email="Wendy@Example.org",
                                         phone="07700 900123")
    noted = await factories.activity(session, a.tenant, title="Planning", location="Call (07700) 900-123 first",
                                     description="Wendy can host: wendy@example.org",
                                     outcome_summary="Contact 0770 0900 123 or reception 01308 900123")
    other = await factories.activity(session, a.tenant, title="Open day", description="Ring 01308 421123 (Wendy)")
    held_plan = await factories.plan(session, a.tenant, legal_hold_at=datetime.now(UTC), legal_hold_reason="Claim")
    held = await factories.activity(session, a.tenant, plan_id=held_plan.id, description="Ask wendy@example.org")
    await session.commit()
    noted, other, held = noted.id, other.id, held.id
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    read = {i: (await client.get(f"/api/v1/activities/{i}", headers=a["lead"])).json() for i in (noted, other, held)}
    assert (read[noted]["description"], read[noted]["location"], read[noted]["outcome_summary"]) == (
        "Wendy can host: [removed]", "Call ([removed] first", "Contact [removed] or reception 01308 900123")
    assert read[noted]["version"] == 2
    assert (read[other]["description"], read[other]["version"]) == ("Ring 01308 421123 (Wendy)", 1)
    assert (read[held]["description"], read[held]["version"]) == ("Ask wendy@example.org", 1)  # kept while held


async def test_erasure_takes_their_phone_out_of_another_activity_however_its_last_digits_are_spaced(client, session,
                                                                                                       a):
    """The rows an erasure reads were picked by a few of the number's last digits written together, so a number
    written with those digits apart was never read, and stayed, though it is taken out however it is spaced."""
    person = await factories.stakeholder(session, a.tenant, name="Margaret Okafor", phone="01308 422100")
    apart = await factories.activity(session, a.tenant, description="Ring 01308 4221 00 for the minibus",
                                     location="(01308) 42-21-0-0")
    await session.commit()
    apart = apart.id
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    read = (await client.get(f"/api/v1/activities/{apart}", headers=a["lead"])).json()
    assert (read["description"], read["location"], read["version"]) == ("Ring [removed] for the minibus",
                                                                        "([removed]", 2)


async def test_erasure_takes_their_address_and_postcode_out_of_their_activities_and_street_out_of_others(client,
                                                                                                      session, a):
    """A home visit's location is the person's home, which the calendar feed kept out while it knew them: after the
    erasure it goes like their name, but for the town, which may be anyone's. Elsewhere too their postcode (however
    spaced) and the line with their house number are theirs wherever written; a town stays."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", address="12 Elm Road\nBridport",
                                         postcode="DT6 3AJ")
    visit = await factories.activity(session, a.tenant, title="Home visit",
                                     location="Home visit, 12 Elm Road, Bridport DT6 3AJ",
                                     description="Wendy lives in Bridport")
    lift = await factories.activity(session, a.tenant, title="Minibus", location="Bridport library",
                                    description="Pick up at 12 elm  road (dt63aj), then Bridport library")
    street = await factories.activity(session, a.tenant, title="Parking", description="Park behind 12 Elm Road")
    town = await factories.activity(session, a.tenant, title="Drop-in", location="Bridport library, DT6 3AK",
                                    description="Parking at 112 Elm Road")
    await factories.attendance(session, visit, person)
    await session.commit()
    ids = visit, lift, street, town = visit.id, lift.id, street.id, town.id
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    read = {i: (await client.get(f"/api/v1/activities/{i}", headers=a["lead"])).json() for i in ids}
    assert (read[visit]["location"], read[visit]["description"]) == (
        "Home visit, [removed], Bridport [removed]", "[removed] lives in Bridport")
    assert (read[lift]["location"], read[lift]["description"], read[lift]["version"]) == (
        "Bridport library", "Pick up at [removed] ([removed]), then Bridport library", 2)
    assert (read[street]["description"], read[street]["version"]) == ("Park behind [removed]", 2)
    assert (read[town]["location"], read[town]["description"], read[town]["version"]) == (
        "Bridport library, DT6 3AK", "Parking at 112 Elm Road", 1)


async def test_erasing_a_group_leaves_its_venue_in_other_activities(client, session, a):
    """A group's address is where it meets, which other activities name for themselves: only a person's address is
    their home, taken out of what is not about them."""
    group = await factories.stakeholder(session, a.tenant, kind="group", name="Bridport Carers",
                                        address="Bridport Community Hall\nSouth Street", postcode="DT6 3NL")
    other = await factories.activity(session, a.tenant, location="Bridport Community Hall, South Street, DT6 3NL")
    await session.commit()
    other = other.id
    assert (await client.post(f"{URL}/{group.id}/erase", headers=a["admin"])).status_code == 200
    read = (await client.get(f"/api/v1/activities/{other}", headers=a["lead"])).json()
    assert (read["location"], read["version"]) == ("Bridport Community Hall, South Street, DT6 3NL", 1)


async def test_erasure_drops_the_stored_create_response_of_an_activity_it_scrubs(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer")
    await session.commit()
    body = {"title": "Home visit", "method": "one_to_one", "starts_at": "2026-03-01T10:00:00Z"}
    visit = await client.post("/api/v1/activities", json={**body, "description": "Visit Wendy"},
                              headers={**a["lead"], "Idempotency-Key": "visit-1"})
    kept = await client.post("/api/v1/activities", json={**body, "description": "Visit the surgery"},
                             headers={**a["lead"], "Idempotency-Key": "visit-2"})
    for created in (visit, kept):
        r = await client.post(f"/api/v1/activities/{created.json()['id']}/attendance", headers=a["lead"],
                              json={"entries": [{"stakeholder_id": str(person.id), "attended": True}]})
        assert r.status_code == 200, r.text
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    records = (await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id)))
    assert [r.headers.get("Location") for r in records.scalars()] == [kept.headers["location"]]


async def test_erasure_scrubs_their_name_out_of_their_feedbacks_themes(client, session, a):
    """Themes are free tags: "you said, we did" took the person's name out of them while it was known; after the
    erasure nothing would, so the erasure does it, and tags that then read the same are kept once."""
    plan = await factories.plan(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant, name="Annabel Quaintance")
    said = await factories.feedback(session, a.tenant, plan_id=plan.id, stakeholder_id=person.id, publishable=True,
                                    themes=["Annabel Quaintance complaint", "Annabel complaint", "Quaintance complaint",
                                            "transport"],
                                    publishable_summary="Wants a call back", response_text="We called back",
                                    outcome="information_given", status="responded")
    await session.commit()
    said = said.id
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    got = (await client.get(f"/api/v1/feedback/{said}", headers=a["lead"])).json()
    assert got["themes"] == ["[removed] [removed] complaint", "[removed] complaint", "transport"]  # two read alike
    page = await client.get(f"/api/v1/plans/{plan.id}/you-said-we-did", headers=a["viewer"])
    assert page.status_code == 200 and "Quaintance" not in page.text and "Annabel" not in page.text, page.text


async def test_erasure_takes_a_short_surname_their_activitys_title_and_their_phone_however_written(client, session, a):
    """"Li" is a surname as much as "Quaintance"; a home visit's title names the person as its description does (the
    calendar publishes both); and a UK number stored as +44 is the same number written 07700."""
    person = await factories.stakeholder(session, a.tenant, name="Mei Li", phone="+44 7700 900123")
    visit = await factories.activity(session, a.tenant, title="Home visit to Mei Li",
                                     description="Call 07700 900123 first; Mrs Li prefers mornings")
    other = await factories.activity(session, a.tenant, title="Open day",
                                     description="Li Wei: ring +44 (0)7700 900123 or 0044 7700 900 123")
    await factories.attendance(session, visit, person)
    said = await factories.feedback(session, a.tenant, stakeholder_id=person.id, themes=["Li parking", "parking"])
    await session.commit()
    visit, other, said = visit.id, other.id, said.id
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    read = (await client.get(f"/api/v1/activities/{visit}", headers=a["lead"])).json()
    assert (read["title"], read["description"]) == (
        "Home visit to [removed] [removed]", "Call [removed] first; Mrs [removed] prefers mornings")
    elsewhere = (await client.get(f"/api/v1/activities/{other}", headers=a["lead"])).json()
    assert elsewhere["description"] == "Li Wei: ring [removed] or [removed]"  # not linked: the name stays
    themes = (await client.get(f"/api/v1/feedback/{said}", headers=a["lead"])).json()["themes"]
    assert themes == ["[removed] parking", "parking"]


async def test_the_audit_trail_keeps_no_activity_title_or_feedback_theme_in_clear(client, session, a):
    # Both can name a person ("Home visit to Mei Li", "Li parking"), and an erasure cannot reach the trail.
    act = await client.post("/api/v1/activities", headers=a["lead"], json={
        "title": "Home visit to Mei Li", "method": "one_to_one", "starts_at": "2026-03-01T10:00:00Z"})
    said = await client.post("/api/v1/feedback", headers=a["lead"], json={
        "text": "Parking", "channel": "email", "type": "concern", "themes": ["Li parking"]})
    assert (act.status_code, said.status_code) == (201, 201), (act.text, said.text)
    logged = audit_text(await audit_events(session, act.json()["id"]) + await audit_events(session, said.json()["id"]))
    assert "Mei" not in logged and "Li parking" not in logged, logged


async def test_erasure_removes_stored_responses_naming_them_however_the_path_was_written_or_whenever(client, session,
                                                                                                      a):
    # The attendance log was sent with the activity's id in capitals (FastAPI takes it) to one activity, and the
    # person's line was taken off another's before the erasure: both stored logs name them, and a retry replayed them.
    person = await factories.stakeholder(session, a.tenant, name="Ann Erasable")
    shouted, left = await factories.activity(session, a.tenant), await factories.activity(session, a.tenant)
    await session.commit()
    line = {"entries": [{"stakeholder_id": str(person.id), "attended": True}]}
    for activity, key in ((shouted, "upper"), (left, "left")):
        path = f"/api/v1/activities/{str(activity.id).upper() if key == 'upper' else activity.id}/attendance"
        r = await client.post(path, json=line, headers={**a["lead"], "Idempotency-Key": key})
        assert r.status_code == 200 and "Ann Erasable" in r.text, r.text
    gone = await client.delete(f"/api/v1/activities/{left.id}/attendance/{person.id}", headers=a["lead"])
    assert gone.status_code in (200, 204), gone.text
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    stored = (await session.execute(select(IdempotencyRecord.body).where(
        IdempotencyRecord.tenant_id == a.tenant.id))).scalars().all()
    assert not any(b"Ann Erasable" in body or str(person.id).encode() in body for body in stored)
    retried = await client.post(f"/api/v1/activities/{str(shouted.id).upper()}/attendance", json=line,
                                headers={**a["lead"], "Idempotency-Key": "upper"})
    assert "Ann Erasable" not in retried.text and retried.headers.get("idempotent-replayed") is None


async def test_erasure_takes_their_name_out_of_every_item_of_the_plans_their_feedback_is_on(client, session, a):
    """"You said, we did" scrubbed their name from any item of their plan's page while it was known ("As Mr Quintrell
    said" on anonymous feedback); after the erasure nothing would, so the erasure takes the words out of those items,
    and only the words of their name: the page still takes out contact details. Another plan's page never scrubbed
    the name there, which may well be someone else's."""
    review, other = await factories.plan(session, a.tenant), await factories.plan(session, a.tenant)
    zeb = await factories.stakeholder(session, a.tenant, name="Zebedee Quintrell")
    await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=zeb.id, text="mine")
    published = dict(publishable=True, publishable_summary="As Mr Quintrell said, parking is poor",
                     response_text="We told Mr Quintrell; PALS is on 01308 422000", outcome="changed",
                     action_taken="More bays for Quintrell", responded_at=datetime(2026, 3, 21, tzinfo=UTC))
    anon = await factories.feedback(session, a.tenant, plan_id=review.id, themes=["Quintrell parking", "parking"],
                                    **published)
    elsewhere = await factories.feedback(session, a.tenant, plan_id=other.id, themes=["Quintrell"], **published)
    await session.commit()
    anon, elsewhere = anon.id, elsewhere.id
    assert (await client.post(f"{URL}/{zeb.id}/erase", headers=a["admin"])).status_code == 200
    page = await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])
    assert page.status_code == 200 and "Quintrell" not in page.text, page.text
    got = (await client.get(f"/api/v1/feedback/{anon}", headers=a["lead"])).json()
    assert (got["publishable_summary"], got["response_text"], got["action_taken"], got["themes"], got["version"]) == (
        "As Mr [removed] said, parking is poor", "We told Mr [removed]; PALS is on 01308 422000",
        "More bays for [removed]", ["[removed] parking", "parking"], 2)
    kept = (await client.get(f"/api/v1/feedback/{elsewhere}", headers=a["lead"])).json()
    assert (kept["publishable_summary"], kept["themes"], kept["version"]) == (
        "As Mr Quintrell said, parking is poor", ["Quintrell"], 1)


async def test_erasure_drops_the_stored_responses_to_other_feedback_it_scrubs(client, session, a):
    # The stored reply to POST …/response of anonymous feedback the erasure scrubbed kept their name for 24 hours
    review = await factories.plan(session, a.tenant)
    zeb = await factories.stakeholder(session, a.tenant, name="Zebedee Quintrell")
    await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=zeb.id, text="mine")
    anon = await factories.feedback(session, a.tenant, plan_id=review.id, text="Parking is poor")
    other = await factories.feedback(session, a.tenant, plan_id=review.id, text="Buses")
    await session.commit()
    for fb, words in ((anon, "We asked Mr Quintrell and added bays"), (other, "More buses")):
        r = await client.post(f"/api/v1/feedback/{fb.id}/response", json={
            "response_text": words, "outcome": "changed", "action_taken": "Done"},
            headers={**a["lead"], "Idempotency-Key": str(fb.id)})
        assert r.status_code == 200, r.text
    paths = select(IdempotencyRecord.path).where(IdempotencyRecord.tenant_id == a.tenant.id,
                                                 IdempotencyRecord.path.like("%/response"))
    assert len((await session.execute(paths)).all()) == 2
    assert (await client.post(f"{URL}/{zeb.id}/erase", headers=a["admin"])).status_code == 200
    assert (await session.execute(paths)).scalars().all() == [f"/api/v1/feedback/{other.id}/response"]


async def test_erasure_drops_the_stored_restores_of_the_records_it_scrubs(client, session, a):
    # A restore's stored reply is the record as it was: others' feedback naming them and an activity with their
    # phone, which do not name them by id, would be replayed unscrubbed to a retry for 24 hours
    review = await factories.plan(session, a.tenant)
    zeb = await factories.stakeholder(session, a.tenant, name="Zebedee Quintrell", phone="07700 900123")
    await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=zeb.id, text="mine")
    anon = await factories.feedback(session, a.tenant, plan_id=review.id, text="Parking is poor",
                                    publishable_summary="As Mr Quintrell said, parking is poor")
    call = await factories.activity(session, a.tenant, title="Call back", description="Ring 07700 900123")
    await session.commit()
    restores = [f"/api/v1/feedback/{anon.id}", f"/api/v1/activities/{call.id}"]
    for item in restores:
        assert (await client.delete(item, headers=a["lead"])).status_code == 204
        assert (await client.post(f"{item}/restore", headers={**a["lead"], "Idempotency-Key": item})).status_code == 200
    assert (await client.post(f"{URL}/{zeb.id}/erase", headers=a["admin"])).status_code == 200
    stored = select(IdempotencyRecord.path).where(IdempotencyRecord.tenant_id == a.tenant.id)
    assert (await session.execute(stored)).scalars().all() == []
    session.expire_all()  # the app shares this test's session, which kept the rows as it loaded them
    for item in restores:
        retried = await client.post(f"{item}/restore", headers={**a["lead"], "Idempotency-Key": item})
        assert retried.status_code == 200 and "idempotent-replayed" not in retried.headers
        assert "Quintrell" not in retried.text and "900123" not in retried.text


async def test_erasure_forgets_stored_responses_holding_their_name_or_contacts_though_the_rows_changed_since(
        client, session, a):
    """A stored response keeps what the row said when it was stored: the rows were tidied since, so no scrub finds
    them, and none is linked to the person. Those holding their name as written, their email, their phone however
    spaced or a line of their address (written over lines, as JSON escapes it) go; a word of their name alone, or
    someone else's number, is not theirs."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", email="Wendy@Example.org",
                                         phone="+44 7700 900123", address="12 Elm Road, Bridport", postcode="DT6 3AJ")
    await session.commit()
    base = {"title": "Home visit", "method": "one_to_one", "starts_at": "2026-03-01T10:00:00Z"}
    theirs = {"email": {"description": "Ring wendy@example.org"}, "name": {"description": "Visit WENDY  Writer"},
              "phone": {"description": "Call 07700-900-123"}, "address": {"description": "Flat 3\n12 Elm Road"},
              "postcode": {"location": "The hall, dt63aj"}}
    others = {"word": {"description": "Wendy's group meets at the hall"},
              "number": {"description": "Ring 01308 900123"}}
    kept = []
    for key, values in {**theirs, **others}.items():
        r = await client.post("/api/v1/activities", json={**base, **values},
                              headers={**a["lead"], "Idempotency-Key": key})
        assert r.status_code == 201, r.text
        tidied = await client.patch(r.headers["location"], json=dict.fromkeys(values, "Tidied"), headers=a["lead"])
        assert tidied.status_code == 200, tidied.text
        if key in others:
            kept.append(r.headers["location"])
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    records = (await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id)))
    assert sorted(r.headers.get("Location") for r in records.scalars()) == sorted(kept)
    retried = await client.post("/api/v1/activities", json={**base, **theirs["email"]},
                                headers={**a["lead"], "Idempotency-Key": "email"})
    assert retried.status_code == 201 and retried.headers.get("idempotent-replayed") is None, retried.text


async def test_a_retried_erasure_with_its_key_gets_the_first_answer_which_keeps_none_of_their_data(client, session, a):
    # The answer to an erasure can be lost: its retry must not read as a failure (409 "already erased").
    person = await factories.stakeholder(session, a.tenant, name="Ann Example", email="ann@example.org",
                                         phone="07700 900123")
    await session.commit()
    headers = {**a["admin"], "Idempotency-Key": "erase-once"}
    first = await client.post(f"{URL}/{person.id}/erase", headers=headers)
    assert first.status_code == 200, first.text
    retry = await client.post(f"{URL}/{person.id}/erase", headers=headers)
    assert retry.status_code == 200 and retry.headers.get("idempotent-replayed") == "true", retry.text
    assert retry.json() == first.json() and retry.headers["etag"] == first.headers["etag"]
    stored = (await session.execute(select(IdempotencyRecord.body).where(
        IdempotencyRecord.tenant_id == a.tenant.id))).scalars().all()
    assert len(stored) == 1 and not any(word in stored[0] for word in (b"Ann", b"example.org", b"900123"))
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 409  # without it


async def test_erasing_one_attendee_leaves_a_public_meetings_venue(client, session, a):
    """A public meeting is 'theirs' for each of its attendees: erasing one must not rewrite its venue for everyone
    ('Bridport library' was '[removed] library'). A town is never taken out."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", address="12 Elm Road\nBridport",
                                         postcode="DT6 3AJ")
    meeting = await factories.activity(session, a.tenant, title="Public meeting", location="Bridport library",
                                       description="Open meeting on Bridport's urgent care")
    await factories.attendance(session, meeting, person)
    await session.commit()
    meeting = meeting.id
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    read = (await client.get(f"/api/v1/activities/{meeting}", headers=a["lead"])).json()
    assert (read["location"], read["description"]) == ("Bridport library", "Open meeting on Bridport's urgent care")


async def test_erasure_leaves_another_persons_flat_number_and_a_street_named_without_one(client, session, a):
    """'Flat 1' is in many addresses: it goes only with the line after it ('Flat 1, 12 Elm Road'). A street without a
    number ('Station Road' of 'Station Road, Bridport') names a car park too: a line of words alone never goes."""
    flat = await factories.stakeholder(session, a.tenant, name="Wendy Writer", address="Flat 1\n12 Elm Road\nBridport",
                                       postcode="DT6 3AJ")
    street = await factories.stakeholder(session, a.tenant, name="Sam Street", address="Station Road, Bridport")
    castle = await factories.activity(session, a.tenant, title="Home visit", location="Flat 1, 40 Castle Street")
    park = await factories.activity(session, a.tenant, title="Drop-in", location="Station Road car park")
    theirs = await factories.activity(session, a.tenant, title="Parking", description="Park at flat 1, 12 Elm Road")
    await session.commit()
    ids = castle, park, theirs = castle.id, park.id, theirs.id
    for person in (flat, street):
        assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    read = {i: (await client.get(f"/api/v1/activities/{i}", headers=a["lead"])).json() for i in ids}
    assert (read[castle]["location"], read[castle]["version"]) == ("Flat 1, 40 Castle Street", 1)
    assert (read[park]["location"], read[park]["version"]) == ("Station Road car park", 1)
    assert (read[theirs]["description"], read[theirs]["version"]) == ("Park at [removed]", 2)


async def test_erasure_takes_out_the_house_and_street_of_an_address_typed_on_one_line(client, session, a):
    """'12 Elm Road Bridport', typed without commas, was one line: '12 Elm Road' written elsewhere stayed."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", address="12 Elm Road Bridport",
                                         postcode="DT6 3AJ")
    street = await factories.activity(session, a.tenant, title="Parking", description="Park behind 12 Elm Road")
    await session.commit()
    street = street.id
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    read = (await client.get(f"/api/v1/activities/{street}", headers=a["lead"])).json()
    assert (read["description"], read["version"]) == ("Park behind [removed]", 2)


async def test_erasure_takes_a_house_name_out_of_their_activities_only(client, session, a):
    """The first line of an address of three lines or more, without a digit, is a house's name: their home on the
    activities about them; elsewhere it may name something else, and stays."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer",
                                         address="Rose Cottage\nElm Lane\nBridport", postcode="DT6 3AJ")
    visit = await factories.activity(session, a.tenant, title="Home visit", location="Rose Cottage, Elm Lane, Bridport")
    tea = await factories.activity(session, a.tenant, title="Coffee morning", location="Rose Cottage tea room")
    await factories.attendance(session, visit, person)
    await session.commit()
    ids = visit, tea = visit.id, tea.id
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    read = {i: (await client.get(f"/api/v1/activities/{i}", headers=a["lead"])).json() for i in ids}
    assert read[visit]["location"] == "[removed], Elm Lane, Bridport"
    assert (read[tea]["location"], read[tea]["version"]) == ("Rose Cottage tea room", 1)


async def test_erasure_counts_each_activity_evidence_item_and_action_it_scrubs(client, session, a):
    """free_texts_erased counts every row the scrubs of the records that link people change, about the person or
    holding their contacts, and none a hold keeps or that holds only the words of their name."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", email="wendy@example.org",
                                         phone="07700 900123")
    plan, held = await factories.plan(session, a.tenant), await held_plan(session, a.tenant, "Held plan")
    visit = await factories.activity(session, a.tenant, plan_id=plan.id, title="Visit Wendy")
    await factories.attendance(session, visit, person)
    await factories.activity(session, a.tenant, title="Ring 07700 900123")  # of no plan: scrubbed
    await factories.activity(session, a.tenant, plan_id=held.id, title="Ring 07700 900123")  # kept while held
    await factories.activity(session, a.tenant, plan_id=plan.id, title="Wendy hosts")  # maybe another Wendy
    await evidence(session, plan, activities=[visit], summary="Wendy agreed")
    await action(session, plan, activity_id=visit.id, description="Call Wendy back")
    await action(session, plan, description="Email wendy@example.org")
    await action(session, plan, description="Wendy chairs")
    await session.commit()
    assert (await client.post(f"{URL}/{person.id}/erase", headers=a["admin"])).status_code == 200
    erase = (await audit_events(session, person.id))[-1]
    assert erase.action == "erase" and erase.changes["free_texts_erased"] == 5  # 2 activities, 1 evidence, 2 actions
