import uuid
from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models.mixins import TenantOwned, Tracked


class Scrutiny(TenantOwned, Tracked, Base):
    """A plan's scrutiny record (one per plan): is the change a substantial development or variation
    (Health Scrutiny Regulations 2013 reg 23), why, which body (the local authority's OSC, or Llais in
    Wales), the committee's view, and the Secretary of State notification where it applies."""

    __tablename__ = "scrutiny"

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False,
                                               unique=True)
    body: Mapped[str] = mapped_column(String(20), nullable=False, default="osc")
    committee_name: Mapped[str | None] = mapped_column(String(300))
    substantial_variation: Mapped[bool | None] = mapped_column(Boolean)
    substantial_variation_reason: Mapped[str | None] = mapped_column(Text)
    committee_view: Mapped[str | None] = mapped_column(Text)
    committee_view_date: Mapped[date | None] = mapped_column(Date)
    sos_notification_required: Mapped[bool | None] = mapped_column(Boolean)
    sos_notified_date: Mapped[date | None] = mapped_column(Date)


class ScrutinyCorrespondence(TenantOwned, Tracked, Base):
    """A letter, email or meeting with the scrutiny body about a plan."""

    __tablename__ = "scrutiny_correspondence"

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    direction: Mapped[str] = mapped_column(String(20), nullable=False)
    correspondence_date: Mapped[date] = mapped_column(Date, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("document.id", ondelete="SET NULL"))


Index("ix_scrutiny_correspondence_plan_id", ScrutinyCorrespondence.plan_id, ScrutinyCorrespondence.correspondence_date)
