"""The annual extract of how the duty to involve was discharged (for an ICB's annual report): across the
tenant's plans in a UK calendar year, activities per limb, their reach, feedback received, responded to and
closed, and the plans whose duty report has red items.

Scope: unarchived activities of a plan starting in the year; unarchived feedback about a plan received in the
year; plans (unarchived) with either of those, or whose start-end dates overlap the year. The plans' duty
reports are worked out as GET /plans/{id}/duty-report does, all together (a fixed number of queries)."""

import uuid
from datetime import date, datetime

from pydantic import Field
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.activities.engagement import day_end, day_start
from api.auth.principal import Principal
from api.db import utcnow
from api.duty_report import service as duty_report
from api.models import Activity, Feedback, Plan
from api.reports import csv_export
from api.reports import service as engagement
from api.reports.schemas import ActivityCount
from api.schemas import ReadModel

LIMBS = ("planning", "proposals", "decision")
NO_LIMB = "none"


class LimbCount(ReadModel):
    limb: str = Field(description="planning, proposals, decision, or none (serves no limb)")
    total: int = Field(description="Activities of a plan starting in the year")
    planned: int = Field(description="Of those, planned")
    done: int = Field(description="Of those, done")
    cancelled: int = Field(description="Of those, cancelled")


class DutyReach(ReadModel):
    activities_done: int = Field(description="Done activities the reach covers")
    invited: int = Field(description="Attendance-log lines marked invited")
    attended: int = Field(description="Attendance-log lines marked attended (named attendees)")
    unnamed: int = Field(description="Headcount of attendees not named on the log")
    recipients: int = Field(description="People mailed activities were sent to")
    impressions: int = Field(description="Views or impressions of broadcast activities")


class DutyFeedback(ReadModel):
    received: int = Field(description="Feedback about a plan received in the year")
    responded: int = Field(description="Of those, with a response")
    closed: int = Field(description="Of those, with the loop closed (the person was told)")


class PlanRed(ReadModel):
    plan_id: uuid.UUID = Field(description="The plan")
    title: str = Field(description="Its title")
    red_items: int = Field(description="Red items in its duty report today")


class DutyDischargeReport(ReadModel):
    year: int = Field(description="The UK calendar year reported")
    generated_at: datetime = Field(description="When the figures were counted")
    plans: int = Field(description="Plans active in the year: activity or feedback in it (a plan archived since "
                                   "included, as its activities are), or, unarchived, dates overlapping it")
    activities_by_limb: list[LimbCount] = Field(description="Activities per limb of the duty (and 'none')")
    reach: DutyReach = Field(description="Reach of the done activities")
    feedback: DutyFeedback = Field(description="Feedback received, responded to and closed")
    plans_with_red_items: list[PlanRed] = Field(description="Unarchived plans whose duty report has red items, most "
                                                            "first")


async def discharge(*, session: AsyncSession, caller: Principal, year: int) -> DutyDischargeReport:
    """How the duty was discharged across the caller's plans in the year."""
    since, before = day_start(date(year, 1, 1)), day_end(date(year, 12, 31))
    activity_scope = [Activity.tenant_id == caller.tenant_id, Activity.archived_at.is_(None),
                      Activity.plan_id.is_not(None), Activity.starts_at >= since, Activity.starts_at < before]
    feedback_scope = [Feedback.tenant_id == caller.tenant_id, Feedback.archived_at.is_(None),
                      Feedback.plan_id.is_not(None), Feedback.received_at >= since, Feedback.received_at < before]
    counted = {c.key or NO_LIMB: c for c in await engagement.activities_by(session, activity_scope,
                                                                           Activity.duty_limb)}
    none = ActivityCount(key=None, total=0, planned=0, done=0, cancelled=0)
    by_limb = [LimbCount(limb=k, **counted.get(k, none).model_dump(exclude={"key"})) for k in (*LIMBS, NO_LIMB)]
    done = await engagement.reach(session, activity_scope)
    received, responded, closed = (await session.execute(
        select(func.count(), func.count(Feedback.responded_at), engagement.count_where(Feedback.status == "closed"))
        .where(*feedback_scope))).one()
    first, last = date(year, 1, 1), date(year, 12, 31)
    # A plan whose activities or feedback the figures count is one of the year's, archived since or not (the work was
    # done); by its dates alone, only while unarchived; dates with one end open overlap as far as they go.
    dated = and_(or_(Plan.start_date.is_not(None), Plan.end_date.is_not(None)),
                 or_(Plan.start_date.is_(None), Plan.start_date <= last),
                 or_(Plan.end_date.is_(None), Plan.end_date >= first))
    plans = list((await session.execute(
        select(Plan).where(
            Plan.tenant_id == caller.tenant_id,
            or_(Plan.id.in_(select(Activity.plan_id).where(*activity_scope)),
                Plan.id.in_(select(Feedback.plan_id).where(*feedback_scope)),
                and_(Plan.archived_at.is_(None), dated)))
        .order_by(Plan.title, Plan.id))).scalars())
    live = [plan for plan in plans if plan.archived_at is None]  # what is still to act on
    red = [PlanRed(plan_id=report.plan_id, title=report.plan_title, red_items=report.counts.red)
           for report in await duty_report.build_many(session, live) if report.counts.red]
    red.sort(key=lambda p: (-p.red_items, p.title))
    return DutyDischargeReport(
        year=year, generated_at=utcnow(), plans=len(plans), activities_by_limb=by_limb,
        reach=DutyReach(activities_done=done.activities_done, invited=done.invited, attended=done.attended_named,
                        unnamed=done.unnamed_attendees, recipients=done.recipients, impressions=done.impressions),
        feedback=DutyFeedback(received=received, responded=responded, closed=closed), plans_with_red_items=red)


def render_csv(report: DutyDischargeReport) -> str:
    """One figure per row: section, key, metric, value (cells that a spreadsheet would run are neutralised)."""
    rows: list[tuple] = [("year", "", "year", report.year), ("plans", "", "count", report.plans)]
    for count in report.activities_by_limb:
        rows += [("activities", count.limb, metric, getattr(count, metric))
                 for metric in ("total", "planned", "done", "cancelled")]
    rows += [("reach", "", metric, value) for metric, value in report.reach.model_dump().items()]
    rows += [("feedback", "", metric, value) for metric, value in report.feedback.model_dump().items()]
    rows += [("plan_red_items", plan.title, str(plan.plan_id), plan.red_items) for plan in report.plans_with_red_items]
    return csv_export.table(rows)
