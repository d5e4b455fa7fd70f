"""Builders for the duty tables (their CRUD endpoints live in other features) and a plan that meets every
requirement of the English catalogue, for the rule tests to break one thing at a time."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from api.duties.catalogue import CATALOGUE
from api.models import (
    Consultation,
    Document,
    Duty,
    DutyAssessment,
    DutyRequirement,
    Evidence,
    Plan,
    Scrutiny,
    ScrutinyCorrespondence,
)
from tests import factories

REPORT = "/api/v1/plans/{}/duty-report"
ROLES = ("admin", "lead", "contributor", "viewer", "auditor")
NIL = "00000000-0000-0000-0000-000000000000"
ENGLAND_APPLIES = ("nhs-act-s14z45", "gunning", "equality-act-s149", "health-scrutiny-reg23",
                   "reconfiguration-notification")


async def catalogue(session, jurisdiction: str = "england") -> dict[str, Duty]:
    """The built-in catalogue rows of a jurisdiction: found by (jurisdiction, code) with no tenant, inserted
    when missing (a migration may or may not have seeded them)."""
    out = {}
    for position, spec in enumerate(CATALOGUE[jurisdiction]):
        duty = (await session.execute(select(Duty).where(Duty.tenant_id.is_(None), Duty.jurisdiction == jurisdiction,
                                                         Duty.code == spec["code"]))).scalar_one_or_none()
        if duty is None:
            duty = Duty(tenant_id=None, jurisdiction=jurisdiction, code=spec["code"], title=spec["title"],
                        citation=spec["citation"], summary=spec["summary"], position=position)
            session.add(duty)
            await session.flush()
        have = set((await session.execute(select(DutyRequirement.code).where(DutyRequirement.duty_id == duty.id)))
                   .scalars())
        for index, req in enumerate(spec["requirements"]):
            if req["code"] not in have:
                session.add(DutyRequirement(duty_id=duty.id, code=req["code"], title=req["title"],
                                            description=req["description"], rule=req["rule"], position=index))
        await session.flush()
        out[spec["code"]] = duty
    return out


async def requirement(session, duty: Duty, code: str) -> DutyRequirement:
    return (await session.execute(select(DutyRequirement).where(DutyRequirement.duty_id == duty.id,
                                                                DutyRequirement.code == code))).scalar_one()


async def assessment(session, plan: Plan, duties: dict[str, Duty], applies=ENGLAND_APPLIES, *, signed=True,
                     number: int | None = None) -> DutyAssessment:
    if number is None:
        existing = (await session.execute(select(DutyAssessment.number).where(DutyAssessment.plan_id == plan.id)
                                          .order_by(DutyAssessment.number.desc()).limit(1))).scalar_one_or_none()
        number = (existing or 0) + 1
    entries = [{"duty_id": str(d.id), "applies": code in applies, "reasons": f"Reasons for {code}",
                "level": "consult" if code in applies else None} for code, d in duties.items()]
    row = DutyAssessment(tenant_id=plan.tenant_id, plan_id=plan.id, number=number, entries=entries,
                         signed_off_at=datetime(2026, 1, 2, tzinfo=UTC) if signed else None)
    session.add(row)
    await session.flush()
    return row


async def consultation(session, plan: Plan, **values) -> Consultation:
    values.setdefault("title", "Urgent care consultation")
    row = Consultation(tenant_id=plan.tenant_id, plan_id=plan.id, **values)
    session.add(row)
    await session.flush()
    return row


async def document(session, plan: Plan, *, kind: str, consultation: Consultation | None = None,
                   content: bytes = b"%PDF-1.4 test", **values) -> Document:
    values.setdefault("title", kind.replace("_", " ").capitalize())
    values.setdefault("filename", f"{kind}.pdf")
    row = Document(tenant_id=plan.tenant_id, plan_id=plan.id, kind=kind,
                   consultation_id=consultation.id if consultation else None, media_type="application/pdf",
                   size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content, **values)
    session.add(row)
    await session.flush()
    return row


async def scrutiny(session, plan: Plan, **values) -> Scrutiny:
    row = Scrutiny(tenant_id=plan.tenant_id, plan_id=plan.id, **values)
    session.add(row)
    await session.flush()
    return row


async def correspondence(session, plan: Plan, *, direction: str = "sent", on: date = date(2026, 1, 20),
                         summary: str = "Letter to the committee") -> ScrutinyCorrespondence:
    row = ScrutinyCorrespondence(tenant_id=plan.tenant_id, plan_id=plan.id, direction=direction,
                                 correspondence_date=on, summary=summary)
    session.add(row)
    await session.flush()
    return row


async def evidence(session, plan: Plan, req: DutyRequirement, **values) -> Evidence:
    values.setdefault("summary", "Minutes of the governing body")
    for name in ("activity_ids", "feedback_ids", "document_ids"):
        values.setdefault(name, [])
    row = Evidence(tenant_id=plan.tenant_id, plan_id=plan.id, requirement_id=req.id, **values)
    session.add(row)
    await session.flush()
    return row


@dataclass
class GreenPlan:
    plan: Plan
    duties: dict
    record: DutyAssessment
    consultation: Consultation
    pack: Document
    eia: Document
    scrutiny: Scrutiny
    letter: ScrutinyCorrespondence
    activities: dict
    feedback: object
    group: object


async def green_plan(session, tenant) -> GreenPlan:
    """A plan meeting every requirement of the English duties it applies."""
    duties = await catalogue(session)
    group = await factories.stakeholder(session, tenant, name="Bridport Traveller Forum", kind="group",
                                        categories=["community_group", "seldom_heard"])
    plan = await factories.plan(session, tenant, title="Urgent treatment centre", audience_categories=["patient",
                                                                                                       "carer"],
                                audience_stakeholders=[group])
    activities = {}
    for limb, categories in (("planning", ["patient"]), ("proposals", ["carer"]), ("decision", [])):
        activities[limb] = await factories.activity(session, tenant, plan_id=plan.id, duty_limb=limb,
                                                    title=f"{limb.title()} workshop", audience_categories=categories)
    await factories.attendance(session, activities["proposals"], group)
    consultation_row = await consultation(session, plan, opened_date=date(2026, 1, 5), closed_date=date(2026, 3, 30),
                                          minimum_days=84, decision_date=date(2026, 4, 15),
                                          decision_maker="Governing Body")
    launched = datetime(2026, 1, 4, 9, 0, tzinfo=UTC)
    pack = await document(session, plan, kind="consultation_pack", consultation=consultation_row,
                          published_at=launched)
    eia = await document(session, plan, kind="equality_impact_assessment", consultation=consultation_row,
                         published_at=launched)
    said = await factories.feedback(session, tenant, plan_id=plan.id, themes=["parking"], status="closed",
                                    responded_at=datetime(2026, 3, 20, tzinfo=UTC), response_text="More spaces",
                                    told_how="email", told_at=datetime(2026, 3, 21, tzinfo=UTC),
                                    closed_at=datetime(2026, 3, 21, tzinfo=UTC))
    scrutiny_row = await scrutiny(session, plan, substantial_variation=True,
                                  substantial_variation_reason="Moves the walk-in service 12 miles",
                                  sos_notification_required=True, sos_notified_date=date(2026, 2, 1))
    letter = await correspondence(session, plan)
    record = await assessment(session, plan, duties)
    await session.commit()
    return GreenPlan(plan, duties, record, consultation_row, pack, eia, scrutiny_row, letter, activities, said, group)


def item(report: dict, code: str) -> dict:
    found = [i for i in report["items"] if i["code"] == code]
    assert len(found) == 1, [i["code"] for i in report["items"]]
    return found[0]


async def report(client, plan, headers) -> dict:
    r = await client.get(REPORT.format(plan.id), headers=headers)
    assert r.status_code == 200, r.text
    return r.json()
