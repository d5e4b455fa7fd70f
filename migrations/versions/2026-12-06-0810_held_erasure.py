"""held erasure: what an erasure left in a held plan's rows, taken out when the hold is lifted

Revision ID: 0020_held_erasure
Revises: 0019_evidence_consultation
Create Date: 2026-12-06 08:10:00.000000

An erasure leaves the rows of a plan on legal hold as they are (UK GDPR Art. 17(3)(e)), and nothing took the erased
person's contacts out of them once the hold was lifted. held_erasure keeps, per erasure and plan held at the time,
what those rows are to lose; lifting the hold scrubs them and deletes its rows. On PostgreSQL the table has
row-level security like every tenant-owned table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020_held_erasure'
down_revision: str | None = '0019_evidence_consultation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "involve_app"  # as of 0005_gdpr
# As 0006_list_reads: each setting read once per statement, not per row
TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
BYPASS = "(SELECT current_setting('app.bypass_rls', true) = 'on')"


def upgrade() -> None:
    op.create_table('held_erasure',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('stakeholder_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_held_erasure_tenant_id_tenant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_held_erasure_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholder.id'], name=op.f('fk_held_erasure_stakeholder_id_stakeholder'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_erasure')),
    sa.UniqueConstraint('plan_id', 'stakeholder_id', name=op.f('uq_held_erasure_plan_id_stakeholder_id'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE held_erasure ENABLE ROW LEVEL SECURITY')
        op.execute('ALTER TABLE held_erasure FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON held_erasure USING (tenant_id = {TENANT}) '
                   f'WITH CHECK (tenant_id = {TENANT})')
        op.execute(f'CREATE POLICY bypass_rls ON held_erasure USING ({BYPASS}) WITH CHECK ({BYPASS})')
        op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON held_erasure TO {APP_ROLE}')


def downgrade() -> None:
    op.drop_table('held_erasure')
