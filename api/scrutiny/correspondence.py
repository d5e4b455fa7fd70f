"""Correspondence with a plan's scrutiny body: letters, emails and meetings, each optionally held in a
document of the same plan. Scoped to the caller's tenant and the plan in the path."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import apply, snapshot
from api.documents import service as documents
from api.errors import NotFound, Unprocessable
from api.legal_hold import ensure_kept, ensure_not_held
from api.models import ScrutinyCorrespondence
from api.pagination import PageParams, PageResult, paginate
from api.plans import children
from api.plans import service as plans
from api.scrutiny.schemas import CorrespondenceCreate, CorrespondenceUpdate

RESOURCE = "scrutiny_correspondence"
SORTABLE = {"id": ScrutinyCorrespondence.id, "correspondence_date": ScrutinyCorrespondence.correspondence_date,
            "created_at": ScrutinyCorrespondence.created_at, "updated_at": ScrutinyCorrespondence.updated_at}
FIELDS = ["direction", "correspondence_date", "summary", "document_id"]
# What a letter said, and when and which way it went (the duty report's reg 23 finding reads the dates of those sent):
# frozen while the plan is on legal hold, as is its document once cited (the record may gain that, not lose it).
SAID = ("direction", "correspondence_date", "summary")
# Never in the audit trail's clear text: the summary of what a letter or meeting said, which may name or quote a
# person (an objector, a councillor). The trail, which an erasure cannot change, records that it changed, never what
# it said (api.actions.service does the same); its direction, date and document are kept in clear.
PERSONAL_FIELDS = frozenset({"summary"})


def location(plan_id: uuid.UUID, correspondence_id: uuid.UUID) -> str:
    return f"/api/v1/plans/{plan_id}/scrutiny/correspondence/{correspondence_id}"


async def list_correspondence(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                              page: PageParams) -> PageResult:
    """A page of the plan's correspondence, oldest first unless ?sort= says otherwise."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    stmt = select(ScrutinyCorrespondence).where(ScrutinyCorrespondence.tenant_id == caller.tenant_id,
                                                ScrutinyCorrespondence.plan_id == plan_id)
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="correspondence_date")


async def get(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
              correspondence_id: uuid.UUID) -> ScrutinyCorrespondence:
    """One item of the plan's correspondence (404 for another plan's or another tenant's)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    row = (await session.execute(select(ScrutinyCorrespondence).where(
        ScrutinyCorrespondence.id == correspondence_id, ScrutinyCorrespondence.plan_id == plan_id,
        ScrutinyCorrespondence.tenant_id == caller.tenant_id))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No correspondence with id {correspondence_id} in this plan")
    return row


async def _check_document(session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                          document_id: uuid.UUID | None) -> None:
    if document_id is not None and not await documents.of_plan(session, caller.tenant_id, plan_id, [document_id]):
        raise Unprocessable("The document is not one of this plan's", errors=[
            {"loc": ["body", "document_id"], "msg": "No document with this id in this plan",
             "type": "reference_not_found"}])


async def create(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                 data: CorrespondenceCreate) -> ScrutinyCorrespondence:
    """Record a letter, email or meeting and audit it."""
    await children.open_plan(session, caller, plan_id)
    values = data.model_dump()
    await _check_document(session, caller, plan_id, data.document_id)
    row = ScrutinyCorrespondence(tenant_id=caller.tenant_id, plan_id=plan_id, created_by=caller.id,
                                 updated_by=caller.id, **values)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type=RESOURCE, resource_id=row.id,
                       changes=audit.diff(None, {"plan_id": plan_id, **values}, personal=PERSONAL_FIELDS))
    return row


async def update(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, correspondence_id: uuid.UUID,
                 data: CorrespondenceUpdate, if_match: str | None) -> ScrutinyCorrespondence:
    """Change the fields given; 412 when If-Match is stale, 422 for a document of another plan, 409 for what it
    said while the plan is on legal hold."""
    row = await get(session=session, caller=caller, plan_id=plan_id, correspondence_id=correspondence_id)
    check_if_match(if_match, row.version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    await _check_document(session, caller, plan_id, changes.get("document_id"))
    await ensure_kept(session, caller.tenant_id, row, changes, fields=SAID, once_set=("document_id",), label="letter")
    before, after = apply(row, changes)
    if after:
        row.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type=RESOURCE, resource_id=row.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return row


async def delete(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, correspondence_id: uuid.UUID,
                 if_match: str | None) -> None:
    """Delete an item recorded in error; the audit trail keeps when and which way it went and its document, and that
    it had a summary (not what it said: PERSONAL_FIELDS)."""
    # A plan on legal hold keeps its record; locked, so a hold put on meanwhile is not slipped past.
    await ensure_not_held(session, caller.tenant_id, plan_id)
    row = await get(session=session, caller=caller, plan_id=plan_id, correspondence_id=correspondence_id)
    check_if_match(if_match, row.version)
    before = snapshot(row, FIELDS)
    await session.delete(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="delete",
                       resource_type=RESOURCE, resource_id=correspondence_id,
                       changes=audit.diff(before, None, personal=PERSONAL_FIELDS))
