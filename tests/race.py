"""An app on a scratch PostgreSQL database, with a connection of its own beside the app's pool, for tests of what
must wait for what (PostgreSQL only: SQLite runs one writer at a time)."""

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.config import to_async_url
from api.main import create_app
from api.migrate import upgrade
from api.models import Plan, User
from api.tenants import create_tenant
from tests import factories
from tests.conftest import make_settings
from tests.dbtools import scratch_database_url

POSTGRES_ONLY = pytest.mark.skipif(not os.environ.get("INVOLVE_TEST_DATABASE_URL"),
                                   reason="SQLite runs one writer at a time")


@contextlib.asynccontextmanager
async def live_app(suffix: str, role: str) -> AsyncIterator[tuple]:
    """An app on a fresh scratch database with one tenant, a user of `role` and a plan, as (client, the user's
    headers, the app's Database, tenant, plan, an engine outside the app's pool for another transaction)."""
    url = await asyncio.to_thread(scratch_database_url, suffix)
    await asyncio.to_thread(upgrade, url)
    app = create_app(make_settings(url))
    db = app.state.db
    async with db.write_sessions() as session:
        tenant = await create_tenant(session, slug="race", name="Race Health Board")
        user = User(tenant_id=tenant.id, email=f"{role}@race.test", full_name=role.title(), password_hash="x",
                    role=role)
        plan = Plan(tenant_id=tenant.id, title="Raced plan")
        session.add_all([user, plan])
        await session.commit()
    elsewhere = create_async_engine(to_async_url(url))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            yield client, factories.auth_headers(app, user), db, tenant, plan, elsewhere
    finally:
        await elsewhere.dispose()
        await db.dispose()


async def while_a_hold_is_put_on(elsewhere: AsyncEngine, plan_id: str,
                                 request: Awaitable[httpx.Response]) -> httpx.Response:
    """`request`'s answer, sent while an admin's transaction puts the plan on legal hold; it must wait for that
    transaction's commit (it is checked not to have answered 1.5 s in)."""
    async with elsewhere.connect() as holder:
        await holder.execute(update(Plan).where(Plan.id == uuid.UUID(plan_id)).values(
            legal_hold_at=datetime.now(UTC), legal_hold_reason="Judicial review claim issued"))
        answer = asyncio.ensure_future(request)
        await asyncio.sleep(1.5)
        assert not answer.done(), answer.result().text
        await holder.commit()
    return await answer
