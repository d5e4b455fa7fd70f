"""The attendance log of an activity, and the activities of a stakeholder.

Changing the log changes the activity (its counts are part of it), so the activity's version moves
and If-Match on these writes is checked against the activity's ETag."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.activities import service
from api.activities.schemas import (
    AttendanceLog,
    AttendanceRecord,
    AttendanceRow,
    StakeholderActivity,
)
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import archived_target
from api.db import utcnow
from api.errors import Conflict, NotFound, Unprocessable
from api.legal_hold import ensure_log_not_held
from api.models import Activity, ActivityAttendance, Stakeholder
from api.pagination import PageParams, PageResult, paginate
from api.schemas import MASK
from api.stakeholders import service as stakeholders

LINE_FIELDS = ("invited", "attended", "role")
MARKS = ("invited", "attended")
# An erasure cleared the role written about the person (UK GDPR Art. 17); their line must not take a new one.
ERASED_LINE_KEPT = "This stakeholder's personal data was erased; their line of the log can no longer be changed"


def _audited(line: dict | None) -> dict | None:
    """A line as the audit trail records it: the role is free text about a named person, and the trail outlives
    an erasure, so it is recorded as set or not, never its value (as feedback's texts are)."""
    if line is None or line["role"] is None:
        return line
    return {**line, "role": audit.REDACTED}


def shown(name: str, role: str | None, visible: bool) -> dict[str, Any]:
    """A line's name and role, or their masks, and which: the role is written about the person ("Bob's carer"), as
    erasure treats it. The mask sent back as a role keeps the stored one (record), so a log read and PUT back changes
    nothing."""
    if visible:
        return {"stakeholder_name": name, "role": role, "stakeholder_withheld": False}
    return {"stakeholder_name": MASK, "role": MASK if role is not None else None, "stakeholder_withheld": True}


async def log(*, session: AsyncSession, caller: Principal, activity: Activity) -> AttendanceLog:
    """Every line of the activity's log with the stakeholder's name, and the derived counts. A restricted
    person's line stays (the counts and a replacing PUT must see it) but only an admin sees their name and role, and
    that read of them is audited (the route commits it)."""
    rows = (await session.execute(
        select(ActivityAttendance, Stakeholder.name, Stakeholder.restricted_at)
        .join(Stakeholder, Stakeholder.id == ActivityAttendance.stakeholder_id)
        .where(ActivityAttendance.activity_id == activity.id)
        .order_by(Stakeholder.name, Stakeholder.id))).all()
    items = [AttendanceRow(stakeholder_id=line.stakeholder_id, **shown(name, line.role,
                                                               stakeholders.visible(restricted_at, caller)),
                           invited=line.invited, attended=line.attended,
                           recorded_at=line.recorded_at, recorded_by=line.recorded_by)
             for line, name, restricted_at in rows]
    for line, _, restricted_at in rows:
        if restricted_at is not None and stakeholders.visible(restricted_at, caller):
            await stakeholders.audit_restricted_read(session, caller, line.stakeholder_id)
    named = sum(1 for item in items if item.attended)
    return AttendanceLog(activity_id=activity.id, items=items, invited_count=sum(1 for i in items if i.invited),
                         attended_count=named + activity.unnamed_attendees,
                         unnamed_attendees=activity.unnamed_attendees, version=activity.version)


async def _known_stakeholders(session: AsyncSession, caller: Principal,
                              ids: list[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    """The tenant's stakeholders among `ids`, each with why no new line may name them (a NO_NEW_LINK), if so."""
    # Held (FOR SHARE) until commit, as feedback holds its person: a line cannot slip onto a person being erased or
    # restricted, nor keep its role through the erasure. Ordered, so two logs naming the same people cannot deadlock.
    found = await session.execute(select(Stakeholder.id, Stakeholder.erased_at, Stakeholder.restricted_at).where(
        Stakeholder.tenant_id == caller.tenant_id, Stakeholder.id.in_(ids)).order_by(Stakeholder.id)
        .with_for_update(read=True))
    return {row.id: stakeholders.barred(row.erased_at, row.restricted_at) for row in found}


async def record(*, session: AsyncSession, caller: Principal, activity_id: uuid.UUID, data: AttendanceRecord,
                 if_match: str | None, replace: bool = False) -> Activity:
    """Upsert lines by stakeholder and set the unnamed headcount; with `replace`, the entries become the
    whole log (lines not named are removed, and a field left out of an entry is false). 422 names each
    bad line; nothing is written then."""
    activity = await service.get(session=session, caller=caller, activity_id=activity_id)
    check_if_match(if_match, activity.version)
    ids = [entry.stakeholder_id for entry in data.entries]
    known = await _known_stakeholders(session, caller, ids) if ids else {}
    lines = select(ActivityAttendance).where(ActivityAttendance.activity_id == activity.id)
    if not replace:
        lines = lines.where(ActivityAttendance.stakeholder_id.in_(ids))
    existing = {line.stakeholder_id: line for line in (await session.execute(lines)).scalars()}
    if activity.archived_at is not None and any(i not in existing for i in ids):
        # Nothing new is linked to an archived record (crud.ensure_not_archived); the lines it has may be corrected.
        raise Conflict(archived_target("activity"))
    targets, errors = {}, []
    for i, entry in enumerate(data.entries):
        loc = ["body", "entries", i, "stakeholder_id"]
        if entry.stakeholder_id in targets:
            errors.append({"loc": loc, "msg": "This stakeholder is named twice", "type": "duplicate"})
        elif entry.stakeholder_id not in known or (entry.stakeholder_id not in existing
                                                   and stakeholders.unseen(known[entry.stakeholder_id], caller)):
            errors.append({"loc": loc, "msg": "No stakeholder with this id in your tenant",
                           "type": "reference_not_found"})
        elif known[entry.stakeholder_id] and entry.stakeholder_id not in existing:
            why = known[entry.stakeholder_id]
            errors.append({"loc": loc, "type": why, "msg": stakeholders.NO_NEW_LINK[why]})
        current = None if replace else existing.get(entry.stakeholder_id)
        target = {"invited": bool(current and current.invited), "attended": bool(current and current.attended),
                  "role": current.role if current else None}
        sent = entry.model_dump(exclude_unset=True, exclude={"stakeholder_id"})
        if sent.get("role") == MASK and entry.stakeholder_id in existing:  # the mask read back (shown)
            sent["role"] = existing[entry.stakeholder_id].role
        target.update({k: v for k, v in sent.items() if v is not None or k == "role"})
        targets[entry.stakeholder_id] = target
        if not (target["invited"] or target["attended"]):
            errors.append({"loc": ["body", "entries", i], "type": "empty_line",
                           "msg": "A line must be invited, attended or both; DELETE it to take it off the log"})
    if errors:
        raise Unprocessable("The attendance is not valid", errors=errors)
    dropped = [line for stakeholder_id, line in existing.items() if replace and stakeholder_id not in targets]
    await _ensure_allowed(session, caller, activity, existing, targets, known, headcount=data.unnamed_attendees,
                          dropping=bool(dropped))
    before, after = {}, {}
    for stakeholder_id, target in targets.items():
        line = existing.get(stakeholder_id)
        old = _stored(line) if line else None
        if target == old:
            continue
        if line is None:
            line = ActivityAttendance(activity_id=activity.id, stakeholder_id=stakeholder_id,
                                      tenant_id=caller.tenant_id)
            session.add(line)
        for name, value in target.items():
            setattr(line, name, value)
        line.recorded_by = caller.id
        before[str(stakeholder_id)], after[str(stakeholder_id)] = _audited(old), _audited(target)
    for line in dropped:
        before[str(line.stakeholder_id)] = _audited(_stored(line))
        after[str(line.stakeholder_id)] = None
        await session.delete(line)
    changes = {"attendance": {"before": before, "after": after}} if after else {}
    if data.unnamed_attendees is not None and data.unnamed_attendees != activity.unnamed_attendees:
        changes["unnamed_attendees"] = {"before": activity.unnamed_attendees, "after": data.unnamed_attendees}
        activity.unnamed_attendees = data.unnamed_attendees
    if changes:
        await _touch(session, caller, activity, action="replace_attendance" if replace else "record_attendance",
                     changes=changes)
    return activity


async def _ensure_allowed(session: AsyncSession, caller: Principal, activity: Activity,
                          existing: dict[uuid.UUID, ActivityAttendance], targets: dict[uuid.UUID, dict],
                          known: dict[uuid.UUID, str | None], *, headcount: int | None, dropping: bool) -> None:
    """409 for a write the activity's state refuses: attendance added to a cancelled activity, an erased person's
    line changed, or a held plan's evidence lessened."""
    # Only a line newly marked attended is refused: one attended before the activity was cancelled may stay (as an
    # import lets it), or the log read back and PUT with one more person would be refused for it.
    if activity.status == "cancelled" and any(
            target["attended"] and not (stakeholder_id in existing and existing[stakeholder_id].attended)
            for stakeholder_id, target in targets.items()):
        raise Conflict(service.CANCELLED_ATTENDANCE)
    service.ensure_headcount_allowed(activity.status, activity.unnamed_attendees, headcount)
    if any(known[i] == "erased" and i in existing and target != _stored(existing[i]) for i, target in targets.items()):
        raise Conflict(ERASED_LINE_KEPT)
    if dropping or _lessens(existing, targets, activity, headcount):
        await ensure_log_not_held(session, caller.tenant_id, activity)


def _stored(line: ActivityAttendance) -> dict[str, Any]:
    return {name: getattr(line, name) for name in LINE_FIELDS}


def _lessens(existing: dict[uuid.UUID, ActivityAttendance], targets: dict[uuid.UUID, dict], activity: Activity,
             headcount: int | None) -> bool:
    """The write would empty the log's evidence without removing anyone: a line no longer invited or attended, or a
    lower headcount (a held plan's record keeps them, as ensure_log_not_held keeps its lines)."""
    unmarked = any(getattr(existing[i], mark) and not target[mark]
                   for i, target in targets.items() if i in existing for mark in MARKS)
    return unmarked or (headcount is not None and headcount < activity.unnamed_attendees)


async def remove(*, session: AsyncSession, caller: Principal, activity_id: uuid.UUID, stakeholder_id: uuid.UUID,
                 if_match: str | None) -> Activity:
    """Take a stakeholder off the log (404 when they are not on it)."""
    activity = await service.get(session=session, caller=caller, activity_id=activity_id)
    check_if_match(if_match, activity.version)
    line = (await session.execute(select(ActivityAttendance).where(
        ActivityAttendance.activity_id == activity.id, ActivityAttendance.stakeholder_id == stakeholder_id,
        ActivityAttendance.tenant_id == caller.tenant_id))).scalar_one_or_none()
    if line is None:
        raise NotFound(f"Stakeholder {stakeholder_id} is not on this activity's attendance log")
    await ensure_log_not_held(session, caller.tenant_id, activity)
    old = _audited(_stored(line))
    await session.delete(line)
    await _touch(session, caller, activity, action="remove_attendance",
                 changes={"attendance": {"before": {str(stakeholder_id): old}, "after": {str(stakeholder_id): None}}})
    return activity


async def _touch(session: AsyncSession, caller: Principal, activity: Activity, *, action: str,
                 changes: dict) -> None:
    """The log changed: move the activity's version (its ETag) and audit the change on it."""
    activity.updated_at = utcnow()
    activity.updated_by = caller.id
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action=action,
                       resource_type="activity", resource_id=activity.id, changes=changes)


async def stakeholder_activities(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
                                 attended: bool | None, page: PageParams) -> tuple[PageResult, list]:
    """The activities a stakeholder is on the log of (invited or attended), newest first by default (an admin's read
    of a restricted person's is audited)."""
    await stakeholders.get_to_read(session=session, caller=caller, stakeholder_id=stakeholder_id)
    lines = select(ActivityAttendance.activity_id).where(ActivityAttendance.stakeholder_id == stakeholder_id,
                                                         ActivityAttendance.tenant_id == caller.tenant_id)
    if attended is not None:
        lines = lines.where(ActivityAttendance.attended.is_(attended))
    stmt = select(Activity).where(Activity.tenant_id == caller.tenant_id, Activity.archived_at.is_(None),
                                  Activity.id.in_(lines))
    result = await paginate(session, stmt, params=page, sortable=service.SORTABLE, default_sort="-starts_at")
    ids = [a.id for a in result.items]
    by_activity = {line.activity_id: line for line in (await session.execute(select(ActivityAttendance).where(
        ActivityAttendance.stakeholder_id == stakeholder_id, ActivityAttendance.activity_id.in_(ids)))).scalars()
    } if ids else {}
    items = [StakeholderActivity(activity_id=a.id, title=a.title, method=a.method, level=a.level, status=a.status,
                                 duty_limb=a.duty_limb, plan_id=a.plan_id, starts_at=a.starts_at, ends_at=a.ends_at,
                                 invited=by_activity[a.id].invited, attended=by_activity[a.id].attended,
                                 role=by_activity[a.id].role) for a in result.items]
    return result, items
