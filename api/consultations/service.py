"""A plan's formal consultations: every query scoped to the caller's tenant and the plan in the path.
The read model derives the window's length and lists the documents published for it, each marked by
whether it was out on the day the consultation opened (Gunning 2 asks for that)."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.activities.engagement import uk_day
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.consultations.schemas import ConsultationCreate, ConsultationDocument, ConsultationRead, ConsultationUpdate
from api.crud import apply, archive_or_restore, ensure_external_id_free
from api.errors import NotFound, Unprocessable
from api.legal_hold import ensure_kept
from api.models import Consultation, Document
from api.pagination import PageParams, PageResult, paginate
from api.plans import children
from api.plans import service as plans

RESOURCE = "consultation"
SORTABLE = {"id": Consultation.id, "title": Consultation.title, "created_at": Consultation.created_at,
            "updated_at": Consultation.updated_at}
# What the duty report reads (Gunning 1 and 3, each document's published_at_launch), and what was decided and by whom
# (the subject of the claim, shown in the evidence pack): frozen while the plan is on legal hold. Its title and
# external id still change.
WINDOW = ("opened_date", "closed_date", "minimum_days", "shorter_reason", "decision_date", "decision_maker",
          "decision_summary")
# Never in the audit trail's clear text: who decided (a person's name), and what staff write about why the window was
# shorter and what was decided, which may name a person ("at the request of Cllr Ann Jones"). The trail, which an
# erasure cannot change, records that they changed, never what they said (api.actions.service does the same).
PERSONAL_FIELDS = frozenset({"decision_maker", "shorter_reason", "decision_summary"})


def location(plan_id: uuid.UUID, consultation_id: uuid.UUID) -> str:
    return f"/api/v1/plans/{plan_id}/consultations/{consultation_id}"


@dataclass(frozen=True)
class ConsultationFilters:
    external_id: str | None = None
    archived: bool = False


def _launch_document(document: Document, opened: date | None) -> ConsultationDocument:
    published = document.published_at
    at_launch = published is not None and opened is not None and uk_day(published) <= opened
    return ConsultationDocument(id=document.id, kind=document.kind, title=document.title, sha256=document.sha256,
                                size_bytes=document.size_bytes, media_type=document.media_type,
                                published_at=published, published_at_launch=at_launch)


def _duration(row: Consultation) -> tuple[int | None, bool | None]:
    days = row.days_open
    if days is None:
        return None, None
    return days, (days < row.minimum_days if row.minimum_days is not None else None)


async def read_many(session: AsyncSession, rows: list[Consultation]) -> list[ConsultationRead]:
    """The consultations as the API shows them, with their documents (one query for any number)."""
    ids = [row.id for row in rows]
    documents: dict[uuid.UUID, list[Document]] = {i: [] for i in ids}
    if ids:
        found = (await session.execute(select(Document).where(
            Document.consultation_id.in_(ids), Document.tenant_id == rows[0].tenant_id)
                                       .order_by(Document.created_at, Document.id))).scalars()
        for document in found:
            documents[document.consultation_id].append(document)
    out = []
    for row in rows:
        values = {name: getattr(row, name) for name in ConsultationRead.model_fields
                  if name not in ("duration_days", "shorter_than_minimum", "documents")}
        days, shorter = _duration(row)
        out.append(ConsultationRead(**values, duration_days=days, shorter_than_minimum=shorter,
                                    documents=[_launch_document(d, row.opened_date) for d in documents[row.id]]))
    return out


async def read(session: AsyncSession, row: Consultation) -> ConsultationRead:
    return (await read_many(session, [row]))[0]


async def list_consultations(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                             filters: ConsultationFilters, page: PageParams) -> PageResult:
    """A page of the plan's consultations (archived ones only when asked)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    stmt = select(Consultation).where(Consultation.tenant_id == caller.tenant_id, Consultation.plan_id == plan_id)
    stmt = stmt.where(Consultation.archived_at.is_not(None) if filters.archived else Consultation.archived_at.is_(None))
    if filters.external_id:
        stmt = stmt.where(Consultation.external_id == filters.external_id)
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="created_at")


async def get(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
              consultation_id: uuid.UUID) -> Consultation:
    """One consultation of the plan (404 for another plan's or another tenant's)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    row = (await session.execute(select(Consultation).where(
        Consultation.id == consultation_id, Consultation.plan_id == plan_id,
        Consultation.tenant_id == caller.tenant_id))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No consultation with id {consultation_id} in this plan")
    return row


def _check_dates(opened: date | None, closed: date | None) -> None:
    if opened is not None and closed is not None and closed < opened:
        raise Unprocessable("closed_date is before opened_date", errors=[
            {"loc": ["body", "closed_date"], "msg": "must not be before opened_date", "type": "date_order"}])


async def create(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                 data: ConsultationCreate) -> Consultation:
    """Add a consultation to the plan and audit it."""
    await children.open_plan(session, caller, plan_id)
    values = data.model_dump()
    _check_dates(data.opened_date, data.closed_date)
    await ensure_external_id_free(session, Consultation, tenant_id=caller.tenant_id, external_id=data.external_id)
    row = Consultation(tenant_id=caller.tenant_id, plan_id=plan_id, created_by=caller.id, updated_by=caller.id,
                       **values)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type=RESOURCE, resource_id=row.id,
                       changes=audit.diff(None, {"plan_id": plan_id, **values}, personal=PERSONAL_FIELDS))
    return row


async def update(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, consultation_id: uuid.UUID,
                 data: ConsultationUpdate, if_match: str | None) -> Consultation:
    """Change the fields given: 412 when If-Match is stale, 422 when the window would close before it opens, 409 for
    its window and decision date while the plan is on legal hold."""
    row = await get(session=session, caller=caller, plan_id=plan_id, consultation_id=consultation_id)
    check_if_match(if_match, row.version)
    changes = data.model_dump(exclude_unset=True)
    _check_dates(changes.get("opened_date", row.opened_date), changes.get("closed_date", row.closed_date))
    await ensure_kept(session, caller.tenant_id, row, changes, fields=WINDOW, label="consultation")
    if "external_id" in changes:
        await ensure_external_id_free(session, Consultation, tenant_id=caller.tenant_id,
                                      external_id=changes["external_id"], exclude_id=row.id)
    before, after = apply(row, changes)
    if after:
        row.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type=RESOURCE, resource_id=row.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return row


async def set_archived(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, consultation_id: uuid.UUID,
                       archived: bool, if_match: str | None = None) -> Consultation:
    """Archive (soft delete) or restore a consultation; its documents stay."""
    row = await get(session=session, caller=caller, plan_id=plan_id, consultation_id=consultation_id)
    return await archive_or_restore(session, caller, row, archived=archived, if_match=if_match,
                                    resource_type=RESOURCE)
