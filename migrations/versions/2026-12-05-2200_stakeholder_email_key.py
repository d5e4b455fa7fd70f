"""stakeholder email key: a stakeholder's email is unique in its tenant whatever its case, on SQLite too

Revision ID: 0015_stakeholder_email_key
Revises: 0014_user_email_key
Create Date: 2026-12-05 22:00:00.000000

The unique index was on (tenant_id, lower(email)), folded by the database: SQLite's lower() folds ASCII letters only,
so "Élodie@…" and "élodie@…" could be two stakeholders of one tenant there. The index is now on (tenant_id,
email_key), the email in the API's stored form lowered by Python (api.models.emails.email_key), written with the
email and compared by every lookup; an erased person's email, and so its key, is NULL, which never clashes. Existing
stakeholders get their key here; should two of one tenant share one (possible on SQLite only), the upgrade stops and
says how many, for an operator to change or erase all but one first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from email_validator import EmailNotValidError, validate_email

revision: str = '0015_stakeholder_email_key'
down_revision: str | None = '0014_user_email_key'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def _key(email: str) -> str:  # api.models.emails.email_key as of this revision
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        email = email.strip()
    return email.lower()


def upgrade() -> None:
    conn = op.get_bind()
    # Dropped first: SQLite's batch mode (in the downgrade) reflects the table, and cannot read an expression index.
    op.drop_index('uq_stakeholder_tenant_email', table_name='stakeholder')
    op.add_column('stakeholder', sa.Column('email_key', sa.String(320), nullable=True))
    seen: dict[tuple, int] = {}
    updates = []
    for id_, tenant_id, email in conn.execute(sa.text(
            "SELECT id, tenant_id, email FROM stakeholder WHERE email IS NOT NULL")).all():
        key = _key(email)
        seen[(tenant_id, key)] = seen.get((tenant_id, key), 0) + 1
        updates.append({"key": key, "id": id_})
    clashes = sum(1 for count in seen.values() if count > 1)
    if clashes:
        raise RuntimeError(f"{clashes} email(s) are held by more than one stakeholder of a tenant in different case; "
                           "change or erase all but one of each (PATCH /stakeholders/{id}) and upgrade again")
    update = sa.text("UPDATE stakeholder SET email_key = :key WHERE id = :id")
    for start in range(0, len(updates), BATCH):
        conn.execute(update, updates[start:start + BATCH])
    op.create_index('uq_stakeholder_tenant_email_key', 'stakeholder', ['tenant_id', 'email_key'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_stakeholder_tenant_email_key', table_name='stakeholder')
    with op.batch_alter_table('stakeholder') as batch:
        batch.drop_column('email_key')
    op.create_index('uq_stakeholder_tenant_email', 'stakeholder', ['tenant_id', sa.text('lower(email)')], unique=True)
