"""Stakeholder list filters on the latest assessment (quadrant, plan, score ranges), applied by the database."""

import uuid
from dataclasses import dataclass, fields

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from api.assessments.quadrants import Quadrant, latest_scores, quadrant_condition, tenant_threshold
from api.models import Stakeholder


@dataclass(frozen=True)
class ScoreFilters:
    quadrant: Quadrant | None = None
    plan_id: uuid.UUID | None = None
    min_interest: int | None = None
    max_interest: int | None = None
    min_influence: int | None = None
    max_influence: int | None = None

    def given(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


async def apply_score_filters(session: AsyncSession, stmt: Select, *, tenant_id: uuid.UUID,
                              filters: ScoreFilters) -> Select:
    """Join the latest scores (for filters.plan_id, else the general ones) only when a score filter is
    given: a stakeholder never assessed (for that plan) then drops out."""
    if not filters.given():
        return stmt
    scores = latest_scores(tenant_id, filters.plan_id)
    stmt = stmt.join(scores, scores.c.stakeholder_id == Stakeholder.id)
    if filters.min_interest is not None:
        stmt = stmt.where(scores.c.interest >= filters.min_interest)
    if filters.max_interest is not None:
        stmt = stmt.where(scores.c.interest <= filters.max_interest)
    if filters.min_influence is not None:
        stmt = stmt.where(scores.c.influence >= filters.min_influence)
    if filters.max_influence is not None:
        stmt = stmt.where(scores.c.influence <= filters.max_influence)
    if filters.quadrant is not None:
        high = await tenant_threshold(session, tenant_id)
        stmt = stmt.where(quadrant_condition(filters.quadrant, scores.c.interest, scores.c.influence, high))
    return stmt
