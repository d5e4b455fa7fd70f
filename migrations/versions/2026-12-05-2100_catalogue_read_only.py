"""catalogue read only: a tenant's session can read the built-in duty catalogue but no longer delete or change it

Revision ID: 0013_catalogue_read_only
Revises: 0012_idempotency_purge
Create Date: 2026-12-05 21:00:00.000000

The built-in duties (tenant_id NULL) and their requirements were visible to every tenant through the one
tenant_isolation policy, which is FOR ALL: its USING expression also decides which rows a DELETE reaches (and which
rows an UPDATE starts from), so a session scoped to a tenant could delete the built-in catalogue, and insert
requirements under a built-in duty. The application refuses all of this (api/duties/service.py); the database now
refuses it too. tenant_isolation covers the tenant's own duties only, and a policy FOR SELECT adds the catalogue.
PostgreSQL only, as the policies are.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013_catalogue_read_only'
down_revision: str | None = '0012_idempotency_purge'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"  # as 0006_list_reads
OWN_DUTY = "EXISTS (SELECT 1 FROM duty WHERE duty.id = duty_requirement.duty_id AND duty.tenant_id = {tenant})"
BUILT_IN_DUTY = "EXISTS (SELECT 1 FROM duty WHERE duty.id = duty_requirement.duty_id AND duty.tenant_id IS NULL)"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgres():
        return
    own = OWN_DUTY.format(tenant=TENANT)
    op.execute(f"ALTER POLICY tenant_isolation ON duty USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")
    op.execute("CREATE POLICY catalogue_read ON duty FOR SELECT USING (tenant_id IS NULL)")
    op.execute(f"ALTER POLICY tenant_isolation ON duty_requirement USING ({own}) WITH CHECK ({own})")
    op.execute(f"CREATE POLICY catalogue_read ON duty_requirement FOR SELECT USING ({BUILT_IN_DUTY})")


def downgrade() -> None:
    if not _postgres():
        return
    op.execute("DROP POLICY catalogue_read ON duty_requirement")
    op.execute("DROP POLICY catalogue_read ON duty")
    visible = "EXISTS (SELECT 1 FROM duty WHERE duty.id = duty_requirement.duty_id)"
    op.execute(f"ALTER POLICY tenant_isolation ON duty_requirement USING ({visible}) WITH CHECK ({visible})")
    op.execute(f"ALTER POLICY tenant_isolation ON duty USING (tenant_id IS NULL OR tenant_id = {TENANT}) "
               f"WITH CHECK (tenant_id = {TENANT})")
