import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, JSONType, UTCDateTime, new_id, utcnow


class DutyAssessment(Base):
    """One version of a plan's applicability record: for each duty, whether it applies, why, and
    the level chosen. Append-only: a change is a new row with the next `number`; only the sign-off
    columns of a row are ever written after it is inserted."""

    __tablename__ = "duty_assessment"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # [{"duty_id": str, "applies": bool, "reasons": str, "level": "inform"|"engage"|"consult"|null,
    #   "duty_code": str, "duty_title": str}]: the duty's words as they were when the version was written (not in
    #   versions written before 2026-12-05)
    entries: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
