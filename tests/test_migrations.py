"""The same Alembic revisions go up, down and up again, on SQLite and PostgreSQL."""

import asyncio

from api.db import Base
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
            tenant = await factories.tenant(s)
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
