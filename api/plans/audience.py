"""A plan's audience: stakeholder categories, named stakeholders and organisations, and the query
that turns them into the stakeholders drawn on the plan's grid."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, false, func, insert, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import String

from api import crud
from api.crud import dialect
from api.errors import Unprocessable
from api.models import Organisation, Plan, PlanAudienceOrganisation, PlanAudienceStakeholder, Stakeholder, User

# (field, model, label) of every id a plan body may carry; each must name a row of the caller's tenant.
REFERENCES = (
    ("lead_id", User, "user"),
    ("audience_stakeholder_ids", Stakeholder, "stakeholder"),
    ("audience_organisation_ids", Organisation, "organisation"),
)


async def check_references(session: AsyncSession, *, tenant_id: uuid.UUID, values: dict[str, Any],
                           references: tuple = REFERENCES, unseen: frozenset[uuid.UUID] = frozenset()) -> None:
    """Every id given for the (field, model, label) references must be a row of the tenant: 422 naming
    each one that is not, or that is `unseen` (a row the caller may not know of, told apart by nothing)."""
    errors = []
    for field, model, label in references:
        given = values.get(field)
        if given is None:
            continue
        ids = given if isinstance(given, list) else [given]
        if not ids:
            continue
        found = set((await session.execute(
            select(model.id).where(model.tenant_id == tenant_id, model.id.in_(ids))
        )).scalars())
        for index, ref in enumerate(ids):
            if ref not in found or ref in unseen:
                loc = ["body", field, index] if isinstance(given, list) else ["body", field]
                errors.append({"loc": loc, "msg": f"No {label} with this id in your tenant",
                               "type": "reference_not_found"})
    if errors:
        raise Unprocessable("A linked record does not exist in your tenant", errors=errors)


async def ensure_not_archived(session: AsyncSession, *, tenant_id: uuid.UUID, named: dict[str, Any],
                              kept: dict[str, Any] | None = None) -> None:
    """Nobody archived joins the named audience (409); those it already names (`kept`) stay."""
    for field, model, label in REFERENCES[1:]:
        await crud.ensure_not_archived(session, model, tenant_id=tenant_id, ids=named.get(field) or [], label=label,
                                       kept=(kept or {}).get(field))


async def replace(session: AsyncSession, *, plan: Plan, stakeholder_ids: list[uuid.UUID] | None = None,
                  organisation_ids: list[uuid.UUID] | None = None) -> None:
    """Replace the named stakeholders and/or organisations (None leaves that list alone)."""
    if stakeholder_ids is not None:
        await session.execute(delete(PlanAudienceStakeholder).where(PlanAudienceStakeholder.plan_id == plan.id))
        if stakeholder_ids:
            await session.execute(insert(PlanAudienceStakeholder), [
                {"plan_id": plan.id, "stakeholder_id": s, "tenant_id": plan.tenant_id} for s in stakeholder_ids])
    if organisation_ids is not None:
        await session.execute(delete(PlanAudienceOrganisation).where(PlanAudienceOrganisation.plan_id == plan.id))
        if organisation_ids:
            await session.execute(insert(PlanAudienceOrganisation), [
                {"plan_id": plan.id, "organisation_id": o, "tenant_id": plan.tenant_id} for o in organisation_ids])


async def named(session: AsyncSession, plan_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[list, list]]:
    """{plan_id: (stakeholder ids, organisation ids)} for the given plans, in two queries."""
    plan_ids = list(plan_ids)
    out: dict[uuid.UUID, tuple[list, list]] = defaultdict(lambda: ([], []))
    if not plan_ids:
        return out
    for index, (model, column) in enumerate(((PlanAudienceStakeholder, PlanAudienceStakeholder.stakeholder_id),
                                             (PlanAudienceOrganisation, PlanAudienceOrganisation.organisation_id))):
        rows = await session.execute(select(model.plan_id, column).where(model.plan_id.in_(plan_ids))
                                     .order_by(model.plan_id, column))
        for plan_id, ref in rows:
            out[plan_id][index].append(ref)
    return out


def categories_overlap(session: AsyncSession, column: Any, values: list[str]) -> ColumnElement[bool]:
    """The JSON array in `column` shares an element with `values`."""
    if not values:
        return false()
    if dialect(session) == "postgresql":
        return type_coerce(column, JSONB).has_any(type_coerce(list(values), ARRAY(String)))
    elements = func.json_each(column).table_valued("value").alias("category")
    return exists().where(elements.c.value.in_(list(values)))


def audience_condition(session: AsyncSession, plan: Plan) -> ColumnElement[bool]:
    """True for the stakeholders of the plan's audience: active stakeholders of the tenant in one of its
    categories, named in it, or belonging to one of its organisations."""
    named_people = select(PlanAudienceStakeholder.stakeholder_id).where(PlanAudienceStakeholder.plan_id == plan.id)
    named_orgs = select(PlanAudienceOrganisation.organisation_id).where(PlanAudienceOrganisation.plan_id == plan.id)
    return and_(
        Stakeholder.tenant_id == plan.tenant_id,
        Stakeholder.archived_at.is_(None),
        Stakeholder.restricted_at.is_(None),  # restricted people are in no audience, grid or mailing
        or_(categories_overlap(session, Stakeholder.categories, plan.audience_categories or []),
            Stakeholder.id.in_(named_people),
            Stakeholder.organisation_id.in_(named_orgs)),
    )


def everyone(tenant_id: uuid.UUID) -> ColumnElement[bool]:
    """True for every active stakeholder of the tenant: the general grid's audience."""
    return and_(Stakeholder.tenant_id == tenant_id, Stakeholder.archived_at.is_(None),
                Stakeholder.restricted_at.is_(None))

