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
