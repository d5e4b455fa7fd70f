"""Concurrent assessments of one stakeholder, on a database of their own with the app's real sessions:
the row lock leaves exactly one latest assessment, and the audit chain unbroken."""

import asyncio

import httpx
import pytest
from sqlalchemy import select

from api import audit
from api.db import Database
from api.main import create_app
from api.migrate import upgrade
from api.models import Assessment, Stakeholder, User
from api.tenants import create_tenant
from tests import factories
from tests.conftest import make_settings
from tests.dbtools import scratch_database_url


@pytest.fixture(scope="module")
async def live():
    url = await asyncio.to_thread(scratch_database_url, "assess_race")
    await asyncio.to_thread(upgrade, url)
    app = create_app(make_settings(url))
    db: Database = app.state.db
    async with db.write_sessions() as session:
        tenant = await create_tenant(session, slug="race", name="Race Health Board")
        lead = User(tenant_id=tenant.id, email="lead@race.test", full_name="Lead", password_hash="x", role="lead")
        person = Stakeholder(tenant_id=tenant.id, name="Contested", categories=[], tags=[], preferred_channels=[],
                             communication_needs=[])
        session.add_all([lead, person])
        await session.commit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client, factories.auth_headers(app, lead), db, tenant, person
    await db.dispose()


async def test_racing_assessments_leave_one_latest(live):
    client, headers, db, tenant, person = live
    url = f"/api/v1/stakeholders/{person.id}/assessments"
    results = await asyncio.gather(*[
        client.post(url, json={"interest": n % 5 + 1, "influence": 3}, headers=headers) for n in range(8)])
    assert [r.status_code for r in results] == [201] * 8
    async with db.read_sessions() as session:
        rows = (await session.execute(select(Assessment).where(Assessment.stakeholder_id == person.id))).scalars().all()
        assert len(rows) == 8 and sum(r.is_latest for r in rows) == 1
        latest = next(r for r in rows if r.is_latest)
        assert latest.assessed_at == max(r.assessed_at for r in rows)
        assert (await audit.verify(session, tenant.id)).intact
