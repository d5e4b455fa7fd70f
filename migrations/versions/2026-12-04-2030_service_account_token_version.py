"""service account token version: a revoked account's tokens stay refused after it is reactivated

Revision ID: 0009_sa_token_version
Revises: 0008_action_activity_fk
Create Date: 2026-12-04 20:30:00.000000

A service account's tokens were refused only while it was revoked: reactivating it brought back every token issued
before the revocation (and its secret). Revoking now counts up token_version, which its tokens carry (claim "pwv",
as a user's carry the password version), so a token from before a revocation never works again. Existing accounts
start at 0, which is also what a token issued before this revision counts as: no working account's token is refused
by the upgrade. An account already revoked is counted up to 1, and its secret retired (a value no secret verifies
against, as revoking now replaces it), so reactivating it needs a rotated secret, as it does from now on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_sa_token_version'
down_revision: str | None = '0008_action_activity_fk'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('service_account', sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))
    op.execute(sa.text("UPDATE service_account SET token_version = 1, secret_hash = '!revoked' WHERE NOT is_active"))


def downgrade() -> None:
    op.drop_column('service_account', 'token_version')
