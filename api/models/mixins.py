"""Columns that every tenant-owned, editable resource shares."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from api.db import UTCDateTime, new_id, utcnow


class TenantOwned:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)


class Tracked:
    """Who made and last changed a row, when, and its version: the version backs ETag/If-Match,
    and SQLAlchemy adds `WHERE version = old` to every UPDATE so a lost update cannot happen."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}


class ExternalId:
    external_id: Mapped[str | None] = mapped_column(String(200))
