"""Scratch databases for tests that need their own (migrations, fuzzing): a SQLite file, or a
database next to the PostgreSQL test database."""

import asyncio
import os
import tempfile

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.config import to_async_url


def scratch_database_url(suffix: str) -> str:
    """A fresh, empty database for this run."""
    test_url = os.environ.get("INVOLVE_TEST_DATABASE_URL")
    if not test_url:
        return f"sqlite:///{tempfile.mkdtemp(prefix=f'involve-{suffix}-')}/{suffix}.db"
    base, _, name = test_url.rpartition("/")
    scratch = f"{name}_{suffix}"

    async def recreate():
        engine = create_async_engine(to_async_url(test_url), isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{scratch}"'))
        await engine.dispose()

    asyncio.run(recreate())
    return f"{base}/{scratch}"


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(to_async_url(url))
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(__import__("sqlalchemy").inspect(c).get_table_names()))
    await engine.dispose()
    return names
