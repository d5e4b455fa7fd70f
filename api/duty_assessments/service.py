"""A plan's applicability record: which duties apply, why, and at what level.

Append-only: every PUT writes the next version; a version is never changed afterwards except to be
signed off. The (plan_id, number) unique constraint turns two simultaneous writes into one 409."""

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.db import utcnow
from api.duties.service import visible
from api.duty_assessments.schemas import DutyAssessmentRead, DutyAssessmentWrite, EntryRead
from api.errors import Conflict, NotFound, PreconditionFailed, Unprocessable
from api.models import Duty, DutyAssessment
from api.pagination import PageParams, PageResult, paginate
from api.plans import children
from api.plans import service as plans

RESOURCE = "duty_assessment"
SORTABLE = {"id": DutyAssessment.id, "number": DutyAssessment.number}


async def latest_number(session: AsyncSession, plan_id: uuid.UUID) -> int | None:
    return (await session.execute(select(func.max(DutyAssessment.number))
                                  .where(DutyAssessment.plan_id == plan_id))).scalar_one()


async def _version(session: AsyncSession, caller: Principal, plan_id: uuid.UUID, number: int) -> DutyAssessment:
    row = (await session.execute(select(DutyAssessment).where(
        DutyAssessment.plan_id == plan_id, DutyAssessment.tenant_id == caller.tenant_id,
        DutyAssessment.number == number))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"The plan has no applicability record version {number}")
    return row


async def current(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> DutyAssessment:
    """The latest version (404 when the plan, in the caller's tenant, has none yet)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    number = await latest_number(session, plan_id)
    if number is None:
        raise NotFound("The plan has no applicability record yet; write one with PUT")
    return await _version(session, caller, plan_id, number)


async def version(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, number: int) -> DutyAssessment:
    """One version of the plan's record (404 when there is no such version)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    return await _version(session, caller, plan_id, number)


async def list_versions(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                        page: PageParams) -> PageResult:
    """The plan's versions, newest first unless ?sort= says otherwise."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    stmt = select(DutyAssessment).where(DutyAssessment.plan_id == plan_id,
                                        DutyAssessment.tenant_id == caller.tenant_id)
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="-number")


def stamped(entry: dict, duty: Duty) -> dict:
    """The entry with its duty's code and title as they are now, kept in the version so that it reads as it was
    written and signed off, whatever the duty is called later."""
    return {**entry, "duty_code": duty.code, "duty_title": duty.title}


def words(entry: dict, duty: Duty | None) -> tuple[str | None, str | None]:
    """The duty's (code, title) as the version recorded them; a version written before they were kept shows the
    duty as it is now (None, None once it is gone)."""
    if "duty_title" in entry:
        return entry.get("duty_code"), entry["duty_title"]
    return (duty.code, duty.title) if duty else (None, None)


async def to_reads(session: AsyncSession, rows: list[DutyAssessment]) -> list[DutyAssessmentRead]:
    """The read models, each entry with its duty's code and title as written (one query for all)."""
    ids = {uuid.UUID(e["duty_id"]) for row in rows for e in row.entries}
    duties = {}
    if ids:
        duties = {d.id: d for d in (await session.execute(select(Duty).where(Duty.id.in_(ids)))).scalars()}
    latest = {}
    for plan_id in {row.plan_id for row in rows}:
        latest[plan_id] = await latest_number(session, plan_id)
    out = []
    for row in rows:
        entries = []
        for e in row.entries:
            code, title = words(e, duties.get(uuid.UUID(e["duty_id"])))
            entries.append(EntryRead(duty_id=e["duty_id"], duty_code=code, duty_title=title, applies=e["applies"],
                                     reasons=e["reasons"], level=e.get("level")))
        out.append(DutyAssessmentRead(plan_id=row.plan_id, number=row.number, entries=entries, note=row.note,
                                      created_at=row.created_at, created_by=row.created_by,
                                      signed_off_at=row.signed_off_at, signed_off_by=row.signed_off_by,
                                      current=row.number == latest[row.plan_id], version=row.number))
    return out


async def to_read(session: AsyncSession, row: DutyAssessment) -> DutyAssessmentRead:
    return (await to_reads(session, [row]))[0]


async def _check_duties(session: AsyncSession, caller: Principal, data: DutyAssessmentWrite) -> dict[uuid.UUID, Duty]:
    """{id: duty} for the duties the entries name; 422 when one is not the caller's to see."""
    ids = [e.duty_id for e in data.entries]
    # The tenant's own duties it names stay locked (shared) until this version commits, so deleting one waits for
    # it and then finds it in use; one being deleted is waited for, then not found (built-ins are never deleted).
    await session.execute(select(Duty.id).where(Duty.id.in_(ids), Duty.tenant_id == caller.tenant_id)
                          .with_for_update(read=True))
    found = {d.id: d for d in (await session.execute(select(Duty).where(Duty.id.in_(ids),
                                                                       visible(caller.tenant_id)))).scalars()}
    errors = [{"loc": ["body", "entries", i, "duty_id"], "msg": "No duty with this id that your tenant can see",
               "type": "reference_not_found"} for i, duty_id in enumerate(ids) if duty_id not in found]
    if errors:
        raise Unprocessable("An entry names a duty that does not exist for your tenant", errors=errors)
    return found


async def write(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, data: DutyAssessmentWrite,
                if_match: str | None) -> DutyAssessment:
    """Write the next version of the record; 412 when If-Match does not name the current version; 409 for the first
    version of an archived plan (a record it already holds may still be corrected)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    number = await latest_number(session, plan_id)
    if number is None:
        await children.open_plan(session, caller, plan_id)
        if if_match is not None:
            raise PreconditionFailed("The plan has no applicability record yet; send no If-Match")
    else:
        check_if_match(if_match, number)
    duties = await _check_duties(session, caller, data)
    entries = [stamped(e.model_dump(mode="json"), duties[e.duty_id]) for e in data.entries]
    row = DutyAssessment(tenant_id=caller.tenant_id, plan_id=plan_id, number=(number or 0) + 1, entries=entries,
                         note=data.note, created_at=utcnow(), created_by=caller.id)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type=RESOURCE, resource_id=row.id,
                       changes=audit.diff(None, {"plan_id": plan_id, "number": row.number, "entries": entries,
                                                 "note": row.note}))
    return row


async def sign_off(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                   if_match: str | None) -> DutyAssessment:
    """Sign off the current version; 409 when it is already signed off, 412 when If-Match is stale."""
    row = await current(session=session, caller=caller, plan_id=plan_id)
    check_if_match(if_match, row.number)
    if row.signed_off_at is not None:
        raise Conflict(f"Version {row.number} is already signed off; write a new version to change the record")
    # Conditional, so of two simultaneous sign-offs exactly one wins and the other gets 409.
    signed = await session.execute(update(DutyAssessment).where(
        DutyAssessment.id == row.id, DutyAssessment.signed_off_at.is_(None)).values(
        signed_off_at=utcnow(), signed_off_by=caller.id).execution_options(synchronize_session=False))
    if signed.rowcount != 1:
        raise Conflict(f"Version {row.number} was signed off a moment ago")
    await session.refresh(row)
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="sign_off",
                       resource_type=RESOURCE, resource_id=row.id,
                       changes=audit.diff({"signed_off_at": None, "signed_off_by": None},
                                          {"signed_off_at": row.signed_off_at, "signed_off_by": caller.id}))
    return row
