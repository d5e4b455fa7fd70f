"""An erasure leaves a held plan's rows as they are (UK GDPR Art. 17(3)(e)); lifting the hold takes out of them what
the erasure would have: the erased person's contacts, and their name from what is about them (held_erasure)."""

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text

from api.idempotency import advisory_key
from api.models import HeldErasure, IdempotencyRecord
from api.stakeholders.service import PEOPLE_LOCK
from tests import factories
from tests.actions.support import action
from tests.audit_trail import audit_events, audit_text
from tests.documents.support import consultation
from tests.gdpr.support import NOT_ADMIN, held_plan, hold_url, is_problem, person_url
from tests.race import POSTGRES_ONLY, live_app
from tests.risks.support import risk

EMAIL, PHONE = "wendy@example.org", "07700 900123"


async def wendy(session, tenant):
    return await factories.stakeholder(session, tenant, name="Wendy Writer", email="Wendy@Example.org", phone=PHONE,
                                       address="12 Elm Road, Bridport", postcode="DT6 3AJ")


async def asked_on_a_held_plan(session, tenant) -> tuple:
    """Wendy, a held plan's id and the URL of its activity whose description holds her email (committed)."""
    person = await wendy(session, tenant)
    held = await held_plan(session, tenant, "Held plan")
    activity = await factories.activity(session, tenant, plan_id=held.id, description=f"Ask {EMAIL}")
    await session.commit()
    return person, held.id, f"/api/v1/activities/{activity.id}"


async def erase(client, a, person_id) -> None:
    r = await client.post(person_url(person_id, "/erase"), headers=a["admin"])
    assert r.status_code == 200, r.text


async def lift(client, a, plan_id) -> None:
    r = await client.delete(hold_url(plan_id), headers=a["admin"])
    assert r.status_code == 200, r.text


async def read(client, a, url: str, session) -> dict:
    session.expire_all()  # the scrubs update in SQL; the test's shared session still holds the builders' objects
    r = await client.get(url, headers=a["lead"])
    assert r.status_code == 200, r.text
    return r.json()


async def pending(session) -> int:
    return (await session.execute(select(func.count()).select_from(HeldErasure))).scalar_one()


async def test_a_held_plans_texts_keep_their_contacts_until_the_hold_is_lifted(client, session, a):
    """An activity, a risk and a consultation of the held plan keep the erased person's email and phone while it is
    held, and lose them (a new version each) when the hold is lifted; never the words of their name, which there may
    be someone else's. A plan not on hold lost them at the erasure, as before."""
    person = await wendy(session, a.tenant)
    held, other = await held_plan(session, a.tenant, "Held plan"), await factories.plan(session, a.tenant)
    activity = await factories.activity(session, a.tenant, plan_id=held.id, description=f"Ask Wendy: {EMAIL}")
    logged = await risk(session, held, description=f"Objection from {EMAIL}", mitigation="Ring 07700 900 123")
    decided = await consultation(session, held, decision_summary="Wendy (+44 7700 900123) at 12 Elm Road objected")
    unheld = await risk(session, other, description=f"Objection from {EMAIL}")
    await session.commit()
    urls = {"activity": f"/api/v1/activities/{activity.id}", "risk": f"/api/v1/plans/{held.id}/risks/{logged.id}",
            "consultation": f"/api/v1/plans/{held.id}/consultations/{decided.id}"}
    unheld_url, held = f"/api/v1/plans/{other.id}/risks/{unheld.id}", held.id
    await erase(client, a, person.id)
    assert (await read(client, a, unheld_url, session))["description"] == "Objection from [removed]"
    kept = {kind: await read(client, a, url, session) for kind, url in urls.items()}
    assert (kept["activity"]["description"], kept["activity"]["version"]) == (f"Ask Wendy: {EMAIL}", 1)
    assert (kept["risk"]["description"], kept["risk"]["mitigation"]) == (f"Objection from {EMAIL}",
                                                                       "Ring 07700 900 123")
    assert kept["consultation"]["decision_summary"] == "Wendy (+44 7700 900123) at 12 Elm Road objected"
    await lift(client, a, held)
    got = {kind: await read(client, a, url, session) for kind, url in urls.items()}
    assert got["activity"]["description"] == "Ask Wendy: [removed]"
    assert (got["risk"]["description"], got["risk"]["mitigation"]) == ("Objection from [removed]", "Ring [removed]")
    assert got["consultation"]["decision_summary"] == "Wendy ([removed]) at [removed] objected"
    assert all(got[kind]["version"] == kept[kind]["version"] + 1 for kind in urls)
    lifted = (await audit_events(session, held))[-1]
    assert lifted.action == "lift_legal_hold" and lifted.changes["free_texts_erased"] == 3
    assert await pending(session) == 0


async def test_a_held_plans_action_about_them_loses_their_name_too(client, session, a):
    """An action a held plan's record holds, evidenced by an activity the person attended (of no plan: the hold did
    not refuse the erasure), is about them: on lifting it loses their name as well, as it would have at the erasure;
    the plan's other actions lose only their contacts."""
    person = await wendy(session, a.tenant)
    visit = await factories.activity(session, a.tenant, title="Home visit")
    await factories.attendance(session, visit, person)
    held = await held_plan(session, a.tenant, "Held plan")
    theirs = await action(session, held, activity_id=visit.id, description=f"Call Wendy back on {PHONE}")
    others = await action(session, held, description=f"Wendy chairs; minutes to {EMAIL}")
    await session.commit()
    theirs, others, held = f"/api/v1/plans/{held.id}/actions/{theirs.id}", f"/api/v1/plans/{held.id}/actions/" \
        f"{others.id}", held.id
    await erase(client, a, person.id)
    assert (await read(client, a, theirs, session))["description"] == f"Call Wendy back on {PHONE}"
    await lift(client, a, held)
    assert (await read(client, a, theirs, session))["description"] == "Call [removed] back on [removed]"
    assert (await read(client, a, others, session))["description"] == "Wendy chairs; minutes to [removed]"


async def test_lifting_again_or_holding_again_scrubs_nothing_more(client, session, a):
    """The erasure is finished once: what the plan's records say after the lift is no longer held back by it."""
    person, held, url = await asked_on_a_held_plan(session, a.tenant)
    await erase(client, a, person.id)
    await lift(client, a, held)
    later = await read(client, a, url, session)
    assert later["description"] == "Ask [removed]"
    r = await client.patch(url, json={"description": f"Wrote to {EMAIL}"},
                           headers={**a["lead"], "If-Match": f'"{later["version"]}"'})
    assert r.status_code == 200, r.text
    r = await client.post(hold_url(held), json={"reason": "Appeal"}, headers=a["admin"])
    assert r.status_code == 200, r.text
    await lift(client, a, held)
    got = await read(client, a, url, session)
    assert (got["description"], got["version"]) == (f"Wrote to {EMAIL}", later["version"] + 1)
    assert [e.changes["free_texts_erased"] for e in await audit_events(session, held)
            if e.action == "lift_legal_hold"] == [1, 0]


async def test_an_archived_plans_rows_are_scrubbed_when_its_hold_is_lifted(client, session, a):
    """Archiving is not lifting: a held plan's activity archived before the hold, and the rows of a plan archived
    before its hold, lose the contacts when the hold is lifted."""
    person = await wendy(session, a.tenant)
    plan, archived = await factories.plan(session, a.tenant), await factories.plan(session, a.tenant)
    gone = await factories.activity(session, a.tenant, plan_id=plan.id, description=f"Ask {EMAIL}")
    logged = await risk(session, archived, description=f"Objection from {EMAIL}")
    await session.commit()
    gone, logged = f"/api/v1/activities/{gone.id}", f"/api/v1/plans/{archived.id}/risks/{logged.id}"
    plans = plan.id, archived.id
    assert (await client.delete(gone, headers=a["lead"])).status_code == 204
    assert (await client.delete(f"/api/v1/plans/{plans[1]}", headers=a["lead"])).status_code == 204
    for plan_id in plans:
        r = await client.post(hold_url(plan_id), json={"reason": "Claim"}, headers=a["admin"])
        assert r.status_code == 200, r.text
    await erase(client, a, person.id)
    assert (await read(client, a, gone, session))["description"] == f"Ask {EMAIL}"
    for plan_id in plans:
        await lift(client, a, plan_id)
    assert (await read(client, a, gone, session))["description"] == "Ask [removed]"
    assert (await read(client, a, logged, session))["description"] == "Objection from [removed]"


async def test_the_stored_responses_holding_their_contacts_go_on_lifting(client, session, a):
    """A keyed POST answered while the plan was held, holding the erased person's contacts, would be replayed with
    them after the lift."""
    person = await wendy(session, a.tenant)
    held = await held_plan(session, a.tenant, "Held plan")
    await session.commit()
    held = held.id
    await erase(client, a, person.id)
    body = {"title": "Call-back", "method": "one_to_one", "level": "inform", "status": "done", "plan_id": str(held),
            "starts_at": "2026-03-10T14:00:00Z", "description": f"Ring {PHONE}"}
    r = await client.post("/api/v1/activities", json=body, headers={**a["lead"], "Idempotency-Key": "call-back"})
    assert r.status_code == 201, r.text
    await lift(client, a, held)
    assert (await read(client, a, r.headers["Location"], session))["description"] == "Ring [removed]"
    assert (await session.execute(select(func.count()).select_from(IdempotencyRecord).where(
        IdempotencyRecord.key == "call-back"))).scalar_one() == 0


async def test_another_tenants_lift_touches_nothing_of_ours_nor_ours_theirs(client, session, a, b):
    person = await wendy(session, a.tenant)
    ours, theirs = await held_plan(session, a.tenant, "Ours"), await held_plan(session, b.tenant, "Theirs")
    mine = await factories.activity(session, a.tenant, plan_id=ours.id, description=f"Ask {EMAIL}")
    their = await factories.activity(session, b.tenant, plan_id=theirs.id, description=f"Ask {EMAIL}")
    await session.commit()
    mine, their, ours, theirs = (f"/api/v1/activities/{mine.id}", f"/api/v1/activities/{their.id}", ours.id,
                                 theirs.id)
    await erase(client, a, person.id)
    await lift(client, b, theirs)
    assert (await read(client, a, mine, session))["description"] == f"Ask {EMAIL}"
    assert await pending(session) == 1
    r = await client.post(hold_url(theirs), json={"reason": "Claim"}, headers=b["admin"])
    assert r.status_code == 200, r.text
    await lift(client, a, ours)
    assert (await read(client, a, mine, session))["description"] == "Ask [removed]"
    got = await read(client, b, their, session)
    assert (got["description"], got["version"]) == (f"Ask {EMAIL}", 1)


@pytest.mark.parametrize("role", NOT_ADMIN)
async def test_only_an_admin_lifts_and_a_refused_lift_scrubs_nothing(client, session, a, role):
    person, held, url = await asked_on_a_held_plan(session, a.tenant)
    await erase(client, a, person.id)
    assert is_problem(await client.delete(hold_url(held), headers=a[role]), 403)
    assert (await read(client, a, url, session))["description"] == f"Ask {EMAIL}" and await pending(session) == 1
    await lift(client, a, held)
    assert (await read(client, a, url, session))["description"] == "Ask [removed]"


async def test_what_a_held_plan_keeps_is_never_logged_audited_or_shown(client, session, a, caplog):
    """The contacts kept for the lift are the erased person's: no log, no audit event, and no subject access report
    (the stakeholder's record is what it shows, erased) holds them."""
    caplog.set_level(logging.DEBUG, logger="api")
    person, held, url = await asked_on_a_held_plan(session, a.tenant)
    person = person.id
    await erase(client, a, person)
    report = await client.get(person_url(person, "/subject-access"), headers=a["admin"])
    assert report.status_code == 200 and EMAIL not in report.text.lower() and "900123" not in report.text
    await lift(client, a, held)
    assert (await read(client, a, url, session))["description"] == "Ask [removed]"
    logged = " ".join(str(vars(r)) for r in caplog.records if r.name.startswith("api")).lower()
    trail = audit_text([*await audit_events(session, person), *await audit_events(session, held)]).lower()
    for value in (EMAIL, "900123", "elm road", "dt6", "wendy"):
        assert value not in logged and value not in trail, value


@POSTGRES_ONLY
async def test_a_hold_lifted_while_an_erasure_records_it_waits_for_it_then_finishes_it():
    """The hold is lifted while an erasure that saw it is under way: the lift waits for it (the people lock erasures
    take), then finishes it; lifted before the erasure recorded what the plan's rows keep, the record went unseen and
    the rows kept the contacts for good."""
    async with live_app("held_erasure_race", "admin") as (client, headers, db, tenant, _, elsewhere):
        async with db.write_sessions() as session:
            person = await wendy(session, tenant)
            held = await held_plan(session, tenant, "Held plan")
            activity = await factories.activity(session, tenant, plan_id=held.id, description=f"Ask {EMAIL}")
            ids = person.id, held.id, activity.id
            await session.commit()
        person, held, activity = ids
        assert (await client.get(f"/api/v1/plans/{held}", headers=headers)).status_code == 200  # the app warmed up
        async with elsewhere.connect() as eraser:
            await eraser.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                                 {"a": PEOPLE_LOCK, "b": advisory_key(tenant.id, "people")})
            # The erasure has seen the hold: the lift is asked for before it records what the plan's rows keep
            answer = asyncio.ensure_future(client.delete(hold_url(held), headers=headers))
            await asyncio.sleep(1.5)
            assert not answer.done(), answer.result().text
            await eraser.execute(insert(HeldErasure).values(id=person, tenant_id=tenant.id, plan_id=held,
                                                            stakeholder_id=person, email=EMAIL,
                                                            created_at=datetime.now(UTC)))
            await eraser.commit()
        assert (await answer).status_code == 200
        r = await client.get(f"/api/v1/activities/{activity}", headers=headers)
        assert r.json()["description"] == "Ask [removed]", r.text
