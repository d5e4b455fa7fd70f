"""plans_and_assessments

Revision ID: 0002_plans
Revises: 0001_foundation
Create Date: 2026-11-25 02:05:47.434346
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = '0002_plans'
down_revision: str | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plan',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('programme', sa.String(length=300), nullable=True),
    sa.Column('delivery_group', sa.String(length=200), nullable=True),
    sa.Column('lead_id', sa.Uuid(), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('situation_analysis', sa.Text(), nullable=True),
    sa.Column('approach', sa.Text(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('objectives', JSON, nullable=False),
    sa.Column('key_messages', JSON, nullable=False),
    sa.Column('channels', JSON, nullable=False),
    sa.Column('budget_lines', JSON, nullable=False),
    sa.Column('evaluation_measures', JSON, nullable=False),
    sa.Column('audience_categories', JSON, nullable=False),
    sa.Column('approved_by', sa.Uuid(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['user_account.id'], name=op.f('fk_plan_lead_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_plan_tenant_id_external_id'))
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index('ix_plan_tenant_id_title', ['tenant_id', 'title', 'id'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('stakeholder_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=True),
    sa.Column('interest', sa.Integer(), nullable=False),
    sa.Column('influence', sa.Integer(), nullable=False),
    sa.Column('attitude', sa.Integer(), nullable=True),
    sa.Column('rationale', sa.Text(), nullable=True),
    sa.Column('assessed_by', sa.Uuid(), nullable=True),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_latest', sa.Boolean(), nullable=False),
    sa.CheckConstraint('attitude IS NULL OR attitude BETWEEN -2 AND 2', name=op.f('ck_assessment_attitude_range')),
    sa.CheckConstraint('influence BETWEEN 1 AND 5', name=op.f('ck_assessment_influence_range')),
    sa.CheckConstraint('interest BETWEEN 1 AND 5', name=op.f('ck_assessment_interest_range')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_assessment_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholder.id'], name=op.f('fk_assessment_stakeholder_id_stakeholder'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_assessment_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_latest_scores', ['tenant_id', 'plan_id', 'is_latest', 'influence', 'interest'], unique=False)
        batch_op.create_index('ix_assessment_stakeholder_history', ['tenant_id', 'stakeholder_id', 'plan_id', 'assessed_at'], unique=False)
        batch_op.create_index('uq_assessment_latest_for_plan', ['stakeholder_id', 'plan_id'], unique=True,
                              sqlite_where=sa.text('is_latest IS 1'), postgresql_where=sa.text('is_latest IS true'))
        batch_op.create_index('uq_assessment_latest_general', ['stakeholder_id'], unique=True,
                              sqlite_where=sa.text('is_latest IS 1 AND plan_id IS NULL'),
                              postgresql_where=sa.text('is_latest IS true AND plan_id IS NULL'))
        batch_op.create_index('ix_assessment_stakeholder_timeline', ['stakeholder_id', 'plan_id', 'assessed_at'],
                              unique=False)

    op.create_table('plan_action',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('owner_name', sa.String(length=200), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activity_id', sa.Uuid(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_plan_action_owner_id_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_action_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_action_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_action'))
    )
    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.create_index('ix_plan_action_plan_id_due_date', ['plan_id', 'due_date'], unique=False)

    op.create_table('plan_audience_organisation',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_plan_audience_organisation_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_audience_organisation_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_audience_organisation_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'organisation_id', name=op.f('pk_plan_audience_organisation'))
    )
    op.create_table('plan_audience_stakeholder',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('stakeholder_id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_audience_stakeholder_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholder.id'], name=op.f('fk_plan_audience_stakeholder_stakeholder_id_stakeholder'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_audience_stakeholder_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'stakeholder_id', name=op.f('pk_plan_audience_stakeholder'))
    )
    with op.batch_alter_table('plan_audience_stakeholder', schema=None) as batch_op:
        batch_op.create_index('ix_plan_audience_stakeholder_stakeholder_id', ['stakeholder_id'], unique=False)

    op.create_table('plan_risk',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('owner_name', sa.String(length=200), nullable=True),
    sa.Column('mitigation', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('impact BETWEEN 1 AND 5', name=op.f('ck_plan_risk_impact_range')),
    sa.CheckConstraint('likelihood BETWEEN 1 AND 5', name=op.f('ck_plan_risk_likelihood_range')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_plan_risk_owner_id_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_risk_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_plan_risk_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_risk'))
    )
    with op.batch_alter_table('plan_risk', schema=None) as batch_op:
        batch_op.create_index('ix_plan_risk_plan_id', ['plan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('plan_risk', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_risk_plan_id')

    op.drop_table('plan_risk')
    with op.batch_alter_table('plan_audience_stakeholder', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_audience_stakeholder_stakeholder_id')

    op.drop_table('plan_audience_stakeholder')
    op.drop_table('plan_audience_organisation')
    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_action_plan_id_due_date')

    op.drop_table('plan_action')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_stakeholder_history')
        batch_op.drop_index('uq_assessment_latest_for_plan')
        batch_op.drop_index('uq_assessment_latest_general')
        batch_op.drop_index('ix_assessment_stakeholder_timeline')
        batch_op.drop_index('ix_assessment_latest_scores')

    op.drop_table('assessment')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_tenant_id_title')

    op.drop_table('plan')
