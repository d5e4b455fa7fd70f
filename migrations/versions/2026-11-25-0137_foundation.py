"""foundation: tenants, users, service accounts, organisations, stakeholders, audit trail, idempotency

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-25 01:37
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def _owned(table: str) -> list:
    """id, tenant_id and the tracking columns every editable resource has."""
    return [
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.Uuid(), sa.ForeignKey("tenant.id", ondelete="CASCADE", name=f"fk_{table}_tenant_id_tenant"),
                  nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("created_by", sa.Uuid()),
        sa.Column("updated_by", sa.Uuid()),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "tenant",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("jurisdiction", sa.String(20), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenant"),
        sa.UniqueConstraint("slug", name="uq_tenant_slug"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.Uuid(), sa.ForeignKey("tenant.id", ondelete="CASCADE",
                                                       name="fk_audit_event_tenant_id_tenant"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("actor_type", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.Uuid()),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("resource_type", sa.String(40), nullable=False),
        sa.Column("resource_id", sa.String(64)),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("request_id", sa.String(64)),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_audit_event_tenant_id_seq"),
    )
    op.create_index("ix_audit_event_tenant_occurred_at", "audit_event", ["tenant_id", "occurred_at"])
    op.create_index("ix_audit_event_tenant_resource", "audit_event", ["tenant_id", "resource_type", "resource_id"])

    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.Uuid(), sa.ForeignKey("tenant.id", ondelete="CASCADE",
                                                       name="fk_idempotency_record_tenant_id_tenant"), nullable=False),
        sa.Column("principal_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("headers", JSON, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_record"),
        sa.UniqueConstraint("tenant_id", "principal_id", "key", name="uq_idempotency_record_tenant_id_principal_id_key"),
    )

    op.create_table(
        "user_account",
        *_owned("user_account"),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_user_account"),
    )
    op.create_index("uq_user_account_email_lower", "user_account", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_user_account_tenant_id", "user_account", ["tenant_id", "id"])

    op.create_table(
        "service_account",
        *_owned("service_account"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_account"),
        sa.UniqueConstraint("client_id", name="uq_service_account_client_id"),
    )

    op.create_table(
        "organisation",
        *_owned("organisation"),
        sa.Column("external_id", sa.String(200)),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(50)),
        sa.Column("website", sa.String(500)),
        sa.Column("address", sa.Text()),
        sa.Column("postcode", sa.String(10)),
        sa.Column("notes", sa.Text()),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("archived_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_organisation"),
        sa.UniqueConstraint("tenant_id", "external_id", name="uq_organisation_tenant_id_external_id"),
    )
    op.create_index("ix_organisation_tenant_id_name", "organisation", ["tenant_id", "name", "id"])

    op.create_table(
        "stakeholder",
        *_owned("stakeholder"),
        sa.Column("external_id", sa.String(200)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("categories", JSON, nullable=False),
        sa.Column("organisation_id", sa.Uuid(), sa.ForeignKey(
            "organisation.id", ondelete="SET NULL", name="fk_stakeholder_organisation_id_organisation")),
        sa.Column("job_title", sa.String(200)),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(50)),
        sa.Column("address", sa.Text()),
        sa.Column("postcode", sa.String(10)),
        sa.Column("preferred_channels", JSON, nullable=False),
        sa.Column("communication_needs", JSON, nullable=False),
        sa.Column("interpreter_language", sa.String(100)),
        sa.Column("contact_consent", sa.Boolean(), nullable=False),
        sa.Column("consent_basis", sa.String(40)),
        sa.Column("consent_recorded_at", TS),
        sa.Column("is_champion", sa.Boolean(), nullable=False),
        sa.Column("is_public_representative", sa.Boolean(), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("user_account.id", name="fk_stakeholder_owner_id_user_account")),
        sa.Column("notes", sa.Text()),
        sa.Column("archived_at", TS),
        sa.Column("erased_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_stakeholder"),
        sa.UniqueConstraint("tenant_id", "external_id", name="uq_stakeholder_tenant_id_external_id"),
    )
    op.create_index("uq_stakeholder_tenant_email", "stakeholder", ["tenant_id", sa.text("lower(email)")], unique=True)
    op.create_index("ix_stakeholder_tenant_id_id", "stakeholder", ["tenant_id", "id"])
    op.create_index("ix_stakeholder_tenant_id_name", "stakeholder", ["tenant_id", "name", "id"])
    op.create_index("ix_stakeholder_tenant_id_updated_at", "stakeholder", ["tenant_id", "updated_at", "id"])
    op.create_index("ix_stakeholder_organisation_id", "stakeholder", ["organisation_id"])
    if postgres:
        # Tag and category filters use jsonb @>, which these serve.
        op.create_index("ix_stakeholder_tags_gin", "stakeholder", ["tags"], postgresql_using="gin",
                        postgresql_ops={"tags": "jsonb_path_ops"})
        op.create_index("ix_stakeholder_categories_gin", "stakeholder", ["categories"], postgresql_using="gin",
                        postgresql_ops={"categories": "jsonb_path_ops"})
        op.create_index("ix_organisation_tags_gin", "organisation", ["tags"], postgresql_using="gin",
                        postgresql_ops={"tags": "jsonb_path_ops"})


def downgrade() -> None:
    for table in ("stakeholder", "organisation", "service_account", "user_account", "idempotency_record",
                  "audit_event", "tenant"):
        op.drop_table(table)
