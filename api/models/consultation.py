import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime
from api.models.mixins import ExternalId, TenantOwned, Tracked


class Consultation(TenantOwned, Tracked, ExternalId, Base):
    """A formal consultation window of a plan (the Gunning principles apply to it)."""

    __tablename__ = "consultation"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        CheckConstraint("minimum_days IS NULL OR minimum_days > 0", name="minimum_days_positive"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    opened_date: Mapped[date | None] = mapped_column(Date)
    closed_date: Mapped[date | None] = mapped_column(Date)
    minimum_days: Mapped[int | None] = mapped_column(Integer)
    shorter_reason: Mapped[str | None] = mapped_column(Text)
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_maker: Mapped[str | None] = mapped_column(String(300))
    decision_summary: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def days_open(self) -> int | None:
        """How many days the window ran, both ends counted, as they are for the feedback it received (the duty
        report's Gunning rules): open Monday 5 January to Sunday 29 March is 84 days, 12 weeks. None until both
        dates are set."""
        if self.opened_date is None or self.closed_date is None:
            return None
        return (self.closed_date - self.opened_date).days + 1


Index("ix_consultation_plan_id", Consultation.plan_id)
