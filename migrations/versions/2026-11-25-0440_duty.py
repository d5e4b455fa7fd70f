"""duty: catalogue of duties and requirements, applicability records, consultations, documents,
scrutiny and evidence

Revision ID: 0004_duty
Revises: 0003_engagement
Create Date: 2026-11-25 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = '0004_duty'
down_revision: str | None = '0003_engagement'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('duty',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=True),
    sa.Column('jurisdiction', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('citation', sa.String(length=300), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_duty_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_duty_tenant_id_code'))
    )
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.create_index('uq_duty_catalogue_code', ['jurisdiction', 'code'], unique=True, sqlite_where=sa.text('tenant_id IS NULL'), postgresql_where=sa.text('tenant_id IS NULL'))

    op.create_table('duty_requirement',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('duty_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('rule', sa.String(length=60), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['duty_id'], ['duty.id'], name=op.f('fk_duty_requirement_duty_id_duty'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_requirement')),
    sa.UniqueConstraint('duty_id', 'code', name=op.f('uq_duty_requirement_duty_id_code'))
    )
    with op.batch_alter_table('duty_requirement', schema=None) as batch_op:
        batch_op.create_index('ix_duty_requirement_duty_id', ['duty_id'], unique=False)

    op.create_table('consultation',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('opened_date', sa.Date(), nullable=True),
    sa.Column('closed_date', sa.Date(), nullable=True),
    sa.Column('minimum_days', sa.Integer(), nullable=True),
    sa.Column('shorter_reason', sa.Text(), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('decision_maker', sa.String(length=300), nullable=True),
    sa.Column('decision_summary', sa.Text(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.CheckConstraint('minimum_days IS NULL OR minimum_days > 0', name=op.f('ck_consultation_minimum_days_positive')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_consultation_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_consultation_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_consultation_tenant_id_external_id'))
    )
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.create_index('ix_consultation_plan_id', ['plan_id'], unique=False)

    op.create_table('duty_assessment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('entries', JSON, nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_off_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_duty_assessment_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_duty_assessment_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_assessment')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_duty_assessment_plan_id_number'))
    )
    op.create_table('evidence',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('requirement_id', sa.Uuid(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('activity_ids', JSON, nullable=False),
    sa.Column('feedback_ids', JSON, nullable=False),
    sa.Column('document_ids', JSON, nullable=False),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_evidence_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requirement_id'], ['duty_requirement.id'], name=op.f('fk_evidence_requirement_id_duty_requirement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_evidence_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('tenant_id', 'external_id', name=op.f('uq_evidence_tenant_id_external_id'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_plan_id', ['plan_id', 'requirement_id'], unique=False)

    op.create_table('scrutiny',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.String(length=20), nullable=False),
    sa.Column('committee_name', sa.String(length=300), nullable=True),
    sa.Column('substantial_variation', sa.Boolean(), nullable=True),
    sa.Column('substantial_variation_reason', sa.Text(), nullable=True),
    sa.Column('committee_view', sa.Text(), nullable=True),
    sa.Column('committee_view_date', sa.Date(), nullable=True),
    sa.Column('sos_notification_required', sa.Boolean(), nullable=True),
    sa.Column('sos_notified_date', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_scrutiny_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_scrutiny_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny')),
    sa.UniqueConstraint('plan_id', name=op.f('uq_scrutiny_plan_id'))
    )
    op.create_table('document',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('consultation_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_document_consultation_id_consultation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_document_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_document_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_consultation_id', ['consultation_id'], unique=False)
        batch_op.create_index('ix_document_plan_id', ['plan_id'], unique=False)

    op.create_table('scrutiny_correspondence',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('correspondence_date', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('document_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_scrutiny_correspondence_document_id_document'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_scrutiny_correspondence_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_scrutiny_correspondence_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_correspondence'))
    )
    with op.batch_alter_table('scrutiny_correspondence', schema=None) as batch_op:
        batch_op.create_index('ix_scrutiny_correspondence_plan_id', ['plan_id', 'correspondence_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('scrutiny_correspondence', schema=None) as batch_op:
        batch_op.drop_index('ix_scrutiny_correspondence_plan_id')

    op.drop_table('scrutiny_correspondence')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_plan_id')
        batch_op.drop_index('ix_document_consultation_id')

    op.drop_table('document')
    op.drop_table('scrutiny')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_plan_id')

    op.drop_table('evidence')
    op.drop_table('duty_assessment')
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_index('ix_consultation_plan_id')

    op.drop_table('consultation')
    with op.batch_alter_table('duty_requirement', schema=None) as batch_op:
        batch_op.drop_index('ix_duty_requirement_duty_id')

    op.drop_table('duty_requirement')
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.drop_index('uq_duty_catalogue_code', sqlite_where=sa.text('tenant_id IS NULL'), postgresql_where=sa.text('tenant_id IS NULL'))

    op.drop_table('duty')
