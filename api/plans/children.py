"""Records kept inside one plan (its action plan, its Risk & Issue Log): each is reached through the
caller's plan, so another plan's or another tenant's id is a 404, and each write is audited."""

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.crud import apply, archived_target
from api.errors import Conflict, NotFound
from api.plans import service as plans
from api.plans.schemas import PlanStatus

M = TypeVar("M")


async def get(session: AsyncSession, caller: Principal, model: type[M], *, plan_id: uuid.UUID, id: uuid.UUID,
              label: str) -> M:
    """The plan's record with this id (404 for an unknown plan, or a record of another plan or tenant)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    row = (await session.execute(select(model).where(
        model.id == id, model.plan_id == plan_id, model.tenant_id == caller.tenant_id)  # type: ignore[attr-defined]
    )).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No {label} with id {id} in this plan")
    return row


async def open_plan(session: AsyncSession, caller: Principal, plan_id: uuid.UUID, *,
                    closes_with_plan: str | None = None) -> None:
    """The plan a new record is added to: 404 when unknown, and 409 when archived (nothing new is linked to an
    archived record, crud.ensure_not_archived); the records it already holds may still be corrected.

    `closes_with_plan` names the record that a closed plan has finished (409 for a new entry in it; the entries it
    holds may still be updated, as an archived plan's). Per child:
    - actions (the tactical action plan) and risks (the Risk & Issue Log) name it: both are the work of carrying the
      plan out, which ends when it closes;
    - evidence and documents do not: a decision's minutes or the final report are recorded after the plan closes;
    - consultations, the scrutiny record and its correspondence, and the applicability record do not either: they
      record what happened (a window already held, the committee's reply or referral after the decision, why a duty
      applied), which the evidence of the duty to involve needs whenever it is written down."""
    plan = await plans.get(session=session, caller=caller, plan_id=plan_id)
    if plan.archived_at is not None:
        raise Conflict(archived_target("plan"))
    if closes_with_plan is not None and plan.status == PlanStatus.closed:
        raise Conflict(f"The plan is closed: its {closes_with_plan} is finished and takes no new entry (those it "
                       "holds may still be updated)")


async def add(session: AsyncSession, caller: Principal, model: type[M], *, plan_id: uuid.UUID,
              values: dict[str, Any], resource_type: str, personal: frozenset[str] = frozenset()) -> M:
    """Add a record to the plan and audit it, the personal fields' values left out (the caller has checked the plan
    and the values)."""
    row = model(tenant_id=caller.tenant_id, plan_id=plan_id, created_by=caller.id, updated_by=caller.id, **values)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type=resource_type, resource_id=row.id,  # type: ignore[attr-defined]
                       changes=audit.diff(None, {"plan_id": plan_id, **values}, personal=personal))
    return row


async def change(session: AsyncSession, caller: Principal, row: M, changes: dict[str, Any], *, action: str,
                 resource_type: str, personal: frozenset[str] = frozenset()) -> M:
    """Set the changes; when any really changes, record who did it and audit what changed (personal values left
    out)."""
    before, after = apply(row, changes)
    if after:
        row.updated_by = caller.id  # type: ignore[attr-defined]
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action=action,
                           resource_type=resource_type, resource_id=row.id,  # type: ignore[attr-defined]
                           changes=audit.diff(before, after, personal=personal))
    return row
