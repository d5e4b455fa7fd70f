"""Activities: every query scoped to the caller's tenant; services flush, routers commit.

DELETE archives: an activity is evidence (attendance, feedback and plan actions point at it), so it
leaves the lists, reports and calendar but stays on record and can be restored. An activity that did
not take place is PATCHed to status `cancelled` instead, which the calendar shows as cancelled."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, legal_hold
from api.activities.engagement import day_end, day_start, uk_day, uk_today
from api.activities.schemas import ActivityCreate, ActivityRead, ActivityUpdate
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import (
    apply,
    archive_or_restore,
    ensure_external_id_free,
    ensure_not_archived,
    get_owned,
    json_array_contains,
    text_search,
)
from api.errors import Conflict, Unprocessable
from api.models import Activity, ActivityAttendance, Plan, User
from api.pagination import PageParams, PageResult, paginate
from api.stakeholders import service as stakeholders

COLLECTION_PATH = "/api/v1/activities"
SORTABLE = {"id": Activity.id, "title": Activity.title, "starts_at": Activity.starts_at,
            "created_at": Activity.created_at, "updated_at": Activity.updated_at}
# What the audit trail marks as changed without keeping the words: the leader's name, and what staff write about
# the people an activity involves ("Home visit to Ann Lee", "call 07700 900123"), which an erasure scrubs from the
# activity and the trail, which outlives it, must not keep either.
PERSONAL_FIELDS = frozenset({"title", "led_by_name", "description", "location", "outcome_summary"})
# What the duty report and the evidence pack read of an activity (api/duty_report/rules.py, evidence_pack/layout.py):
# kept while its plan is on legal hold (api.legal_hold.ensure_kept). Its outcome and other progress still change.
HELD_FIELDS = ("method", "level", "audience_categories", "duty_limb", "starts_at", "ends_at")
CANCELLED_ATTENDANCE = "Nobody can have attended a cancelled activity"


def location(activity_id: uuid.UUID) -> str:
    return f"{COLLECTION_PATH}/{activity_id}"


@dataclass(frozen=True)
class ActivityFilters:
    plan_id: uuid.UUID | None = None
    method: str | None = None
    level: str | None = None
    duty_limb: str | None = None
    status: str | None = None
    starts_from: date | None = None
    starts_to: date | None = None
    led_by: uuid.UUID | None = None
    stakeholder_id: uuid.UUID | None = None
    audience_category: str | None = None
    external_id: str | None = None
    q: str | None = None
    archived: bool = False


async def list_activities(*, session: AsyncSession, caller: Principal, filters: ActivityFilters,
                          page: PageParams) -> PageResult:
    """A page of the tenant's activities matching the filters."""
    stmt = filtered_query(session=session, caller=caller, filters=filters)
    # What a restricted person attended is read of them: an admin's such read is audited (the route commits it).
    await stakeholders.restricted_among(session, caller, [filters.stakeholder_id])
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="-starts_at")


def filtered_query(*, session: AsyncSession, caller: Principal, filters: ActivityFilters) -> Select:
    """The tenant's activities matching the filters, as a statement (exports stream it)."""
    if filters.starts_from and filters.starts_to and filters.starts_from > filters.starts_to:
        raise Unprocessable("starts_from is after starts_to", errors=[
            {"loc": ["query", "starts_to"], "msg": "must not be before starts_from", "type": "date_range"}])
    stmt = select(Activity).where(Activity.tenant_id == caller.tenant_id)
    stmt = stmt.where(Activity.archived_at.is_not(None) if filters.archived else Activity.archived_at.is_(None))
    for column, value in ((Activity.plan_id, filters.plan_id), (Activity.method, filters.method),
                          (Activity.level, filters.level), (Activity.duty_limb, filters.duty_limb),
                          (Activity.status, filters.status), (Activity.led_by, filters.led_by),
                          (Activity.external_id, filters.external_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.starts_from:
        stmt = stmt.where(Activity.starts_at >= day_start(filters.starts_from))
    if filters.starts_to:
        stmt = stmt.where(Activity.starts_at < day_end(filters.starts_to))
    if filters.stakeholder_id:
        attended = select(ActivityAttendance.activity_id).where(
            ActivityAttendance.tenant_id == caller.tenant_id, ActivityAttendance.attended.is_(True),
            stakeholders.of_person(caller, ActivityAttendance.stakeholder_id, filters.stakeholder_id))
        stmt = stmt.where(Activity.id.in_(attended))
    if filters.audience_category:
        stmt = stmt.where(json_array_contains(session, Activity.audience_categories, filters.audience_category))
    if filters.q:
        stmt = stmt.where(text_search(filters.q, Activity.title, Activity.location, Activity.led_by_name))
    return stmt


async def counts(session: AsyncSession, activity_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
    """(invited, named attended) per activity, counted from the attendance log."""
    if not activity_ids:
        return {}
    rows = await session.execute(
        select(ActivityAttendance.activity_id,
               func.sum(case((ActivityAttendance.invited.is_(True), 1), else_=0)),
               func.sum(case((ActivityAttendance.attended.is_(True), 1), else_=0)))
        .where(ActivityAttendance.activity_id.in_(activity_ids))
        .group_by(ActivityAttendance.activity_id))
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in rows}


def to_read(row: Activity, tally: tuple[int, int] | None) -> ActivityRead:
    """The activity with its counts derived from the attendance log."""
    invited, attended = tally or (0, 0)
    values = {name: getattr(row, name) for name in ActivityRead.model_fields
              if name not in ("invited_count", "attended_count")}
    return ActivityRead.model_validate({**values, "invited_count": invited,
                                        "attended_count": attended + row.unnamed_attendees})


async def read(session: AsyncSession, row: Activity) -> ActivityRead:
    return to_read(row, (await counts(session, [row.id])).get(row.id))


async def get(*, session: AsyncSession, caller: Principal, activity_id: uuid.UUID) -> Activity:
    """One activity of the caller's tenant (404 otherwise)."""
    return await get_owned(session, Activity, tenant_id=caller.tenant_id, id=activity_id, label="activity")


STATE_FIELDS = ("status", "starts_at", "ends_at", "translation_languages", "accessible_formats")


def state_problems(state: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What makes an activity's merged state (STATE_FIELDS, stored and changed) not hold together, as (field, type,
    message): the API and imports check the same."""
    problems = []
    if state["ends_at"] is not None and state["ends_at"] < state["starts_at"]:
        problems.append(("ends_at", "date_order", "ends_at is before starts_at"))
    if state["status"] == "done" and uk_day(state["starts_at"]) > uk_today():
        problems.append(("starts_at", "done_before_start",
                         "an activity with status done must have started on or before today (UK date)"))
    if state["translation_languages"] and "translation" not in (state["accessible_formats"] or ()):
        problems.append(("translation_languages", "needs_translation",
                         "translation languages need 'translation' among accessible_formats"))
    return problems


async def _check(session: AsyncSession, caller: Principal, changes: dict[str, Any], state: dict[str, Any],
                 stored_plan: uuid.UUID | None = None) -> None:
    """References must be the caller's tenant's; the merged state must hold together (422 otherwise); a plan other
    than the one it has (`stored_plan`) must not be archived (409)."""
    errors = []
    for field, model, label in (("plan_id", Plan, "plan"), ("led_by", User, "user")):
        ref = changes.get(field)
        if ref is not None and (await session.execute(
                select(model.id).where(model.id == ref, model.tenant_id == caller.tenant_id))).first() is None:
            errors.append({"loc": ["body", field], "msg": f"No {label} with this id in your tenant",
                           "type": "reference_not_found"})
    errors += [{"loc": ["body", field], "msg": message, "type": kind} for field, kind, message in state_problems(state)]
    if errors:
        raise Unprocessable("The activity is not valid", errors=errors)
    await ensure_not_archived(session, Plan, tenant_id=caller.tenant_id, ids=changes.get("plan_id"), label="plan",
                              kept=[stored_plan])


def ensure_headcount_allowed(status: str, stored: int, sent: int | None) -> None:
    """409 for a headcount raised on a cancelled activity (as for a line newly attended); one counted before the
    cancelling stays."""
    if status == "cancelled" and sent is not None and sent > stored:
        raise Conflict(CANCELLED_ATTENDANCE)


def held_change(stored: dict[str, Any], changes: dict[str, Any]) -> tuple[str, str] | None:
    """What `changes` would alter of what a held plan's duty report reads of its activity (`stored`: its status and
    HELD_FIELDS): (the field, the change as the 409 words it), or None. Its HELD_FIELDS stay, and its status moves
    only from planned to done (not cancelled, nor its being done undone). The API's PATCH and the import both ask."""
    was = stored["status"]
    status = changes.get("status", was)
    if status != was and (was, status) != ("planned", "done"):
        return "status", f"have this activity's status go from {was} to {status}"
    return legal_hold.kept_change({name: stored[name] for name in HELD_FIELDS}, changes, label="activity")


def headcount_falls(stored: int, changes: dict[str, Any]) -> bool:
    """The headcount given is below the stored one: a write of the attendance log a held plan's record refuses."""
    return changes.get("unnamed_attendees") is not None and changes["unnamed_attendees"] < stored


async def _ensure_kept(session: AsyncSession, caller: Principal, row: Activity, changes: dict[str, Any]) -> None:
    """409 while the activity's plan is on legal hold for a held_change; and, as the attendance log's own write, no
    lower headcount while a held plan's record holds the log (its own or its evidence's, wherever the activity sits:
    legal_hold.ensure_log_not_held)."""
    if headcount_falls(row.unnamed_attendees, changes):
        await legal_hold.ensure_log_not_held(session, caller.tenant_id, row)
    if row.plan_id is not None and (refused := held_change(
            {name: getattr(row, name) for name in ("status", *HELD_FIELDS)}, changes)) is not None:
        await legal_hold.ensure_not_held(session, caller.tenant_id, row.plan_id, change=refused[1])


async def create(*, session: AsyncSession, caller: Principal, data: ActivityCreate) -> Activity:
    """Record an activity and audit it."""
    values = data.model_dump()
    await _check(session, caller, values, values)
    ensure_headcount_allowed(values["status"], 0, values["unnamed_attendees"])
    await ensure_external_id_free(session, Activity, tenant_id=caller.tenant_id, external_id=data.external_id)
    row = Activity(tenant_id=caller.tenant_id, created_by=caller.id, updated_by=caller.id, **values)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type="activity", resource_id=row.id,
                       changes=audit.diff(None, values, personal=PERSONAL_FIELDS))
    return row


async def update(*, session: AsyncSession, caller: Principal, activity_id: uuid.UUID, data: ActivityUpdate,
                 if_match: str | None) -> Activity:
    """Change the fields given; 412 when If-Match is stale."""
    row = await get(session=session, caller=caller, activity_id=activity_id)
    check_if_match(if_match, row.version)
    changes = data.model_dump(exclude_unset=True)
    state = {name: changes.get(name, getattr(row, name)) for name in STATE_FIELDS}
    await _check(session, caller, changes, state, stored_plan=row.plan_id)
    ensure_headcount_allowed(state["status"], row.unnamed_attendees, changes.get("unnamed_attendees"))
    await _ensure_kept(session, caller, row, changes)
    await legal_hold.ensure_not_leaving(session, caller.tenant_id, "activity", row.id, {"plan_id": row.plan_id},
                                        changes)
    if "external_id" in changes:
        await ensure_external_id_free(session, Activity, tenant_id=caller.tenant_id,
                                      external_id=changes["external_id"], exclude_id=row.id)
    before, after = apply(row, changes)
    if after:
        row.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type="activity", resource_id=row.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return row


async def set_archived(*, session: AsyncSession, caller: Principal, activity_id: uuid.UUID, archived: bool,
                       if_match: str | None = None) -> Activity:
    """Archive (soft delete) or restore an activity."""
    row = await get(session=session, caller=caller, activity_id=activity_id)
    return await archive_or_restore(session, caller, row, archived=archived, if_match=if_match,
                                    resource_type="activity")