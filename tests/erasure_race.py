"""An erasure under way, for tests of what must wait for it (PostgreSQL only: SQLite runs one writer at a time)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import create_async_engine

from api.config import to_async_url
from api.idempotency import advisory_key
from api.main import create_app
from api.migrate import upgrade
from api.models import Stakeholder, User
from api.stakeholders.service import ERASED_NAME, PEOPLE_LOCK
from api.tenants import create_tenant
from tests import factories
from tests.conftest import make_settings
from tests.dbtools import scratch_database_url


@dataclass
class ErasureUnderWay:
    client: httpx.AsyncClient
    headers: dict[str, str]  # a contributor's
    person: Any
    commit: Any  # ends the erasure


@contextlib.asynccontextmanager
async def erasure_under_way(suffix: str) -> AsyncIterator[ErasureUnderWay]:
    """An app on a scratch database, with a contributor and a person whom another connection's open transaction is
    erasing as erase() does: holding its lock, the row marked erased. What runs meanwhile must wait for `commit`."""
    url = await asyncio.to_thread(scratch_database_url, suffix)
    await asyncio.to_thread(upgrade, url)
    app = create_app(make_settings(url))
    db = app.state.db
    async with db.write_sessions() as session:
        tenant = await create_tenant(session, slug="race", name="Race Health Board")
        user = User(tenant_id=tenant.id, email="c@race.test", full_name="C", password_hash="x", role="contributor")
        person = await factories.stakeholder(session, tenant, name="Racey Person")
        session.add(user)
        await session.commit()
    elsewhere = create_async_engine(to_async_url(url))  # a connection of its own, outside the app's pool
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client, \
                elsewhere.connect() as eraser:
            headers = factories.auth_headers(app, user)
            assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
            await eraser.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                                 {"a": PEOPLE_LOCK, "b": advisory_key(tenant.id, "people")})
            await eraser.execute(sql_update(Stakeholder).where(Stakeholder.id == person.id)
                                 .values(erased_at=datetime.now(UTC), name=ERASED_NAME))
            yield ErasureUnderWay(client, headers, person, eraser.commit)
    finally:
        await elsewhere.dispose()
        await db.dispose()
