import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, new_id
from api.models.mixins import Tracked


class Duty(Tracked, Base):
    """A legal or statutory duty to involve, for one jurisdiction. Rows with no tenant are the
    built-in catalogue (seeded by migration, read-only through the API); a tenant adds its own."""

    __tablename__ = "duty"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"))
    jurisdiction: Mapped[str] = mapped_column(String(20), nullable=False)
    code: Mapped[str] = mapped_column(String(60), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    citation: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class DutyRequirement(Base):
    """One thing a duty requires (a limb, a Gunning principle, due regard, the reg 23 consultation).
    `rule` names the duty-report rule that checks it (api.duty_report.rules); null means the
    requirement is met by evidence items alone."""

    __tablename__ = "duty_requirement"
    __table_args__ = (UniqueConstraint("duty_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    duty_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("duty.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(60), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


# The built-in catalogue's codes are unique per jurisdiction (NULL tenant_id escapes the constraint above).
Index("uq_duty_catalogue_code", Duty.jurisdiction, Duty.code, unique=True, sqlite_where=text("tenant_id IS NULL"),
      postgresql_where=text("tenant_id IS NULL"))
Index("ix_duty_requirement_duty_id", DutyRequirement.duty_id)
