"""An erasure takes the person's email and phone out of every plan's Risk & Issue Log: staff write contact details
there ("Ann Lee, 07700 900123, may complain"), and they are the person's wherever they are written."""

from sqlalchemy import select

from api.models import IdempotencyRecord
from tests import factories
from tests.gdpr.support import held_plan
from tests.risks.support import risk, url

ERASE = "/api/v1/stakeholders/{}/erase"


async def test_erasure_takes_their_email_and_phone_out_of_the_risk_log_not_their_name(client, session, a):
    """No entry links a person, so the words of their name stay (they may be someone else's); a held plan's entries
    keep their words until the hold is lifted."""
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", email="Wendy@Example.org",
                                         phone="+44 7700 900123")
    plan = await factories.plan(session, a.tenant)
    noted = await risk(session, plan, description="Wendy (07700 900 123) may complain to the press",
                       mitigation="Brief her first: wendy@example.org", owner_name="Comms, 07700-900-123")
    other = await risk(session, plan, description="Wendy's group may not come; ring 01308 900123")
    held = await risk(session, await held_plan(session, a.tenant, "Held risks"), description="Ask wendy@example.org")
    await session.commit()
    paths = [url(row.plan_id, row.id) for row in (noted, other, held)]
    assert (await client.post(ERASE.format(person.id), headers=a["admin"])).status_code == 200
    session.expire_all()  # the erasure updates in SQL; the test's shared session still holds the builders' objects
    noted, other, held = [(await client.get(path, headers=a["lead"])).json() for path in paths]
    assert (noted["description"], noted["mitigation"], noted["owner_name"], noted["version"]) == (
        "Wendy ([removed]) may complain to the press", "Brief her first: [removed]", "Comms, [removed]", 2)
    assert (other["description"], other["version"]) == ("Wendy's group may not come; ring 01308 900123", 1)
    assert (held["description"], held["version"]) == ("Ask wendy@example.org", 1)  # kept while held


async def test_erasure_drops_the_stored_create_response_of_a_risk_it_scrubs(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Wendy Writer", email="wendy@example.org")
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    body = {"description": "GPs do not attend", "likelihood": 3, "impact": 3}
    created = await client.post(url(plan.id), json={**body, "mitigation": "Ask wendy@example.org"},
                                headers={**a["lead"], "Idempotency-Key": "risk-1"})
    kept = await client.post(url(plan.id), json=body, headers={**a["lead"], "Idempotency-Key": "risk-2"})
    assert created.status_code == kept.status_code == 201
    assert (await client.post(ERASE.format(person.id), headers=a["admin"])).status_code == 200
    records = await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id))
    assert [r.headers.get("Location") for r in records.scalars()] == [kept.headers["location"]]
