"""Evidence items of a plan: a duty requirement linked to the activities, feedback, documents and
decision that show it was met. Every query is scoped to the caller's tenant and the plan in the path.

The links are JSON lists of ids (no foreign keys), so each id is checked on write: activities and
feedback of the same tenant, documents of the same plan; so is the consultation the decision is about (a foreign
key), which must be the plan's. DELETE archives: evidence is the record."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import (
    apply,
    archive_or_restore,
    ensure_external_id_free,
    ensure_not_archived,
    text_search,
)
from api.documents import service as documents
from api.duties.service import visible
from api.errors import NotFound, Unprocessable
from api.evidence.schemas import (
    EvidenceCreate,
    EvidenceRead,
    EvidenceUpdate,
    LinkedActivity,
    LinkedDocument,
    LinkedFeedback,
)
from api.legal_hold import UNNAMING, ensure_kept, ensure_not_held
from api.models import Activity, Consultation, Document, Duty, DutyRequirement, Evidence, Feedback
from api.pagination import PageParams, PageResult, paginate
from api.plans import children
from api.plans import service as plans

RESOURCE = "evidence"
SORTABLE = {"id": Evidence.id, "created_at": Evidence.created_at, "updated_at": Evidence.updated_at}
LINKS = (("activity_ids", Activity, "activity"), ("feedback_ids", Feedback, "feedback"),
         ("document_ids", Document, "document"))
ARCHIVABLE = LINKS[:2]  # documents are deleted, never archived
# What the audit trail marks as changed without keeping the words: staff write about the people the linked records
# involve ("Ann Lee's feedback at the Bridport meeting"), and the trail, which outlives an erasure, must not keep them.
PERSONAL_FIELDS = frozenset({"summary", "decision"})
# Which consultation a decision binds is what the duty report judges it by (Gunning 1 and 4): frozen while the plan is
# on legal hold, as a consultation's own decision date is. Even unset it says something (the decision binds each of the
# plan's consultations), so naming one then would change what the held record states.
KEPT = ("consultation_id",)
# The decision the item records, once recorded: kept too while the plan is on hold, neither changed nor cleared. A blank
# one may still be filled in (once_set, not KEPT): a decision taken since the hold was put on is new evidence, which a
# held plan may gain (a new item recording it is allowed anyway), while a blank states nothing that could be rewritten.
DECISION = ("decision", "decision_date")


def location(plan_id: uuid.UUID, evidence_id: uuid.UUID) -> str:
    return f"/api/v1/plans/{plan_id}/evidence/{evidence_id}"


@dataclass(frozen=True)
class EvidenceFilters:
    requirement_id: uuid.UUID | None = None
    duty_code: str | None = None
    consultation_id: uuid.UUID | None = None
    external_id: str | None = None
    q: str | None = None
    archived: bool = False


async def list_evidence(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, filters: EvidenceFilters,
                        page: PageParams) -> PageResult:
    """A page of the plan's evidence items, oldest first unless ?sort= says otherwise."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    stmt = select(Evidence).where(Evidence.tenant_id == caller.tenant_id, Evidence.plan_id == plan_id)
    stmt = stmt.where(Evidence.archived_at.is_not(None) if filters.archived else Evidence.archived_at.is_(None))
    if filters.requirement_id:
        stmt = stmt.where(Evidence.requirement_id == filters.requirement_id)
    if filters.duty_code:
        stmt = stmt.where(Evidence.requirement_id.in_(
            select(DutyRequirement.id).join(Duty, Duty.id == DutyRequirement.duty_id)
            .where(Duty.code == filters.duty_code, visible(caller.tenant_id))))
    if filters.consultation_id:
        stmt = stmt.where(Evidence.consultation_id == filters.consultation_id)
    if filters.external_id:
        stmt = stmt.where(Evidence.external_id == filters.external_id)
    if filters.q:
        stmt = stmt.where(text_search(filters.q, Evidence.summary, Evidence.decision))
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="created_at")


async def get(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, evidence_id: uuid.UUID) -> Evidence:
    """One evidence item of the plan (404 for another plan's or another tenant's)."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    row = (await session.execute(select(Evidence).where(
        Evidence.id == evidence_id, Evidence.plan_id == plan_id, Evidence.tenant_id == caller.tenant_id)
    )).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No evidence item with id {evidence_id} in this plan")
    return row


async def _check(session: AsyncSession, caller: Principal, plan_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Every reference must resolve (422 naming the field and the index of each bad id)."""
    errors = []
    if values.get("requirement_id") is not None:
        found = (await session.execute(select(DutyRequirement.id).join(Duty, Duty.id == DutyRequirement.duty_id).where(
            DutyRequirement.id == values["requirement_id"], visible(caller.tenant_id)))).first()
        if found is None:
            errors.append({"loc": ["body", "requirement_id"], "type": "reference_not_found",
                           "msg": "No requirement with this id in a duty your tenant can see"})
    if values.get("consultation_id") is not None:
        found = (await session.execute(select(Consultation.id).where(
            Consultation.id == values["consultation_id"], Consultation.plan_id == plan_id,
            Consultation.tenant_id == caller.tenant_id))).first()
        if found is None:
            errors.append({"loc": ["body", "consultation_id"], "type": "reference_not_found",
                           "msg": "No consultation with this id in this plan"})
    for field, model, label in LINKS:
        ids = values.get(field) or []
        if not ids:
            continue
        if model is Document:
            found, where = await documents.of_plan(session, caller.tenant_id, plan_id, ids), "this plan"
        else:
            found, where = set((await session.execute(select(model.id).where(
                model.id.in_(ids), model.tenant_id == caller.tenant_id))).scalars()), "your tenant"
        errors += [{"loc": ["body", field, i], "msg": f"No {label} with this id in {where}",
                    "type": "reference_not_found"} for i, ref in enumerate(ids) if ref not in found]
    if errors:
        raise Unprocessable("A linked record does not exist", errors=errors)


async def _check_live(session: AsyncSession, caller: Principal, values: dict[str, Any],
                      row: Evidence | None = None) -> None:
    """Nothing new is linked to an archived activity, feedback or consultation (409, as crud.ensure_not_archived); a
    link the item already holds stays."""
    for field, model, label in ARCHIVABLE:
        if values.get(field):
            kept = [uuid.UUID(i) for i in getattr(row, field)] if row is not None else ()
            await ensure_not_archived(session, model, tenant_id=caller.tenant_id, ids=values[field], label=label,
                                      kept=kept)
    if values.get("consultation_id") is not None:
        await ensure_not_archived(session, Consultation, tenant_id=caller.tenant_id, ids=values["consultation_id"],
                                  label="consultation", kept=[row.consultation_id] if row is not None else ())


async def create(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, data: EvidenceCreate) -> Evidence:
    """Record an evidence item for the plan and audit it."""
    await children.open_plan(session, caller, plan_id)
    values = data.model_dump(mode="json")
    values["requirement_id"] = data.requirement_id
    values["decision_date"] = data.decision_date
    values["consultation_id"] = data.consultation_id
    await _check(session, caller, plan_id, data.model_dump())
    await _check_live(session, caller, data.model_dump())
    await ensure_external_id_free(session, Evidence, tenant_id=caller.tenant_id, external_id=data.external_id)
    row = Evidence(tenant_id=caller.tenant_id, plan_id=plan_id, created_by=caller.id, updated_by=caller.id, **values)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type=RESOURCE, resource_id=row.id,
                       changes=audit.diff(None, {"plan_id": plan_id, **values}, personal=PERSONAL_FIELDS))
    return row


async def update(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, evidence_id: uuid.UUID,
                 data: EvidenceUpdate, if_match: str | None) -> Evidence:
    """Change the fields given; 412 when If-Match is stale, 409 for the consultation, or a recorded decision, while
    the plan is on legal hold."""
    row = await get(session=session, caller=caller, plan_id=plan_id, evidence_id=evidence_id)
    check_if_match(if_match, row.version)
    await _check(session, caller, plan_id, data.model_dump(exclude_unset=True))
    await _check_live(session, caller, data.model_dump(exclude_unset=True), row)
    changes = data.model_dump(mode="json", exclude_unset=True)
    # Typed columns take Python values, JSON lists take strings
    for name in ("requirement_id", "decision_date", "consultation_id"):
        if name in changes:
            changes[name] = getattr(data, name)
    if "external_id" in changes:
        await ensure_external_id_free(session, Evidence, tenant_id=caller.tenant_id,
                                      external_id=changes["external_id"], exclude_id=row.id)
    # Links to activities and feedback name people: a held plan's evidence may gain them but not lose them.
    if any(set(getattr(row, name)) - set(changes[name]) for name in ("activity_ids", "feedback_ids")
           if name in changes):
        await ensure_not_held(session, caller.tenant_id, plan_id, change=UNNAMING)
    await ensure_kept(session, caller.tenant_id, row, changes, fields=KEPT, once_set=DECISION, label="evidence item")
    before, after = apply(row, changes)
    if after:
        row.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type=RESOURCE, resource_id=row.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return row


async def set_archived(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, evidence_id: uuid.UUID,
                       archived: bool, if_match: str | None = None) -> Evidence:
    """Archive (DELETE) or restore the item; repeating either changes nothing."""
    row = await get(session=session, caller=caller, plan_id=plan_id, evidence_id=evidence_id)
    return await archive_or_restore(session, caller, row, archived=archived, if_match=if_match,
                                    resource_type=RESOURCE)


async def to_reads(session: AsyncSession, rows: list[Evidence]) -> list[EvidenceRead]:
    """Read models with each link expanded briefly: one query per kind of record for the whole page."""
    wanted: dict[str, set] = {field: set() for field, _, _ in LINKS}
    for row in rows:
        for field in wanted:
            wanted[field].update(uuid.UUID(i) for i in getattr(row, field))
    linked: dict[str, dict] = {}
    for (field, model, _), columns in zip(LINKS, (
            (Activity.id, Activity.title, Activity.starts_at, Activity.duty_limb),
            (Feedback.id, Feedback.status, Feedback.responded_at, Feedback.told_at),
            (Document.id, Document.title, Document.kind, Document.sha256)), strict=True):
        found = {}
        if wanted[field]:
            # Tenant scoping is implied by the ids having been checked on write; kept here as well.
            tenant_ids = {r.tenant_id for r in rows}
            for r in await session.execute(select(*columns).where(model.id.in_(wanted[field]),
                                                                  model.tenant_id.in_(tenant_ids))):
                found[r.id] = r._mapping
        linked[field] = found
    requirements = {}
    requirement_ids = {r.requirement_id for r in rows}
    if requirement_ids:
        requirements = {r.id: r for r in await session.execute(
            select(DutyRequirement.id, DutyRequirement.code, Duty.id.label("duty_id"), Duty.code.label("duty_code"))
            .join(Duty, Duty.id == DutyRequirement.duty_id).where(DutyRequirement.id.in_(requirement_ids)))}

    def expand(row: Evidence, field: str, model: type) -> list:
        return [model.model_validate(dict(linked[field][uuid.UUID(i)]))
                for i in getattr(row, field) if uuid.UUID(i) in linked[field]]

    out = []
    for row in rows:
        req = requirements[row.requirement_id]
        out.append(EvidenceRead(
            id=row.id, plan_id=row.plan_id, requirement_id=row.requirement_id, requirement_code=req.code,
            duty_id=req.duty_id, duty_code=req.duty_code, summary=row.summary, activity_ids=row.activity_ids,
            feedback_ids=row.feedback_ids, document_ids=row.document_ids,
            activities=expand(row, "activity_ids", LinkedActivity),
            feedback=expand(row, "feedback_ids", LinkedFeedback),
            documents=expand(row, "document_ids", LinkedDocument), decision=row.decision,
            decision_date=row.decision_date, consultation_id=row.consultation_id, external_id=row.external_id,
            archived_at=row.archived_at, created_at=row.created_at, updated_at=row.updated_at,
            created_by=row.created_by, updated_by=row.updated_by, version=row.version))
    return out


async def to_read(session: AsyncSession, row: Evidence) -> EvidenceRead:
    return (await to_reads(session, [row]))[0]
