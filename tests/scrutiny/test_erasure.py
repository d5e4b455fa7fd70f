"""An erasure takes the person's email, phone and address out of the letters to and from the scrutiny bodies and out
of the plans' scrutiny records: staff write them there ("Objection from ann@example.org"), and they are the person's
wherever they are written. Not the words of their name: no letter or record links a person."""

from sqlalchemy import select

from api.models import IdempotencyRecord
from tests import factories
from tests.gdpr.support import held_plan
from tests.scrutiny.support import FULL, letter, letters_url, record, url

ERASE = "/api/v1/stakeholders/{}/erase"


async def person(session, a):
    return await factories.stakeholder(session, a.tenant, name="Cllr Olwen Pritchard",
                                       email="olwen.pritchard@example.org", phone="01308 422101",
                                       address="12 Elm Road\nBridport", postcode="DT6 3AJ")


async def test_erasure_takes_their_contacts_out_of_scrutiny_letters_and_records_not_their_name(client, session, a):
    olwen = await person(session, a)
    plan = await factories.plan(session, a.tenant)
    other = await letter(session, plan, summary="Objection from Cllr Pritchard's ward; ring 01308 422999")
    await session.commit()
    plan_id, other_id, tenant_id = plan.id, str(other.id), a.tenant.id  # read before expire_all, below
    sent = await client.post(letters_url(plan.id), headers={**a["lead"], "Idempotency-Key": "letter-1"}, json={
        "direction": "received", "correspondence_date": "2026-02-10",
        "summary": "Objection from Cllr Pritchard, Olwen.Pritchard@Example.org, 01308 422 101, 12 Elm Road, DT63AJ"})
    assert sent.status_code == 201, sent.text
    put = await client.put(url(plan.id), headers={**a["lead"], "If-Match": '"0"'}, json={
        **FULL, "substantial_variation_reason": "Petition led by Cllr Pritchard (01308-422-101)",
        "committee_view": "Olwen Pritchard (olwen.pritchard@example.org) asks for a site visit"})
    assert put.status_code == 201, put.text
    assert (await client.post(ERASE.format(olwen.id), headers=a["admin"])).status_code == 200
    session.expire_all()  # the erasure updates in SQL; the test's shared session still holds the builders' objects
    got = (await client.get(url(plan_id), headers=a["lead"])).json()
    letters = {item["id"]: item for item in got["correspondence"]}
    assert (letters[sent.json()["id"]]["summary"], letters[sent.json()["id"]]["version"]) == (
        "Objection from Cllr Pritchard, [removed], [removed], [removed], [removed]", 2)
    assert (letters[other_id]["summary"], letters[other_id]["version"]) == (
        "Objection from Cllr Pritchard's ward; ring 01308 422999", 1)
    assert (got["substantial_variation_reason"], got["committee_view"], got["version"]) == (
        "Petition led by Cllr Pritchard ([removed])", "Olwen Pritchard ([removed]) asks for a site visit", 2)
    # The stored response that created the letter held the same words.
    stored = (await session.execute(select(IdempotencyRecord.body).where(
        IdempotencyRecord.tenant_id == tenant_id))).scalars().all()
    assert not any(b"422 101" in body for body in stored)


async def test_a_held_plans_scrutiny_letters_and_record_keep_their_words(client, session, a):
    olwen = await person(session, a)
    plan = await held_plan(session, a.tenant, "Held scrutiny")
    kept = await letter(session, plan, summary="Objection from olwen.pritchard@example.org")
    await record(session, plan, committee_view="Asks olwen.pritchard@example.org to attend")
    await session.commit()
    plan_id, kept_id = plan.id, str(kept.id)  # read before expire_all, below
    assert (await client.post(ERASE.format(olwen.id), headers=a["admin"])).status_code == 200
    session.expire_all()  # the erasure updates in SQL; the test's shared session still holds the builders' objects
    got = (await client.get(url(plan_id), headers=a["lead"])).json()
    assert got["committee_view"] == "Asks olwen.pritchard@example.org to attend"
    assert [c["summary"] for c in got["correspondence"] if c["id"] == kept_id] == [
        "Objection from olwen.pritchard@example.org"]
