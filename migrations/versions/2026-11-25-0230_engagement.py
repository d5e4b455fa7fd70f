"""engagement: activities, attendance, feedback and calendar tokens

Revision ID: 0003_engagement
Revises: 0002_plans
Create Date: 2026-11-25 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = '0003_engagement'
down_revision: str | None = '0002_plans'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('activity',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('audience_categories', JSON, nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=True),
    sa.Column('duty_limb', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('channel', sa.String(length=40), nullable=True),
    sa.Column('led_by', sa.Uuid(), nullable=True),
    sa.Column('led_by_name', sa.String(length=200), nullable=True),
    sa.Column('cost_pence', sa.BigInteger(), nullable=True),
    sa.Column('unnamed_attendees', sa.Integer(), nullable=False),
    sa.Column('impressions', sa.BigInteger(), nullable=True),
    sa.Column('recipients', sa.BigInteger(), nullable=True),
    sa.Column('accessible_formats', JSON, nullable=False),
    sa.Column('translation_languages', JSON, nullable=False),
    sa.Column('outcome_summary', sa.Text(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.CheckConstraint('cost_pence IS NULL OR cost_pence >= 0', name=op.f('ck_activity_cost_not_negative')),
    sa.CheckConstraint('unnamed_attendees >= 0', name=op.f('ck_activity_unnamed_not_negative')),
    sa.ForeignKeyConstraint(['led_by'], ['user_account.id'], name=op.f('fk_activity_led_by_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_activity_plan_id_plan'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_activity_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_activity_tenant_id_external_id'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_plan_id', ['plan_id'], unique=False)
        batch_op.create_index('ix_activity_tenant_id_starts_at', ['tenant_id', 'starts_at', 'id'], unique=False)
        batch_op.create_index('ix_activity_tenant_id_updated_at', ['tenant_id', 'updated_at', 'id'], unique=False)

    op.create_table('calendar_token',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hint', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_calendar_token_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_calendar_token_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_token_token_hash'))
    )
    with op.batch_alter_table('calendar_token', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_token_tenant_id_id', ['tenant_id', 'id'], unique=False)

    op.create_table('activity_attendance',
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('stakeholder_id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('invited', sa.Boolean(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_attendance_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholder.id'], name=op.f('fk_activity_attendance_stakeholder_id_stakeholder'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_activity_attendance_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'stakeholder_id', name=op.f('pk_activity_attendance'))
    )
    with op.batch_alter_table('activity_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_activity_attendance_stakeholder_id', ['stakeholder_id', 'activity_id'], unique=False)

    op.create_table('feedback',
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('stakeholder_id', sa.Uuid(), nullable=True),
    sa.Column('activity_id', sa.Uuid(), nullable=True),
    sa.Column('plan_id', sa.Uuid(), nullable=True),
    sa.Column('themes', JSON, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('publishable_summary', sa.Text(), nullable=True),
    sa.Column('publishable', sa.Boolean(), nullable=False),
    sa.Column('response_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('considered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('response_text', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('action_taken', sa.Text(), nullable=True),
    sa.Column('reason_no_change', sa.Text(), nullable=True),
    sa.Column('responded_by', sa.Uuid(), nullable=True),
    sa.Column('told_how', sa.String(length=20), nullable=True),
    sa.Column('told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_feedback_activity_id_activity'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_feedback_plan_id_plan'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholder.id'], name=op.f('fk_feedback_stakeholder_id_stakeholder'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_feedback_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_feedback_tenant_id_external_id'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_activity_id', ['activity_id'], unique=False)
        batch_op.create_index('ix_feedback_plan_id', ['plan_id'], unique=False)
        batch_op.create_index('ix_feedback_stakeholder_id', ['stakeholder_id'], unique=False)
        batch_op.create_index('ix_feedback_tenant_id_received_at', ['tenant_id', 'received_at', 'id'], unique=False)
        batch_op.create_index('ix_feedback_tenant_id_response_due_at', ['tenant_id', 'status', 'response_due_at'], unique=False)
        batch_op.create_index('ix_feedback_tenant_id_updated_at', ['tenant_id', 'updated_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_tenant_id_updated_at')
        batch_op.drop_index('ix_feedback_tenant_id_response_due_at')
        batch_op.drop_index('ix_feedback_tenant_id_received_at')
        batch_op.drop_index('ix_feedback_stakeholder_id')
        batch_op.drop_index('ix_feedback_plan_id')
        batch_op.drop_index('ix_feedback_activity_id')

    op.drop_table('feedback')
    with op.batch_alter_table('activity_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_attendance_stakeholder_id')

    op.drop_table('activity_attendance')
    with op.batch_alter_table('calendar_token', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_token_tenant_id_id')

    op.drop_table('calendar_token')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_tenant_id_updated_at')
        batch_op.drop_index('ix_activity_tenant_id_starts_at')
        batch_op.drop_index('ix_activity_plan_id')

    op.drop_table('activity')
