"""plan_action.activity_id references activity

Revision ID: 0008_action_activity_fk
Revises: 0007_password_version
Create Date: 2026-12-04 08:30:00.000000

The column came with the plans (0002_plans), before the activities table existed (0003_engagement), so it had no
foreign key: the action service checks the activity is the tenant's, but nothing in the database stopped an action
from naming an activity that was gone. It now references activity.id, ON DELETE SET NULL as feedback.activity_id
does. An id that names no activity (none should, as the service checks) is set to NULL first, or the constraint
could not be added.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008_action_activity_fk'
down_revision: str | None = '0007_password_version'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = 'fk_plan_action_activity_id_activity'


def upgrade() -> None:
    op.execute("UPDATE plan_action SET activity_id = NULL WHERE activity_id IS NOT NULL "
               "AND NOT EXISTS (SELECT 1 FROM activity WHERE activity.id = plan_action.activity_id)")
    # SQLite rebuilds the table to add a constraint. resolve_fks=False: reflecting it must not reflect the tables it
    # refers to, user_account among them, whose expression index SQLAlchemy cannot read (a warning, an error in tests).
    with op.batch_alter_table('plan_action', schema=None, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.create_foreign_key(FK, 'activity', ['activity_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('plan_action', schema=None, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_constraint(FK, type_='foreignkey')
