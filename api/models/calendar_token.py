import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, new_id, utcnow


class CalendarToken(Base):
    """A long-lived, read-only secret for one tenant's calendar feed (optionally one plan's), passed
    as ?token= because calendar clients cannot send headers. Only its SHA-256 is stored."""

    __tablename__ = "calendar_token"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    label: Mapped[str] = mapped_column(String(300), nullable=False)
    # CASCADE, not SET NULL: a token scoped to a plan must never widen to the whole tenant.
    plan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    token_hint: Mapped[str] = mapped_column(String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


Index("ix_calendar_token_tenant_id_id", CalendarToken.tenant_id, CalendarToken.id)
