import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, new_id, utcnow


class HeldErasure(Base):
    """What an erasure left in the rows of a plan on legal hold (UK GDPR Art. 17(3)(e): kept for legal claims), to
    take out when the hold is lifted (api.stakeholders.erasure.finish_held_erasures), which deletes the row.

    Its contacts (and name) are the erased person's personal data, kept for that alone: never logged, audited, shown
    by any read or export, and gone with the row once the hold is lifted. The name only when a row of the plan is
    about the person and would have lost it (an action their activity evidences); other rows lose contacts only."""

    __tablename__ = "held_erasure"
    __table_args__ = (UniqueConstraint("plan_id", "stakeholder_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    stakeholder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stakeholder.id", ondelete="CASCADE"),
                                                      nullable=False)
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
