import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime
from api.models.mixins import TenantOwned, Tracked


class PlanAction(TenantOwned, Tracked, Base):
    """A line of a plan's tactical action plan."""

    __tablename__ = "plan_action"

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    owner_name: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The activity that evidences it (the action service checks it is the tenant's).
    activity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("activity.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)


Index("ix_plan_action_plan_id_due_date", PlanAction.plan_id, PlanAction.due_date)
