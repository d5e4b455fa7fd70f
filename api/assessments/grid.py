"""The power/interest grid of a plan's audience, or of the whole register, computed by the database in
one query however many stakeholders there are: latest scores, quadrant, and the quadrant at `since`.

A plan's grid shows each stakeholder's latest assessment for that plan; one never assessed for the
plan falls back to its latest general assessment (source "general"), so a plan starts from the map
the team already has."""

import uuid
from collections import Counter
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, Select, case, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.assessments.quadrants import Quadrant, quadrant_case, tenant_threshold
from api.assessments.schemas import Grid, GridStakeholder, Movement, QuadrantCounts
from api.auth.principal import Principal
from api.models import Assessment, Stakeholder
from api.plans import audience
from api.plans import service as plans

EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def as_of(since: date | datetime) -> datetime:
    """The moment `since` names: a datetime as given, a date at the end of that day (UTC); clamped to the
    years 1–9999 so an extreme offset cannot overflow."""
    if isinstance(since, datetime):
        try:
            return min(max(since.astimezone(UTC), EARLIEST), LATEST)
        except OverflowError:
            return EARLIEST if since.year < 5000 else LATEST
    return min(max(datetime.combine(since, time.max, UTC), EARLIEST), LATEST)


def _quadrant(interest: ColumnElement, influence: ColumnElement, high: int) -> ColumnElement:
    """The quadrant of two score columns, NULL when there are no scores."""
    return case((interest.is_(None), null()), else_=quadrant_case(interest, influence, high))


def _assessment_id(plan_id: uuid.UUID | None, moment: datetime | None) -> ColumnElement:
    """The id of the assessment that places the outer query's stakeholder: its latest for the plan, else
    its latest general one; with a moment, as they stood then. A correlated index lookup per stakeholder
    inside the one statement, so the cost stays linear whatever the planner's statistics say."""
    plan_match = (or_(Assessment.plan_id == plan_id, Assessment.plan_id.is_(None)) if plan_id
                  else Assessment.plan_id.is_(None))
    stmt = select(Assessment.id).where(Assessment.stakeholder_id == Stakeholder.id, plan_match)
    # Keyed on the stakeholder alone (it is already scoped to the tenant and fixes its assessments'), each
    # lookup fits an index led by stakeholder_id: the partial unique ones WHERE is_latest IS true for now,
    # the timeline index (stakeholder_id, plan_id, assessed_at) for then.
    if moment is None:
        stmt = stmt.where(Assessment.is_latest.is_(True))
    else:
        stmt = stmt.where(Assessment.assessed_at <= moment)
    return (stmt.order_by(case((Assessment.plan_id.is_(None), 1), else_=0), Assessment.assessed_at.desc(),
                          Assessment.id.desc())
            .limit(1).correlate(Stakeholder).scalar_subquery())


def grid_statement(plan_id: uuid.UUID | None, condition: ColumnElement[bool], high: int,
                   moment: datetime | None) -> Select:
    """One row per stakeholder meeting `condition` (which scopes it to the tenant): the scores that place
    it (plan first, then general), their source and quadrant, and with a moment, its quadrant then."""
    picks = [_assessment_id(plan_id, None).label("now_id")]
    if moment is not None:
        picks.append(_assessment_id(plan_id, moment).label("then_id"))
    members = (select(Stakeholder.id, Stakeholder.name, Stakeholder.kind, Stakeholder.categories,
                      Stakeholder.organisation_id, *picks).where(condition).subquery("members"))
    now = aliased(Assessment, name="now_scores")
    source = case((now.id.is_(None), null()), (now.plan_id.is_(None), "general"), else_="plan")
    stmt = (select(members.c.id, members.c.name, members.c.kind, members.c.categories, members.c.organisation_id,
                   now.interest, now.influence, now.attitude, now.assessed_at, source.label("source"),
                   _quadrant(now.interest, now.influence, high).label("quadrant"))
            .select_from(members).outerjoin(now, now.id == members.c.now_id))
    if moment is not None:
        then = aliased(Assessment, name="then_scores")
        stmt = stmt.outerjoin(then, then.id == members.c.then_id).add_columns(
            _quadrant(then.interest, then.influence, high).label("then_quadrant"))
    return stmt.order_by(members.c.name, members.c.id)


async def _grid(session: AsyncSession, *, tenant_id: uuid.UUID, plan_id: uuid.UUID | None,
                condition: ColumnElement[bool], since: date | datetime | None) -> Grid:
    high = await tenant_threshold(session, tenant_id)
    moment = as_of(since) if since is not None else None
    rows = (await session.execute(grid_statement(plan_id, condition, high, moment))).all()

    counts = Counter(row.quadrant or "unassessed" for row in rows)
    moved = newly = None
    if moment is not None:
        moved = [Movement(stakeholder_id=r.id, name=r.name, from_quadrant=r.then_quadrant, to_quadrant=r.quadrant)
                 for r in rows if r.then_quadrant is not None and r.then_quadrant != r.quadrant]
        newly = [r.id for r in rows if r.then_quadrant is None and r.quadrant is not None]
    return Grid(
        plan_id=plan_id, threshold=high, since=moment, moved=moved, newly_assessed=newly,
        counts=QuadrantCounts(**{q.value: counts[q.value] for q in Quadrant}, unassessed=counts["unassessed"]),
        stakeholders=[GridStakeholder(
            id=r.id, name=r.name, kind=r.kind, categories=r.categories, organisation_id=r.organisation_id,
            interest=r.interest, influence=r.influence, attitude=r.attitude, quadrant=r.quadrant, source=r.source,
            assessed_at=r.assessed_at) for r in rows],
    )


async def plan_grid(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                    since: date | datetime | None) -> Grid:
    """The grid of a plan's audience (404 for a plan outside the caller's tenant)."""
    plan = await plans.get(session=session, caller=caller, plan_id=plan_id)
    return await _grid(session, tenant_id=caller.tenant_id, plan_id=plan.id,
                       condition=audience.audience_condition(session, plan), since=since)


async def general_grid(*, session: AsyncSession, caller: Principal, since: date | datetime | None) -> Grid:
    """The general (plan-less) grid of every active stakeholder of the caller's tenant."""
    return await _grid(session, tenant_id=caller.tenant_id, plan_id=None,
                       condition=audience.everyone(caller.tenant_id), since=since)
