"""A plan's tactical action plan: every query scoped to the caller's tenant and to the plan in the path."""

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import crud, legal_hold
from api.actions.schemas import OPEN_STATUSES, ActionCreate, ActionStatus, ActionUpdate, today
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.db import utcnow
from api.errors import Unprocessable
from api.models import Activity, PlanAction, User
from api.pagination import PageParams, PageResult, paginate
from api.plans import children
from api.plans import service as plans
from api.plans.audience import check_references

SORTABLE = {"id": PlanAction.id, "created_at": PlanAction.created_at,
            "updated_at": PlanAction.updated_at}
RESOURCE = "plan_action"
# Never in the audit trail's clear text: the owner who is not a user of Involve (a partner's officer), and what staff
# write, which may name or give the contact of a person ("Call Ann back on 07700 900123"): an erasure scrubs those
# from the row (api.scrub.scrub_linked), and the trail must not keep them.
PERSONAL_FIELDS = frozenset({"owner_name", "description", "notes"})
# An action may name the activity that evidences it (the tactical plan links to the engagement log).
REFERENCES = (("owner_id", User, "user"), ("activity_id", Activity, "activity"))
# What was planned: frozen while the plan is on legal hold, with the evidencing activity once linked (the record may
# gain that link, not lose it). Its status, owner and notes record the progress since, and still change.
PLANNED = ("description", "due_date")
DROPPING = "have this action dropped"


def location(plan_id: uuid.UUID, action_id: uuid.UUID) -> str:
    return f"/api/v1/plans/{plan_id}/actions/{action_id}"


@dataclass(frozen=True)
class ActionFilters:
    status: str | None = None
    owner_id: uuid.UUID | None = None
    overdue: bool | None = None


async def list_actions(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, filters: ActionFilters,
                       page: PageParams) -> PageResult:
    """A page of the plan's actions, in the order they were added unless ?sort= says otherwise."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    stmt = select(PlanAction).where(PlanAction.tenant_id == caller.tenant_id, PlanAction.plan_id == plan_id)
    if filters.status:
        stmt = stmt.where(PlanAction.status == filters.status)
    if filters.owner_id:
        stmt = stmt.where(PlanAction.owner_id == filters.owner_id)
    if filters.overdue is not None:
        late = (PlanAction.due_date < today(), PlanAction.status.in_(OPEN_STATUSES))
        stmt = stmt.where(*late) if filters.overdue else stmt.where(
            or_(PlanAction.due_date.is_(None), PlanAction.due_date >= today(), PlanAction.status.not_in(OPEN_STATUSES)))
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="created_at")


async def get(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, action_id: uuid.UUID) -> PlanAction:
    """One action of the plan (404 for another plan's, or another tenant's)."""
    return await children.get(session, caller, PlanAction, plan_id=plan_id, id=action_id, label="action")


def _evidenced(changes: dict, linked: uuid.UUID | None = None) -> None:
    """Linking the activity that evidences an action marks the action done (unless the same request says
    otherwise). Only a new link does: a PATCH sending back the link it read (`linked`) leaves the status alone."""
    if changes.get("activity_id") not in (None, linked) and "status" not in changes:
        changes["status"] = ActionStatus.done.value


def _completion(status: str, current: str | None = None) -> dict:
    """completed_at follows status: set when it becomes done, cleared when it leaves done."""
    if status == current:
        return {}
    return {"completed_at": utcnow() if status == ActionStatus.done else None}


async def _check_activity_plan(session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                               activity_id: uuid.UUID | None) -> None:
    """The activity evidencing an action is one of the action's plan or of none: another plan's is a 422, as an
    unknown id is (the caller has checked it is the tenant's)."""
    if activity_id is None:
        return
    of = (await session.execute(select(Activity.plan_id).where(
        Activity.id == activity_id, Activity.tenant_id == caller.tenant_id))).scalar_one_or_none()
    if of not in (None, plan_id):
        raise Unprocessable("The activity belongs to another plan", errors=[
            {"loc": ["body", "activity_id"], "type": "reference_not_found",
             "msg": "The activity is another plan's: link one of this plan's or of no plan"}])


async def _ensure_kept(session: AsyncSession, caller: Principal, row: PlanAction, changes: dict) -> None:
    """409 while the plan is on legal hold for a change of what was planned, or for dropping the action."""
    if changes.get("status") == ActionStatus.dropped and row.status != ActionStatus.dropped:
        await legal_hold.ensure_not_held(session, caller.tenant_id, row.plan_id, change=DROPPING)
    await legal_hold.ensure_kept(session, caller.tenant_id, row, changes, fields=PLANNED, once_set=("activity_id",),
                                 label="action")


async def create(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, data: ActionCreate) -> PlanAction:
    """Add an action to the plan and audit it; 409 when the plan is archived or closed."""
    await children.open_plan(session, caller, plan_id, closes_with_plan="tactical action plan")
    values = data.model_dump(exclude_unset=True)
    await check_references(session, tenant_id=caller.tenant_id, values=values, references=REFERENCES)
    await _check_activity_plan(session, caller, plan_id, values.get("activity_id"))
    await crud.ensure_not_archived(session, Activity, tenant_id=caller.tenant_id, ids=values.get("activity_id"),
                                   label="activity")
    _evidenced(values)
    values = {**data.model_dump(), **values}
    values.update(_completion(values["status"]))
    return await children.add(session, caller, PlanAction, plan_id=plan_id, values=values, resource_type=RESOURCE,
                              personal=PERSONAL_FIELDS)


async def update(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, action_id: uuid.UUID,
                 data: ActionUpdate, if_match: str | None) -> PlanAction:
    """Change the fields given; 412 when If-Match is stale, 409 for what was planned while the plan is on legal hold."""
    row = await get(session=session, caller=caller, plan_id=plan_id, action_id=action_id)
    check_if_match(if_match, row.version)
    changes = data.model_dump(exclude_unset=True)
    await check_references(session, tenant_id=caller.tenant_id, values=changes, references=REFERENCES)
    if changes.get("activity_id") != row.activity_id:  # a link it has already stays, wherever its activity went
        await _check_activity_plan(session, caller, plan_id, changes.get("activity_id"))
    await crud.ensure_not_archived(session, Activity, tenant_id=caller.tenant_id, ids=changes.get("activity_id"),
                                   label="activity", kept=[row.activity_id])
    await _ensure_kept(session, caller, row, changes)
    _evidenced(changes, row.activity_id)
    if "status" in changes:
        changes.update(_completion(changes["status"], row.status))
    return await children.change(session, caller, row, changes, action="update", resource_type=RESOURCE,
                                 personal=PERSONAL_FIELDS)


async def drop(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, action_id: uuid.UUID,
               if_match: str | None) -> PlanAction:
    """DELETE: the line stays in the action plan, marked dropped (repeating it changes nothing); 409 while the plan is
    on legal hold."""
    row = await get(session=session, caller=caller, plan_id=plan_id, action_id=action_id)
    check_if_match(if_match, row.version)
    changes = {"status": ActionStatus.dropped.value, **_completion(ActionStatus.dropped, row.status)}
    await _ensure_kept(session, caller, row, changes)
    return await children.change(session, caller, row, changes, action="drop", resource_type=RESOURCE)
