"""The engagement report. Every figure is counted by the database (COUNT, SUM, CASE, and the median
via an ordered LIMIT/OFFSET); Python only divides two counts into a share and lays the rows out.

Scope: active (unarchived) stakeholders; unarchived activities starting in the period (UK days,
inclusive); unarchived feedback received in the period. "Engaged" = attended a done activity
starting in the period. With plan_id, the stakeholders are the plan's audience, placed as the plan's grid places
them (its latest assessment for the plan, else the latest general one), and activities, feedback and engagement
are the plan's: the report's quadrants are the grid's."""

import uuid
from datetime import date

from sqlalchemy import ColumnElement, case, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from api.activities.engagement import day_end, day_start, engaged, uk_today, year_ending
from api.activities.sql import days_between, json_elements, median
from api.assessments.grid import grid_statement
from api.assessments.quadrants import Quadrant, threshold
from api.auth.principal import Principal
from api.crud import get_owned
from api.db import utcnow
from api.errors import Unprocessable
from api.feedback import workflow
from api.models import Activity, ActivityAttendance, Feedback, Plan, Tenant
from api.plans import audience
from api.reports.schemas import (
    ActivityCount,
    EngagedShare,
    EngagementReport,
    FeedbackFigures,
    KeyCount,
    Reach,
)

UNASSESSED = "unassessed"
STATUSES = ("planned", "done", "cancelled")


def period(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or uk_today()
    start = start or year_ending(end)  # a `to` early in 1900 is fine
    if start > end:
        raise Unprocessable("from is after to", errors=[
            {"loc": ["query", "to"], "msg": "must not be before from", "type": "date_range"}])
    for day in (start, end):
        day_start(day)  # 422 for a date outside the supported years
    return start, end


def _share(engaged_count: int, total: int) -> float | None:
    return round(engaged_count / total, 4) if total else None


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet the condition (0 with none), as an aggregate."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _stakeholders(session: AsyncSession, caller: Principal, since, before, plan: Plan | None, high: int):
    plan_id = plan.id if plan is not None else None
    condition = (audience.audience_condition(session, plan) if plan is not None
                 else audience.everyone(caller.tenant_id))
    members = grid_statement(plan_id, condition, high, None).order_by(None).subquery("members")
    flag = case((engaged(members.c.id, caller.tenant_id, since=since, before=before, plan_id=plan_id), 1), else_=0)
    people = select(members.c.categories, func.coalesce(members.c.quadrant, literal(UNASSESSED)).label("quadrant"),
                    flag.label("engaged")).subquery()
    total, engaged_total = (await session.execute(
        select(func.count(), func.coalesce(func.sum(people.c.engaged), 0)))).one()
    by_quadrant = {row[0]: (row[1], row[2]) for row in await session.execute(
        select(people.c.quadrant, func.count(), func.coalesce(func.sum(people.c.engaged), 0))
        .group_by(people.c.quadrant))}
    elements = json_elements(session, people.c.categories)
    by_category = (await session.execute(
        select(elements.c.value, func.count(), func.coalesce(func.sum(people.c.engaged), 0))
        .select_from(people).join(elements, true()).group_by(elements.c.value).order_by(elements.c.value))).all()
    quadrants = [EngagedShare(key=k, stakeholders=by_quadrant.get(k, (0, 0))[0], engaged=by_quadrant.get(k, (0, 0))[1],
                              share=_share(by_quadrant.get(k, (0, 0))[1], by_quadrant.get(k, (0, 0))[0]))
                 for k in [*(q.value for q in Quadrant), UNASSESSED]]
    categories = [EngagedShare(key=k, stakeholders=n, engaged=e, share=_share(e, n)) for k, n, e in by_category]
    return EngagedShare(key="all", stakeholders=total, engaged=engaged_total,
                        share=_share(engaged_total, total)), quadrants, categories


FIGURES = (func.count(), *(count_where(Activity.status == s) for s in STATUSES))


async def activities_by(session: AsyncSession, scope: list, column) -> list[ActivityCount]:
    """The activities in scope counted per value of the column (total, planned, done, cancelled)."""
    rows = await session.execute(select(column, *FIGURES).where(*scope).group_by(column).order_by(column))
    return [ActivityCount(key=r[0], total=r[1], planned=r[2], done=r[3], cancelled=r[4]) for r in rows]


async def _activities(session: AsyncSession, scope: list) -> tuple[ActivityCount, dict[str, list[ActivityCount]]]:
    total = (await session.execute(select(*FIGURES).where(*scope))).one()
    grouped = {name: await activities_by(session, scope, column)
               for name, column in (("by_method", Activity.method), ("by_level", Activity.level),
                                    ("by_duty_limb", Activity.duty_limb))}
    return ActivityCount(key="all", total=total[0], planned=total[1], done=total[2], cancelled=total[3]), grouped


async def reach(session: AsyncSession, scope: list) -> Reach:
    done = [*scope, Activity.status == "done"]
    n, unnamed, impressions, recipients, cost = (await session.execute(select(
        func.count(), *(func.coalesce(func.sum(c), 0) for c in (Activity.unnamed_attendees, Activity.impressions,
                                                                 Activity.recipients, Activity.cost_pence)))
        .where(*done))).one()
    invited, attended = (await session.execute(
        select(count_where(ActivityAttendance.invited.is_(True)), count_where(ActivityAttendance.attended.is_(True)))
        .join(Activity, Activity.id == ActivityAttendance.activity_id).where(*done))).one()
    return Reach(activities_done=n, invited=invited, attended_named=attended, unnamed_attendees=unnamed,
                 attended=attended + unnamed, impressions=impressions, recipients=recipients, cost_pence=cost)


async def _feedback(session: AsyncSession, scope: list) -> FeedbackFigures:
    overdue = Feedback.status.in_(workflow.OPEN) & (Feedback.response_due_at <= utcnow())
    received, responded, closed, late = (await session.execute(select(
        func.count(), func.count(Feedback.responded_at), count_where(Feedback.status == "closed"), count_where(overdue))
        .where(*scope))).one()
    days = await median(session, select(days_between(session, Feedback.received_at, Feedback.responded_at))
                        .where(*scope, Feedback.responded_at.is_not(None)))
    by_status = [KeyCount(key=k, count=c) for k, c in await session.execute(
        select(Feedback.status, func.count()).where(*scope).group_by(Feedback.status).order_by(Feedback.status))]
    by_type = [KeyCount(key=k, count=c) for k, c in await session.execute(
        select(Feedback.type, func.count()).where(*scope).group_by(Feedback.type).order_by(Feedback.type))]
    return FeedbackFigures(received=received, responded=responded, closed=closed, overdue=late,
                           median_days_to_respond=round(days, 1) if days is not None else None,
                           by_status=by_status, by_type=by_type)


async def engagement(*, session: AsyncSession, caller: Principal, start: date | None, end: date | None,
                     plan_id: uuid.UUID | None) -> EngagementReport:
    """The engagement report for the caller's tenant (404 for another tenant's plan)."""
    start, end = period(start, end)
    since, before = day_start(start), day_end(end)
    plan = await get_owned(session, Plan, tenant_id=caller.tenant_id, id=plan_id, label="plan") if plan_id else None
    settings = (await session.execute(select(Tenant.settings).where(Tenant.id == caller.tenant_id))).scalar_one()
    everyone, quadrants, categories = await _stakeholders(session, caller, since, before, plan, threshold(settings))
    activity_scope = [Activity.tenant_id == caller.tenant_id, Activity.archived_at.is_(None),
                      Activity.starts_at >= since, Activity.starts_at < before]
    feedback_scope = [Feedback.tenant_id == caller.tenant_id, Feedback.archived_at.is_(None),
                      Feedback.received_at >= since, Feedback.received_at < before]
    if plan_id is not None:
        activity_scope.append(Activity.plan_id == plan_id)
        feedback_scope.append(Feedback.plan_id == plan_id)
    activities, grouped = await _activities(session, activity_scope)
    return EngagementReport(
        period_from=start, period_to=end, plan_id=plan_id, generated_at=utcnow(), stakeholders=everyone,
        quadrants=quadrants, categories=categories, activities=activities, **grouped,
        reach=await reach(session, activity_scope), feedback=await _feedback(session, feedback_scope))
