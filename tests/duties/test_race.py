"""An own duty deleted, or its requirements replaced, while evidence or an applicability record citing it is
written (PostgreSQL only: SQLite runs one writer at a time). The citation commits first and the change is 409, or
the change does and the citation is refused; never evidence removed by the delete's cascade, nor a record naming a
duty that no longer exists."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select

from api.models import Duty, DutyAssessment, DutyRequirement, Evidence
from tests.duties.support import OWN_DUTY
from tests.race import POSTGRES_ONLY, live_app

pytestmark = POSTGRES_ONLY


@pytest.fixture(scope="module")
async def live():
    async with live_app("duty_race", "admin") as app:
        yield app


async def _own_duty(client, headers) -> dict:
    r = await client.post("/api/v1/duties", headers=headers, json={**OWN_DUTY, "code": f"own-{uuid.uuid4().hex[:8]}"})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("change", ["delete", "drop the requirement"])
async def test_a_change_racing_evidence_that_cites_the_requirement_is_409_and_the_evidence_stays(live, change):
    client, headers, db, tenant, plan, elsewhere = live
    duty = await _own_duty(client, headers)
    cited = duty["requirements"][0]
    evidence_id = uuid.uuid4()
    async with elsewhere.connect() as writer:  # evidence citing the requirement, written but not yet committed
        await writer.execute(insert(Evidence).values(
            id=evidence_id, tenant_id=tenant.id, plan_id=plan.id, requirement_id=uuid.UUID(cited["id"]),
            summary="Letter to the forum", activity_ids=[], feedback_ids=[], document_ids=[],
            created_at=datetime.now(UTC), updated_at=datetime.now(UTC), version=1))
        if change == "delete":
            request = client.delete(f"/api/v1/duties/{duty['id']}", headers=headers)
        else:
            request = client.patch(f"/api/v1/duties/{duty['id']}", headers=headers,
                                   json={"requirements": [{"code": "other", "title": "Another requirement"}]})
        changing = asyncio.create_task(request)
        await asyncio.sleep(1.5)
        assert not changing.done(), changing.result().text
        await writer.commit()
    r = await changing
    assert r.status_code == 409, r.text
    async with db.read_sessions() as session:
        assert (await session.execute(select(Evidence.id).where(Evidence.id == evidence_id))).first() is not None


async def test_an_applicability_record_naming_a_duty_being_deleted_waits_and_is_422(live):
    client, headers, db, tenant, plan, elsewhere = live
    duty = await _own_duty(client, headers)
    async with elsewhere.connect() as deleter:  # the duty deleted, not yet committed
        await deleter.execute(delete(DutyRequirement).where(DutyRequirement.duty_id == uuid.UUID(duty["id"])))
        await deleter.execute(delete(Duty).where(Duty.id == uuid.UUID(duty["id"])))
        writing = asyncio.create_task(client.put(f"/api/v1/plans/{plan.id}/duty-assessment", headers=headers, json={
            "entries": [{"duty_id": duty["id"], "applies": True, "reasons": "Local compact", "level": "engage"}]}))
        await asyncio.sleep(1.5)
        assert not writing.done(), writing.result().text
        await deleter.commit()
    r = await writing
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "entries", 0, "duty_id"], r.text
    async with db.read_sessions() as session:
        assert (await session.execute(select(DutyAssessment.id).where(DutyAssessment.plan_id == plan.id))).first() \
            is None
