"""A held plan's risk or attendance line removed while an admin is putting the plan on hold (PostgreSQL only: SQLite
runs one writer at a time): the removal waits for the hold and is 409, as a document's delete does
(tests/documents/test_race.py, whose app and database these tests share)."""

import asyncio
import uuid
from datetime import UTC, datetime

from sqlalchemy import update

from api.models import Plan
from tests import factories
from tests.documents.test_race import live, pytestmark  # noqa: F401 - the shared app, and PostgreSQL only


async def _risk(client, headers, plan_id) -> str:
    r = await client.post(f"/api/v1/plans/{plan_id}/risks", headers=headers,
                          json={"description": "Public confidence", "likelihood": 2, "impact": 3})
    assert r.status_code == 201, r.text
    return f"/api/v1/plans/{plan_id}/risks/{r.json()['id']}"


async def _attendance_line(db, tenant, plan_id) -> str:
    async with db.write_sessions() as session:
        activity = await factories.activity(session, tenant, plan_id=uuid.UUID(plan_id))
        person = await factories.stakeholder(session, tenant)
        await factories.attendance(session, activity, person, invited=True, attended=True)
        await session.commit()
    return f"/api/v1/activities/{activity.id}/attendance/{person.id}"


async def _removed_while_held(live, make) -> tuple:  # noqa: F811 - the fixture's value
    client, headers, db, tenant, _, elsewhere = live
    r = await client.post("/api/v1/plans", headers=headers, json={"title": "Held plan"})
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    path = await make(client, headers, db, tenant, plan_id)
    async with elsewhere.connect() as holder:  # an admin putting the plan on hold, not yet committed
        await holder.execute(update(Plan).where(Plan.id == uuid.UUID(plan_id)).values(
            legal_hold_at=datetime.now(UTC), legal_hold_reason="Judicial review claim issued"))
        removing = asyncio.create_task(client.delete(path, headers=headers))
        await asyncio.sleep(1.5)
        assert not removing.done(), removing.result().text
        await holder.commit()
    return await removing, client, headers, path


async def test_a_risk_deleted_while_a_hold_is_put_on_waits_for_it_and_is_409(live):  # noqa: F811
    r, client, headers, path = await _removed_while_held(
        live, lambda client, headers, db, tenant, plan_id: _risk(client, headers, plan_id))
    assert r.status_code == 409 and r.json()["type"].endswith("/legal-hold"), r.text
    assert (await client.get(path, headers=headers)).status_code == 200


async def test_an_attendance_line_removed_while_a_hold_is_put_on_waits_for_it_and_is_409(live):  # noqa: F811
    r, client, headers, path = await _removed_while_held(
        live, lambda client, headers, db, tenant, plan_id: _attendance_line(db, tenant, plan_id))
    assert r.status_code == 409 and r.json()["type"].endswith("/legal-hold"), r.text
    log = await client.get(path.rsplit("/", 1)[0], headers=headers)
    assert len(log.json()["items"]) == 1
