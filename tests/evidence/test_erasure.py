"""An erasure takes the person out of what staff wrote in evidence items, as it does out of activities."""

from datetime import UTC, datetime

from sqlalchemy import select

from api.models import IdempotencyRecord
from tests import factories
from tests.duties.support import evidence
from tests.evidence.support import body, linked_world, url

ERASE = "/api/v1/stakeholders/{}/erase"


async def wendy(session, tenant):
    return await factories.stakeholder(session, tenant, name="Wendy Writer", email="wendy@example.org",
                                       phone="07700 900123")


async def erase_and_read(client, a, session, person, *items) -> list[dict]:
    """Erase the person, then read the items back as a lead would."""
    paths = [f"/api/v1/plans/{item.plan_id}/evidence/{item.id}" for item in items]
    assert (await client.post(ERASE.format(person.id), headers=a["admin"])).status_code == 200
    session.expire_all()  # the erasure updates in SQL; the test's shared session still holds the builders' objects
    return [(await client.get(path, headers=a["lead"])).json() for path in paths]


async def test_erasure_takes_them_out_of_the_evidence_linking_them(client, session, a):
    """An item linking their feedback or an activity they were on loses their name, email and phone; what else it
    says stays."""
    person = await wendy(session, a.tenant)
    plan, activity, feedback, _, req = await linked_world(session, a.tenant)
    feedback.stakeholder_id = person.id
    visit = await factories.activity(session, a.tenant, plan_id=plan.id, title="Home visit")
    await factories.attendance(session, visit, person)
    by_feedback = await evidence(session, plan, req, feedback_ids=[feedback.id],
                                 summary="Wendy Writer (wendy@example.org) asked for a later bus",
                                 decision="Board agreed with Wendy")
    by_visit = await evidence(session, plan, req, activity_ids=[visit.id],
                              summary="Visit to Wendy, 07700900123, shaped option B")
    await session.commit()
    by_feedback, by_visit = await erase_and_read(client, a, session, person, by_feedback, by_visit)
    assert (by_feedback["summary"], by_feedback["decision"], by_feedback["version"]) == (
        "[removed] [removed] ([removed]) asked for a later bus", "Board agreed with [removed]", 2)
    assert (by_visit["summary"], by_visit["version"]) == ("Visit to [removed], [removed], shaped option B", 2)


async def test_erasure_takes_them_out_of_evidence_linking_an_activity_they_gave_feedback_on(client, session, a):
    """Not on its attendance log, but their feedback was about it: the item's words may be theirs."""
    person = await wendy(session, a.tenant)
    plan, _, _, _, req = await linked_world(session, a.tenant)
    meeting = await factories.activity(session, a.tenant, plan_id=plan.id, title="Public meeting")
    await factories.feedback(session, a.tenant, stakeholder_id=person.id, activity_id=meeting.id, plan_id=plan.id)
    item = await evidence(session, plan, req, activity_ids=[meeting.id], summary="Wendy Writer spoke against option A")
    await session.commit()
    (read,) = await erase_and_read(client, a, session, person, item)
    assert (read["summary"], read["version"]) == ("[removed] [removed] spoke against option A", 2)


async def test_erasure_takes_their_email_and_phone_out_of_other_evidence_not_their_name(client, session, a):
    """An item not linking them keeps the words of their name (they may be someone else's) but not their contact
    details; a held plan's item keeps its words until the hold is lifted."""
    person = await wendy(session, a.tenant)
    plan, _, _, _, req = await linked_world(session, a.tenant)
    noted = await evidence(session, plan, req, summary="Wendy hosted; call 07700 900 123",
                           decision="Minutes from wendy@example.org")
    held_plan = await factories.plan(session, a.tenant, legal_hold_at=datetime.now(UTC), legal_hold_reason="Claim")
    held = await evidence(session, held_plan, req, summary="Ask wendy@example.org")
    await session.commit()
    noted, held = await erase_and_read(client, a, session, person, noted, held)
    assert (noted["summary"], noted["decision"], noted["version"]) == (
        "Wendy hosted; call [removed]", "Minutes from [removed]", 2)
    assert (held["summary"], held["version"]) == ("Ask wendy@example.org", 1)  # kept while held


async def test_erasure_drops_the_stored_create_response_of_an_item_it_scrubs(client, session, a):
    person = await wendy(session, a.tenant)
    plan, _, _, _, req = await linked_world(session, a.tenant)
    await session.commit()
    created = await client.post(url(plan), json=body(req, summary="Call wendy@example.org", external_id=None),
                                headers={**a["lead"], "Idempotency-Key": "ev-1"})
    kept = await client.post(url(plan), json=body(req, summary="Board minutes", external_id=None),
                             headers={**a["lead"], "Idempotency-Key": "ev-2"})
    assert created.status_code == kept.status_code == 201
    assert (await client.post(ERASE.format(person.id), headers=a["admin"])).status_code == 200
    records = await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id))
    assert [r.headers.get("Location") for r in records.scalars()] == [kept.headers["location"]]
