import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, validates

from api.db import Base, JSONType, UTCDateTime
from api.models.emails import email_key
from api.models.mixins import ExternalId, TenantOwned, Tracked


class Stakeholder(TenantOwned, Tracked, ExternalId, Base):
    """A person, group or organisation the NHS body depends on and that depends on it."""

    __tablename__ = "stakeholder"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="person")
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    categories: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("organisation.id", ondelete="SET NULL")
    )
    job_title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    # The email folded in Python (api.models.emails), as every lookup folds what it is given: the unique index is on
    # it. An import writes it beside the email itself (folded_email), bypassing the ORM.
    email_key: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    preferred_channels: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    communication_needs: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    interpreter_language: Mapped[str | None] = mapped_column(String(100))
    contact_consent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_basis: Mapped[str | None] = mapped_column(String(40))
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_champion: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_public_representative: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    tags: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # UK GDPR Art. 18 restriction: kept, but left out of lists, exports, grids, audiences and reports.
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restriction_reason: Mapped[str | None] = mapped_column(Text)
    # UK GDPR Art. 21 objection, the latest one recorded.
    objection_date: Mapped[date | None] = mapped_column(Date)
    objection_scope: Mapped[str | None] = mapped_column(String(20))
    objection_grounds: Mapped[str | None] = mapped_column(Text)
    objection_outcome: Mapped[str | None] = mapped_column(String(20))
    # The outcome of the latest objection to contact, which a later objection to processing does not replace: while it
    # is pending or upheld nothing turns contact consent back on.
    contact_objection: Mapped[str | None] = mapped_column(String(20))

    @validates("email")
    def _keyed(self, _: str, email: str | None) -> str | None:
        self.email_key = None if email is None else email_key(email)
        return email


# One person per email in a tenant, whatever its case (imports upsert by it); NULLs never clash.
Index("uq_stakeholder_tenant_email_key", Stakeholder.tenant_id, Stakeholder.email_key, unique=True)
# The sort orders' indexes, on PostgreSQL with the columns a category-filtered list checks, so the rows it
# rejects are rejected from the index alone (stakeholders.service.list_stakeholders; migration 0006).
LIST_FILTERED = {"postgresql_include": ["categories", "archived_at", "restricted_at"]}
Index("ix_stakeholder_tenant_id_id", Stakeholder.tenant_id, Stakeholder.id, **LIST_FILTERED)
Index("ix_stakeholder_tenant_id_name", Stakeholder.tenant_id, Stakeholder.name, Stakeholder.id, **LIST_FILTERED)
Index("ix_stakeholder_tenant_id_updated_at", Stakeholder.tenant_id, Stakeholder.updated_at, Stakeholder.id,
      **LIST_FILTERED)
Index("ix_stakeholder_tenant_id_created_at", Stakeholder.tenant_id, Stakeholder.created_at, Stakeholder.id,
      **LIST_FILTERED)
Index("ix_stakeholder_organisation_id", Stakeholder.organisation_id)
