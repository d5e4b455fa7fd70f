"""A plan's Risk & Issue Log: every query scoped to the caller's tenant and to the plan in the path.
Score and RAG are derived (api.risks.scoring), so filters and sorting on them run in SQL."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import apply, get_owned, snapshot
from api.errors import NotFound
from api.models import Plan, PlanRisk, User
from api.pagination import PageParams, PageResult, paginate
from api.plans.audience import check_references
from api.risks.schemas import RiskCreate, RiskUpdate
from api.risks.scoring import SCORE, Rag, rag_condition

SORTABLE = {"id": PlanRisk.id, "score": SCORE, "created_at": PlanRisk.created_at,
            "updated_at": PlanRisk.updated_at}
RESOURCE = "plan_risk"
OWNER = (("owner_id", User, "user"),)
FIELDS = ["kind", "description", "likelihood", "impact", "owner_id", "owner_name", "mitigation", "status",
          "review_date"]


def location(plan_id: uuid.UUID, risk_id: uuid.UUID) -> str:
    return f"/api/v1/plans/{plan_id}/risks/{risk_id}"


@dataclass(frozen=True)
class RiskFilters:
    kind: str | None = None
    status: str | None = None
    rag: Rag | None = None
    min_score: int | None = None
    owner_id: uuid.UUID | None = None


async def _plan(session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> Plan:
    return await get_owned(session, Plan, tenant_id=caller.tenant_id, id=plan_id, label="plan")


async def list_risks(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, filters: RiskFilters,
                     page: PageParams) -> PageResult:
    """A page of the plan's risks and issues, highest score first unless ?sort= says otherwise."""
    await _plan(session, caller, plan_id)
    stmt = select(PlanRisk).where(PlanRisk.tenant_id == caller.tenant_id, PlanRisk.plan_id == plan_id)
    if filters.kind:
        stmt = stmt.where(PlanRisk.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(PlanRisk.status == filters.status)
    if filters.owner_id:
        stmt = stmt.where(PlanRisk.owner_id == filters.owner_id)
    if filters.rag:
        stmt = stmt.where(rag_condition(filters.rag))
    if filters.min_score is not None:
        stmt = stmt.where(SCORE >= filters.min_score)
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="-score")


async def get(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, risk_id: uuid.UUID) -> PlanRisk:
    """One entry of the plan's log (404 for another plan's, or another tenant's)."""
    await _plan(session, caller, plan_id)
    row = (await session.execute(select(PlanRisk).where(
        PlanRisk.id == risk_id, PlanRisk.plan_id == plan_id, PlanRisk.tenant_id == caller.tenant_id)
    )).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No risk or issue with id {risk_id} in this plan")
    return row


async def create(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, data: RiskCreate) -> PlanRisk:
    """Add a risk or issue to the plan's log and audit it."""
    await _plan(session, caller, plan_id)
    values = data.model_dump()
    await check_references(session, tenant_id=caller.tenant_id, values=values, references=OWNER)
    row = PlanRisk(tenant_id=caller.tenant_id, plan_id=plan_id, created_by=caller.id, updated_by=caller.id, **values)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type=RESOURCE, resource_id=row.id,
                       changes=audit.diff(None, {"plan_id": plan_id, **values}))
    return row


async def update(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, risk_id: uuid.UUID,
                 data: RiskUpdate, if_match: str | None) -> PlanRisk:
    """Change the fields given; 412 when If-Match is stale."""
    row = await get(session=session, caller=caller, plan_id=plan_id, risk_id=risk_id)
    check_if_match(if_match, row.version)
    changes = data.model_dump(exclude_unset=True)
    await check_references(session, tenant_id=caller.tenant_id, values=changes, references=OWNER)
    before, after = apply(row, changes)
    if after:
        row.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type=RESOURCE, resource_id=row.id, changes=audit.diff(before, after))
    return row


async def delete(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, risk_id: uuid.UUID,
                 if_match: str | None) -> None:
    """Remove an entry entered by mistake (close it to keep it); the audit trail keeps all it said."""
    row = await get(session=session, caller=caller, plan_id=plan_id, risk_id=risk_id)
    check_if_match(if_match, row.version)
    before = {"plan_id": row.plan_id, **snapshot(row, FIELDS)}
    await session.delete(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="delete",
                       resource_type=RESOURCE, resource_id=risk_id, changes=audit.diff(before, None))
