import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, utcnow


class ActivityAttendance(Base):
    """One stakeholder on an activity's attendance log: invited, attended, or both (a walk-in attends
    uninvited). One row per stakeholder and activity; writes upsert it."""

    __tablename__ = "activity_attendance"

    activity_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("activity.id", ondelete="CASCADE"),
                                                   primary_key=True)
    stakeholder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stakeholder.id", ondelete="CASCADE"),
                                                      primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    invited: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    attended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    role: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


# "Who has this stakeholder met, and when": the stakeholder's activities and not_engaged_since.
Index("ix_activity_attendance_stakeholder_id", ActivityAttendance.stakeholder_id, ActivityAttendance.activity_id)
