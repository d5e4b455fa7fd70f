"""Alembic environment: async, the same revisions on SQLite and PostgreSQL."""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from api import models  # noqa: F401 - registers every table on the metadata
from api.config import get_settings, to_async_url
from api.db import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return to_async_url(config.get_main_option("sqlalchemy.url") or get_settings().database_url)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Migrations may read and write every tenant's rows: row-level security (0005_gdpr) steps aside.
            connection.exec_driver_sql("SELECT set_config('app.bypass_rls', 'on', true)")
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
