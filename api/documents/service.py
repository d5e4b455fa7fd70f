"""A plan's documents: the bytes kept in the database beside their SHA-256 (never changed once stored),
the metadata editable. Every query is scoped to the caller's tenant and the plan in the path; the audit
trail records a document's hash, size and type, never its content, title or file name."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import apply, archived_target, json_array_contains, snapshot
from api.documents.schemas import DocumentUpdate
from api.documents.upload import Received
from api.errors import Conflict, NotFound, Unprocessable
from api.legal_hold import ensure_kept, ensure_not_held
from api.models import Consultation, Document, Evidence, ScrutinyCorrespondence
from api.pagination import PageParams, PageResult, paginate
from api.plans import service as plans

RESOURCE = "document"
SORTABLE = {"id": Document.id, "title": Document.title, "created_at": Document.created_at,
            "updated_at": Document.updated_at}
# What makes a document evidence (the duty report's "published at launch", Gunning 2 and s149): frozen while the
# plan is on legal hold. Its title still changes.
EVIDENCE = ("kind", "consultation_id", "published_at")
AUDITED = ["kind", "title", "consultation_id", "published_at", "filename", "media_type", "size_bytes", "sha256"]
# Never in the audit trail's clear text: the title and the file's name, which staff and uploaders write and which may
# name a person ("Letter from Mrs Ann Jones.pdf"). The trail, which an erasure cannot change, records that they were
# given or changed, never what they said (api.actions.service does the same); the hash, size and type identify the
# file.
PERSONAL_FIELDS = frozenset({"title", "filename"})


def location(plan_id: uuid.UUID, document_id: uuid.UUID) -> str:
    return f"/api/v1/plans/{plan_id}/documents/{document_id}"


@dataclass(frozen=True)
class DocumentFilters:
    kind: str | None = None
    consultation_id: uuid.UUID | None = None


def fingerprint(path: str, **fields: Any) -> str:
    """What identifies an upload for Idempotency-Key: the path, the fields and the file (its SHA-256, the name and
    the media type it is stored under)."""
    canonical = json.dumps({"path": path, **audit.jsonable(fields)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def list_documents(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                         filters: DocumentFilters, page: PageParams) -> PageResult:
    """A page of the plan's documents (metadata only: the content column is never loaded here)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    stmt = select(Document).where(Document.tenant_id == caller.tenant_id, Document.plan_id == plan_id)
    if filters.kind:
        stmt = stmt.where(Document.kind == filters.kind)
    if filters.consultation_id:
        stmt = stmt.where(Document.consultation_id == filters.consultation_id)
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="created_at")


async def of_plan(session: AsyncSession, tenant_id: uuid.UUID, plan_id: uuid.UUID, ids: list[uuid.UUID]) -> set:
    """Of these ids, those of the plan's documents: what evidence and scrutiny correspondence may cite. They stay
    locked (shared) until the citing write commits, so a delete waits for it and then sees the citation."""
    return set((await session.execute(select(Document.id).where(
        Document.id.in_(ids), Document.plan_id == plan_id, Document.tenant_id == tenant_id)
        .with_for_update(read=True))).scalars())


async def get(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, document_id: uuid.UUID) -> Document:
    """One document of the plan (404 for another plan's or another tenant's)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    row = (await session.execute(select(Document).where(
        Document.id == document_id, Document.plan_id == plan_id, Document.tenant_id == caller.tenant_id)
    )).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No document with id {document_id} in this plan")
    return row


async def content(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                  document_id: uuid.UUID) -> tuple[Document, bytes]:
    """The document and its bytes (the only query that loads them)."""
    row = await get(session=session, caller=caller, plan_id=plan_id, document_id=document_id)
    data = (await session.execute(select(Document.content).where(Document.id == row.id))).scalar_one()
    return row, data


async def check_consultation(session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                             consultation_id: uuid.UUID | None) -> None:
    """A document may belong only to a consultation of its own plan (422 otherwise), and is not newly linked to an
    archived one (409, as crud.ensure_not_archived)."""
    if consultation_id is None:
        return
    archived_at = (await session.execute(select(Consultation.archived_at).where(
        Consultation.id == consultation_id, Consultation.plan_id == plan_id,
        Consultation.tenant_id == caller.tenant_id))).first()
    if archived_at is None:
        raise Unprocessable("The consultation is not one of this plan's", errors=[
            {"loc": ["body", "consultation_id"], "msg": "No consultation with this id in this plan",
             "type": "reference_not_found"}])
    if archived_at[0] is not None:
        raise Conflict(archived_target("consultation"))


async def create(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, fields: dict[str, Any],
                 file: Received) -> Document:
    """Store an uploaded file with its metadata (kind, title, consultation_id, published_at), and audit it
    (the hash, not the bytes)."""
    row = Document(tenant_id=caller.tenant_id, plan_id=plan_id, **fields, filename=file.filename,
                   media_type=file.media_type, size_bytes=file.size_bytes, sha256=file.sha256, content=file.content,
                   created_by=caller.id, updated_by=caller.id)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type=RESOURCE, resource_id=row.id,
                       changes=audit.diff(None, snapshot(row, AUDITED), personal=PERSONAL_FIELDS))
    return row


async def update(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, document_id: uuid.UUID,
                 data: DocumentUpdate, if_match: str | None) -> Document:
    """Change the metadata given: 412 when If-Match is stale, 422 for a consultation of another plan, 409 for a newly
    linked archived one, or for its kind, consultation or publication time while the plan is on legal hold."""
    row = await get(session=session, caller=caller, plan_id=plan_id, document_id=document_id)
    check_if_match(if_match, row.version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if changes.get("consultation_id") not in (None, row.consultation_id):
        await check_consultation(session, caller, plan_id, changes["consultation_id"])
    await ensure_kept(session, caller.tenant_id, row, changes, fields=EVIDENCE, label="document")
    before, after = apply(row, changes)
    if after:
        row.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type=RESOURCE, resource_id=row.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return row


async def delete(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, document_id: uuid.UUID,
                 if_match: str | None) -> None:
    """Delete a document no evidence item or scrutiny correspondence cites (409 otherwise)."""
    # A plan on legal hold keeps its record; locked, so a hold put on meanwhile is not slipped past.
    await ensure_not_held(session, caller.tenant_id, plan_id)
    row = await get(session=session, caller=caller, plan_id=plan_id, document_id=document_id)
    check_if_match(if_match, row.version)
    # Locked before the citations are looked for: a citing write under way (which holds the row shared) commits
    # first and is then seen (409); one starting now waits and then finds no document (422).
    await session.execute(select(Document.id).where(Document.id == row.id).with_for_update())
    cited_by_evidence = (await session.execute(select(Evidence.id).where(
        Evidence.tenant_id == caller.tenant_id,
        json_array_contains(session, Evidence.document_ids, str(row.id))).limit(1))).first()
    cited_by_letter = (await session.execute(select(ScrutinyCorrespondence.id).where(
        ScrutinyCorrespondence.tenant_id == caller.tenant_id, ScrutinyCorrespondence.document_id == row.id
    ).limit(1))).first()
    if cited_by_evidence or cited_by_letter:
        where = "an evidence item" if cited_by_evidence else "scrutiny correspondence"
        raise Conflict(f"The document is cited by {where}; remove it from there first")
    before = snapshot(row, AUDITED)
    await session.delete(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="delete",
                       resource_type=RESOURCE, resource_id=document_id,
                       changes=audit.diff(before, None, personal=PERSONAL_FIELDS))
