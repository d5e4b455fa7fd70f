"""list reads: an index for ?sort=created_at on stakeholders

Revision ID: 0006_list_reads
Revises: 0005_gdpr
Create Date: 2026-11-25 06:00:00.000000

Without it a stakeholder list sorted by created_at sorted every row of the tenant to return one page
(~280 ms at 100,000 stakeholders); with it a page is read in index order like the other sort orders.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006_list_reads'
down_revision: str | None = '0005_gdpr'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_stakeholder_tenant_id_created_at", "stakeholder", ["tenant_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_stakeholder_tenant_id_created_at", table_name="stakeholder")
