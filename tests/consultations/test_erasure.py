"""An erasure takes the person's email, phone and address out of the plans' consultations (why a window was shorter,
what was decided and by whom): staff write them there ("Agreed after the petition of ann@example.org"), and they are
the person's wherever they are written. Not the words of their name: no consultation links a person."""

from datetime import date

from sqlalchemy import select

from api.models import IdempotencyRecord
from tests import factories
from tests.consultations.support import FULL, url
from tests.documents.support import consultation
from tests.gdpr.support import held_plan

ERASE = "/api/v1/stakeholders/{}/erase"


async def test_erasure_takes_their_contacts_out_of_consultations_archived_or_not_not_their_name(client, session, a):
    olwen = await factories.stakeholder(session, a.tenant, name="Olwen Pritchard", email="olwen.pritchard@example.org",
                                        phone="+44 7700 900123", postcode="DT6 3AJ")
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    made = await client.post(url(plan.id), headers={**a["lead"], "Idempotency-Key": "cons-1"}, json={
        **FULL, "shorter_reason": "Asked for by Olwen Pritchard, DT6 3AJ",
        "decision_summary": "Agreed after the petition of Olwen.Pritchard@example.org",
        "decision_maker": "Olwen Pritchard (07700 900 123)"})
    archived = await client.post(url(plan.id), headers=a["lead"], json={
        **FULL, "external_id": "CONS-2", "decision_summary": "Ring 07700900123"})
    other = await client.post(url(plan.id), headers=a["lead"], json={
        **FULL, "external_id": "CONS-3", "decision_summary": "Olwen Pritchard's group agreed; ring 01308 900123"})
    assert made.status_code == archived.status_code == other.status_code == 201, (made.text, archived.text)
    gone = await client.delete(archived.headers["location"], headers=a["lead"])
    assert gone.status_code == 204, gone.text
    assert (await client.post(ERASE.format(olwen.id), headers=a["admin"])).status_code == 200
    made, archived, other = [(await client.get(r.headers["location"], headers=a["lead"])).json()
                             for r in (made, archived, other)]
    assert (made["shorter_reason"], made["decision_summary"], made["decision_maker"], made["version"]) == (
        "Asked for by Olwen Pritchard, [removed]", "Agreed after the petition of [removed]",
        "Olwen Pritchard ([removed])", 2)
    assert (archived["decision_summary"], archived["version"]) == ("Ring [removed]", 3)  # archived at version 2
    assert (other["decision_summary"], other["version"]) == ("Olwen Pritchard's group agreed; ring 01308 900123", 1)
    # The stored response that created it held the same words.
    stored = (await session.execute(select(IdempotencyRecord.body).where(
        IdempotencyRecord.tenant_id == a.tenant.id))).scalars().all()
    assert not any(b"olwen.pritchard" in body.lower() for body in stored)


async def test_a_held_plans_consultations_keep_their_words(client, session, a):
    olwen = await factories.stakeholder(session, a.tenant, name="Olwen Pritchard", email="olwen.pritchard@example.org")
    plan = await held_plan(session, a.tenant, "Held consultations")
    kept = await consultation(session, plan, opened_date=date(2026, 1, 5), closed_date=date(2026, 3, 30),
                              decision_summary="Agreed after the petition of olwen.pritchard@example.org")
    await session.commit()
    path = f"{url(plan.id)}/{kept.id}"  # read before expire_all, below
    assert (await client.post(ERASE.format(olwen.id), headers=a["admin"])).status_code == 200
    session.expire_all()  # the erasure updates in SQL; the test's shared session still holds the builders' objects
    got = (await client.get(path, headers=a["lead"])).json()
    assert (got["decision_summary"], got["version"]) == ("Agreed after the petition of olwen.pritchard@example.org", 1)
