"""contact objection: the outcome of the latest objection to contact, which an objection to processing does not replace

Revision ID: 0016_contact_objection
Revises: 0015_stakeholder_email_key
Create Date: 2026-12-05 23:00:00.000000

A stakeholder kept only the latest objection recorded, and contact consent stayed off while that one was to contact and
pending or upheld: a later objection to processing replaced it, and consent could be turned back on. The outcome of
the latest objection to contact now has a column of its own; existing rows take it from the objection they hold, when
that is to contact (an objection to contact replaced before this revision cannot be recovered from the row: the audit
trail's objection events keep it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_contact_objection'
down_revision: str | None = '0015_stakeholder_email_key'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('stakeholder', sa.Column('contact_objection', sa.String(20), nullable=True))
    op.execute("UPDATE stakeholder SET contact_objection = objection_outcome WHERE objection_scope = 'contact'")


def downgrade() -> None:
    with op.batch_alter_table('stakeholder') as batch:
        batch.drop_column('contact_objection')
