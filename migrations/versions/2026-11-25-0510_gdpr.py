"""gdpr: restriction and objection on stakeholders, legal hold on plans; row-level security on PostgreSQL

Revision ID: 0005_gdpr
Revises: 0004_duty
Create Date: 2026-11-25 05:10:00.000000

On PostgreSQL this also creates (if missing) the NOLOGIN role `involve_app`, grants it DML on every
table (SELECT and INSERT only on audit_event: the trail cannot be rewritten by the application), and
puts row-level security on every tenant-owned table (see api/rls.py). The tables are found in the
catalogue, so tables created by earlier migrations are all covered; a table added by a later migration
must call `enable_rls` itself (tests/gdpr/test_rls.py fails until it does). SQLite skips all of this.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_gdpr'
down_revision: str | None = '0004_duty'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "involve_app"
TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
BYPASS = "current_setting('app.bypass_rls', true) = 'on'"
# Tables whose rows belong to a tenant by another column than a non-null tenant_id.
SPECIAL = {
    "tenant": (f"id = {TENANT}", f"id = {TENANT}"),
    # The built-in duty catalogue (no tenant) is readable by every tenant, writable by none.
    "duty": (f"tenant_id IS NULL OR tenant_id = {TENANT}", f"tenant_id = {TENANT}"),
    # A requirement is visible when its duty is (the duty's own policy applies inside the subquery).
    "duty_requirement": ("EXISTS (SELECT 1 FROM duty WHERE duty.id = duty_requirement.duty_id)",
                         "EXISTS (SELECT 1 FROM duty WHERE duty.id = duty_requirement.duty_id)"),
}


def enable_rls(table: str, using: str | None = None, check: str | None = None) -> None:
    """Tenant isolation and the bypass policy on one table (PostgreSQL)."""
    using = using or f"tenant_id = {TENANT}"
    check = check or using
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "{table}" USING ({using}) WITH CHECK ({check})')
    op.execute(f'CREATE POLICY bypass_rls ON "{table}" USING ({BYPASS}) WITH CHECK ({BYPASS})')


def disable_rls(table: str) -> None:
    op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    op.execute(f'DROP POLICY IF EXISTS bypass_rls ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


def _protected_tables() -> list[str]:
    """Every table of the schema with a tenant_id column, plus the special ones."""
    rows = op.get_bind().execute(sa.text(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'tenant_id' ORDER BY table_name")).scalars()
    return sorted(set(rows) | set(SPECIAL))


def upgrade() -> None:
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('restriction_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('objection_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('objection_scope', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('objection_grounds', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('objection_outcome', sa.String(length=20), nullable=True))
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_by', sa.Uuid(), nullable=True))

    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} NOLOGIN;
        END IF;
        -- The login role must be able to SET ROLE to it (a superuser already can).
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
        END IF;
    END $$""")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}")
    # The audit trail is append-only for the application, whatever a bug or an injection tries.
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}")
    for table in _protected_tables():
        enable_rls(table, *SPECIAL.get(table, (None, None)))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _protected_tables():
            disable_rls(table)
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES "
                   f"FROM {APP_ROLE}")
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
        op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
        op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
        # The role itself stays: it is cluster-wide and other databases may use it.
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('legal_hold_by')
        batch_op.drop_column('legal_hold_reason')
        batch_op.drop_column('legal_hold_at')
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.drop_column('objection_outcome')
        batch_op.drop_column('objection_grounds')
        batch_op.drop_column('objection_scope')
        batch_op.drop_column('objection_date')
        batch_op.drop_column('restriction_reason')
        batch_op.drop_column('restricted_at')
