"""The duty report of a plan: the context loaded in a fixed number of queries (however many activities,
feedback or requirements there are), then every applicable requirement checked by its rule."""

import uuid
from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.activities.engagement import UK
from api.auth.principal import Principal
from api.crud import get_owned, json_array_contains
from api.db import utcnow
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
)

SELDOM_HEARD_CATEGORY = "seldom_heard"
SELDOM_HEARD_TAGS = ("seldom-heard", "seldom_heard")


async def latest_assessment(session: AsyncSession, plan_id: uuid.UUID) -> DutyAssessment | None:
    return (await session.execute(select(DutyAssessment).where(DutyAssessment.plan_id == plan_id)
                                  .order_by(DutyAssessment.number.desc()).limit(1))).scalar_one_or_none()


async def _seldom_heard(session: AsyncSession, plan: Plan) -> list[AudienceMember]:
    named = select(PlanAudienceStakeholder.stakeholder_id).where(PlanAudienceStakeholder.plan_id == plan.id)
    orgs = select(PlanAudienceOrganisation.organisation_id).where(PlanAudienceOrganisation.plan_id == plan.id)
    flagged = or_(json_array_contains(session, Stakeholder.categories, SELDOM_HEARD_CATEGORY),
                  *(json_array_contains(session, Stakeholder.tags, tag) for tag in SELDOM_HEARD_TAGS))
    rows = await session.execute(
        select(Stakeholder.id, Stakeholder.name)
        .where(Stakeholder.tenant_id == plan.tenant_id, Stakeholder.archived_at.is_(None),
               or_(Stakeholder.id.in_(named), Stakeholder.organisation_id.in_(orgs)), flagged)
        .order_by(Stakeholder.name, Stakeholder.id))
    return [AudienceMember(id=r.id, name=r.name) for r in rows]


async def load_context(session: AsyncSession, plan: Plan, assessment: DutyAssessment | None) -> Context:
    """Everything the rules read about the plan, one query per kind of record."""
    def plan_rows(model, *order):
        stmt = select(model).where(model.tenant_id == plan.tenant_id, model.plan_id == plan.id)
        if hasattr(model, "archived_at"):
            stmt = stmt.where(model.archived_at.is_(None))
        return stmt.order_by(*order)

    activities = list((await session.execute(plan_rows(Activity, Activity.starts_at, Activity.id))).scalars())
    activity_ids = select(Activity.id).where(Activity.tenant_id == plan.tenant_id, Activity.plan_id == plan.id)
    attendance = [AttendanceLine(activity_id=r.activity_id, stakeholder_id=r.stakeholder_id, invited=r.invited,
                                 attended=r.attended, categories=tuple(r.categories or ()))
                  for r in await session.execute(
                      select(ActivityAttendance.activity_id, ActivityAttendance.stakeholder_id,
                             ActivityAttendance.invited, ActivityAttendance.attended, Stakeholder.categories)
                      .join(Stakeholder, Stakeholder.id == ActivityAttendance.stakeholder_id)
                      .where(ActivityAttendance.activity_id.in_(activity_ids)))]
    return Context(
        plan=plan,
        today=utcnow().astimezone(UK).date(),
        assessment=assessment,
        consultations=list((await session.execute(
            plan_rows(Consultation, Consultation.opened_date, Consultation.created_at, Consultation.id))).scalars()),
        documents=list((await session.execute(plan_rows(Document, Document.created_at, Document.id))).scalars()),
        scrutiny=(await session.execute(plan_rows(Scrutiny, Scrutiny.id))).scalar_one_or_none(),
        correspondence=list((await session.execute(plan_rows(
            ScrutinyCorrespondence, ScrutinyCorrespondence.correspondence_date, ScrutinyCorrespondence.id))).scalars()),
        activities=activities,
        attendance=attendance,
        feedback=list((await session.execute(plan_rows(Feedback, Feedback.received_at, Feedback.id))).scalars()),
        seldom_heard=await _seldom_heard(session, plan),
    )


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def _applicable(session: AsyncSession, plan: Plan, assessment: DutyAssessment):
    """[(duty, entry, [requirements])] for the duties the record says apply, in catalogue order."""
    entries = {}
    for entry in assessment.entries or []:
        duty_id = _uuid(entry.get("duty_id")) if isinstance(entry, dict) else None
        if duty_id is not None and entry.get("applies") is True:
            entries[duty_id] = entry
    if not entries:
        return []
    rows = (await session.execute(
        select(Duty, DutyRequirement).join(DutyRequirement, DutyRequirement.duty_id == Duty.id)
        .where(Duty.id.in_(list(entries)), or_(Duty.tenant_id.is_(None), Duty.tenant_id == plan.tenant_id))
        .order_by(Duty.position, Duty.code, DutyRequirement.position, DutyRequirement.code))).all()
    grouped: dict[uuid.UUID, tuple] = {}
    for duty, requirement in rows:
        grouped.setdefault(duty.id, (duty, entries[duty.id], []))[2].append(requirement)
    return list(grouped.values())


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _evidence_item(row: Evidence) -> EvidenceItem:
    return EvidenceItem(id=row.id, summary=row.summary, activity_ids=[str(i) for i in row.activity_ids or []],
                        feedback_ids=[str(i) for i in row.feedback_ids or []],
                        document_ids=[str(i) for i in row.document_ids or []], decision=row.decision,
                        decision_date=row.decision_date)


def _special(code: str, title: str, status: Status, reason: str, gap: str) -> ReportItem:
    return ReportItem(duty_id=None, duty_code=None, duty_title=None, level=None, requirement_id=None, code=code,
                      title=title, rule=None, status=status, reason=reason, gaps=[gap],
                      evidence=ItemEvidence(items=[], links=[]))


async def build(session: AsyncSession, plan: Plan) -> DutyReport:
    """The duty report of a plan (already checked to be the caller's)."""
    assessment = await latest_assessment(session, plan.id)
    items: list[ReportItem] = []
    if assessment is None:
        items.append(_special("applicability", "Whether the duties apply was assessed", Status.red,
                              "Whether the duties to involve apply to this plan was never assessed.",
                              "Record the applicability of each duty (POST the plan's duty-assessment)."))
    else:
        if assessment.signed_off_at is None:
            items.append(_special("applicability-sign-off", "The applicability record was signed off", Status.amber,
                                  f"Version {assessment.number} of the applicability record has not been signed off "
                                  f"by a lead.", "A lead signs off the latest applicability record."))
        applicable = await _applicable(session, plan, assessment)
        if applicable:
            context = await load_context(session, plan, assessment)
            evidence = defaultdict(list)
            for row in (await session.execute(
                    select(Evidence).where(Evidence.tenant_id == plan.tenant_id, Evidence.plan_id == plan.id,
                                           Evidence.archived_at.is_(None))
                    .order_by(Evidence.created_at, Evidence.id))).scalars():
                evidence[row.requirement_id].append(row)
            for duty, entry, requirements in applicable:
                for requirement in requirements:
                    found = rules.run(requirement.rule, RuleInput(context, evidence[requirement.id]))
                    items.append(ReportItem(
                        duty_id=duty.id, duty_code=duty.code, duty_title=duty.title, level=_text(entry.get("level")),
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
