"""The power/interest grid: quadrants derived from the latest scores and the tenant's threshold.

A quadrant is never stored: it is computed here, in Python for one row and in SQL for many."""

import uuid
from enum import StrEnum

from sqlalchemy import ColumnElement, Subquery, and_, case, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Assessment, Tenant

DEFAULT_THRESHOLD = 3  # "high" means a score of at least this


class Quadrant(StrEnum):
    manage_closely = "manage_closely"  # high influence, high interest
    keep_satisfied = "keep_satisfied"  # high influence, low interest
    keep_informed = "keep_informed"  # low influence, high interest
    monitor = "monitor"  # low influence, low interest


def threshold(tenant_settings: dict | None) -> int:
    return int((tenant_settings or {}).get("grid_threshold", DEFAULT_THRESHOLD))


async def tenant_threshold(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """The tenant's grid threshold ("high" means a score of at least this)."""
    settings = (await session.execute(select(Tenant.settings).where(Tenant.id == tenant_id))).scalar_one_or_none()
    return threshold(settings)


def quadrant_of(interest: int, influence: int, high: int) -> Quadrant:
    if influence >= high:
        return Quadrant.manage_closely if interest >= high else Quadrant.keep_satisfied
    return Quadrant.keep_informed if interest >= high else Quadrant.monitor


def quadrant_case(interest: ColumnElement, influence: ColumnElement, high: int) -> ColumnElement[str]:
    """The same rule as quadrant_of, as a SQL CASE over two score columns."""
    return case(
        (and_(influence >= high, interest >= high), Quadrant.manage_closely.value),
        (influence >= high, Quadrant.keep_satisfied.value),
        (interest >= high, Quadrant.keep_informed.value),
        else_=Quadrant.monitor.value,
    )


def quadrant_condition(quadrant: Quadrant, interest: ColumnElement, influence: ColumnElement,
                       high: int) -> ColumnElement[bool]:
    """A sargable WHERE clause for one quadrant (no CASE, so indexes on the scores serve it)."""
    hi_inf, hi_int = influence >= high, interest >= high
    return {
        Quadrant.manage_closely: and_(hi_inf, hi_int),
        Quadrant.keep_satisfied: and_(hi_inf, interest < high),
        Quadrant.keep_informed: and_(influence < high, hi_int),
        Quadrant.monitor: and_(influence < high, interest < high),
    }[quadrant]


def latest_scores(tenant_id: uuid.UUID, plan_id: uuid.UUID | None = None) -> Subquery:
    """Each stakeholder's latest assessment (general when plan_id is None, else for that plan):
    columns stakeholder_id, interest, influence, attitude, assessed_at."""
    plan_match = Assessment.plan_id.is_(None) if plan_id is None else Assessment.plan_id == plan_id
    return (
        select(Assessment.stakeholder_id, Assessment.interest, Assessment.influence, Assessment.attitude,
               Assessment.assessed_at)
        .where(Assessment.tenant_id == tenant_id, Assessment.is_latest.is_(True), plan_match)
        .subquery("latest_scores")
    )
