"""The duty catalogue: the built-in duties (no tenant, read-only) and each tenant's own duties.

A tenant sees every built-in duty and its own; another tenant's duty is simply not found (404)."""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import apply, text_search
from api.db import utcnow
from api.duties.catalogue import CATALOGUE
from api.duties.schemas import DutyCreate, DutyRead, DutyUpdate, RequirementRead
from api.duties.sync import duty_in_use, requirement_in_use
from api.errors import Conflict, Forbidden, NotFound
from api.models import Duty, DutyRequirement, Tenant
from api.pagination import PageParams, PageResult, paginate

COLLECTION_PATH = "/api/v1/duties"
RESOURCE = "duty"
SORTABLE = {"id": Duty.id, "position": Duty.position, "code": Duty.code, "title": Duty.title,
            "created_at": Duty.created_at, "updated_at": Duty.updated_at}
BUILT_IN_CODES = frozenset(d["code"] for duties in CATALOGUE.values() for d in duties)


def location(duty_id: uuid.UUID) -> str:
    return f"{COLLECTION_PATH}/{duty_id}"


def visible(tenant_id: uuid.UUID) -> ColumnElement[bool]:
    """The duties a tenant may see and cite: the built-in catalogue and its own."""
    return or_(Duty.tenant_id.is_(None), Duty.tenant_id == tenant_id)


async def requirements_of(session: AsyncSession, duty_ids: list[uuid.UUID]) -> dict[uuid.UUID, list]:
    """Each duty's requirements, in order, in one query."""
    out: dict[uuid.UUID, list] = {duty_id: [] for duty_id in duty_ids}
    if duty_ids:
        rows = await session.execute(select(DutyRequirement).where(DutyRequirement.duty_id.in_(duty_ids))
                                     .order_by(DutyRequirement.position, DutyRequirement.code))
        for row in rows.scalars():
            out[row.duty_id].append(row)
    return out


def to_read(duty: Duty, requirements: list[DutyRequirement]) -> DutyRead:
    return DutyRead(id=duty.id, code=duty.code, jurisdiction=duty.jurisdiction, built_in=duty.tenant_id is None,
                    title=duty.title, citation=duty.citation, summary=duty.summary, position=duty.position,
                    requirements=[RequirementRead.model_validate(r) for r in requirements],
                    created_at=duty.created_at, updated_at=duty.updated_at, version=duty.version)


async def read(session: AsyncSession, duty: Duty) -> DutyRead:
    return to_read(duty, (await requirements_of(session, [duty.id]))[duty.id])


async def tenant_jurisdiction(session: AsyncSession, caller: Principal) -> str:
    return (await session.execute(select(Tenant.jurisdiction).where(Tenant.id == caller.tenant_id))).scalar_one()


@dataclass(frozen=True)
class DutyFilters:
    jurisdiction: str | None = None
    built_in: bool | None = None
    q: str | None = None


async def list_duties(*, session: AsyncSession, caller: Principal, filters: DutyFilters,
                      page: PageParams) -> tuple[PageResult, dict]:
    """A page of the duties of one jurisdiction (the tenant's unless asked) the caller may see, and
    their requirements."""
    jurisdiction = filters.jurisdiction or await tenant_jurisdiction(session, caller)
    stmt = select(Duty).where(visible(caller.tenant_id), Duty.jurisdiction == jurisdiction)
    if filters.built_in is not None:
        stmt = stmt.where(Duty.tenant_id.is_(None) if filters.built_in else Duty.tenant_id.is_not(None))
    if filters.q:
        stmt = stmt.where(text_search(filters.q, Duty.title, Duty.code, Duty.citation))
    result = await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="position,code")
    return result, await requirements_of(session, [d.id for d in result.items])


async def get(*, session: AsyncSession, caller: Principal, duty_id: uuid.UUID) -> Duty:
    """A built-in duty or one of the caller's tenant's (404 otherwise)."""
    duty = (await session.execute(select(Duty).where(Duty.id == duty_id, visible(caller.tenant_id)))
            ).scalar_one_or_none()
    if duty is None:
        raise NotFound(f"No duty with id {duty_id}")
    return duty


async def _own(session: AsyncSession, caller: Principal, duty_id: uuid.UUID) -> Duty:
    duty = await get(session=session, caller=caller, duty_id=duty_id)
    if duty.tenant_id is None:
        raise Forbidden("Built-in duties are read-only; add your own duty with POST /api/v1/duties instead")
    return duty


async def _check_code(session: AsyncSession, caller: Principal, code: str, exclude_id: uuid.UUID | None = None):
    if code in BUILT_IN_CODES:
        raise Conflict(f"'{code}' is the code of a built-in duty; choose another")
    stmt = select(Duty.id).where(Duty.tenant_id == caller.tenant_id, Duty.code == code)
    if exclude_id is not None:
        stmt = stmt.where(Duty.id != exclude_id)
    if (await session.execute(stmt.limit(1))).first() is not None:
        raise Conflict(f"Your tenant already has a duty with code '{code}'")


def _requirement_values(items: list[dict]) -> list[dict]:
    return [{"code": r["code"], "title": r["title"], "description": r.get("description"),
             "rule": r.get("rule"), "position": position} for position, r in enumerate(items)]


async def create(*, session: AsyncSession, caller: Principal, data: DutyCreate) -> Duty:
    """Add one of the tenant's own duties, in its jurisdiction, with its requirements; audited."""
    await _check_code(session, caller, data.code)
    values = data.model_dump(mode="json")
    requirements = _requirement_values(values.pop("requirements"))
    duty = Duty(tenant_id=caller.tenant_id, jurisdiction=await tenant_jurisdiction(session, caller),
                created_by=caller.id, updated_by=caller.id, **values)
    session.add(duty)
    await session.flush()
    session.add_all([DutyRequirement(duty_id=duty.id, **r) for r in requirements])
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type=RESOURCE, resource_id=duty.id,
                       changes=audit.diff(None, {**values, "jurisdiction": duty.jurisdiction,
                                                 "requirements": requirements}))
    return duty


async def _lock(session: AsyncSession, requirement_ids: list[uuid.UUID]) -> None:
    """Lock requirements about to be deleted before looking for evidence citing them: evidence being written holds
    its requirement (the foreign key's lock), so the delete waits for it and sees it, where the delete's cascade
    would have removed that evidence once committed."""
    if requirement_ids:
        await session.execute(select(DutyRequirement.id).where(DutyRequirement.id.in_(requirement_ids))
                              .with_for_update())


async def _replace_requirements(session: AsyncSession, duty: Duty, items: list[dict]) -> tuple[list, list] | None:
    """Match by code: update in place (ids stay), add new codes, remove the missing ones unless evidence
    cites them (409). Returns (before, after) when anything changed."""
    current = (await requirements_of(session, [duty.id]))[duty.id]
    before = [{name: getattr(r, name) for name in ("code", "title", "description", "rule", "position")}
              for r in current]
    after = _requirement_values(items)
    if before == after:
        return None
    by_code = {r.code: r for r in current}
    wanted = {r["code"] for r in after}
    dropped = [r for r in current if r.code not in wanted]
    await _lock(session, [r.id for r in dropped])
    used = await requirement_in_use(session, [r.id for r in dropped])
    if used:
        codes = ", ".join(sorted(r.code for r in dropped if r.id in used))
        raise Conflict(f"Evidence refers to requirement(s) {codes}; keep them, or move that evidence first")
    for row in dropped:
        await session.delete(row)
    for values in after:
        row = by_code.get(values["code"])
        if row is None:
            session.add(DutyRequirement(duty_id=duty.id, **values))
        else:
            apply(row, values)
    return before, after


async def update(*, session: AsyncSession, caller: Principal, duty_id: uuid.UUID, data: DutyUpdate,
                 if_match: str | None) -> Duty:
    """Change the fields given of one of the tenant's own duties; 412 when stale; audited."""
    duty = await _own(session, caller, duty_id)
    check_if_match(if_match, duty.version)
    changes = data.model_dump(mode="json", exclude_unset=True)
    items = changes.pop("requirements", None)
    if "code" in changes and changes["code"] != duty.code:
        await _check_code(session, caller, changes["code"], exclude_id=duty.id)
    # Requirements first: their queries autoflush, and a flush of the duty now would bump its version twice.
    replaced = await _replace_requirements(session, duty, items) if items is not None else None
    before, after = apply(duty, changes)
    if replaced:
        before["requirements"], after["requirements"] = replaced
    if after:
        duty.updated_by = caller.id
        duty.updated_at = utcnow()  # a requirements-only change still moves the duty's version (its ETag)
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type=RESOURCE, resource_id=duty.id, changes=audit.diff(before, after))
    return duty


async def delete_duty(*, session: AsyncSession, caller: Principal, duty_id: uuid.UUID, if_match: str | None) -> None:
    """Delete one of the tenant's own duties and its requirements; 409 while a record or evidence cites it."""
    duty = await _own(session, caller, duty_id)
    check_if_match(if_match, duty.version)
    await session.execute(select(Duty.id).where(Duty.id == duty.id).with_for_update())
    await _lock(session, list((await session.execute(
        select(DutyRequirement.id).where(DutyRequirement.duty_id == duty.id))).scalars()))
    if await duty_in_use(session, duty, tenant_id=caller.tenant_id):
        raise Conflict("An applicability record or evidence refers to this duty; it cannot be deleted")
    before = {name: getattr(duty, name) for name in ("code", "title", "jurisdiction")}
    await session.execute(delete(DutyRequirement).where(DutyRequirement.duty_id == duty.id))
    await session.delete(duty)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="delete",
                       resource_type=RESOURCE, resource_id=duty_id, changes=audit.diff(before, None))
