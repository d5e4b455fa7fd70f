"""user sessions_valid_after: a single sign-on token from before a deactivation stays refused after reactivation

Revision ID: 0011_sessions_valid_after
Revises: 0010_tenant_version
Create Date: 2026-12-05 20:00:00.000000

A local token carries the password version, which a deactivation counts up, so reactivating a user brings none of
their old tokens back. A single sign-on token is the identity provider's and carries no such count: one issued before
the deactivation (a stolen laptop's, valid up to INVOLVE_OIDC_MAX_LIFETIME) worked again once the user was
reactivated. Deactivating now stamps sessions_valid_after, and an SSO token issued (iat) before it is refused.
Existing users start with none: no working token is refused by the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_sessions_valid_after'
down_revision: str | None = '0010_tenant_version'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('user_account', sa.Column('sessions_valid_after', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('user_account', 'sessions_valid_after')
