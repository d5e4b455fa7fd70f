"""The same Alembic revisions go up, down and up again, on SQLite and PostgreSQL."""

import asyncio

import pytest

from api.db import Base, utcnow
from api.migrate import downgrade, upgrade
from tests.dbtools import scratch_database_url, table_names


def test_upgrade_downgrade_upgrade():
    url = scratch_database_url("migrations")
    upgrade(url)
    assert set(Base.metadata.tables) <= asyncio.run(table_names(url))
    downgrade(url, "base")
    assert asyncio.run(table_names(url)) <= {"alembic_version"}
    upgrade(url)
    assert set(Base.metadata.tables) <= asyncio.run(table_names(url))


def _drift(url: str) -> list:
    """What autogenerate would add to a new revision: empty when the models and migrations agree."""
    import warnings

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    from api.config import to_async_url

    async def compare():
        engine = create_async_engine(to_async_url(url))
        async with engine.connect() as conn:
            with warnings.catch_warnings():  # expression indexes cannot be reflected; they are compared by name below
                warnings.simplefilter("ignore")
                diff = await conn.run_sync(
                    lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": False}),
                                               Base.metadata))
        await engine.dispose()
        return diff

    # GIN indexes on JSON arrays exist on PostgreSQL only, created by the migrations rather than the models.
    return [d for d in asyncio.run(compare()) if not (d[0] == "remove_index" and d[1].name.endswith("_gin"))]


def test_every_model_change_has_a_migration():
    url = scratch_database_url("drift")
    upgrade(url)
    assert _drift(url) == []


async def tenant_before_0010(session):
    """A tenant as the revisions before 0010 (which added its version) hold it: the model has moved on."""
    import uuid
    from types import SimpleNamespace

    from sqlalchemy import JSON, String, Uuid, column, insert, table

    from api.db import UTCDateTime, utcnow

    tenant_id = uuid.uuid4()
    before = table("tenant", *(column(n, t) for n, t in (
        ("id", Uuid()), ("slug", String()), ("name", String()), ("jurisdiction", String()), ("settings", JSON()),
        ("created_at", UTCDateTime()))))
    await session.execute(insert(before), [{"id": tenant_id, "slug": f"old-{tenant_id.hex[:8]}", "name": "Old Board",
                                            "jurisdiction": "england", "settings": {}, "created_at": utcnow()}])
    return SimpleNamespace(id=tenant_id)


def test_0008_clears_action_activity_ids_that_name_no_activity_then_the_database_keeps_them_real():
    """Before 0008 nothing stopped an action naming an activity that was gone; the migration clears such ids (or
    the foreign key could not be added), keeps the real ones, and from then on the database refuses a dangling one."""
    import uuid

    from sqlalchemy import select, text, update
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from api.config import to_async_url
    from api.models import PlanAction
    from tests import factories

    url = scratch_database_url("action_fk")
    upgrade(url, "0007_password_version")

    async def seed() -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
        engine = create_async_engine(to_async_url(url))
        async with AsyncSession(engine, expire_on_commit=False) as s:
            tenant = await tenant_before_0010(s)
            plan = await factories.plan(s, tenant)
            activity = await factories.activity(s, tenant)
            real, dangling = (PlanAction(tenant_id=tenant.id, plan_id=plan.id, description=d, activity_id=a)
                              for d, a in (("real", activity.id), ("dangling", uuid.uuid4())))
            s.add_all([real, dangling])
            await s.commit()
        await engine.dispose()
        return real.id, dangling.id, activity.id

    async def after(real_id, dangling_id) -> dict:
        engine = create_async_engine(to_async_url(url))
        async with AsyncSession(engine) as s:
            if engine.dialect.name == "sqlite":  # as api.db's engines do on every connection
                await s.execute(text("PRAGMA foreign_keys=ON"))
            ids = dict((await s.execute(select(PlanAction.id, PlanAction.activity_id))).all())
            try:
                await s.execute(update(PlanAction).where(PlanAction.id == real_id).values(activity_id=uuid.uuid4()))
                refused = False
            except IntegrityError:
                refused = True
        await engine.dispose()
        return {"real": ids[real_id], "dangling": ids[dangling_id], "refused": refused}

    real_id, dangling_id, activity_id = asyncio.run(seed())
    upgrade(url)
    assert asyncio.run(after(real_id, dangling_id)) == {"real": activity_id, "dangling": None, "refused": True}


def test_0009_retires_the_secret_and_old_tokens_of_accounts_revoked_before_it():
    """An account revoked before 0009 carried no token version, so reactivating it would have brought back its
    tokens and its secret: the migration counts it up and retires its secret; a working account is left alone."""
    import uuid

    from sqlalchemy import Boolean, Integer, String, Uuid, column, insert, table, text
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from api.config import to_async_url
    from api.db import UTCDateTime, utcnow

    url = scratch_database_url("sa_token_version")
    upgrade(url, "0008_action_activity_fk")
    ids = {"working": uuid.uuid4(), "revoked": uuid.uuid4()}

    # The table as 0008 left it (the model has moved on), typed so both drivers take the values.
    before = table("service_account", *(column(n, t) for n, t in (
        ("id", Uuid()), ("tenant_id", Uuid()), ("name", String()), ("client_id", String()), ("secret_hash", String()),
        ("role", String()), ("is_active", Boolean()), ("created_at", UTCDateTime()), ("updated_at", UTCDateTime()),
        ("version", Integer()))))

    async def seed() -> None:
        engine = create_async_engine(to_async_url(url))
        async with AsyncSession(engine) as s:
            tenant = await tenant_before_0010(s)
            await s.execute(insert(before), [
                {"id": account_id, "tenant_id": tenant.id, "name": name, "client_id": f"sa_{name}",
                 "secret_hash": "a-hash", "role": "viewer", "is_active": name == "working", "created_at": utcnow(),
                 "updated_at": utcnow(), "version": 1} for name, account_id in ids.items()])
            await s.commit()
        await engine.dispose()

    async def after() -> dict:
        engine = create_async_engine(to_async_url(url))
        async with AsyncSession(engine) as s:
            rows = (await s.execute(text("SELECT name, token_version, secret_hash FROM service_account"))).all()
        await engine.dispose()
        return {name: (version, secret_hash) for name, version, secret_hash in rows}

    asyncio.run(seed())
    upgrade(url)
    assert asyncio.run(after()) == {"working": (0, "a-hash"), "revoked": (1, "!revoked")}


def in_session(url: str, statements):
    """What `statements(session)` returns, run in one committed session on the database at `url`."""
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from api.config import to_async_url

    async def run():
        engine = create_async_engine(to_async_url(url))
        try:
            async with AsyncSession(engine) as s:
                out = await statements(s)
                await s.commit()
                return out
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_0014_keys_every_user_by_their_email_as_lookups_fold_it():
    """Existing users get their email_key; the unique index then holds across case, on SQLite as on PostgreSQL."""
    import uuid

    from sqlalchemy import Boolean, Integer, String, Uuid, column, insert, table, text
    from sqlalchemy.exc import IntegrityError

    from api.db import UTCDateTime, utcnow

    url = scratch_database_url("user_email_key")
    upgrade(url, "0013_catalogue_read_only")
    columns = (("id", Uuid()), ("tenant_id", Uuid()), ("email", String()), ("full_name", String()),
               ("password_hash", String()), ("role", String()), ("is_active", Boolean()), ("created_at", UTCDateTime()),
               ("updated_at", UTCDateTime()), ("version", Integer()))
    before = table("user_account", *(column(n, t) for n, t in columns))
    row = {"full_name": "E", "password_hash": "x", "role": "lead", "is_active": True, "version": 1}


    async def seed(s):
        tenant = await tenant_before_0010(s)
        await s.execute(insert(before), [{**row, "id": uuid.uuid4(), "tenant_id": tenant.id, "email": email,
                                          "created_at": utcnow(), "updated_at": utcnow()}
                                         for email in ("Élodie.Martin@Somerset.nhs.uk", "ann@dorset.nhs.uk")])
        return [tenant.id]

    [tenant_id] = in_session(url, seed)
    upgrade(url)

    async def keys(s):
        return sorted((await s.execute(text("SELECT email_key FROM user_account"))).scalars())

    assert in_session(url, keys) == ["ann@dorset.nhs.uk", "élodie.martin@somerset.nhs.uk"]

    keyed = table("user_account", *(column(n, t) for n, t in (*columns, ("email_key", String()))))

    async def clash(s):  # the same address in another case, keyed as the application keys it
        await s.execute(insert(keyed), [{**row, "id": uuid.uuid4(), "tenant_id": tenant_id, "created_at": utcnow(),
                                         "updated_at": utcnow(), "email": "élodie.martin@somerset.nhs.uk",
                                         "email_key": "élodie.martin@somerset.nhs.uk"}])

    with pytest.raises(IntegrityError):
        in_session(url, clash)


def test_0015_keys_every_stakeholder_by_their_email_and_stops_on_a_clash_within_a_tenant():
    """Existing stakeholders get their email_key (an erased one, no email, none); two of one tenant whose emails differ
    only in case (SQLite's lower() let é and É differ) stop the upgrade with a message, and the index holds after."""
    import uuid

    from sqlalchemy import insert, select, text
    from sqlalchemy.exc import IntegrityError

    from api.models import Stakeholder


    def seeded(suffix: str, emails: list[tuple[int, str | None]]) -> str:
        url = scratch_database_url(suffix)
        upgrade(url, "0014_user_email_key")

        async def seed(s):
            tenants = [(await tenant_before_0010(s)).id for _ in range(2)]
            await s.execute(insert(Stakeholder.__table__), [
                {"id": uuid.uuid4(), "tenant_id": tenants[t], "name": "S", "email": email}
                for t, email in emails])  # the columns as of 0014: every one of the model's but email_key

        in_session(url, seed)
        return url

    url = seeded("stakeholder_email_key", [(0, "Élodie.Martin@Somerset.nhs.uk"), (1, "élodie.martin@somerset.nhs.uk"),
                                           (0, None), (0, None)])
    upgrade(url)

    async def keys(s):
        return sorted((await s.execute(text("SELECT email_key FROM stakeholder"))).scalars(), key=lambda k: k or "")

    assert in_session(url, keys) == [None, None, "élodie.martin@somerset.nhs.uk",
                                           "élodie.martin@somerset.nhs.uk"]

    async def clash(s):  # the same address in another case in the first tenant, keyed as the application keys it
        tenant_id = (await s.execute(select(Stakeholder.tenant_id).where(Stakeholder.email.like("É%")))).scalar_one()
        s.add(Stakeholder(tenant_id=tenant_id, name="Twin", email="élodie.martin@somerset.nhs.uk"))

    with pytest.raises(IntegrityError):
        in_session(url, clash)

    try:
        url = seeded("stakeholder_email_clash", [(0, "Élodie@example.org"), (0, "élodie@example.org")])
    except IntegrityError:
        pytest.skip("this database's lower() folds É already, so the two could never be stored")
    with pytest.raises(RuntimeError, match="1 email"):
        upgrade(url)


def test_0016_keeps_the_outcome_of_an_objection_to_contact_apart():
    """A stakeholder whose latest objection is to contact takes its outcome as contact_objection; one whose latest is
    to processing, or who never objected, has none."""
    import uuid

    from sqlalchemy import insert, text

    from api.models import Stakeholder

    url = scratch_database_url("contact_objection")
    upgrade(url, "0015_stakeholder_email_key")


    async def seed(s):
        tenant_id = (await tenant_before_0010(s)).id
        await s.execute(insert(Stakeholder.__table__), [  # the columns as of 0015: every one but contact_objection
            {"id": uuid.uuid4(), "tenant_id": tenant_id, "name": name, "objection_scope": scope,
             "objection_outcome": outcome}
            for name, scope, outcome in (("A", "contact", "upheld"), ("B", "processing", "pending"),
                                         ("C", None, None))])

    in_session(url, seed)
    upgrade(url)

    async def outcomes(s):
        return dict((await s.execute(text("SELECT name, contact_objection FROM stakeholder"))).all())

    assert in_session(url, outcomes) == {"A": "upheld", "B": None, "C": None}


def test_0017_records_each_tenants_chain_head_as_it_stands():
    import uuid

    from sqlalchemy import insert, text

    from api.models import AuditEvent

    url = scratch_database_url("audit_head")
    upgrade(url, "0016_contact_objection")

    async def seed(s):
        tenant_id = (await tenant_before_0010(s)).id
        await s.execute(insert(AuditEvent.__table__), [
            {"id": uuid.uuid4(), "tenant_id": tenant_id, "seq": seq, "occurred_at": utcnow(), "actor_type": "system",
             "action": "create", "resource_type": "tenant", "changes": {}, "prev_hash": f"{seq - 1}" * 64,
             "hash": f"{seq}" * 64} for seq in (1, 2, 3)])
        return tenant_id

    tenant_id = in_session(url, seed)
    upgrade(url)

    async def heads(s):
        return (await s.execute(text("SELECT seq, hash FROM audit_head"))).all()

    assert [tuple(row) for row in in_session(url, heads)] == [(3, "3" * 64)], tenant_id


def test_0018_writes_a_semicolon_in_a_stored_translation_language_as_a_comma():
    """A ';' inside one of an activity's translation languages split it in two through a CSV export imported back;
    the items stored before the API refused it say the same with a comma."""
    from sqlalchemy import select

    from api.models import Activity
    from tests import factories

    url = scratch_database_url("listed_language")
    upgrade(url, "0017_audit_head")

    async def seed(s):
        tenant = await tenant_before_0010(s)
        for title, languages in (("A", ["Chinese (Cantonese; Mandarin)", "Welsh"]), ("B", ["Polish"]),
                                 ("C", ["Urdu; Punjabi", "Urdu, Punjabi"])):
            await factories.activity(s, tenant, title=title, translation_languages=languages)

    in_session(url, seed)
    upgrade(url)

    async def languages(s):
        return dict((await s.execute(select(Activity.title, Activity.translation_languages))).all())

    assert in_session(url, languages) == {"A": ["Chinese (Cantonese, Mandarin)", "Welsh"], "B": ["Polish"],
                                          "C": ["Urdu, Punjabi"]}
