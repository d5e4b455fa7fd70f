"""Every test runs against a real database migrated by Alembic (SQLite by default, PostgreSQL when
INVOLVE_TEST_DATABASE_URL is set), inside a transaction rolled back at its end."""

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api import rls
from api.config import Settings, to_async_url
from api.db import get_session
from api.main import create_app
from api.migrate import upgrade
from api.models import Tenant, User
from tests import factories

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(to_async_url(url))
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("INVOLVE_TEST_DATABASE_URL")
    if url:
        asyncio.run(_reset_postgres(url))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'involve-test.db'}"
    upgrade(url)
    return url


def free_port() -> int:
    """A local TCP port nothing listens on (once the probe's socket is closed): for a live server, or none."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(database_url: str, **overrides) -> Settings:
    values = dict(env="test", database_url=database_url, jwt_secret=TEST_SECRET, db_pool_size=5,
                  jwt_issuer="involve-test", jwt_audience="involve-test-api",
                  rate_limit_enabled=False)  # tests/security/ turns them on in its own apps
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def settings(database_url) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def app(settings):
    return create_app(settings)


# With INVOLVE_TEST_RLS=1 on PostgreSQL the suite runs as the application role, so row-level security
# (api/rls.py) binds every request; the test's own code (builders, assertions) bypasses the policies, as it
# writes and checks rows of several tenants in one transaction. .ci/run turns it on for its PostgreSQL run;
# tests/gdpr/test_rls.py always exercises RLS on PostgreSQL.
RLS = bool(os.environ.get("INVOLVE_TEST_DATABASE_URL")) and os.environ.get("INVOLVE_TEST_RLS", "0") == "1"
APP_ROLE = "involve_app"


@contextlib.asynccontextmanager
async def as_table_owner(session: AsyncSession):
    """Tampering tests alter the audit trail as someone with direct database access would: under RLS the
    application role may not UPDATE or DELETE audit events at all, so they step out of it for the edit."""
    if not RLS:
        yield
        return
    await session.execute(text("RESET ROLE"))
    try:
        yield
    finally:
        await session.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))


class ScopedTransport(httpx.ASGITransport):
    """The ASGI transport, handing the shared session back to the test unscoped after each request."""

    def __init__(self, *args, session: AsyncSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        finally:
            if RLS:  # the request scoped the shared session to its tenant: let the test's code see every row again
                # bypass() records this before it applies it, so if a failed request left the transaction to
                # roll back, the next transaction's after_begin applies it instead.
                with contextlib.suppress(Exception):
                    await rls.bypass(self.session)


@pytest.fixture
async def session(app) -> AsyncIterator[AsyncSession]:
    """The session every request of the test uses; its commits are savepoints, rolled back after."""
    async with app.state.db.engine.connect() as conn:
        trans = await conn.begin()
        if RLS:
            await conn.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))
        session = AsyncSession(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        if RLS:
            session.info[rls.BYPASS_KEY] = True
        app.dependency_overrides[get_session] = lambda: session
        try:
            yield session
        finally:
            app.dependency_overrides.pop(get_session, None)
            await session.close()
            await trans.rollback()


@pytest.fixture
async def client(app, session) -> AsyncIterator[httpx.AsyncClient]:
    transport = ScopedTransport(app=app, raise_app_exceptions=False, session=session)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@dataclass
class TenantWorld:
    tenant: Tenant
    users: dict[str, User] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def __getitem__(self, role: str) -> dict[str, str]:
        """Authorization headers of this tenant's user with the role."""
        return self.headers[role]


ROLES = ("admin", "lead", "contributor", "viewer", "auditor")


async def _world(app, session, slug: str) -> TenantWorld:
    tenant = await factories.tenant(session, slug=slug)
    world = TenantWorld(tenant)
    for role in ROLES:
        user = await factories.user(session, tenant, role=role)
        world.users[role] = user
        world.headers[role] = factories.auth_headers(app, user)
    await session.commit()
    return world


@pytest.fixture
async def a(app, session) -> TenantWorld:
    """Tenant A, with one user of every role."""
    return await _world(app, session, "tenant-a")


@pytest.fixture
async def b(app, session) -> TenantWorld:
    """Tenant B: its data must never be visible from A, nor A's from it."""
    return await _world(app, session, "tenant-b")
