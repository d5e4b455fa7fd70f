"""A document deleted while a letter or an evidence item citing it is written (PostgreSQL only: SQLite runs one
writer at a time). Either the citation commits first and the delete is 409, or the delete does and the citation is
422; never a deleted document still cited, nor a letter whose document was quietly unlinked."""

import asyncio
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, insert, select

from api.models import Document, DutyRequirement, Evidence, ScrutinyCorrespondence
from tests.documents.support import PDF_BYTES
from tests.race import POSTGRES_ONLY, live_app, while_a_hold_is_put_on

pytestmark = POSTGRES_ONLY


@pytest.fixture(scope="module")
async def live():
    async with live_app("document_race", "lead") as app:
        yield app


async def _document(client, headers, plan) -> str:
    r = await client.post(f"/api/v1/plans/{plan.id}/documents", headers=headers,
                          files={"file": ("letter.pdf", PDF_BYTES, "application/pdf")},
                          data={"kind": "correspondence", "title": "Letter to the committee"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_a_delete_racing_a_letter_that_cites_the_document_is_409(live):
    client, headers, db, tenant, plan, elsewhere = live
    document_id = await _document(client, headers, plan)
    letter_id = uuid.uuid4()
    async with elsewhere.connect() as writer:  # a letter citing the document, written but not yet committed
        await writer.execute(insert(ScrutinyCorrespondence).values(
            id=letter_id, tenant_id=tenant.id, plan_id=plan.id, direction="sent", correspondence_date=date(2026, 2, 1),
            summary="Briefing", document_id=uuid.UUID(document_id), created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC), version=1))
        deleting = asyncio.create_task(client.delete(f"/api/v1/plans/{plan.id}/documents/{document_id}",
                                                     headers=headers))
        await asyncio.sleep(1.5)
        assert not deleting.done(), deleting.result().text
        await writer.commit()
    r = await deleting
    assert r.status_code == 409, r.text
    async with db.read_sessions() as session:
        kept = (await session.execute(select(ScrutinyCorrespondence.document_id).where(
            ScrutinyCorrespondence.id == letter_id))).scalar_one()
        assert str(kept) == document_id


async def test_evidence_citing_a_document_being_deleted_waits_and_is_422(live):
    client, headers, db, tenant, plan, elsewhere = live
    document_id = await _document(client, headers, plan)
    async with db.read_sessions() as session:
        requirement_id = (await session.execute(select(DutyRequirement.id).limit(1))).scalar_one()
    async with elsewhere.connect() as deleter:  # the document deleted, not yet committed
        await deleter.execute(delete(Document).where(Document.id == uuid.UUID(document_id)))
        posting = asyncio.create_task(client.post(f"/api/v1/plans/{plan.id}/evidence", headers=headers, json={
            "requirement_id": str(requirement_id), "summary": "The letter", "document_ids": [document_id]}))
        await asyncio.sleep(1.5)
        assert not posting.done(), posting.result().text
        await deleter.commit()
    r = await posting
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "document_ids", 0], r.text
    async with db.read_sessions() as session:
        assert (await session.execute(select(Evidence.id).where(Evidence.plan_id == plan.id))).first() is None


@pytest.mark.parametrize("record", ["document", "letter"])
async def test_a_delete_racing_a_legal_hold_waits_for_it_and_is_409(live, record):
    client, headers, db, tenant, _, elsewhere = live
    r = await client.post("/api/v1/plans", headers=headers, json={"title": f"Held plan ({record})"})
    assert r.status_code == 201, r.text
    plan = type("P", (), {"id": r.json()["id"]})
    path = f"/api/v1/plans/{plan.id}/documents/{await _document(client, headers, plan)}"
    if record == "letter":
        r = await client.post(f"/api/v1/plans/{plan.id}/scrutiny/correspondence", headers=headers, json={
            "direction": "sent", "correspondence_date": "2026-02-01", "summary": "Briefing"})
        assert r.status_code == 201, r.text
        path = f"/api/v1/plans/{plan.id}/scrutiny/correspondence/{r.json()['id']}"
    r = await while_a_hold_is_put_on(elsewhere, plan.id, client.delete(path, headers=headers))
    assert r.status_code == 409 and r.json()["type"].endswith("/legal-hold"), r.text
    assert (await client.get(path, headers=headers)).status_code == 200


async def test_a_consultation_archived_while_a_legal_hold_is_put_on_waits_for_it_and_is_409(live):
    client, headers, db, tenant, _, elsewhere = live
    r = await client.post("/api/v1/plans", headers=headers, json={"title": "Held plan (consultation)"})
    plan_id = r.json()["id"]
    r = await client.post(f"/api/v1/plans/{plan_id}/consultations", headers=headers, json={"title": "Options"})
    assert r.status_code == 201, r.text
    path = f"/api/v1/plans/{plan_id}/consultations/{r.json()['id']}"
    r = await while_a_hold_is_put_on(elsewhere, plan_id, client.delete(path, headers=headers))
    assert r.status_code == 409 and r.json()["type"].endswith("/legal-hold"), r.text
    assert (await client.get(path, headers=headers)).json()["archived_at"] is None
