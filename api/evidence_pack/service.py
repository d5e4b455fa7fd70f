"""Sealing a plan's evidence pack: the whole record in one JSON document, its digest, and an audit event
that records the digest, all in one write transaction (so the sealing event directly follows the head the
pack names)."""

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.activities import attendance
from api.activities import service as activities
from api.assessments import grid
from api.auth.principal import Principal
from api.crud import get_owned
from api.db import utcnow
from api.duty_report import service as duty_report
from api.duty_report.context import Context
from api.evidence_pack import seal
from api.evidence_pack.schemas import (
    FORMAT,
    ActorRef,
    ApplicabilityVersion,
    AttendanceLine,
    AuditHead,
    DocumentRef,
    EvidencePack,
    PackActivity,
    PackConsultation,
    PackCorrespondence,
    PackEvidence,
    PackScrutiny,
    PackScrutinyRecord,
    TenantRef,
    Verification,
)
from api.feedback import service as feedback
from api.feedback.schemas import FeedbackRead
from api.models import (
    Activity,
    ActivityAttendance,
    Consultation,
    DutyAssessment,
    Feedback,
    Plan,
    Stakeholder,
    Tenant,
)
from api.plans import service as plans
from api.stakeholders import service as stakeholders

# A person whose processing is restricted (UK GDPR Art. 18) appears in a pack as anyone but an admin sees them
# through the API: an attendance line without their name or role, feedback without its link. A sealed pack's content
# must not depend on who sealed it, so this holds for an admin's pack too; the lines and the feedback still count.


async def _activities(session: AsyncSession, rows: list[Activity]) -> list[PackActivity]:
    tallies = await activities.counts(session, [r.id for r in rows])
    lines = defaultdict(list)
    for line, name, restricted_at in await session.execute(
            select(ActivityAttendance, Stakeholder.name, Stakeholder.restricted_at)
            .join(Stakeholder, Stakeholder.id == ActivityAttendance.stakeholder_id)
            .where(ActivityAttendance.activity_id.in_([r.id for r in rows]))
            .order_by(Stakeholder.name, Stakeholder.id)):
        lines[line.activity_id].append(AttendanceLine(
            stakeholder_id=line.stakeholder_id, **attendance.shown(name, line.role, restricted_at is None),
            invited=line.invited, attended=line.attended))
    return [PackActivity(**activities.to_read(r, tallies.get(r.id)).model_dump(), attendance=lines[r.id])
            for r in rows]


async def _feedback(session: AsyncSession, tenant_id: uuid.UUID, rows: list[Feedback]) -> list[FeedbackRead]:
    # Not stakeholders.restricted_among: that audits an admin's read of each restricted person, and a pack reads none.
    restricted = await stakeholders.restricted_of(session, tenant_id, [f.stakeholder_id for f in rows])
    return [feedback.to_read(f, hide_stakeholder=f.stakeholder_id in restricted) for f in rows]


def _consultations(context: Context, cited: list[Consultation]) -> tuple[list[PackConsultation], list[DocumentRef]]:
    """The plan's live consultations, then the archived ones its evidence names (`cited`), each with its documents;
    and the documents of none of them."""
    documents = defaultdict(list)
    for document in context.documents:
        documents[document.consultation_id].append(DocumentRef.model_validate(document))
    rows = context.consultations + cited
    known = {c.id for c in rows}
    out = [PackConsultation(**{name: getattr(c, name) for name in PackConsultation.model_fields
                               if name != "documents"}, documents=documents[c.id]) for c in rows]
    # Documents of another archived consultation, or of none, still belong to the record.
    others = [d for key, docs in documents.items() if key not in known for d in docs]
    return out, others


def _ids(values: list[list[str]]) -> set[uuid.UUID]:
    """The ids the evidence items link (stored as JSON strings; one that is not a UUID names no record)."""
    out = set()
    for value in (v for ids in values for v in ids or ()):
        try:
            out.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


# How the records the evidence links from outside the plan's live record follow the plan's own in the pack
LINKED_ORDER = {Activity: (Activity.starts_at, Activity.id), Feedback: (Feedback.received_at, Feedback.id),
                Consultation: (Consultation.opened_date, Consultation.created_at, Consultation.id)}


async def _linked(session: AsyncSession, tenant_id: uuid.UUID,
                  model: type[Activity] | type[Feedback] | type[Consultation], ids: set[uuid.UUID],
                  present: set[uuid.UUID]) -> list[Any]:
    """The records of the tenant the evidence links that the pack does not already hold: an archived one, or another
    plan's (evidence may link any activity or feedback of the tenant; the consultation it names is the plan's). A
    sealed pack must contain every record its evidence cites; their own archived_at and plan_id say why they are not
    among the plan's."""
    missing = ids - present
    if not missing:
        return []
    return list((await session.execute(select(model).where(model.tenant_id == tenant_id, model.id.in_(missing))
                                        .order_by(*LINKED_ORDER[model]))).scalars())


async def build(session: AsyncSession, caller: Principal, plan: Plan) -> dict[str, Any]:
    """The pack of the plan without its seal (sealed_at, sealed_by, audit_head, digest). The plan's records are
    loaded once, as the duty report reads them, and serve both the pack and its duty report."""
    context = (await duty_report.load_contexts(session, [plan]))[plan.id]
    tenant = await session.get(Tenant, plan.tenant_id)
    versions = (await session.execute(select(DutyAssessment).where(DutyAssessment.plan_id == plan.id)
                                      .order_by(DutyAssessment.number))).scalars()
    items = context.evidence  # the plan's live items, as its duty report reads them
    consultations, others = _consultations(context, await _linked(
        session, plan.tenant_id, Consultation, {e.consultation_id for e in items if e.consultation_id is not None},
        {c.id for c in context.consultations}))
    # The plan's own (live) records first, then those its evidence links from elsewhere, shown by the same rules
    # (restricted people unnamed and unlinked). Documents need none: evidence links only the plan's, which are
    # deleted only when nothing cites them, and all are in the pack.
    activity_rows = context.activities + await _linked(
        session, plan.tenant_id, Activity, _ids([e.activity_ids for e in items]), {a.id for a in context.activities})
    feedback_rows = context.feedback + await _linked(
        session, plan.tenant_id, Feedback, _ids([e.feedback_ids for e in items]), {f.id for f in context.feedback})
    return {
        "format": FORMAT,
        "tenant": TenantRef.model_validate(tenant),
        "plan": await plans.read(session, plan, None),  # as sealed: restricted people withheld, whoever seals it
        "applicability": [ApplicabilityVersion.model_validate(v) for v in versions],
        "grid": await grid.plan_grid(session=session, caller=caller, plan_id=plan.id, since=None),
        "activities": await _activities(session, activity_rows),
        "feedback": await _feedback(session, plan.tenant_id, feedback_rows),
        "consultations": consultations,
        "other_documents": others,
        "scrutiny": PackScrutiny(
            record=PackScrutinyRecord.model_validate(context.scrutiny) if context.scrutiny else None,
            correspondence=[PackCorrespondence.model_validate(c) for c in context.correspondence]),
        "evidence": [PackEvidence.model_validate(e) for e in items],
        "duty_report": await duty_report.build(session, plan, context),
    }


async def sealable_plan(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> Plan:
    """The plan whose pack the caller may seal (404 for an unknown plan or another tenant's)."""
    return await get_owned(session, Plan, tenant_id=caller.tenant_id, id=plan_id, label="plan")


async def seal_pack(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> bytes:
    """Seal the plan's pack and return its canonical JSON (digest included); the sealing is audited and
    committed here, so the pack a caller receives is always one the audit trail records."""
    plan = await sealable_plan(session=session, caller=caller, plan_id=plan_id)
    # The pack is read in the transaction that records its sealing (on SQLite a writer from here on: db.as_writer).
    seq, head_hash = await audit.locked_head(session, caller.tenant_id)  # the sealing event will follow it
    body = await build(session, caller, plan)
    body.update(sealed_at=utcnow(), sealed_by=ActorRef(type=caller.kind, id=caller.id),
                audit_head=AuditHead(seq=seq, hash=head_hash),
                digest="0" * 64)
    pack = EvidencePack.model_validate(body).model_dump(mode="json")
    pack["digest"] = seal.digest(pack)
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action=seal.SEALED_ACTION,
                       resource_type="plan", resource_id=plan.id,
                       changes={"digest": pack["digest"], "audit_head_seq": pack["audit_head"]["seq"]})
    await session.commit()
    return seal.encode(pack)


async def verify(*, session: AsyncSession, caller: Principal, raw: bytes) -> Verification:
    """Check a pack against the caller's tenant's audit trail."""
    pack = seal.loads(raw)
    result = await seal.verify(session, caller.tenant_id, pack)
    return Verification(valid=result.valid, digest_matches=result.digest_matches,
                        audit_head_found=result.audit_head_found, sealed_event_found=result.sealed_event_found,
                        audit_chain_intact=result.audit_chain_intact, reasons=result.reasons)
