"""user email key: an email is unique across the deployment whatever its case, on SQLite too

Revision ID: 0014_user_email_key
Revises: 0013_catalogue_read_only
Create Date: 2026-12-05 21:30:00.000000

The unique index was on lower(email), folded by the database: SQLite's lower() folds ASCII letters only, so
"Élodie@…" and "élodie@…" could be two users there (PostgreSQL refused the second). The index is now on email_key,
the email in the API's stored form lowered by Python (api.models.user.email_key), written with the email and
compared by every lookup. Existing users get their key here; should two of them share one (possible on SQLite only),
the upgrade stops and names how many, for an operator to rename one first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from email_validator import EmailNotValidError, validate_email

revision: str = '0014_user_email_key'
down_revision: str | None = '0013_catalogue_read_only'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(email: str) -> str:  # api.models.user.email_key as of this revision
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        email = email.strip()
    return email.lower()


def upgrade() -> None:
    conn = op.get_bind()
    # Dropped first: SQLite's batch mode below reflects the table, and cannot read an expression index.
    op.drop_index('uq_user_account_email_lower', table_name='user_account')
    op.add_column('user_account', sa.Column('email_key', sa.String(320), nullable=True))
    keys: dict[str, int] = {}
    for id_, email in conn.execute(sa.text("SELECT id, email FROM user_account")).all():
        key = _key(email)
        keys[key] = keys.get(key, 0) + 1
        conn.execute(sa.text("UPDATE user_account SET email_key = :key WHERE id = :id"), {"key": key, "id": id_})
    clashes = sum(1 for count in keys.values() if count > 1)
    if clashes:
        raise RuntimeError(f"{clashes} email(s) are held by more than one user in different case; rename all but one "
                           "of each (involve's users, PATCH /users/{id}) and upgrade again")
    with op.batch_alter_table('user_account') as batch:
        batch.alter_column('email_key', existing_type=sa.String(320), nullable=False)
    op.create_index('uq_user_account_email_key', 'user_account', ['email_key'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_user_account_email_key', table_name='user_account')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('email_key')
    op.create_index('uq_user_account_email_lower', 'user_account', [sa.text('lower(email)')], unique=True)
