import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, new_id, utcnow


class Assessment(Base):
    """One interest/influence scoring of a stakeholder, in general (plan_id null) or for one plan.

    Append-only history. `is_latest` marks the newest per (stakeholder, plan): it is set in the
    same transaction as the insert, under a lock on the stakeholder, so filters and the grid can
    read the current scores with an indexed join instead of a window over the whole history."""

    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint("interest BETWEEN 1 AND 5", name="interest_range"),
        CheckConstraint("influence BETWEEN 1 AND 5", name="influence_range"),
        CheckConstraint("attitude IS NULL OR attitude BETWEEN -2 AND 2", name="attitude_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    stakeholder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("stakeholder.id", ondelete="CASCADE"),
                                                      nullable=False)
    plan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"))
    interest: Mapped[int] = mapped_column(Integer, nullable=False)
    influence: Mapped[int] = mapped_column(Integer, nullable=False)
    attitude: Mapped[int | None] = mapped_column(Integer)
    rationale: Mapped[str | None] = mapped_column(Text)
    assessed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    is_latest: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


Index("ix_assessment_stakeholder_history", Assessment.tenant_id, Assessment.stakeholder_id, Assessment.plan_id,
      Assessment.assessed_at)
Index("ix_assessment_latest_scores", Assessment.tenant_id, Assessment.plan_id, Assessment.is_latest,
      Assessment.influence, Assessment.interest)
# At most one latest assessment per stakeholder and plan, and one general one: the row lock in the
# service keeps writers in line; these make a slip impossible (a plan_id NULL never clashes in the first).
# Their predicates are written as SQLAlchemy renders `is_latest.is_(True)`, so lookups by stakeholder that
# say so (the grid's) can use them on both databases.
_LATEST = {"sqlite_where": text("is_latest IS 1"), "postgresql_where": text("is_latest IS true")}
_LATEST_GENERAL = {"sqlite_where": text("is_latest IS 1 AND plan_id IS NULL"),
                  "postgresql_where": text("is_latest IS true AND plan_id IS NULL")}
Index("uq_assessment_latest_for_plan", Assessment.stakeholder_id, Assessment.plan_id, unique=True, **_LATEST)
Index("uq_assessment_latest_general", Assessment.stakeholder_id, unique=True, **_LATEST_GENERAL)
# The grid's "as it stood at `since`" lookup: one stakeholder's assessments (for a plan or general) in time order.
Index("ix_assessment_stakeholder_timeline", Assessment.stakeholder_id, Assessment.plan_id, Assessment.assessed_at)
