"""The duty report of a plan: the context loaded in a fixed number of queries (however many activities,
feedback, requirements or plans there are), then every applicable requirement checked by its rule."""

import uuid
from collections import defaultdict

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.crud import get_owned, json_array_contains
from api.db import utcnow
from api.duty_assessments.service import words
from api.duty_report import rules
from api.duty_report.context import AttendanceLine, AudienceMember, Context, RuleInput
from api.duty_report.rules import Status
from api.duty_report.schemas import (
    AssessmentRef,
    DutyReport,
    EvidenceItem,
    FoundLink,
    ItemEvidence,
    ReportItem,
    StatusCounts,
)
from api.models import (
    Activity,
    ActivityAttendance,
    Consultation,
    Document,
    Duty,
    DutyAssessment,
    DutyRequirement,
    Evidence,
    Feedback,
    Plan,
    PlanAudienceOrganisation,
    PlanAudienceStakeholder,
    Scrutiny,
    ScrutinyCorrespondence,
    Stakeholder,
    Tenant,
)

SELDOM_HEARD_CATEGORY = "seldom_heard"
SELDOM_HEARD_TAGS = ("seldom-heard", "seldom_heard")


async def _latest_assessments(session: AsyncSession, plan_ids: list[uuid.UUID]) -> dict[uuid.UUID, DutyAssessment]:
    """{plan id: its latest applicability record} for the plans that have one."""
    newest = (select(DutyAssessment.plan_id, func.max(DutyAssessment.number).label("number"))
              .where(DutyAssessment.plan_id.in_(plan_ids)).group_by(DutyAssessment.plan_id).subquery())
    rows = await session.execute(select(DutyAssessment).join(newest, and_(
        DutyAssessment.plan_id == newest.c.plan_id, DutyAssessment.number == newest.c.number)))
    return {row.plan_id: row for row in rows.scalars()}


async def _seldom_heard(session: AsyncSession, plan_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[AudienceMember]]:
    """Per plan, the seldom-heard stakeholders of its tenant named in its audience, directly or through an
    organisation."""
    flagged = or_(json_array_contains(session, Stakeholder.categories, SELDOM_HEARD_CATEGORY),
                  *(json_array_contains(session, Stakeholder.tags, tag) for tag in SELDOM_HEARD_TAGS))
    # A restricted person (UK GDPR Art. 18) is in no plan's audience, as on the grid: never named here.
    live = (Stakeholder.archived_at.is_(None), Stakeholder.restricted_at.is_(None), flagged)
    named = (select(PlanAudienceStakeholder.plan_id, Stakeholder.id, Stakeholder.name)
             .join(Stakeholder, and_(Stakeholder.id == PlanAudienceStakeholder.stakeholder_id,
                                     Stakeholder.tenant_id == PlanAudienceStakeholder.tenant_id))
             .where(PlanAudienceStakeholder.plan_id.in_(plan_ids), *live))
    through = (select(PlanAudienceOrganisation.plan_id, Stakeholder.id, Stakeholder.name)
               .join(Stakeholder, and_(Stakeholder.organisation_id == PlanAudienceOrganisation.organisation_id,
                                       Stakeholder.tenant_id == PlanAudienceOrganisation.tenant_id))
               .where(PlanAudienceOrganisation.plan_id.in_(plan_ids), *live))
    members = union(named, through).subquery()
    out = defaultdict(list)
    for row in await session.execute(select(members).order_by(members.c.name, members.c.id)):
        out[row.plan_id].append(AudienceMember(id=row.id, name=row.name))
    return out


async def load_contexts(session: AsyncSession, plans: list[Plan]) -> dict[uuid.UUID, Context]:
    """Everything the rules read about each plan: one query per kind of record, however many plans."""
    ids, tenants = [plan.id for plan in plans], {plan.tenant_id for plan in plans}

    async def by_plan(model, *order) -> dict[uuid.UUID, list]:
        stmt = select(model).where(model.tenant_id.in_(tenants), model.plan_id.in_(ids))
        if hasattr(model, "archived_at"):
            stmt = stmt.where(model.archived_at.is_(None))
        out = defaultdict(list)
        for row in (await session.execute(stmt.order_by(*order))).scalars():
            out[row.plan_id].append(row)
        return out

    attendance = defaultdict(list)
    for r in await session.execute(
            select(Activity.plan_id, ActivityAttendance.activity_id, ActivityAttendance.stakeholder_id,
                   ActivityAttendance.invited, ActivityAttendance.attended, Stakeholder.categories)
            .join(Activity, Activity.id == ActivityAttendance.activity_id)
            .join(Stakeholder, Stakeholder.id == ActivityAttendance.stakeholder_id)
            .where(Activity.tenant_id.in_(tenants), Activity.plan_id.in_(ids))):
        attendance[r.plan_id].append(AttendanceLine(activity_id=r.activity_id, stakeholder_id=r.stakeholder_id,
                                                    invited=r.invited, attended=r.attended,
                                                    categories=tuple(r.categories or ())))
    activities = await by_plan(Activity, Activity.starts_at, Activity.id)
    consultations = await by_plan(Consultation, Consultation.opened_date, Consultation.created_at, Consultation.id)
    documents = await by_plan(Document, Document.created_at, Document.id)
    scrutiny = await by_plan(Scrutiny, Scrutiny.id)
    correspondence = await by_plan(ScrutinyCorrespondence, ScrutinyCorrespondence.correspondence_date,
                                   ScrutinyCorrespondence.id)
    feedback = await by_plan(Feedback, Feedback.received_at, Feedback.id)
    # All of the plan's evidence: each requirement's rule sees its own items, and every rule the decisions any item
    # records (Context.decisions_for), from these same rows
    evidence = await by_plan(Evidence, Evidence.created_at, Evidence.id)
    seldom_heard = await _seldom_heard(session, ids)
    return {plan.id: Context(
        plan=plan, consultations=consultations[plan.id],
        documents=documents[plan.id], scrutiny=next(iter(scrutiny[plan.id]), None),
        correspondence=correspondence[plan.id], activities=activities[plan.id], attendance=attendance[plan.id],
        feedback=feedback[plan.id], seldom_heard=seldom_heard[plan.id], evidence=evidence[plan.id])
        for plan in plans}


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _applying(assessment: DutyAssessment) -> dict[uuid.UUID, dict]:
    """{duty id: entry} for the duties the record says apply."""
    entries = {}
    for entry in assessment.entries or []:
        duty_id = _uuid(entry.get("duty_id")) if isinstance(entry, dict) else None
        if duty_id is not None and entry.get("applies") is True:
            entries[duty_id] = entry
    return entries


async def _applicable(session: AsyncSession, plans: list[Plan], assessments: dict[uuid.UUID, DutyAssessment]
                      ) -> dict[uuid.UUID, list[tuple]]:
    """Per plan, [(duty, entry, [requirements])] for the duties its record says apply (the built-in ones and its
    tenant's own), in catalogue order; plans with none are left out."""
    entries = {plan.id: _applying(assessments[plan.id]) for plan in plans if plan.id in assessments}
    duty_ids = {duty_id for applying in entries.values() for duty_id in applying}
    if not duty_ids:
        return {}
    rows = (await session.execute(
        select(Duty, DutyRequirement).join(DutyRequirement, DutyRequirement.duty_id == Duty.id)
        .where(Duty.id.in_(list(duty_ids)),
               or_(Duty.tenant_id.is_(None), Duty.tenant_id.in_({plan.tenant_id for plan in plans})))
        .order_by(Duty.position, Duty.code, DutyRequirement.position, DutyRequirement.code))).all()
    out = {}
    for plan in plans:
        applying = entries.get(plan.id, {})
        grouped: dict[uuid.UUID, tuple] = {}
        for duty, requirement in rows:
            if duty.id in applying and duty.tenant_id in (None, plan.tenant_id):
                grouped.setdefault(duty.id, (duty, applying[duty.id], []))[2].append(requirement)
        if grouped:
            out[plan.id] = list(grouped.values())
    return out


async def _unconsidered(session: AsyncSession, plans: list[Plan], assessments: dict[uuid.UUID, DutyAssessment]
                        ) -> dict[uuid.UUID, list[str]]:
    """Per plan with a record, the titles of its jurisdiction's built-in duties the record says nothing about
    (neither applies nor not): a record listing only the duties it meets would leave the others unchecked."""
    recorded = [plan for plan in plans if plan.id in assessments]
    if not recorded:
        return {}
    catalogue = (await session.execute(
        select(Tenant.id, Duty.id, Duty.title).join(Duty, and_(Duty.jurisdiction == Tenant.jurisdiction,
                                                               Duty.tenant_id.is_(None)))
        .where(Tenant.id.in_({plan.tenant_id for plan in recorded})).order_by(Duty.position, Duty.code))).all()
    out = {}
    for plan in recorded:
        said = {_uuid(e.get("duty_id")) for e in assessments[plan.id].entries or [] if isinstance(e, dict)}
        missing = [title for tenant_id, duty_id, title in catalogue if tenant_id == plan.tenant_id
                   and duty_id not in said]
        if missing:
            out[plan.id] = missing
    return out


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _evidence_item(row: Evidence) -> EvidenceItem:
    return EvidenceItem(id=row.id, summary=row.summary, activity_ids=[str(i) for i in row.activity_ids or []],
                        feedback_ids=[str(i) for i in row.feedback_ids or []],
                        document_ids=[str(i) for i in row.document_ids or []], decision=row.decision,
                        decision_date=row.decision_date, consultation_id=row.consultation_id)


def _special(code: str, title: str, status: Status, reason: str, gap: str) -> ReportItem:
    return ReportItem(duty_id=None, duty_code=None, duty_title=None, level=None, requirement_id=None, code=code,
                      title=title, rule=None, status=status, reason=reason, gaps=[gap],
                      evidence=ItemEvidence(items=[], links=[]))


async def build_many(session: AsyncSession, plans: list[Plan],
                     contexts: dict[uuid.UUID, Context] | None = None) -> list[DutyReport]:
    """The duty reports of plans (already checked to be the caller's), in the plans' order: a fixed number of
    queries however many plans there are. `contexts`: the plans' contexts when the caller loaded them already."""
    if not plans:
        return []
    assessments = await _latest_assessments(session, [plan.id for plan in plans])
    applicable = await _applicable(session, plans, assessments)
    unconsidered = await _unconsidered(session, plans, assessments)
    checked = [plan for plan in plans if plan.id in applicable]
    evidence = defaultdict(lambda: defaultdict(list))
    if checked:
        contexts = contexts or await load_contexts(session, checked)
        for plan in checked:
            for row in contexts[plan.id].evidence:
                evidence[plan.id][row.requirement_id].append(row)
    return [_report(plan, assessments.get(plan.id), applicable.get(plan.id, []), (contexts or {}).get(plan.id),
                    evidence[plan.id], unconsidered.get(plan.id, [])) for plan in plans]


async def build(session: AsyncSession, plan: Plan, context: Context | None = None) -> DutyReport:
    """The duty report of a plan (already checked to be the caller's); `context`: its context, if loaded."""
    return (await build_many(session, [plan], {plan.id: context} if context else None))[0]


def _report(plan: Plan, assessment: DutyAssessment | None, applicable: list[tuple], context: Context | None,
            evidence: dict[uuid.UUID, list[Evidence]], unconsidered: list[str]) -> DutyReport:
    items: list[ReportItem] = []
    if assessment is None:
        items.append(_special("applicability", "Whether the duties apply was assessed", Status.red,
                              "Whether the duties to involve apply to this plan was never assessed.",
                              "Record the applicability of each duty (PUT the plan's duty-assessment)."))
    elif assessment.signed_off_at is None:
        items.append(_special("applicability-sign-off", "The applicability record was signed off", Status.amber,
                              f"Version {assessment.number} of the applicability record has not been signed off "
                              f"by a lead.", "A lead signs off the latest applicability record."))
    if unconsidered:
        items.append(_special("applicability-coverage", "Every duty was considered", Status.amber,
                              f"The applicability record does not say whether these duties apply: "
                              f"{'; '.join(unconsidered)}.",
                              "Record for each duty of the catalogue whether it applies, and why."))
    for duty, entry, requirements in applicable:
        duty_code, duty_title = words(entry, duty)  # as the signed record names it
        for requirement in requirements:
            found = rules.run(requirement.rule, RuleInput(context, evidence[requirement.id]))
            items.append(ReportItem(
                duty_id=duty.id, duty_code=duty_code, duty_title=duty_title, level=_text(entry.get("level")),
                requirement_id=requirement.id, code=requirement.code, title=requirement.title,
                rule=requirement.rule, status=found.status, reason=found.reason, gaps=found.gaps,
                evidence=ItemEvidence(items=[_evidence_item(e) for e in evidence[requirement.id]],
                                      links=[FoundLink(kind=link.kind, id=link.id, title=link.title)
                                             for link in found.links])))
    counts = {s: sum(1 for i in items if i.status == s) for s in Status}
    return DutyReport(
        plan_id=plan.id, plan_title=plan.title, generated_at=utcnow(), status=rules.worst(i.status for i in items),
        counts=StatusCounts(red=counts[Status.red], amber=counts[Status.amber], green=counts[Status.green]),
        assessment=AssessmentRef.model_validate(assessment) if assessment else None, items=items)


async def plan_report(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> DutyReport:
    """The duty report of one of the caller's plans (404 otherwise)."""
    plan = await get_owned(session, Plan, tenant_id=caller.tenant_id, id=plan_id, label="plan")
    return await build(session, plan)
