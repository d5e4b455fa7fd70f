"""Real concurrency, on a database of its own with the app's own sessions (no shared test
transaction): two edits racing on the same ETag, and two same-tenant writes racing for the audit chain."""

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from api import audit
from api.db import Database
from api.main import create_app
from api.migrate import upgrade
from api.models import AuditEvent, User
from api.tenants import create_tenant
from tests import factories
from tests.conftest import make_settings
from tests.dbtools import scratch_database_url


@pytest.fixture(scope="module")
async def live():
    url = await asyncio.to_thread(scratch_database_url, "concurrency")
    await asyncio.to_thread(upgrade, url)
    settings = make_settings(url)
    app = create_app(settings)
    db: Database = app.state.db
    async with db.write_sessions() as session:
        tenant = await create_tenant(session, slug="race", name="Race Health Board")
        lead = User(tenant_id=tenant.id, email="lead@race.test", full_name="Lead", password_hash="x", role="lead")
        admin = User(tenant_id=tenant.id, email="admin@race.test", full_name="Admin", password_hash="x",
                     role="admin")
        session.add_all([lead, admin])
        await session.commit()
    headers = factories.auth_headers(app, lead)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client, headers, db, tenant, factories.auth_headers(app, admin)
    await db.dispose()


async def test_two_patches_with_the_same_if_match_one_wins(live):
    client, headers, *_ = live
    org = (await client.post("/api/v1/organisations", json={"name": "Race"}, headers=headers)).json()
    url = f"/api/v1/organisations/{org['id']}"
    results = await asyncio.gather(*[
        client.patch(url, json={"name": name}, headers={**headers, "If-Match": '"1"'}) for name in ("A", "B")
    ])
    assert sorted(r.status_code for r in results) == [200, 412]
    winner = next(r for r in results if r.status_code == 200).json()["name"]
    assert (await client.get(url, headers=headers)).json()["name"] == winner


async def test_concurrent_writes_keep_one_unbroken_audit_chain(live):
    client, headers, db, tenant, _ = live
    results = await asyncio.gather(*[
        client.post("/api/v1/organisations", json={"name": f"Org {n}"}, headers=headers) for n in range(8)
    ])
    assert [r.status_code for r in results] == [201] * 8
    async with db.read_sessions() as session:
        report = await audit.verify(session, tenant.id)
    assert report.intact, report


async def test_posts_sent_at_once_with_one_idempotency_key_create_one_record(live):
    client, headers, *_ = live
    results = await asyncio.gather(*[
        client.post("/api/v1/organisations", json={"name": "Once only"},
                    headers={**headers, "Idempotency-Key": "sent-twice-at-once"}) for _ in range(4)
    ])
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.json()["id"] for r in results}) == 1
    listed = await client.get("/api/v1/organisations", params={"q": "Once only", "include_total": "true"},
                              headers=headers)
    assert listed.json()["total"] == 1


async def test_reads_of_a_restricted_person_sent_at_once_are_each_answered_and_audited(live):
    """An admin's read of a restricted person writes its audit event from a GET. The app sends three such reads at
    once when it opens the person (the record, their assessments, their activities); on SQLite a GET's transaction
    began as a reader, and all but the first to write failed with "database is locked" (500)."""
    client, _, db, tenant, admin = live
    async with db.write_sessions() as session:
        person = await factories.stakeholder(session, tenant, restricted_at=datetime.now(UTC),
                                             restriction_reason="Accuracy contested")
        await session.commit()
    paths = [f"/api/v1/stakeholders/{person.id}{tail}" for tail in ("", "/assessments", "/activities")] * 3
    results = await asyncio.gather(*[client.get(path, headers=admin) for path in paths])
    assert [r.status_code for r in results] == [200] * len(paths), [r.text for r in results if r.status_code != 200]
    async with db.read_sessions() as session:
        report = await audit.verify(session, tenant.id)
        reads = (await session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "read_restricted", AuditEvent.resource_id == str(person.id)))).scalar_one()
    assert report.intact and reads == len(paths), (report, reads)
