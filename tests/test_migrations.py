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
