"""A statement past INVOLVE_DB_STATEMENT_TIMEOUT_MS is cancelled by PostgreSQL and answered 503, not 500.
(SQLite has no statement timeout: there the setting does nothing.)"""

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import Float, bindparam, func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from api import rls
from api.config import to_async_url
from api.db import Database, StaticQuery
from api.deps import SessionDep
from tests.conftest import make_settings
from tests.security.support import build_app
from tests.stakeholders.support import hot_reads_alone


@pytest.fixture(scope="module")
def slow_app(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    app = build_app(database_url, db_statement_timeout_ms=200)

    # The same sleep run by asyncpg itself, as the hot reads run theirs: its errors are asyncpg's own, not SQLAlchemy's.
    driver_sleep = StaticQuery(select(func.pg_sleep(bindparam("s", type_=Float))))

    @app.get("/api/v1/test-only/sleep")
    async def sleep(session: SessionDep, seconds: float, driver: bool = False) -> dict:
        if driver:
            await rls.bypass(session)  # statements on the driver run in a scoped session, as the API's reads do
            await driver_sleep.one(session, s=seconds)
        else:
            await session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        return {"slept": seconds}

    return app


@pytest.mark.parametrize("driver", [False, True], ids=["sqlalchemy", "driver"])
async def test_statement_past_the_timeout_is_503(slow_app, driver):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=slow_app, raise_app_exceptions=False),
                                 base_url="http://test") as client:
        r = await client.get(f"/api/v1/test-only/sleep?seconds=2&driver={str(driver).lower()}")
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"]
        assert r.json()["type"].endswith("/statement-timeout")
        fast = await client.get("/api/v1/test-only/sleep?seconds=0.01")  # the connection is fine afterwards
        assert fast.status_code == 200, fast.text
    await slow_app.state.db.dispose()


async def test_a_hot_read_past_the_timeout_is_answered_by_the_hot_reads(slow_app, database_url):
    """The hot reads (api/stakeholders/hot_reads.py) answer a cancelled statement themselves: passed on, the route
    would run the read again and wait as long. Here the reads wait for a lock on the accounts until PostgreSQL
    cancels them; alone (hot_reads_alone), a PASSED_ON would mean the hot reads had passed one on. One caller's reads
    arriving together share a statement (hot_reads._ReadsById): its cancellation reaches each of them, and none is
    left waiting."""
    token, _ = slow_app.state.tokens.issue(subject_id=uuid.uuid4(), subject_kind="user", tenant_id=uuid.uuid4(),
                                           role="admin")
    locker = create_async_engine(to_async_url(database_url))
    try:
        async with locker.connect() as lock:
            await lock.execute(text("LOCK TABLE user_account IN ACCESS EXCLUSIVE MODE"))
            for app in (hot_reads_alone(slow_app), slow_app):
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                             base_url="http://test") as client:
                    answers = await asyncio.gather(*[client.get(f"/api/v1/stakeholders/{uuid.uuid4()}",
                                                                headers={"Authorization": f"Bearer {token}"})
                                                     for _ in range(3)])
                for r in answers:
                    assert r.status_code == 503, r.text
                    assert r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"] == "5"
                    assert r.json()["type"].endswith("/statement-timeout")
            assert r.json()["request_id"] == r.headers["x-request-id"]  # the whole app's answer
            await lock.rollback()
    finally:
        await locker.dispose()
        await slow_app.state.db.dispose()


async def test_the_timeout_is_a_setting_of_every_connection(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    db = Database(make_settings(database_url, db_statement_timeout_ms=1234))
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SHOW statement_timeout"))).scalar_one() == "1234ms"
    await db.dispose()
