"""UK GDPR rights: subject access, restriction, objection, and the legal hold that can block erasure.
Services flush; routers commit. Every call is audited, reads of the subject-access report included."""

import uuid

from sqlalchemy import Text, and_, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, idempotency, legal_hold
from api.activities.engagement import uk_today
from api.activities.schemas import StakeholderActivity
from api.assessments import service as assessments
from api.audit_events.schemas import AuditEventRead
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import snapshot
from api.db import utcnow
from api.errors import Conflict
from api.feedback import service as feedback_service
from api.gdpr.schemas import (
    EvidenceMention,
    HoldingPlan,
    LegalHoldCreate,
    ObjectionCreate,
    ObjectionScope,
    PlanAudienceMembership,
    RestrictionCreate,
    SubjectAccessReport,
)
from api.imports.service import MOVED
from api.models import (
    Activity,
    ActivityAttendance,
    Assessment,
    AuditEvent,
    Evidence,
    Feedback,
    Organisation,
    Plan,
    PlanAudienceOrganisation,
    PlanAudienceStakeholder,
    Stakeholder,
)
from api.organisations.schemas import to_read as organisation_read
from api.plans import service as plans
from api.plans.audience import categories_overlap
from api.stakeholders import erasure
from api.stakeholders import service as stakeholders
from api.stakeholders.schemas import to_read

RESTRICTION_FIELDS = ["restricted_at", "restriction_reason"]
OBJECTION_FIELDS = ["objection_date", "objection_scope", "objection_grounds", "objection_outcome",
                    "contact_objection", "contact_consent", "consent_recorded_at"]
PERSONAL = frozenset({"restriction_reason", "objection_grounds"})
HOLD_FIELDS = ["legal_hold_at", "legal_hold_reason", "legal_hold_by"]
HOLD_PERSONAL = frozenset({"legal_hold_reason"})  # recorded as given, never what it said (set_legal_hold)
# The actions that write an activity's attendance log to the audit trail (api.activities.attendance)
ATTENDANCE_ACTIONS = ("record_attendance", "replace_attendance", "remove_attendance")


async def _person(session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID) -> Stakeholder:
    return await stakeholders.get(session=session, caller=caller, stakeholder_id=stakeholder_id)


async def restrict(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
                   data: RestrictionCreate) -> Stakeholder:
    """Restrict processing of a person: 409 when already restricted or erased."""
    await stakeholders.lock_people_states(session, caller.tenant_id, exclusive=True)
    row = await _person(session, caller, stakeholder_id)
    if row.erased_at is not None:
        raise Conflict("This stakeholder's personal data was erased; there is nothing left to restrict")
    if row.restricted_at is not None:
        raise Conflict("Processing of this stakeholder is already restricted; lift the restriction first")
    before = snapshot(row, RESTRICTION_FIELDS)
    row.restricted_at, row.restriction_reason, row.updated_by = utcnow(), data.reason, caller.id
    await session.flush()
    # A retry would replay them to whom every read now answers 404 (or shows them withheld)
    await idempotency.forget_mentions(session, tenant_id=caller.tenant_id, stakeholder_id=row.id)
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="restrict",
                       resource_type="stakeholder", resource_id=row.id,
                       changes=audit.diff(before, snapshot(row, RESTRICTION_FIELDS), personal=PERSONAL))
    return row


async def lift_restriction(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
                           if_match: str | None = None) -> Stakeholder:
    """Lift a restriction: 412 when If-Match is stale; 409 when the person is not restricted, or was erased since
    (nothing is left to process)."""
    row = await _person(session, caller, stakeholder_id)
    check_if_match(if_match, row.version)
    if row.erased_at is not None:
        raise Conflict("This stakeholder's personal data was erased; there is nothing left to restrict or release")
    if row.restricted_at is None:
        raise Conflict("Processing of this stakeholder is not restricted")
    before = snapshot(row, RESTRICTION_FIELDS)
    row.restricted_at, row.restriction_reason, row.updated_by = None, None, caller.id
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="lift_restriction",
                       resource_type="stakeholder", resource_id=row.id,
                       changes=audit.diff(before, snapshot(row, RESTRICTION_FIELDS), personal=PERSONAL))
    return row


async def record_objection(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
                           data: ObjectionCreate) -> Stakeholder:
    """Record an objection (the latest replaces the previous on the record shown); objecting to contact turns contact
    consent off, and its outcome stays in contact_objection until another objection to contact is recorded."""
    row = await _person(session, caller, stakeholder_id)
    if row.erased_at is not None:
        raise Conflict(stakeholders.ERASED_UNCHANGEABLE)
    before = snapshot(row, OBJECTION_FIELDS)
    now = utcnow()
    row.objection_date = data.objection_date or uk_today()
    row.objection_scope, row.objection_grounds, row.objection_outcome = (data.scope.value, data.grounds,
                                                                         data.outcome.value)
    if data.scope == ObjectionScope.contact:
        row.contact_objection = data.outcome.value
        if row.contact_consent:
            row.contact_consent, row.consent_recorded_at = False, now
    row.updated_by = caller.id
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="objection",
                       resource_type="stakeholder", resource_id=row.id,
                       changes=audit.diff(before, snapshot(row, OBJECTION_FIELDS), personal=PERSONAL))
    return row


async def set_legal_hold(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                         data: LegalHoldCreate) -> Plan:
    """Put a plan on legal hold: 409 when it already is."""
    # An erasure under way decided the hold was not there (ensure_erasable reads without a lock): the hold waits for
    # it to commit, and an erasure starting now waits for the hold, then sees it (the lock erasure takes).
    await stakeholders.lock_people_states(session, caller.tenant_id, exclusive=True)
    plan = await plans.get(session=session, caller=caller, plan_id=plan_id)
    if plan.legal_hold_at is not None:
        raise Conflict("This plan is already on legal hold")
    before = snapshot(plan, HOLD_FIELDS)
    plan.legal_hold_at, plan.legal_hold_reason, plan.legal_hold_by = utcnow(), data.reason, caller.id
    plan.updated_by = caller.id
    await session.flush()
    # Its reason may name the claimant ("Judicial review claim by Ann Jones"): the trail, which an erasure cannot
    # change, records that it was given, never what it said, as a restriction's reason (PERSONAL).
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="legal_hold",
                       resource_type="plan", resource_id=plan.id,
                       changes=audit.diff(before, snapshot(plan, HOLD_FIELDS), personal=HOLD_PERSONAL))
    return plan


async def lift_legal_hold(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID,
                          if_match: str | None = None) -> Plan:
    """Lift a plan's legal hold: 412 when If-Match is stale; 409 when it is not on hold. What the erasures done while
    it held left in its rows goes now (erasure.finish_held_erasures)."""
    # An erasure under way recording what this plan's rows keep commits first, and is then finished here
    await stakeholders.lock_people_states(session, caller.tenant_id, exclusive=True)
    plan = await plans.get(session=session, caller=caller, plan_id=plan_id)
    check_if_match(if_match, plan.version)
    if plan.legal_hold_at is None:
        raise Conflict("This plan is not on legal hold")
    before = snapshot(plan, HOLD_FIELDS)
    plan.legal_hold_at, plan.legal_hold_reason, plan.legal_hold_by = None, None, None
    plan.updated_by = caller.id
    await session.flush()
    wiped = await erasure.finish_held_erasures(session=session, caller=caller, plan_id=plan.id)
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="lift_legal_hold",
                       resource_type="plan", resource_id=plan.id,
                       changes={**audit.diff(before, snapshot(plan, HOLD_FIELDS), personal=HOLD_PERSONAL),
                                "free_texts_erased": wiped})
    return plan


async def subject_access(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID) -> SubjectAccessReport:
    """Everything held about the person, across every resource; the request is audited."""
    tenant = caller.tenant_id
    row = await _person(session, caller, stakeholder_id)
    organisation = None
    if row.organisation_id is not None:
        organisation = (await session.execute(select(Organisation).where(
            Organisation.id == row.organisation_id, Organisation.tenant_id == tenant))).scalar_one_or_none()
    high = await assessments.tenant_threshold(session, tenant)
    assessed = (await session.execute(select(Assessment).where(
        Assessment.tenant_id == tenant, Assessment.stakeholder_id == row.id)
        .order_by(Assessment.assessed_at.desc(), Assessment.id.desc()))).scalars().all()
    lines = (await session.execute(
        select(Activity, ActivityAttendance).join(ActivityAttendance, ActivityAttendance.activity_id == Activity.id)
        .where(ActivityAttendance.tenant_id == tenant, ActivityAttendance.stakeholder_id == row.id)
        .order_by(Activity.starts_at.desc(), Activity.id))).all()
    said = (await session.execute(select(Feedback).where(
        Feedback.tenant_id == tenant, Feedback.stakeholder_id == row.id)
        .order_by(Feedback.received_at.desc(), Feedback.id))).scalars().all()
    # The events of their own records: the stakeholder, their feedback and their assessments; of feedback moved from
    # them to someone else since, those up to the move (`left`); and the events of any activity log that had a line
    # of theirs, kept when the line is gone (taken off, or the log replaced): the trail still holds their id, marks
    # and role there; and the feedback imports that moved feedback to or from them. Those are picked by their id in
    # the changes' text, then exactly.
    subject = str(row.id)
    left = await _feedback_left(session, tenant, subject, theirs={str(f.id) for f in said})
    theirs = [("stakeholder", [row.id]), ("feedback", [*(str(f.id) for f in said), *left]),
              ("assessment", [a.id for a in assessed])]
    naming = cast(AuditEvent.changes, Text).contains(subject, autoescape=True)
    on_a_log = and_(AuditEvent.resource_type == "activity", AuditEvent.action.in_(ATTENDANCE_ACTIONS), naming)
    moving = and_(AuditEvent.resource_type == "feedback", AuditEvent.action == "import", naming)
    events = (await session.execute(select(AuditEvent).where(AuditEvent.tenant_id == tenant, or_(on_a_log, moving, *(
        and_(AuditEvent.resource_type == kind, AuditEvent.resource_id.in_([str(i) for i in ids]))
        for kind, ids in theirs if ids))).order_by(AuditEvent.seq))).scalars().all()
    shown = [_as_theirs(e, subject) for e in events
             if (e.resource_type != "activity" or _names_line(e.changes, subject))
             and (e.action != "import" or _moves(e.changes, subject))
             and (e.resource_type != "feedback" or e.seq <= left.get(e.resource_id, e.seq))]
    report = SubjectAccessReport(
        generated_at=utcnow(),
        stakeholder=to_read(row, caller),
        organisation=organisation_read(organisation, caller) if organisation else None,
        assessments=[assessments.to_read(a, high) for a in assessed],
        plan_audiences=await _audiences(session, tenant, row),
        attendance=[StakeholderActivity(activity_id=a.id, title=a.title, method=a.method, level=a.level,
                                        status=a.status, duty_limb=a.duty_limb, plan_id=a.plan_id,
                                        starts_at=a.starts_at, ends_at=a.ends_at, invited=line.invited,
                                        attended=line.attended, role=line.role) for a, line in lines],
        feedback=[feedback_service.to_read(f) for f in said],
        evidence=await _evidence(session, tenant, feedback_ids={str(f.id) for f in said},
                                 activity_ids={str(a.id) for a, _ in lines}),
        legal_holds=[HoldingPlan(id=p.id, title=p.title)
                     for p in await legal_hold.held_plans_naming(session, tenant, row.id)],
        audit_events=shown,
    )
    await audit.append(session, tenant_id=tenant, actor=caller.actor, action="subject_access",
                       resource_type="stakeholder", resource_id=row.id)
    return report


async def _feedback_left(session: AsyncSession, tenant: uuid.UUID, subject: str, *,
                         theirs: set[str]) -> dict[str, int]:
    """Feedback that was theirs and is someone else's now, or nobody's (its stakeholder_id PATCHed, or changed by an
    import, whose one event lists the feedback it moved; the trail keeps both ids): the seq of its last event naming
    them as its stakeholder, the move away. Its events up to there are about them, as all of its events are about
    whoever it is now; those after are another person's, or nobody's."""
    naming = await session.execute(select(AuditEvent.resource_id, AuditEvent.action, AuditEvent.seq,
                                          AuditEvent.changes).where(
        AuditEvent.tenant_id == tenant, AuditEvent.resource_type == "feedback",
        cast(AuditEvent.changes, Text).contains(subject, autoescape=True)).order_by(AuditEvent.seq))
    left = {}
    for feedback_id, action, seq, changes in naming:
        moves = (changes.get(MOVED) or {}) if action == "import" else {feedback_id: changes.get("stakeholder_id") or {}}
        left.update({moved: seq for moved, change in moves.items()
                     if moved not in theirs and subject in change.values()})
    return left


def _names_line(changes: dict, subject: str) -> bool:
    """The change of an attendance log has a line of theirs (api.activities.attendance writes
    {"attendance": {"before": {stakeholder id: line or null}, "after": {…}}})."""
    lines = changes.get("attendance") or {}
    return any(subject in (lines.get(side) or {}) for side in ("before", "after"))


def _moves(changes: dict, subject: str) -> bool:
    """A feedback import's event moved feedback of theirs, or to them (api.imports.service writes
    {MOVED: {feedback id: {"before": stakeholder id or null, "after": …}}})."""
    return any(subject in move.values() for move in (changes.get(MOVED) or {}).values())


def _as_theirs(event: AuditEvent, subject: str) -> AuditEventRead:
    """An event as the subject's report shows it: only what is about them (UK GDPR Art. 15 gives them their data,
    never another person's). Of an attendance log's change, only their line (not the others', nor the headcount); of
    a feedback import's, only the moves of their feedback (that it was moved, when and by whom is theirs to know, as
    a PATCH's move is: not the other rows it moved, nor the counts and digest of the whole file); a stakeholder id
    that is not theirs (feedback first logged against someone else, or moved to someone else since) becomes
    '[personal data]'. Its id, seq and hashes stay the stored event's, to find it in the trail by; a part of its
    changes does not hash to them."""
    changes = {}
    for name, change in event.changes.items():
        if name == "attendance":
            changes[name] = {side: {subject: lines[subject]} for side, lines in change.items() if subject in lines}
        elif event.resource_type == "activity":
            continue  # the rest of a log's change is the activity's headcount, not about them
        elif name == MOVED:
            changes[name] = {feedback_id: _their_side(move, subject) for feedback_id, move in change.items()
                             if subject in move.values()}
        elif event.action == "import":
            continue  # the rest of an import's event is about the whole file, not them
        elif name == "stakeholder_id" and isinstance(change, dict):
            changes[name] = _their_side(change, subject)
        else:
            changes[name] = change
    return AuditEventRead.model_validate(event).model_copy(update={"changes": changes})


def _their_side(change: dict, subject: str) -> dict:
    """A change of stakeholder id, another person's id in it as '[personal data]'."""
    return {side: audit.REDACTED if value not in (None, subject) else value for side, value in change.items()}


async def _audiences(session: AsyncSession, tenant: uuid.UUID, row: Stakeholder) -> list[PlanAudienceMembership]:
    """Plans whose audience holds the person: named, through their organisation, or through a category."""
    named = set((await session.execute(select(PlanAudienceStakeholder.plan_id).where(
        PlanAudienceStakeholder.tenant_id == tenant, PlanAudienceStakeholder.stakeholder_id == row.id))).scalars())
    by_org: set = set()
    if row.organisation_id is not None:
        by_org = set((await session.execute(select(PlanAudienceOrganisation.plan_id).where(
            PlanAudienceOrganisation.tenant_id == tenant,
            PlanAudienceOrganisation.organisation_id == row.organisation_id))).scalars())
    categories = set(row.categories or [])
    out = []
    holding = or_(Plan.id.in_(named | by_org),
                  categories_overlap(session, Plan.audience_categories, sorted(categories)))
    for plan in (await session.execute(select(Plan.id, Plan.title, Plan.audience_categories)
                                       .where(Plan.tenant_id == tenant, holding).order_by(Plan.title, Plan.id))):
        out.append(PlanAudienceMembership(plan_id=plan.id, plan_title=plan.title, named=plan.id in named,
                                          by_organisation=plan.id in by_org,
                                          by_category=bool(categories & set(plan.audience_categories or []))))
    return out


async def _evidence(session: AsyncSession, tenant: uuid.UUID, *, feedback_ids: set[str],
                    activity_ids: set[str]) -> list[EvidenceMention]:
    """Evidence items linking the person's feedback or an activity whose log they are on, invited or attending, as a
    legal hold counts them (links are JSON lists)."""
    if not feedback_ids and not activity_ids:
        return []
    out = []
    linking = legal_hold.links_any(session, feedback_ids=sorted(feedback_ids), activity_ids=sorted(activity_ids))
    for item in (await session.execute(select(Evidence).where(Evidence.tenant_id == tenant, linking)
                                       .order_by(Evidence.created_at, Evidence.id))).scalars():
        feedback = sorted(feedback_ids & set(map(str, item.feedback_ids or [])))
        activities = sorted(activity_ids & set(map(str, item.activity_ids or [])))
        out.append(EvidenceMention(id=item.id, plan_id=item.plan_id, requirement_id=item.requirement_id,
                                   summary=item.summary, feedback_ids=feedback, activity_ids=activities))
    return out
