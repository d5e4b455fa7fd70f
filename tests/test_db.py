"""api/db.py on PostgreSQL: what each new connection is set up with (the application role that row-level security
binds, or the trusted tools' bypass) lasts as long as the connection, whatever its transactions do."""

import pytest
from sqlalchemy import text

from api.db import Database
from tests.conftest import make_settings

APP_ROLE = "involve_app"


@pytest.fixture
def postgres_url(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    return database_url


async def _each_transaction(db: Database, query: str) -> list:
    """The query's answer in three transactions in turn, each rolled back (as every read request's is), on the one
    pooled connection."""
    answers = []
    try:
        for _ in range(3):
            async with db.read_sessions() as session:
                answers.append((await session.execute(text(query))).scalar_one())
                await session.rollback()
    finally:
        await db.dispose()
    return answers


async def test_the_app_role_outlives_a_rolled_back_transaction(postgres_url):
    db = Database(make_settings(postgres_url, db_app_role=APP_ROLE, db_pool_size=1, db_max_overflow=0))
    assert await _each_transaction(db, "SELECT current_user") == [APP_ROLE] * 3


async def test_the_trusted_bypass_outlives_a_rolled_back_transaction(postgres_url):
    db = Database(make_settings(postgres_url, db_pool_size=1, db_max_overflow=0), trusted=True)
    assert await _each_transaction(db, "SELECT current_setting('app.bypass_rls', true)") == ["on"] * 3
