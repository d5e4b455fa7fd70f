"""Row-level security reads the tenant setting once per statement, not once per row (PostgreSQL only).

A list that passes over a thousand rows to fill a page would otherwise call current_setting() and parse the
tenant id as often; migration 0006_list_reads puts each setting in a scalar subquery, planned as an InitPlan.
Who sees what is tests/gdpr/test_rls.py's concern; this checks only where the settings are read."""

import os

import pytest
from sqlalchemy import text

pytestmark = pytest.mark.skipif(not os.environ.get("INVOLVE_TEST_DATABASE_URL"),
                                reason="row-level security is PostgreSQL only")


async def test_no_policy_reads_a_setting_per_row(session):
    tables = (await session.execute(text(
        "SELECT DISTINCT tablename FROM pg_policies WHERE schemaname = current_schema() ORDER BY tablename"
    ))).scalars().all()
    assert {"stakeholder", "assessment", "tenant", "duty"} <= set(tables)
    await session.execute(text("SET LOCAL ROLE involve_app"))  # the owner is not bound by the policies
    per_row = {}
    for table in tables:
        plan = "\n".join((await session.execute(text(f'EXPLAIN SELECT * FROM "{table}"'))).scalars())
        if "current_setting" in plan:
            per_row[table] = plan
    assert per_row == {}
