"""A held plan's risk, attendance line or evidence link removed while an admin is putting the plan on hold
(PostgreSQL only: SQLite runs one writer at a time): the removal waits for the hold and is 409, as a document's
delete does."""

import uuid

import pytest

from api.models import Plan
from tests import factories
from tests.gdpr.support import evidence
from tests.race import POSTGRES_ONLY, live_app, while_a_hold_is_put_on

pytestmark = POSTGRES_ONLY


@pytest.fixture(scope="module")
async def live():
    async with live_app("legal_hold_race", "lead") as app:
        yield app


async def _new_plan(client, headers) -> str:
    r = await client.post("/api/v1/plans", headers=headers, json={"title": "Held plan"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_a_risk_deleted_while_a_hold_is_put_on_waits_for_it_and_is_409(live):
    client, headers, _, _, _, elsewhere = live
    plan_id = await _new_plan(client, headers)
    r = await client.post(f"/api/v1/plans/{plan_id}/risks", headers=headers,
                          json={"description": "Public confidence", "likelihood": 2, "impact": 3})
    assert r.status_code == 201, r.text
    path = f"/api/v1/plans/{plan_id}/risks/{r.json()['id']}"
    r = await while_a_hold_is_put_on(elsewhere, plan_id, client.delete(path, headers=headers))
    assert r.status_code == 409 and r.json()["type"].endswith("/legal-hold"), r.text
    assert (await client.get(path, headers=headers)).status_code == 200


async def test_an_attendance_line_removed_while_a_hold_is_put_on_waits_for_it_and_is_409(live):
    client, headers, db, tenant, _, elsewhere = live
    plan_id = await _new_plan(client, headers)
    async with db.write_sessions() as session:
        activity = await factories.activity(session, tenant, plan_id=uuid.UUID(plan_id))
        person = await factories.stakeholder(session, tenant)
        await factories.attendance(session, activity, person, invited=True, attended=True)
        await session.commit()
    log = f"/api/v1/activities/{activity.id}/attendance"
    r = await while_a_hold_is_put_on(elsewhere, plan_id, client.delete(f"{log}/{person.id}", headers=headers))
    assert r.status_code == 409 and r.json()["type"].endswith("/legal-hold"), r.text
    assert len((await client.get(log, headers=headers)).json()["items"]) == 1


async def test_an_evidence_link_dropped_while_a_hold_is_put_on_waits_for_it_and_is_409(live):
    client, headers, db, tenant, _, elsewhere = live
    plan_id = await _new_plan(client, headers)
    async with db.write_sessions() as session:
        plan = await session.get(Plan, uuid.UUID(plan_id))
        item = await evidence(session, plan, activities=[await factories.activity(session, tenant)])
        await session.commit()
    path = f"/api/v1/plans/{plan_id}/evidence/{item.id}"
    r = await while_a_hold_is_put_on(elsewhere, plan_id, client.patch(path, json={"activity_ids": []},
                                                                       headers=headers))
    assert r.status_code == 409 and r.json()["type"].endswith("/legal-hold"), r.text
    assert (await client.get(path, headers=headers)).json()["activity_ids"] == [str(item.activity_ids[0])]
