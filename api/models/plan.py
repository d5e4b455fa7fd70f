import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, JSONType, UTCDateTime
from api.models.mixins import ExternalId, TenantOwned, Tracked


class Plan(TenantOwned, Tracked, ExternalId, Base):
    """A Communication & Engagement Plan for one improvement project or commissioning decision.

    Objectives, key messages, channels, budget lines and evaluation measures are small ordered lists
    edited with the plan (one ETag), so they are JSON lists of objects; the audience's named
    stakeholders and organisations are rows of their own because the grid joins on them."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    programme: Mapped[str | None] = mapped_column(String(300))
    delivery_group: Mapped[str | None] = mapped_column(String(200))
    lead_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    stage: Mapped[str] = mapped_column(String(20), nullable=False, default="design")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    purpose: Mapped[str | None] = mapped_column(Text)
    situation_analysis: Mapped[str | None] = mapped_column(Text)
    approach: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    objectives: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    key_messages: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    channels: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    budget_lines: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    evaluation_measures: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    audience_categories: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A legal hold (litigation, a judicial review, a scrutiny referral) freezes the plan's evidence.
    legal_hold_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    legal_hold_reason: Mapped[str | None] = mapped_column(Text)
    legal_hold_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class PlanAudienceStakeholder(Base):
    """A stakeholder named in a plan's audience."""

    __tablename__ = "plan_audience_stakeholder"

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    stakeholder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stakeholder.id", ondelete="CASCADE"),
                                                      primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)


class PlanAudienceOrganisation(Base):
    """An organisation in a plan's audience: its stakeholders are in the audience."""

    __tablename__ = "plan_audience_organisation"

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("organisation.id", ondelete="CASCADE"),
                                                       primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)


Index("ix_plan_tenant_id_title", Plan.tenant_id, Plan.title, Plan.id)
Index("ix_plan_audience_stakeholder_stakeholder_id", PlanAudienceStakeholder.stakeholder_id)
