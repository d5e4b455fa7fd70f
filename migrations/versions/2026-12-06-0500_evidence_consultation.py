"""evidence.consultation_id: the consultation an evidence item's decision is about

Revision ID: 0019_evidence_consultation
Revises: 0018_listed_language
Create Date: 2026-12-06 05:00:00.000000

The duty report read every evidence item's decision as binding each of the plan's consultations, so a board minute
deciding one consultation was read against the next as a decision taken before it closed (Gunning 1). An item may now
name its consultation, ON DELETE SET NULL as document.consultation_id; existing items name none and keep binding each
consultation, as they did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019_evidence_consultation'
down_revision: str | None = '0018_listed_language'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = 'fk_evidence_consultation_id_consultation'


def upgrade() -> None:
    # SQLite rebuilds the table to add a constraint. resolve_fks=False, as in 0008: reflecting it must not reflect the
    # tables it refers to (user_account's expression index cannot be read).
    with op.batch_alter_table('evidence', schema=None, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column('consultation_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(FK, 'consultation', ['consultation_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_evidence_consultation_id', ['consultation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_index('ix_evidence_consultation_id')
        batch_op.drop_constraint(FK, type_='foreignkey')
        batch_op.drop_column('consultation_id')
