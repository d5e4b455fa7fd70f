"""audit head: each tenant's chain head kept beside the chain, so events removed from its end are found

Revision ID: 0017_audit_head
Revises: 0016_contact_objection
Create Date: 2026-12-05 23:30:00.000000

The chain was checked from its start only: deleting its newest events left a shorter chain that verified. audit_head
holds the last event's seq and hash, written with every event; verify reports a chain that does not reach it. Each
tenant's head is filled from its chain as it stands. On PostgreSQL the table has row-level security like every
tenant-owned table, and the application role may insert and update a head but not delete one (as it may only insert
and read events).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017_audit_head'
down_revision: str | None = '0016_contact_objection'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "involve_app"  # as of 0005_gdpr
# As 0006_list_reads: each setting read once per statement, not per row
TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
BYPASS = "(SELECT current_setting('app.bypass_rls', true) = 'on')"


def upgrade() -> None:
    op.create_table(
        'audit_head',
        sa.Column('tenant_id', sa.Uuid(), sa.ForeignKey('tenant.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(64), nullable=False),
    )
    op.execute("INSERT INTO audit_head (tenant_id, seq, hash) SELECT e.tenant_id, e.seq, e.hash FROM audit_event e "
               "WHERE e.seq = (SELECT max(l.seq) FROM audit_event l WHERE l.tenant_id = e.tenant_id)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE audit_head ENABLE ROW LEVEL SECURITY')
        op.execute('ALTER TABLE audit_head FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON audit_head USING (tenant_id = {TENANT}) '
                   f'WITH CHECK (tenant_id = {TENANT})')
        op.execute(f'CREATE POLICY bypass_rls ON audit_head USING ({BYPASS}) WITH CHECK ({BYPASS})')
        op.execute(f'GRANT SELECT, INSERT, UPDATE ON audit_head TO {APP_ROLE}')
        op.execute(f'REVOKE DELETE, TRUNCATE ON audit_head FROM {APP_ROLE}')


def downgrade() -> None:
    op.drop_table('audit_head')
