"""Feedback: every query scoped to the caller's tenant; services flush, routers commit.

What people said is personal, so the text fields are recorded in the audit trail as changed, never
with their values. DELETE archives (feedback is evidence of the duty to involve)."""

import uuid
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, legal_hold
from api.activities.engagement import day_end, day_start
from api.auth.principal import EDITORS, Principal, Role
from api.concurrency import check_if_match
from api.crud import (
    apply,
    archive_or_restore,
    ensure_external_id_free,
    ensure_not_archived,
    get_owned,
    json_array_contains,
    snapshot,
    text_search,
)
from api.db import utcnow
from api.errors import Conflict, Forbidden, Unprocessable
from api.feedback import workflow
from api.feedback.schemas import FeedbackCreate, FeedbackRead, FeedbackResponseCreate, FeedbackStatus, FeedbackUpdate
from api.models import Activity, Feedback, Plan, Stakeholder, Tenant
from api.pagination import PageParams, PageResult, paginate
from api.stakeholders import service as stakeholders
from api.stakeholders.service import ERASED_FEEDBACK_KEPT, NO_NEW_LINK, barred

COLLECTION_PATH = "/api/v1/feedback"
SORTABLE = {"id": Feedback.id, "received_at": Feedback.received_at,
            "response_due_at": Feedback.response_due_at, "created_at": Feedback.created_at,
            "updated_at": Feedback.updated_at}
# What the audit trail marks as changed without keeping the words: free text about people, and the themes, free tags
# a contributor types ("Ann Example complaint"), which an erasure scrubs from the feedback and the trail outlives.
PERSONAL_FIELDS = frozenset({"text", "publishable_summary", "response_text", "action_taken", "reason_no_change",
                             "themes"})
RESPONSE_FIELDS = ("response_text", "outcome", "action_taken", "reason_no_change", "told_how", "told_at")


def location(feedback_id: uuid.UUID) -> str:
    return f"{COLLECTION_PATH}/{feedback_id}"


_DERIVED = ("overdue", "stakeholder_withheld")


def to_read(row: Feedback, *, hide_stakeholder: bool = False) -> FeedbackRead:
    values = {name: getattr(row, name) for name in FeedbackRead.model_fields if name not in _DERIVED}
    if hide_stakeholder:
        values["stakeholder_id"] = None
    return FeedbackRead.model_validate({**values, "overdue": workflow.is_overdue(row, utcnow()),
                                        "stakeholder_withheld": hide_stakeholder})


async def reads(session: AsyncSession, caller: Principal, rows: list[Feedback]) -> list[FeedbackRead]:
    """The rows as the caller may read them. Feedback is the organisation's record of what was said (its counts,
    themes and "you said, we did" stand on it), so a restricted person's (UK GDPR Art. 18) stays, but only an admin
    sees that it is theirs, as only an admin sees their name on an attendance log; that read is audited."""
    restricted = await stakeholders.restricted_among(session, caller, [row.stakeholder_id for row in rows])
    hide = restricted if caller.role != Role.admin else set()
    return [to_read(row, hide_stakeholder=row.stakeholder_id in hide) for row in rows]


async def read(session: AsyncSession, caller: Principal, row: Feedback) -> FeedbackRead:
    return (await reads(session, caller, [row]))[0]


@dataclass(frozen=True)
class FeedbackFilters:
    status: str | None = None
    type: str | None = None
    channel: str | None = None
    theme: str | None = None
    plan_id: uuid.UUID | None = None
    activity_id: uuid.UUID | None = None
    stakeholder_id: uuid.UUID | None = None
    overdue: bool | None = None
    publishable: bool | None = None
    received_from: date | None = None
    received_to: date | None = None
    external_id: str | None = None
    q: str | None = None
    archived: bool = False


async def list_feedback(*, session: AsyncSession, caller: Principal, filters: FeedbackFilters,
                        page: PageParams) -> PageResult:
    """A page of the tenant's feedback matching the filters."""
    stmt = filtered_query(session=session, caller=caller, filters=filters)
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="-received_at")


def filtered_query(*, session: AsyncSession, caller: Principal, filters: FeedbackFilters) -> Select:
    """The tenant's feedback matching the filters, as a statement (exports stream it)."""
    stmt = select(Feedback).where(Feedback.tenant_id == caller.tenant_id)
    stmt = stmt.where(Feedback.archived_at.is_not(None) if filters.archived else Feedback.archived_at.is_(None))
    for column, value in ((Feedback.status, filters.status), (Feedback.type, filters.type),
                          (Feedback.channel, filters.channel), (Feedback.plan_id, filters.plan_id),
                          (Feedback.activity_id, filters.activity_id),
                          (Feedback.publishable, filters.publishable), (Feedback.external_id, filters.external_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.stakeholder_id is not None:
        stmt = stmt.where(stakeholders.of_person(caller, Feedback.stakeholder_id, filters.stakeholder_id))
    if filters.theme:
        stmt = stmt.where(json_array_contains(session, Feedback.themes, filters.theme))
    if filters.overdue is not None:
        overdue = Feedback.status.in_(workflow.OPEN) & (Feedback.response_due_at <= utcnow())
        stmt = stmt.where(overdue if filters.overdue else ~overdue)
    if filters.received_from:
        stmt = stmt.where(Feedback.received_at >= day_start(filters.received_from))
    if filters.received_to:
        stmt = stmt.where(Feedback.received_at < day_end(filters.received_to))
    if filters.q:
        stmt = stmt.where(text_search(filters.q, Feedback.text, Feedback.publishable_summary))
    return stmt


async def get(*, session: AsyncSession, caller: Principal, feedback_id: uuid.UUID) -> Feedback:
    """One piece of feedback of the caller's tenant (404 otherwise)."""
    return await get_owned(session, Feedback, tenant_id=caller.tenant_id, id=feedback_id, label="feedback")


async def _references(session: AsyncSession, caller: Principal, values: dict[str, Any],
                      stakeholder_id: uuid.UUID | None = None, kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """stakeholder_id, activity_id and plan_id must be the caller's tenant's (422), a stakeholder other than the
    feedback's own (`stakeholder_id`) not barred, and an activity or plan other than its own (`kept`) not archived
    (409, as ensure_not_archived); returns the rows found."""
    kept = kept or {}
    found, errors = {}, []
    for field, model, label in (("stakeholder_id", Stakeholder, "stakeholder"), ("activity_id", Activity, "activity"),
                                ("plan_id", Plan, "plan")):
        ref = values.get(field)
        if ref is None:
            continue
        stmt = select(model).where(model.id == ref, model.tenant_id == caller.tenant_id)
        if model is Stakeholder:
            # Held (FOR SHARE) until commit: an erasure or restriction of the person under way is waited for and then
            # seen, and one that starts later waits for this link (and then wipes it), so no new feedback slips onto
            # an erased person with its text in clear. SQLite runs one writer at a time anyway.
            stmt = stmt.with_for_update(read=True)
        row = (await session.execute(stmt)).scalar_one_or_none()
        why = barred(row.erased_at, row.restricted_at) if model is Stakeholder and row is not None else None
        if row is None or (ref != stakeholder_id and stakeholders.unseen(why, caller)):
            errors.append({"loc": ["body", field], "msg": f"No {label} with this id in your tenant",
                           "type": "reference_not_found"})
        elif why and ref != stakeholder_id:
            errors.append({"loc": ["body", field], "type": why, "msg": NO_NEW_LINK[why]})
        found[field] = row
    if errors:
        raise Unprocessable("A linked record does not exist in your tenant", errors=errors)
    for field, model, label in (("activity_id", Activity, "activity"), ("plan_id", Plan, "plan")):
        await ensure_not_archived(session, model, tenant_id=caller.tenant_id, ids=values.get(field), label=label,
                                  kept=[kept.get(field)])
    return found


async def _stakeholder_erased(session: AsyncSession, stakeholder_id: uuid.UUID | None) -> bool:
    """The erasure wiped the text of the person's feedback (UK GDPR Art. 17), which must stay wiped."""
    if stakeholder_id is None:
        return False
    erased = await session.execute(select(Stakeholder.erased_at).where(Stakeholder.id == stakeholder_id))
    return erased.scalar_one_or_none() is not None


def _check_state(caller: Principal, changes: dict[str, Any], stored: dict[str, Any] | None) -> None:
    """403 or 422 unless the caller may make the changes to the stored STATE_FIELDS (None on create) and the merged
    state holds together."""
    state = {name: changes.get(name, stored[name] if stored else None) for name in workflow.STATE_FIELDS}
    refused = workflow.publishing_problem(changes, stored, may_publish=caller.role in EDITORS)
    if refused:
        raise Forbidden(refused[1])
    problems = workflow.state_problems(state, changes)
    if problems:
        titles = {"publishable_summary": "Publishable feedback needs a publishable_summary",
                  "received_at": "received_at must not be in the future nor after its acknowledgement, "
                                 "consideration, response or the stakeholder being told"}
        raise Unprocessable(titles[problems[0][0]], errors=[{"loc": ["body", field], "msg": message, "type": kind}
                                                            for field, kind, message in problems])


async def _due(session: AsyncSession, caller: Principal, received_at) -> Any:
    settings = (await session.execute(select(Tenant.settings).where(Tenant.id == caller.tenant_id))).scalar_one()
    return workflow.response_due(received_at, workflow.response_days(settings))


async def create(*, session: AsyncSession, caller: Principal, data: FeedbackCreate) -> Feedback:
    """Record feedback (status received) with its response due date, and audit it."""
    values = data.model_dump()
    _check_state(caller, values, None)
    found = await _references(session, caller, values)
    if "plan_id" not in data.model_fields_set and found.get("activity_id") is not None:
        values["plan_id"] = found["activity_id"].plan_id
        # The copied plan is a new link like one sent: an archived plan is 409 (send plan_id null to leave it out).
        await ensure_not_archived(session, Plan, tenant_id=caller.tenant_id, ids=values["plan_id"], label="plan")
    await ensure_external_id_free(session, Feedback, tenant_id=caller.tenant_id, external_id=data.external_id)
    values["received_at"] = values["received_at"] or utcnow()
    row = Feedback(tenant_id=caller.tenant_id, created_by=caller.id, updated_by=caller.id, status="received",
                   response_due_at=await _due(session, caller, values["received_at"]), **values)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type="feedback", resource_id=row.id,
                       changes=audit.diff(None, {**values, "status": "received",
                                                 "response_due_at": row.response_due_at}, personal=PERSONAL_FIELDS))
    return row


def _told(row: Feedback, changes: dict[str, Any]) -> None:
    """told_how/told_at by PATCH: only once a response exists and before the loop is closed."""
    if "told_how" not in changes and "told_at" not in changes:
        return
    if row.status != FeedbackStatus.responded:
        raise Conflict("How the stakeholder was told can be recorded only once a response is recorded and "
                       "before the loop is closed")
    if "told_at" in changes and "told_how" not in changes and row.told_how is None:
        raise Unprocessable("told_at needs told_how", errors=[
            {"loc": ["body", "told_how"], "msg": "required with told_at", "type": "missing"}])
    if "told_how" in changes and "told_at" not in changes and row.told_at is None:
        changes["told_at"] = utcnow()
    _check_told_at(changes.get("received_at", row.received_at), changes.get("told_at"))


def _check_told_at(received_at, told_at) -> None:
    """Between receipt (as this request leaves it) and now."""
    if told_at is not None and not received_at <= told_at <= utcnow() + workflow.CLOCK_LEEWAY:
        raise Unprocessable("told_at must fall between receipt and now", errors=[
            {"loc": ["body", "told_at"], "msg": "before the feedback was received, or in the future",
             "type": "date_range"}])


async def update(*, session: AsyncSession, caller: Principal, feedback_id: uuid.UUID, data: FeedbackUpdate,
                 if_match: str | None) -> Feedback:
    """Change the fields given and move the workflow on; 409 for an illegal transition, 412 when stale."""
    row = await get(session=session, caller=caller, feedback_id=feedback_id)
    check_if_match(if_match, row.version)
    changes = data.model_dump(exclude_unset=True)
    target = changes.pop("status", None)
    if changes.get("stakeholder_id", row.stakeholder_id) is None and caller.role != Role.admin and (
            row.stakeholder_id in await stakeholders.restricted_among(session, caller, [row.stakeholder_id])):
        # To them it names nobody (reads): the null they read, sent back, keeps the link they cannot see.
        del changes["stakeholder_id"]
    _check_state(caller, changes, {name: getattr(row, name) for name in (*workflow.STATE_FIELDS, "plan_id")})
    await _references(session, caller, changes, stakeholder_id=row.stakeholder_id,
                      kept={"activity_id": row.activity_id, "plan_id": row.plan_id})
    if (changes.get("text", row.text) != row.text or changes.get("stakeholder_id", row.stakeholder_id)
            != row.stakeholder_id) and await _stakeholder_erased(session, row.stakeholder_id):
        # Nor may it leave them: unlinked, its text could be rewritten.
        raise Conflict(ERASED_FEEDBACK_KEPT)
    await legal_hold.ensure_not_leaving(session, caller.tenant_id, "feedback", row.id,
                                        {"plan_id": row.plan_id, "stakeholder_id": row.stakeholder_id}, changes)
    if "external_id" in changes:
        await ensure_external_id_free(session, Feedback, tenant_id=caller.tenant_id,
                                      external_id=changes["external_id"], exclude_id=row.id)
    if target is not None:
        workflow.check_transition(row.status, target)
    _told(row, changes)
    if changes.get("received_at", row.received_at) != row.received_at:  # not when sent back as read: the target may
        changes["response_due_at"] = await _due(session, caller, changes["received_at"])  # have changed since
    _check_closing(row, changes, target)
    before, after = apply(row, changes)
    if target is not None and target != row.status:
        stamp = workflow.STAMPS[target]
        before.update(status=row.status, **{stamp: getattr(row, stamp)})
        row.status, after["status"] = target.value, target.value
        setattr(row, stamp, utcnow())
        after[stamp] = getattr(row, stamp)
    if after:
        row.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type="feedback", resource_id=row.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return row


def _check_closing(row: Feedback, changes: dict[str, Any], target: FeedbackStatus | None) -> None:
    """409 (as can_close) unless feedback closing now may be closed as this request leaves it, or feedback closed
    already stays closable (workflow.still_closable)."""
    stored = {name: getattr(row, name) for name in workflow.CLOSE_FIELDS}
    if target == FeedbackStatus.closed and row.status != target:
        workflow.can_close(SimpleNamespace(**{name: changes.get(name, stored[name]) for name in stored}))
    elif row.status == FeedbackStatus.closed:
        workflow.still_closable(stored, changes)


async def respond(*, session: AsyncSession, caller: Principal, feedback_id: uuid.UUID,
                  data: FeedbackResponseCreate, if_match: str | None) -> Feedback:
    """Record 'we did' and how the stakeholder was told; the feedback becomes responded."""
    row = await get(session=session, caller=caller, feedback_id=feedback_id)
    check_if_match(if_match, row.version)
    if row.status not in workflow.RESPONDABLE:
        raise Conflict("The loop is closed: this feedback's response can no longer change")
    values = data.model_dump()
    if values["told_how"] is not None and values["told_at"] is None:
        values["told_at"] = utcnow()
    if values["told_how"] is None:  # a response given before telling keeps what was already recorded
        values.pop("told_how"), values.pop("told_at")
    _check_told_at(row.received_at, values.get("told_at"))
    before = snapshot(row, [*values, "status", "responded_at", "responded_by"])
    apply(row, values)
    row.status = FeedbackStatus.responded.value
    row.responded_at = row.responded_at or utcnow()
    row.responded_by = caller.id
    row.updated_by = caller.id
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="respond",
                       resource_type="feedback", resource_id=row.id,
                       changes=audit.diff(before, snapshot(row, list(before)), personal=PERSONAL_FIELDS))
    return row


async def set_archived(*, session: AsyncSession, caller: Principal, feedback_id: uuid.UUID, archived: bool,
                       if_match: str | None = None) -> Feedback:
    """Archive (soft delete) or restore feedback; 403 for a contributor archiving feedback a lead marked publishable,
    which would take it off 'you said, we did' (as withdrawing the mark is theirs alone)."""
    row = await get(session=session, caller=caller, feedback_id=feedback_id)
    if archived and row.publishable and row.archived_at is None and caller.role not in EDITORS:
        raise Forbidden("Only a lead or an admin may archive feedback marked publishable")
    return await archive_or_restore(session, caller, row, archived=archived, if_match=if_match,
                                    resource_type="feedback")