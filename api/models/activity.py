import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, JSONType, UTCDateTime
from api.models.mixins import ExternalId, TenantOwned, Tracked


class Activity(TenantOwned, Tracked, ExternalId, Base):
    """One thing done to inform, consult, involve or co-produce: a line of the Record of Stakeholder
    Engagement. Its invited and attended counts are never stored: they derive from the attendance log
    (and the unnamed headcount kept here)."""

    __tablename__ = "activity"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        CheckConstraint("cost_pence IS NULL OR cost_pence >= 0", name="cost_not_negative"),
        CheckConstraint("unnamed_attendees >= 0", name="unnamed_not_negative"),
    )

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(40), nullable=False)
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    audience_categories: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    plan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="SET NULL"))
    duty_limb: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(500))
    online_url: Mapped[str | None] = mapped_column(String(500))
    channel: Mapped[str | None] = mapped_column(String(40))
    led_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    led_by_name: Mapped[str | None] = mapped_column(String(200))
    cost_pence: Mapped[int | None] = mapped_column(BigInteger)
    unnamed_attendees: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    impressions: Mapped[int | None] = mapped_column(BigInteger)
    recipients: Mapped[int | None] = mapped_column(BigInteger)
    accessible_formats: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    translation_languages: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    outcome_summary: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_activity_tenant_id_starts_at", Activity.tenant_id, Activity.starts_at, Activity.id)
Index("ix_activity_tenant_id_updated_at", Activity.tenant_id, Activity.updated_at, Activity.id)
Index("ix_activity_plan_id", Activity.plan_id)
