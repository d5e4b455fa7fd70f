"""An erasure takes the person out of what staff wrote in a plan's action plan, as it does out of activities and
evidence: an action evidenced by an activity they were on or gave feedback on is about them."""

from sqlalchemy import select

from api.models import IdempotencyRecord
from tests import factories
from tests.actions.support import action, url
from tests.gdpr.support import held_plan
from tests.stakeholders.support import audit_events

ERASE = "/api/v1/stakeholders/{}/erase"


async def wendy(session, tenant):
    return await factories.stakeholder(session, tenant, name="Wendy Writer", email="wendy@example.org",
                                       phone="07700 900123")


async def erase_and_read(client, a, session, person, *rows) -> list[dict]:
    """Erase the person, then read the actions back as a lead would."""
    paths = [url(row.plan_id, row.id) for row in rows]
    assert (await client.post(ERASE.format(person.id), headers=a["admin"])).status_code == 200
    session.expire_all()  # the erasure updates in SQL; the test's shared session still holds the builders' objects
    return [(await client.get(path, headers=a["lead"])).json() for path in paths]


async def test_erasure_takes_them_out_of_the_actions_their_activities_evidence(client, session, a):
    """The description, notes and owner of an action linked to an activity they attended, or gave feedback on, lose
    their name, email and phone; what else it says stays."""
    person = await wendy(session, a.tenant)
    plan = await factories.plan(session, a.tenant)
    visit = await factories.activity(session, a.tenant, plan_id=plan.id, title="Home visit")
    await factories.attendance(session, visit, person)
    meeting = await factories.activity(session, a.tenant, plan_id=plan.id, title="Public meeting")
    await factories.feedback(session, a.tenant, stakeholder_id=person.id, activity_id=meeting.id, plan_id=plan.id)
    called = await action(session, plan, activity_id=visit.id, owner_name="Wendy Writer",
                          description="Call Wendy back on 07700 900 123 about transport",
                          notes="Or email wendy@example.org")
    answered = await action(session, plan, activity_id=meeting.id, description="Answer Mrs Writer's question")
    await session.commit()
    person_id = person.id
    called, answered = await erase_and_read(client, a, session, person, called, answered)
    assert (called["description"], called["notes"], called["owner_name"], called["version"]) == (
        "Call [removed] back on [removed] about transport", "Or email [removed]", "[removed] [removed]", 2)
    assert (answered["description"], answered["version"]) == ("Answer Mrs [removed]'s question", 2)
    erase = (await audit_events(session, person_id))[-1]
    assert erase.action == "erase" and erase.changes["free_texts_erased"] == 3  # their feedback's text, 2 actions


async def test_erasure_takes_their_email_and_phone_out_of_every_other_action_not_their_name(client, session, a):
    """An action not linked to them keeps the words of their name (they may be someone else's) but not their contact
    details, however the number is spaced; a held plan's actions keep their words until the hold is lifted, even one
    linked to an activity of no plan that they attended (the hold does not stop that erasure)."""
    person = await wendy(session, a.tenant)
    plan = await factories.plan(session, a.tenant)
    noted = await action(session, plan, description="Wendy hosts; ring 0770 0900 12 3", notes="cc wendy@example.org",
                         owner_name="Wendy (wendy@example.org)")
    other = await action(session, plan, description="Ring Wendy on 01308 900123")
    held = await held_plan(session, a.tenant, "Held actions")
    outing = await factories.activity(session, a.tenant, title="Coach trip")
    await factories.attendance(session, outing, person)
    kept = await action(session, held, activity_id=outing.id, description="Thank Wendy, 07700 900123",
                        notes="wendy@example.org")
    await session.commit()
    noted, other, kept = await erase_and_read(client, a, session, person, noted, other, kept)
    assert (noted["description"], noted["notes"], noted["owner_name"], noted["version"]) == (
        "Wendy hosts; ring [removed]", "cc [removed]", "Wendy ([removed])", 2)
    assert (other["description"], other["version"]) == ("Ring Wendy on 01308 900123", 1)
    assert (kept["description"], kept["notes"], kept["version"]) == (
        "Thank Wendy, 07700 900123", "wendy@example.org", 1)  # kept while held


async def test_erasure_drops_the_stored_create_response_of_an_action_it_scrubs(client, session, a):
    person = await wendy(session, a.tenant)
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    created = await client.post(url(plan.id), json={"description": "Call 07700 900123"},
                                headers={**a["lead"], "Idempotency-Key": "act-1"})
    kept = await client.post(url(plan.id), json={"description": "Book the hall"},
                             headers={**a["lead"], "Idempotency-Key": "act-2"})
    assert created.status_code == kept.status_code == 201
    assert (await client.post(ERASE.format(person.id), headers=a["admin"])).status_code == 200
    records = await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id))
    assert [r.headers.get("Location") for r in records.scalars()] == [kept.headers["location"]]
