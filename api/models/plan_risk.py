import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models.mixins import TenantOwned, Tracked


class PlanRisk(TenantOwned, Tracked, Base):
    """An entry of a plan's Communication & Engagement Risk & Issue Log; score and RAG are derived."""

    __tablename__ = "plan_risk"
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood_range"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact_range"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="risk")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    likelihood: Mapped[int] = mapped_column(Integer, nullable=False)
    impact: Mapped[int] = mapped_column(Integer, nullable=False)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("user_account.id"))
    owner_name: Mapped[str | None] = mapped_column(String(200))
    mitigation: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    review_date: Mapped[date | None] = mapped_column(Date)

    @property
    def score(self) -> int:
        """likelihood × impact: derived, never stored (api.risks.scoring has it in SQL)."""
        return self.likelihood * self.impact


Index("ix_plan_risk_plan_id", PlanRisk.plan_id)
