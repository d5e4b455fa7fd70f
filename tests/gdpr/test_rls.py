"""Row-level security on PostgreSQL (skipped on SQLite): a query that forgets its tenant filter still sees
nothing of another tenant, and the application's role cannot rewrite the audit trail.

The shared test session connects as the superuser `postgres`, whom RLS never binds; these tests switch it
to the application role with SET LOCAL ROLE once their rows exist. The last test runs a second app with
INVOLVE_DB_APP_ROLE set, end to end, on committed rows it deletes afterwards."""

import os
import uuid

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from api import rls
from api.config import to_async_url
from api.main import create_app
from api.models import AuditEvent, Duty, DutyRequirement, Organisation, Stakeholder, Tenant, User
from tests import factories
from tests.conftest import make_settings
from tests.gdpr.support import as_app_role

pytestmark = pytest.mark.skipif(not os.environ.get("INVOLVE_TEST_DATABASE_URL"),
                                reason="row-level security is PostgreSQL only")
APP_ROLE = "involve_app"


@pytest.fixture
async def plain_client(app, session):
    """A client that leaves the shared session as the request left it: scoped to the caller's tenant."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def two_tenants(session, a, b):
    mine = await factories.stakeholder(session, a.tenant, name="Mine")
    theirs = await factories.stakeholder(session, b.tenant, name="Theirs")
    await factories.organisation(session, b.tenant, name="Their organisation")
    await session.commit()
    return mine, theirs


async def test_an_unscoped_query_in_a_request_scoped_session_sees_only_its_tenant(plain_client, session, a, b):
    mine, theirs = await two_tenants(session, a, b)
    await as_app_role(session)
    # A request by tenant A scopes the session it shares with this test (the principal is resolved).
    r = await plain_client.get("/api/v1/stakeholders", headers=a["lead"])
    assert r.status_code == 200 and [s["name"] for s in r.json()["items"]] == ["Mine"]
    # Deliberately unscoped: no WHERE tenant_id at all.
    assert set((await session.execute(select(Stakeholder.id))).scalars()) == {mine.id}
    assert (await session.execute(select(func.count()).select_from(Organisation))).scalar_one() == 0
    assert set((await session.execute(select(Tenant.id))).scalars()) == {a.tenant.id}
    assert {u.tenant_id for u in (await session.execute(select(User))).scalars()} == {a.tenant.id}
    assert theirs.id not in set((await session.execute(select(AuditEvent.resource_id))).scalars())


async def test_writes_into_another_tenant_are_refused(client, session, a, b):
    await two_tenants(session, a, b)
    await as_app_role(session, tenant_id=a.tenant.id)
    changed = await session.execute(update(Stakeholder).values(notes="touched")
                                    .execution_options(synchronize_session=False))
    assert changed.rowcount == 1  # only A's row is even visible to an UPDATE
    with pytest.raises(DBAPIError, match="row-level security"):
        async with session.begin_nested():
            await session.execute(text("INSERT INTO organisation (id, tenant_id, name, kind, tags, created_at, "
                                       "updated_at, version) VALUES (:id, :t, 'Sneaky', 'other', '[]', now(), now(), "
                                       "1)"), {"id": uuid.uuid4(), "t": b.tenant.id})


async def test_without_a_tenant_nothing_is_visible_and_bypass_sees_all(session, a, b):
    await two_tenants(session, a, b)
    await as_app_role(session)
    assert (await session.execute(select(func.count()).select_from(Stakeholder))).scalar_one() == 0
    await rls.bypass(session)
    assert (await session.execute(select(func.count()).select_from(Stakeholder))).scalar_one() == 2
    await rls.scope(session, b.tenant.id)
    assert [s.name for s in (await session.execute(select(Stakeholder))).scalars()] == ["Theirs"]


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event",
                                       "TRUNCATE audit_event"])
async def test_the_app_role_cannot_rewrite_the_audit_trail(client, session, a, statement):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    assert (await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])).status_code == 200
    await as_app_role(session, tenant_id=a.tenant.id)
    with pytest.raises(DBAPIError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(text(statement))
    assert (await session.execute(select(func.count()).select_from(AuditEvent))).scalar_one() >= 1


async def test_every_tenant_owned_table_has_forced_row_level_security(session):
    rows = (await session.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' "
        "AND (c.relname IN ('tenant', 'duty_requirement') OR EXISTS (SELECT 1 FROM information_schema.columns i "
        "WHERE i.table_schema = n.nspname AND i.table_name = c.relname AND i.column_name = 'tenant_id'))"))).all()
    assert len(rows) >= 20
    assert [r.relname for r in rows if not (r.relrowsecurity and r.relforcerowsecurity)] == []


@pytest.mark.parametrize("statement", [
    "DELETE FROM duty_requirement", "UPDATE duty_requirement SET title = 'forged'", "DELETE FROM duty",
    "UPDATE duty SET title = 'forged'",
    "INSERT INTO duty_requirement (id, duty_id, code, title, position) "
    "SELECT gen_random_uuid(), id, 'forged', 'forged', 99 FROM duty",
])
async def test_a_tenant_reads_the_built_in_catalogue_but_cannot_change_it(session, a, statement):
    await as_app_role(session, tenant_id=a.tenant.id)
    built_in = select(func.count()).select_from(Duty).where(Duty.tenant_id.is_(None))
    before = (await session.execute(built_in)).scalar_one()
    requirements = (await session.execute(select(func.count()).select_from(DutyRequirement))).scalar_one()
    assert before > 0 and requirements > 0  # visible
    try:
        async with session.begin_nested():
            await session.execute(text(statement))
    except DBAPIError as exc:
        assert "row-level security" in str(exc)
    assert (await session.execute(built_in)).scalar_one() == before
    assert (await session.execute(select(func.count()).select_from(DutyRequirement))).scalar_one() == requirements
    assert (await session.execute(select(func.count()).select_from(Duty).where(Duty.title == "forged"))).scalar_one() \
        == 0
    assert (await session.execute(select(func.count()).select_from(DutyRequirement).where(
        DutyRequirement.title == "forged"))).scalar_one() == 0


@pytest.fixture
async def committed_tenants(database_url):
    """Two tenants committed for real (the app under test uses its own connections), deleted afterwards."""
    engine = create_async_engine(to_async_url(database_url))
    from sqlalchemy.ext.asyncio import AsyncSession

    suffix = uuid.uuid4().hex[:8]
    async with AsyncSession(engine, expire_on_commit=False) as s:
        worlds = []
        for name in ("a", "b"):
            tenant = await factories.tenant(s, slug=f"rls-{name}-{suffix}")
            admin = await factories.user(s, tenant, role="admin", email=f"admin-{name}-{suffix}@rls.nhs.test")
            await factories.stakeholder(s, tenant, name=f"Person of {name}")
            worlds.append((tenant, admin))
        await s.commit()
    yield worlds
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM tenant WHERE slug LIKE :p"), {"p": f"rls-%-{suffix}"})
    await engine.dispose()


async def test_the_api_works_end_to_end_as_the_app_role(database_url, committed_tenants):
    (tenant_a, admin_a), (tenant_b, _) = committed_tenants
    app = create_app(make_settings(database_url, db_app_role=APP_ROLE))
    try:
        async with app.state.db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT current_user"))).scalar_one() == APP_ROLE
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            token = await c.post("/api/v1/auth/token", data={"grant_type": "password", "username": admin_a.email,
                                                            "password": factories.PASSWORD})
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert (await c.get("/api/v1/me", headers=headers)).json()["tenant"]["id"] == str(tenant_a.id)
            names = [s["name"] for s in (await c.get("/api/v1/stakeholders", headers=headers)).json()["items"]]
            assert names == ["Person of a"]
            created = await c.post("/api/v1/stakeholders", json={"name": "New"},
                                   headers={**headers, "Idempotency-Key": "k1"})
            assert created.status_code == 201, created.text
            report = await c.get(f"/api/v1/stakeholders/{created.json()['id']}/subject-access", headers=headers)
            assert report.status_code == 200
            feed_token = await c.post("/api/v1/calendar-tokens", json={"label": "Intranet"}, headers=headers)
            assert feed_token.status_code == 201, feed_token.text
            feed = await c.get("/api/v1/calendar.ics", params={"token": feed_token.json()["token"]})
            assert feed.status_code == 200
            chain = await c.get("/api/v1/audit-events", headers=headers)
            assert chain.status_code == 200 and len(chain.json()["items"]) >= 4
            wrong = await c.post("/api/v1/auth/token", data={"grant_type": "password", "username": admin_a.email,
                                                            "password": "wrong"})
            assert wrong.status_code == 401
    finally:
        await app.state.db.dispose()
