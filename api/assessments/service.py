"""Assessments: an append-only history of interest/influence scores per stakeholder, in general or per plan.

The newest per (stakeholder, plan) carries is_latest; the insert flips the previous one in the same
transaction, under a lock on the stakeholder's row, so two assessors never leave two "latest" rows."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.assessments.quadrants import quadrant_of, tenant_threshold  # noqa: F401 (the router's, and gdpr's)
from api.assessments.schemas import AssessmentCreate, AssessmentRead
from api.auth.principal import Principal
from api.db import utcnow
from api.errors import Conflict, NotFound, Unprocessable
from api.models import Assessment, Plan, Stakeholder
from api.pagination import PageParams, PageResult, paginate
from api.stakeholders import service as stakeholders

SORTABLE = {"id": Assessment.id, "assessed_at": Assessment.assessed_at}
# A rationale is free text about a person: kept out of the audit trail like a stakeholder's notes.
PERSONAL_FIELDS = frozenset({"rationale"})


def location(stakeholder_id: uuid.UUID, assessment_id: uuid.UUID) -> str:
    return f"/api/v1/stakeholders/{stakeholder_id}/assessments/{assessment_id}"


def to_read(row: Assessment, high: int) -> AssessmentRead:
    values = {name: getattr(row, name) for name in AssessmentRead.model_fields if name != "quadrant"}
    return AssessmentRead.model_validate({**values, "quadrant": quadrant_of(row.interest, row.influence, high)})


@dataclass(frozen=True)
class AssessmentFilters:
    plan_id: uuid.UUID | None = None
    general: bool | None = None


async def list_assessments(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
                           filters: AssessmentFilters, page: PageParams) -> PageResult:
    """A page of one stakeholder's assessment history, newest first (an admin's read of a restricted person's is
    audited)."""
    await stakeholders.get_to_read(session=session, caller=caller, stakeholder_id=stakeholder_id)
    if filters.plan_id is not None and filters.general:
        raise Unprocessable("Give plan_id or general=true, not both", errors=[
            {"loc": ["query", name], "msg": "plan_id and general=true exclude each other", "type": "exclusive"}
            for name in ("plan_id", "general")])
    stmt = select(Assessment).where(Assessment.tenant_id == caller.tenant_id,
                                    Assessment.stakeholder_id == stakeholder_id)
    if filters.plan_id is not None:
        stmt = stmt.where(Assessment.plan_id == filters.plan_id)
    if filters.general is not None:
        stmt = stmt.where(Assessment.plan_id.is_(None) if filters.general else Assessment.plan_id.is_not(None))
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="-assessed_at")


async def get(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
              assessment_id: uuid.UUID) -> Assessment:
    """One assessment of the stakeholder, in the caller's tenant (404 otherwise); an admin's read of a restricted
    person's is audited."""
    await stakeholders.get_to_read(session=session, caller=caller, stakeholder_id=stakeholder_id)
    row = (await session.execute(select(Assessment).where(
        Assessment.id == assessment_id, Assessment.stakeholder_id == stakeholder_id,
        Assessment.tenant_id == caller.tenant_id))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No assessment with id {assessment_id} for this stakeholder")
    return row


async def _lock_stakeholder(session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID) -> Stakeholder:
    """The stakeholder, its row locked until commit (SQLite writers already hold the database lock)."""
    row = (await session.execute(select(Stakeholder).where(
        Stakeholder.id == stakeholder_id, Stakeholder.tenant_id == caller.tenant_id).with_for_update()
    )).scalar_one_or_none()
    if row is None or not stakeholders.visible(row.restricted_at, caller):
        raise NotFound(f"No stakeholder with id {stakeholder_id}")
    if row.erased_at is not None:
        raise Conflict("This stakeholder's personal data was erased; it can no longer be assessed")
    if row.restricted_at is not None:
        # Only an admin gets this far: scoring a restricted person is further processing (UK GDPR Art. 18), which
        # feedback and attendance refuse too; the admin lifts the restriction first.
        raise Conflict(stakeholders.NO_NEW_LINK["restricted"])
    if row.archived_at is not None:
        raise Conflict("This stakeholder is archived and off the grid; restore it before assessing")
    return row


async def _check_plan(session: AsyncSession, caller: Principal, plan_id: uuid.UUID | None) -> None:
    if plan_id is None:
        return
    archived_at = (await session.execute(select(Plan.archived_at).where(
        Plan.id == plan_id, Plan.tenant_id == caller.tenant_id))).first()
    if archived_at is None:
        raise Unprocessable("The plan does not exist in your tenant", errors=[
            {"loc": ["body", "plan_id"], "msg": "No plan with this id in your tenant", "type": "reference_not_found"}])
    if archived_at[0] is not None:
        raise Conflict("The plan is archived; restore it before assessing for it")


async def create(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
                 data: AssessmentCreate) -> Assessment:
    """Record a new assessment, making it the latest for its stakeholder and plan; audited."""
    await _lock_stakeholder(session, caller, stakeholder_id)
    await _check_plan(session, caller, data.plan_id)
    same_plan = Assessment.plan_id.is_(None) if data.plan_id is None else Assessment.plan_id == data.plan_id
    await session.execute(
        update(Assessment)
        .where(Assessment.tenant_id == caller.tenant_id, Assessment.stakeholder_id == stakeholder_id, same_plan,
               Assessment.is_latest.is_(True))
        .values(is_latest=False))
    values = data.model_dump()
    row = Assessment(tenant_id=caller.tenant_id, stakeholder_id=stakeholder_id, assessed_by=caller.id,
                     assessed_at=utcnow(), is_latest=True, **values)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type="assessment", resource_id=row.id,
                       changes=audit.diff(None, {"stakeholder_id": stakeholder_id, **values},
                                          personal=PERSONAL_FIELDS))
    return row
