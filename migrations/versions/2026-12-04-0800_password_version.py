"""password version: a password change refuses the tokens issued before it

Revision ID: 0007_password_version
Revises: 0006_list_reads
Create Date: 2026-12-04 08:00:00.000000

Each user's tokens carry the count of the user's password changes when they were issued (claim "pwv"); a request
whose token's count is not the account's is refused (api.auth.principal.principal_of). Existing users start at 0,
which is also what a token issued before this revision counts as, so no one is signed out by the upgrade. On
PostgreSQL, adding a column with a constant default rewrites nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_password_version'
down_revision: str | None = '0006_list_reads'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not in batch mode: SQLite adds a column in place, and a batch would reflect the table, whose expression index
    # (uq_user_account_email_lower) it cannot read (a warning, which the tests treat as an error).
    op.add_column('user_account', sa.Column('password_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('user_account', 'password_version')  # SQLite 3.35 and later drop a column in place too
