"""A plan's Risk & Issue Log: every query scoped to the caller's tenant and to the plan in the path.
Score and RAG are derived (api.risks.scoring), so filters and sorting on them run in SQL."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import snapshot
from api.legal_hold import ensure_kept, ensure_not_held
from api.models import PlanRisk, User
from api.pagination import PageParams, PageResult, paginate
from api.plans import children
from api.plans import service as plans
from api.plans.audience import check_references
from api.risks.schemas import RiskCreate, RiskUpdate
from api.risks.scoring import SCORE, Rag, rag_condition

SORTABLE = {"id": PlanRisk.id, "score": SCORE, "created_at": PlanRisk.created_at,
            "updated_at": PlanRisk.updated_at}
RESOURCE = "plan_risk"
# Never in the audit trail's clear text: the owner who is not a user of Involve (a partner's officer), and what staff
# write, which may name or give the contact of a person ("Call Ann back on 07700 900123"): an erasure scrubs those
# from the row (api.scrub.scrub_unlinked), and the trail must not keep them.
PERSONAL_FIELDS = frozenset({"owner_name", "description", "mitigation"})
OWNER = (("owner_id", User, "user"),)
# What the entry states, its assessment: frozen while the plan is on legal hold. Its owner, mitigation, status and
# review date record the progress since, and still change.
ASSESSMENT = ("kind", "description", "likelihood", "impact")
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


async def list_risks(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, filters: RiskFilters,
                     page: PageParams) -> PageResult:
    """A page of the plan's risks and issues, highest score first unless ?sort= says otherwise."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
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
    return await children.get(session, caller, PlanRisk, plan_id=plan_id, id=risk_id, label="risk or issue")


async def create(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, data: RiskCreate) -> PlanRisk:
    """Add a risk or issue to the plan's log and audit it; 409 when the plan is archived or closed."""
    await children.open_plan(session, caller, plan_id, closes_with_plan="Risk & Issue Log")
    values = data.model_dump()
    await check_references(session, tenant_id=caller.tenant_id, values=values, references=OWNER)
    return await children.add(session, caller, PlanRisk, plan_id=plan_id, values=values, resource_type=RESOURCE,
                              personal=PERSONAL_FIELDS)


async def update(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, risk_id: uuid.UUID,
                 data: RiskUpdate, if_match: str | None) -> PlanRisk:
    """Change the fields given; 412 when If-Match is stale, 409 for its assessment while the plan is on legal hold."""
    row = await get(session=session, caller=caller, plan_id=plan_id, risk_id=risk_id)
    check_if_match(if_match, row.version)
    changes = data.model_dump(exclude_unset=True)
    await check_references(session, tenant_id=caller.tenant_id, values=changes, references=OWNER)
    await ensure_kept(session, caller.tenant_id, row, changes, fields=ASSESSMENT, label="log entry")
    return await children.change(session, caller, row, changes, action="update", resource_type=RESOURCE,
                                 personal=PERSONAL_FIELDS)


async def delete(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, risk_id: uuid.UUID,
                 if_match: str | None) -> None:
    """Remove an entry entered by mistake (close it to keep it); the audit trail keeps all it said."""
    row = await get(session=session, caller=caller, plan_id=plan_id, risk_id=risk_id)
    check_if_match(if_match, row.version)
    await ensure_not_held(session, caller.tenant_id, plan_id)  # the risk log is part of the held plan's record
    before = {"plan_id": row.plan_id, **snapshot(row, FIELDS)}
    await session.delete(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="delete",
                       resource_type=RESOURCE, resource_id=risk_id,
                       changes=audit.diff(before, None, personal=PERSONAL_FIELDS))
