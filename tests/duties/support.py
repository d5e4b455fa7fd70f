"""Builders and helpers for the duty catalogue, applicability record and evidence tests."""


from sqlalchemy import func, select

from api.models import AuditEvent, Duty, DutyAssessment, DutyRequirement, Evidence

URL = "/api/v1/duties"
ROLES = ("admin", "lead", "contributor", "viewer", "auditor")
EDITORS = ("admin", "lead")
NOT_EDITORS = ("contributor", "viewer", "auditor")
NIL = "00000000-0000-0000-0000-000000000000"

OWN_DUTY = {
    "code": "local-compact",
    "title": "Dorset engagement compact",
    "citation": "Dorset ICS compact with the voluntary sector (2024)",
    "summary": "Voluntary sector partners are told of proposals at least 28 days before a public consultation.",
    "requirements": [
        {"code": "vcs-notice", "title": "Partners told 28 days ahead", "description": "A letter to the forum",
         "rule": None},
        {"code": "vcs-response", "title": "Partners' views answered", "rule": "gunning_consideration"},
    ],
}


async def builtin(session, code: str, jurisdiction: str = "england") -> Duty:
    return (await session.execute(select(Duty).where(Duty.tenant_id.is_(None), Duty.code == code,
                                                     Duty.jurisdiction == jurisdiction))).scalar_one()


async def requirement(session, duty_code: str, code: str, jurisdiction: str = "england") -> DutyRequirement:
    duty = await builtin(session, duty_code, jurisdiction)
    return (await session.execute(select(DutyRequirement).where(DutyRequirement.duty_id == duty.id,
                                                                DutyRequirement.code == code))).scalar_one()


async def own_duty(session, tenant, *, code: str = "own-duty", requirements=("own-req",)) -> Duty:
    duty = Duty(tenant_id=tenant.id, jurisdiction=tenant.jurisdiction, code=code, title=f"Own duty {code}",
                position=100)
    session.add(duty)
    await session.flush()
    session.add_all([DutyRequirement(duty_id=duty.id, code=c, title=f"Requirement {c}", position=i)
                     for i, c in enumerate(requirements)])
    await session.flush()
    return duty


async def requirements(session, duty) -> list[DutyRequirement]:
    return list((await session.execute(select(DutyRequirement).where(DutyRequirement.duty_id == duty.id)
                                       .order_by(DutyRequirement.position))).scalars())


async def evidence(session, plan, requirement_row, **values) -> Evidence:
    for name in ("activity_ids", "feedback_ids", "document_ids"):
        values[name] = [str(i) for i in values.get(name, [])]
    values.setdefault("summary", "Shown by the linked records")
    row = Evidence(tenant_id=plan.tenant_id, plan_id=plan.id, requirement_id=requirement_row.id, **values)
    session.add(row)
    await session.flush()
    return row


async def assessment_version(session, plan, entries: list[dict], *, number: int = 1, **values) -> DutyAssessment:
    row = DutyAssessment(tenant_id=plan.tenant_id, plan_id=plan.id, number=number,
                         entries=[{**e, "duty_id": str(e["duty_id"])} for e in entries], **values)
    session.add(row)
    await session.flush()
    return row


async def count(session, model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return (await session.execute(stmt)).scalar_one()


async def audit_events(session, resource_type: str, resource_id=None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.resource_type == resource_type)
    if resource_id is not None:
        stmt = stmt.where(AuditEvent.resource_id == str(resource_id))
    return list((await session.execute(stmt.order_by(AuditEvent.seq))).scalars())
