from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, JSONType, UTCDateTime
from api.models.mixins import ExternalId, TenantOwned, Tracked


class Organisation(TenantOwned, Tracked, ExternalId, Base):
    """A body stakeholders belong to: GP practice, trust, council, Healthwatch, voluntary group…"""

    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    name: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, default="other")
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    website: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_organisation_tenant_id_name", Organisation.tenant_id, Organisation.name, Organisation.id)
