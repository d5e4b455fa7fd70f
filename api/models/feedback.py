import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, JSONType, UTCDateTime
from api.models.mixins import ExternalId, TenantOwned, Tracked


class Feedback(TenantOwned, Tracked, ExternalId, Base):
    """What a stakeholder (or someone anonymous) said, its themes, the response ("we did") and
    when and how they were told. `response_due_at` is worked out when the row is written (the
    tenant's target in working days) so that "overdue" is a plain indexed comparison."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    channel: Mapped[str] = mapped_column(String(30), nullable=False)
    type: Mapped[str] = mapped_column(String(30), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    stakeholder_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("stakeholder.id", ondelete="SET NULL"))
    activity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("activity.id", ondelete="SET NULL"))
    plan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="SET NULL"))
    themes: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="received")
    publishable_summary: Mapped[str | None] = mapped_column(Text)
    publishable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    considered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_text: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(30))
    action_taken: Mapped[str | None] = mapped_column(Text)
    reason_no_change: Mapped[str | None] = mapped_column(Text)
    responded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    told_how: Mapped[str | None] = mapped_column(String(20))
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_feedback_tenant_id_received_at", Feedback.tenant_id, Feedback.received_at, Feedback.id)
Index("ix_feedback_tenant_id_updated_at", Feedback.tenant_id, Feedback.updated_at, Feedback.id)
Index("ix_feedback_tenant_id_response_due_at", Feedback.tenant_id, Feedback.status, Feedback.response_due_at)
Index("ix_feedback_plan_id", Feedback.plan_id)
Index("ix_feedback_activity_id", Feedback.activity_id)
Index("ix_feedback_stakeholder_id", Feedback.stakeholder_id)
