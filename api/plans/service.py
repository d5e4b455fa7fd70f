"""Communication & Engagement Plans: every query scoped to the caller's tenant; services flush, routers commit."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, legal_hold
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import apply, archive_or_restore, ensure_external_id_free, get_owned, snapshot, text_search
from api.db import utcnow
from api.errors import Unprocessable
from api.models import Plan
from api.pagination import PageParams, PageResult, paginate
from api.plans import audience, items, restricted, workflow
from api.plans.schemas import PlanCreate, PlanRead, PlanUpdate

COLLECTION_PATH = "/api/v1/plans"
SORTABLE = {"id": Plan.id, "title": Plan.title, "created_at": Plan.created_at,
            "updated_at": Plan.updated_at}
AUDIENCE_LISTS = ("audience_stakeholder_ids", "audience_organisation_ids")


def location(plan_id: uuid.UUID) -> str:
    return f"{COLLECTION_PATH}/{plan_id}"


@dataclass(frozen=True)
class PlanFilters:
    stage: str | None = None
    status: str | None = None
    lead_id: uuid.UUID | None = None
    external_id: str | None = None
    q: str | None = None
    archived: bool = False


async def list_plans(*, session: AsyncSession, caller: Principal, filters: PlanFilters,
                     page: PageParams) -> PageResult:
    """A page of the tenant's plans matching the filters."""
    stmt = select(Plan).where(Plan.tenant_id == caller.tenant_id)
    stmt = stmt.where(Plan.archived_at.is_not(None) if filters.archived else Plan.archived_at.is_(None))
    if filters.stage:
        stmt = stmt.where(Plan.stage == filters.stage)
    if filters.status:
        stmt = stmt.where(Plan.status == filters.status)
    if filters.lead_id:
        stmt = stmt.where(Plan.lead_id == filters.lead_id)
    if filters.external_id:
        stmt = stmt.where(Plan.external_id == filters.external_id)
    if filters.q:
        stmt = stmt.where(text_search(filters.q, Plan.title, Plan.programme, Plan.delivery_group))
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="title")


async def get(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> Plan:
    """One plan of the caller's tenant (404 otherwise)."""
    return await get_owned(session, Plan, tenant_id=caller.tenant_id, id=plan_id, label="plan")


async def read_many(session: AsyncSession, plans: list[Plan], caller: Principal | None) -> list[PlanRead]:
    """The plans as the caller may read them, with their named audience (three queries for any number); no caller
    is an evidence pack (restricted.hidden). The caller is never left out by default: an admin's read of a
    restricted person is audited, and anyone else's must not show them."""
    if not plans:
        return []
    named = await audience.named(session, [p.id for p in plans])
    hidden = await restricted.hidden(session, caller, plans[0].tenant_id,
                                     {person for plan in plans for person in named[plan.id][0]})
    out = []
    for plan in plans:
        values = {name: getattr(plan, name) for name in PlanRead.model_fields
                  if name not in (*AUDIENCE_LISTS, "audience_withheld")}
        people, organisations = named[plan.id]
        shown = [person for person in people if person not in hidden]
        out.append(PlanRead.model_validate({**values, "audience_stakeholder_ids": shown,
                                            "audience_organisation_ids": organisations,
                                            "audience_withheld": len(shown) < len(people)}))
    return out


async def read(session: AsyncSession, plan: Plan, caller: Principal | None) -> PlanRead:
    return (await read_many(session, [plan], caller))[0]


def _check_dates(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise Unprocessable("end_date is before start_date", errors=[
            {"loc": ["body", "end_date"], "msg": "must not be before start_date", "type": "date_order"}])


async def create(*, session: AsyncSession, caller: Principal, data: PlanCreate) -> Plan:
    """Create a draft plan with its audience, and audit it."""
    values = data.model_dump(exclude=set(AUDIENCE_LISTS))
    for name in items.LISTS:
        values[name] = items.stored(name, getattr(data, name), [])
    await restricted.check(session, caller=caller, values=data.model_dump())
    await audience.ensure_not_archived(session, tenant_id=caller.tenant_id, named=data.model_dump())
    await ensure_external_id_free(session, Plan, tenant_id=caller.tenant_id, external_id=data.external_id)
    _check_dates(data.start_date, data.end_date)
    plan = Plan(tenant_id=caller.tenant_id, status="draft", created_by=caller.id, updated_by=caller.id, **values)
    session.add(plan)
    await session.flush()
    await audience.replace(session, plan=plan, stakeholder_ids=data.audience_stakeholder_ids,
                           organisation_ids=data.audience_organisation_ids)
    named = {name: getattr(data, name) for name in AUDIENCE_LISTS}
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type="plan", resource_id=plan.id,
                       changes=audit.diff(None, {**values, "status": "draft", **named}))
    return plan


async def update(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, data: PlanUpdate,
                 if_match: str | None) -> Plan:
    """Change the fields given: 412 when If-Match is stale, 409 for an illegal status change, a change to what was
    approved or is held, or an archived plan's status, stage, new audience or new lead, 422 for a link outside the
    tenant."""
    plan = await get(session=session, caller=caller, plan_id=plan_id)
    check_if_match(if_match, plan.version)
    changes = data.model_dump(exclude_unset=True)
    for name in items.LISTS:
        if name in changes:
            changes[name] = items.stored(name, getattr(data, name), getattr(plan, name) or [])
    named = {name: changes.pop(name) for name in AUDIENCE_LISTS if name in changes}
    current = await _named_now(session, plan) if named else {}
    people = await restricted.check(session, caller=caller, values={**changes, **named},
                                    named_now=current.get("audience_stakeholder_ids", []))
    if people is not None:
        named["audience_stakeholder_ids"] = people
    if "external_id" in changes:
        await ensure_external_id_free(session, Plan, tenant_id=caller.tenant_id, external_id=changes["external_id"],
                                      exclude_id=plan.id)
    _check_dates(changes.get("start_date", plan.start_date), changes.get("end_date", plan.end_date))
    workflow.check_locked(plan, changes)
    named_before, named_after = _named_changes(current, named)
    workflow.check_archived(plan, changes, [name for name, ids in named_after.items()
                                            if set(ids) - set(named_before[name])])
    action = workflow.status_changes(plan, changes)
    await audience.ensure_not_archived(session, tenant_id=caller.tenant_id, named=named_after, kept=named_before)
    if plan.legal_hold_at is not None and set(named_before.get("audience_stakeholder_ids", [])) - set(
            named_after.get("audience_stakeholder_ids", [])):
        await legal_hold.ensure_not_held(session, caller.tenant_id, plan.id, change=legal_hold.UNNAMING,
                                             lock=False)  # this updates the plan itself
    before, after = apply(plan, changes)
    if not after and not named_after:
        return plan
    plan.updated_by = caller.id
    plan.updated_at = utcnow()  # a change of the audience alone still moves the version (the ETag)
    await session.flush()
    if named_after:
        await audience.replace(session, plan=plan, stakeholder_ids=named_after.get("audience_stakeholder_ids"),
                               organisation_ids=named_after.get("audience_organisation_ids"))
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action=action,
                       resource_type="plan", resource_id=plan.id,
                       changes=audit.diff({**before, **named_before}, {**after, **named_after}))
    return plan


async def _named_now(session: AsyncSession, plan: Plan) -> dict[str, list[uuid.UUID]]:
    people, organisations = (await audience.named(session, [plan.id]))[plan.id]
    return {"audience_stakeholder_ids": people, "audience_organisation_ids": organisations}


def _named_changes(current: dict[str, list[uuid.UUID]],
                   named: dict[str, list[uuid.UUID]]) -> tuple[dict[str, list], dict[str, list]]:
    """(before, after) of the named audience lists that really change (order does not matter)."""
    before, after = {}, {}
    for name, ids in named.items():
        if set(ids) != set(current[name]):
            before[name], after[name] = current[name], ids
    return before, after


async def approve(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, if_match: str | None) -> Plan:
    """Approve a draft plan, recording who and when; 409 unless it is a draft."""
    plan = await get(session=session, caller=caller, plan_id=plan_id)
    check_if_match(if_match, plan.version)
    workflow.check_approvable(plan)
    fields = ["status", "approved_by", "approved_at"]
    before = snapshot(plan, fields)
    plan.status, plan.approved_by, plan.approved_at = "approved", caller.id, utcnow()
    plan.updated_by = caller.id
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="approve",
                       resource_type="plan", resource_id=plan.id, changes=audit.diff(before, snapshot(plan, fields)))
    return plan


async def set_archived(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, archived: bool,
                       if_match: str | None = None) -> Plan:
    """Archive (soft delete) or restore a plan; its actions, risks and assessments stay."""
    plan = await get(session=session, caller=caller, plan_id=plan_id)
    return await archive_or_restore(session, caller, plan, archived=archived, if_match=if_match,
                                    resource_type="plan")