"""tenant version: GET /tenant gets an ETag and PATCH /tenant/settings honours If-Match

Revision ID: 0010_tenant_version
Revises: 0009_sa_token_version
Create Date: 2026-12-05 12:10:00.000000

The tenant and its settings were the one single resource without an ETag, so two admins changing the same setting
(say the feedback response time) could overwrite each other unknowingly, and a partner's If-Match was ignored. Every
existing tenant starts at version 1.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010_tenant_version'
down_revision: str | None = '0009_sa_token_version'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('tenant', sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    op.drop_column('tenant', 'version')
