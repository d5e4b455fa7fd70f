"""The demo plan's duty record, in the style of the Dorset and Cambridgeshire consultations: which duties
apply and why (version 1, signed off by the admin), a twelve-week consultation whose pack was published at
launch but whose equality impact assessment came a week late, the scrutiny record with the committee's
letters, and two evidence items. The duty report then shows one real failing (the late equality impact
assessment, under Gunning 2 and s149) among mostly met requirements. Dates are relative to now."""

import hashlib
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.activities.engagement import UK, uk_today
from api.crud import snapshot
from api.db import utcnow
from api.documents.service import AUDITED as DOCUMENT_AUDITED
from api.duty_assessments.service import stamped
from api.models import (
    Activity,
    Consultation,
    Document,
    Duty,
    DutyAssessment,
    DutyRequirement,
    Evidence,
    Feedback,
    Plan,
    Scrutiny,
    ScrutinyCorrespondence,
    Tenant,
    User,
)

# (duty code, applies, level, reasons); a duty of the tenant's catalogue not named here is recorded as not applying.
# Written straight to the table, so it must keep the API's rule: a duty that applies has a level.
APPLICABILITY = [
    ("nhs-act-s14z45", True, "consult",
     "Replacing the minor injuries unit with an urgent treatment centre changes how and where urgent care is "
     "delivered to the people of West Dorset: the board must involve them in planning, in the proposals and in "
     "the decision. The change is significant enough to consult formally rather than only inform."),
    ("gunning", True, "consult",
     "The board is running a formal public consultation on the options, so the Gunning principles apply to it."),
    ("equality-act-s149", True, "consult",
     "Night-time closure and travel to the hub affect older people, disabled people and carers more than others; "
     "due regard must be shown in an equality impact assessment before the decision."),
    ("health-scrutiny-reg23", True, "consult",
     "Dorset Council's Health Scrutiny Committee considers the change of opening hours a substantial variation "
     "and asked to be consulted."),
    ("reconfiguration-notification", False, None,
     "Not a notifiable reconfiguration: services move within the same town and no service is withdrawn; the "
     "Secretary of State's call-in criteria are not met."),
]
NOT_LISTED = "Does not apply to an integrated care board's commissioning decision."

CONSULTATION_WEEKS = 12
OPENED_DAYS_AGO = 63  # the survey (49 days ago) and the public meeting (35 days ago) fall inside the window
EIA_LATE_DAYS = 7


def pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF (hand-built: the demo needs no PDF library)."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = [f"BT /F1 16 Tf 60 780 Td ({escape(title)}) Tj ET"]
    text += [f"BT /F1 11 Tf 60 {750 - 18 * n} Td ({escape(line)}) Tj ET" for n, line in enumerate(lines)]
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _morning(day: date) -> datetime:
    """10am UK time on a day, in UTC (a publication time that is on that day in the UK)."""
    return datetime.combine(day, time(10), tzinfo=UK).astimezone(UTC)


async def _seed_event(session: AsyncSession, tenant: Tenant, resource_type: str, resource_id: uuid.UUID,
                      values: dict) -> None:
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="seed", resource_type=resource_type,
                       resource_id=resource_id, changes=audit.diff(None, values))


async def _assessment(session: AsyncSession, tenant: Tenant, admin: User, plan: Plan) -> dict[str, Duty]:
    duties = list((await session.execute(select(Duty).where(
        Duty.tenant_id.is_(None), Duty.jurisdiction == tenant.jurisdiction).order_by(Duty.position))).scalars())
    by_code = {d.code: d for d in duties}
    listed = {code: (applies, level, reasons) for code, applies, level, reasons in APPLICABILITY}
    entries = []
    for duty in duties:
        applies, level, reasons = listed.get(duty.code, (False, None, NOT_LISTED))
        entries.append(stamped({"duty_id": str(duty.id), "applies": applies, "reasons": reasons, "level": level},
                               duty))
    written = utcnow() - timedelta(days=OPENED_DAYS_AGO + 14)
    row = DutyAssessment(tenant_id=tenant.id, plan_id=plan.id, number=1, entries=entries, created_at=written,
                         created_by=admin.id, signed_off_at=written + timedelta(days=2), signed_off_by=admin.id,
                         note="Agreed at the engagement steering group before the consultation was planned.")
    session.add(row)
    await session.flush()
    await _seed_event(session, tenant, "duty_assessment", row.id,
                      {"plan_id": plan.id, "number": 1, "entries": entries, "note": row.note})
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="sign_off",
                       resource_type="duty_assessment", resource_id=row.id,
                       changes=audit.diff({"signed_off_at": None, "signed_off_by": None},
                                          {"signed_off_at": row.signed_off_at, "signed_off_by": admin.id}))
    return by_code


async def _document(session: AsyncSession, tenant: Tenant, admin: User, plan: Plan, *, kind: str, title: str,
                    filename: str, lines: list[str], published: datetime | None,
                    consultation: Consultation | None = None) -> Document:
    content = pdf(title, lines)
    row = Document(tenant_id=tenant.id, plan_id=plan.id, consultation_id=consultation.id if consultation else None,
                   kind=kind, title=title, filename=filename, media_type="application/pdf", size_bytes=len(content),
                   sha256=hashlib.sha256(content).hexdigest(), published_at=published, content=content,
                   created_by=admin.id, updated_by=admin.id)
    session.add(row)
    await session.flush()
    await _seed_event(session, tenant, "document", row.id, snapshot(row, DOCUMENT_AUDITED))
    return row


async def seed_duty(session: AsyncSession, *, tenant: Tenant, admin: User, plan: Plan) -> None:
    """Add the duty record to the demo plan (after seed_engagement, whose activities and feedback it cites)."""
    duties = await _assessment(session, tenant, admin, plan)
    today = uk_today()
    opened = today - timedelta(days=OPENED_DAYS_AGO)
    closed = opened + timedelta(weeks=CONSULTATION_WEEKS, days=-1)  # both ends count: 12 weeks to the day
    consultation = Consultation(
        tenant_id=tenant.id, plan_id=plan.id, title="Urgent care in West Dorset: the future of Bridport's minor "
        "injuries unit", opened_date=opened, closed_date=closed, minimum_days=CONSULTATION_WEEKS * 7,
        decision_date=closed + timedelta(days=35), decision_maker="NHS Dorset Integrated Care Board (Board meeting "
        "in public)", created_by=admin.id, updated_by=admin.id)
    session.add(consultation)
    await session.flush()
    await _seed_event(session, tenant, "consultation", consultation.id, {
        "plan_id": plan.id, "title": consultation.title, "opened_date": opened, "closed_date": closed,
        "minimum_days": consultation.minimum_days, "decision_date": consultation.decision_date,
        "decision_maker": consultation.decision_maker})

    pack = await _document(
        session, tenant, admin, plan, kind="consultation_pack", consultation=consultation,
        title="Consultation document: urgent care in West Dorset", filename="consultation-document.pdf",
        lines=["Why we propose an urgent treatment centre in Bridport, open 8am to 8pm every day.",
               "The options, their costs and travel times; how to respond; the closing date.",
               f"The consultation runs for {CONSULTATION_WEEKS} weeks from {opened:%d %B %Y}."],
        published=_morning(opened))
    eia = await _document(
        session, tenant, admin, plan, kind="equality_impact_assessment", consultation=consultation,
        title="Equality impact assessment: urgent care in West Dorset", filename="equality-impact-assessment.pdf",
        lines=["Effects on older people, disabled people, carers and people without a car.",
               "Mitigations: evening appointments until 7pm, a later bus, paper and easy read copies."],
        published=_morning(opened + timedelta(days=EIA_LATE_DAYS)))  # a week late: the report's red item

    scrutiny = Scrutiny(
        tenant_id=tenant.id, plan_id=plan.id, body="osc",
        committee_name="Dorset Council Health and Adult Social Care Overview and Scrutiny Committee",
        substantial_variation=True,
        substantial_variation_reason="Overnight urgent care moves from Bridport to Dorchester (25 minutes by car, "
                                     "longer by bus): a substantial variation in access for West Dorset residents.",
        sos_notification_required=False, created_by=admin.id, updated_by=admin.id)
    session.add(scrutiny)
    await session.flush()
    await _seed_event(session, tenant, "scrutiny", scrutiny.id, {
        "plan_id": plan.id, "body": scrutiny.body, "committee_name": scrutiny.committee_name,
        "substantial_variation": True, "substantial_variation_reason": scrutiny.substantial_variation_reason,
        "sos_notification_required": False})
    letters = [("sent", opened - timedelta(days=14),
                "Letter to the committee chair: the proposals, the consultation timetable and a request for the "
                "committee's view under regulation 23."),
               ("received", opened + timedelta(days=21),
                "Reply from the committee: the change is a substantial variation; the committee asks to see the "
                "equality impact assessment and the consultation report before the decision.")]
    for direction, when, summary in letters:
        letter = ScrutinyCorrespondence(tenant_id=tenant.id, plan_id=plan.id, direction=direction,
                                        correspondence_date=when, summary=summary, created_by=admin.id,
                                        updated_by=admin.id)
        session.add(letter)
        await session.flush()
        await _seed_event(session, tenant, "scrutiny_correspondence", letter.id, {
            "plan_id": plan.id, "direction": direction, "correspondence_date": when, "summary": summary})

    activities = {a.title: a for a in (await session.execute(select(Activity).where(
        Activity.tenant_id == tenant.id, Activity.plan_id == plan.id))).scalars()}
    feedback = list((await session.execute(select(Feedback).where(
        Feedback.tenant_id == tenant.id, Feedback.plan_id == plan.id, Feedback.status == "closed")
        .order_by(Feedback.received_at, Feedback.id))).scalars())
    # The consultation's own activities, and the carers' focus group whose feedback shaped the proposal.
    consulted = [a for a in activities.values() if a.status == "done" and a.duty_limb == "proposals"]
    items = [
        ("nhs-act-s14z45", "limb-b-proposals",
         "The public were consulted on the options through the online survey and the public meeting in Bridport; "
         "what they said changed the proposal (later appointments, a later bus, hours on practice screens).",
         consulted, feedback, [pack]),
        ("gunning", "gunning-2",
         "The consultation document was published on the first day; the equality impact assessment followed a "
         "week later, after the committee asked for it.", [], [], [pack, eia]),
    ]
    for duty_code, requirement_code, summary, linked_activities, linked_feedback, documents in items:
        requirement = (await session.execute(select(DutyRequirement).where(
            DutyRequirement.duty_id == duties[duty_code].id, DutyRequirement.code == requirement_code))).scalar_one()
        row = Evidence(tenant_id=tenant.id, plan_id=plan.id, requirement_id=requirement.id, summary=summary,
                       activity_ids=[str(a.id) for a in linked_activities],
                       feedback_ids=[str(f.id) for f in linked_feedback], document_ids=[str(d.id) for d in documents],
                       created_by=admin.id, updated_by=admin.id)
        session.add(row)
        await session.flush()
        await _seed_event(session, tenant, "evidence", row.id, {
            "plan_id": plan.id, "requirement_id": requirement.id, "summary": summary,
            "activity_ids": row.activity_ids, "feedback_ids": row.feedback_ids, "document_ids": row.document_ids})
