"""idempotency purge: stored responses are deleted once expired, not only when their key comes back

Revision ID: 0012_idempotency_purge
Revises: 0011_sessions_valid_after
Create Date: 2026-12-05 20:30:00.000000

A stored response (which can hold a person's email, phone or words) was deleted after its 24 hours only when the
same caller sent the same key again, so almost all of them stayed for good. Every keyed write now deletes a few
expired records of its tenant, oldest first, found by this index (api.idempotency._purge).
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012_idempotency_purge'
down_revision: str | None = '0011_sessions_valid_after'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_idempotency_record_tenant_created', 'idempotency_record', ['tenant_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_idempotency_record_tenant_created', table_name='idempotency_record')
