import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, JSONType, UTCDateTime
from api.models.mixins import ExternalId, TenantOwned, Tracked


class Evidence(TenantOwned, Tracked, ExternalId, Base):
    """An item that links one duty requirement of a plan to what shows it was met: activities,
    feedback (with its responses), documents and a decision, with a summary of how they meet it.
    The links are lists of ids checked on write to belong to the same tenant (and plan); the decision may name the
    consultation it is about."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    requirement_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("duty_requirement.id", ondelete="CASCADE"),
                                                      nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    activity_ids: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    feedback_ids: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    document_ids: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    decision: Mapped[str | None] = mapped_column(Text)
    decision_date: Mapped[date | None] = mapped_column(Date)
    # The consultation the decision is about; None: the plan's, binding each of its consultations (the duty report)
    consultation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("consultation.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_evidence_plan_id", Evidence.plan_id, Evidence.requirement_id)
Index("ix_evidence_consultation_id", Evidence.consultation_id)
