"""list reads: the stakeholder sort indexes cover a category-filtered list, and one for ?sort=created_at;
row-level security policies read the tenant setting once per statement

Revision ID: 0006_list_reads
Revises: 0005_gdpr
Create Date: 2026-11-25 06:00:00.000000

A stakeholder list filtered by category keeps about one row in ten, so a page of 50 passes over some 1,200
rows in sort order; read from the table, each is a heap visit (one page each once edits have scattered the
recently updated rows). On PostgreSQL the sort indexes now include categories, archived_at and restricted_at,
and the list finds its page's keys from the index alone (api.pagination, keys_first) before reading 51 rows.
Without an index on created_at a list sorted by it sorted every row of the tenant to return one page
(~280 ms at 100,000 stakeholders); it gets one like the other sort orders.

The policies of 0005_gdpr called current_setting() and cast its text to uuid for every row a query looked
at: a list that passes over a thousand rows to fill a page spent a third of its time parsing the tenant id.
The same predicates with each setting read in a scalar subquery are evaluated once per statement (an
InitPlan), then compared per row like a parameter. Who sees what is unchanged. A table given row-level
security by a later migration should use the TENANT and BYPASS forms below. SQLite skips this part.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_list_reads'
down_revision: str | None = '0005_gdpr'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0005_gdpr, and the same read once per statement.
PER_ROW = ("NULLIF(current_setting('app.tenant_id', true), '')::uuid", "current_setting('app.bypass_rls', true) = 'on'")
TENANT, BYPASS = (f"(SELECT {expression})" for expression in PER_ROW)
# The tables whose tenant policy is not `tenant_id = <tenant>` (duty_requirement's reads no setting: it defers to
# duty's policy, and is left as it is).
SPECIAL = {"tenant": ("id = {tenant}", "id = {tenant}"),
           "duty": ("tenant_id IS NULL OR tenant_id = {tenant}", "tenant_id = {tenant}")}


def _tables(policy: str, reading: str) -> list[str]:
    """The tables with this policy whose expression reads this setting."""
    return list(op.get_bind().execute(sa.text(
        "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = :policy "
        "AND qual LIKE :reading ORDER BY tablename"), {"policy": policy, "reading": f"%{reading}%"}).scalars())


def _set_policies(tenant: str, bypass: str) -> None:
    for table in _tables("tenant_isolation", "app.tenant_id"):
        using, check = SPECIAL.get(table, ("tenant_id = {tenant}", "tenant_id = {tenant}"))
        op.execute(f'ALTER POLICY tenant_isolation ON "{table}" USING ({using.format(tenant=tenant)}) '
                   f'WITH CHECK ({check.format(tenant=tenant)})')
    for table in _tables("bypass_rls", "app.bypass_rls"):
        op.execute(f'ALTER POLICY bypass_rls ON "{table}" USING ({bypass}) WITH CHECK ({bypass})')


# What a category-filtered list checks besides the sort keys (INCLUDE is PostgreSQL's; SQLite ignores it).
COVERING = {"postgresql_include": ["categories", "archived_at", "restricted_at"]}
SORT_INDEXES = {"ix_stakeholder_tenant_id_id": ["tenant_id", "id"],
                "ix_stakeholder_tenant_id_name": ["tenant_id", "name", "id"],
                "ix_stakeholder_tenant_id_updated_at": ["tenant_id", "updated_at", "id"]}


def _recreate_sort_indexes(**include) -> None:
    for name, columns in SORT_INDEXES.items():
        op.drop_index(name, table_name="stakeholder")
        op.create_index(name, "stakeholder", columns, **include)


def upgrade() -> None:
    op.create_index("ix_stakeholder_tenant_id_created_at", "stakeholder", ["tenant_id", "created_at", "id"],
                    **COVERING)
    if op.get_bind().dialect.name == "postgresql":
        _recreate_sort_indexes(**COVERING)
        _set_policies(TENANT, BYPASS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _set_policies(*PER_ROW)
        _recreate_sort_indexes()
    op.drop_index("ix_stakeholder_tenant_id_created_at", table_name="stakeholder")
