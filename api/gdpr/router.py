"""UK GDPR rights: subject access, restriction, objection (on stakeholders) and legal hold (on plans)."""

import uuid

from fastapi import APIRouter, Response

from api.concurrency import IfMatch, set_etag
from api.deps import Admin, Editor, SessionDep
from api.errors import problems
from api.gdpr import service
from api.gdpr.schemas import LegalHoldCreate, ObjectionCreate, RestrictionCreate, SubjectAccessReport
from api.idempotency import IdempotencyDep
from api.plans import service as plans
from api.plans.schemas import PlanRead
from api.stakeholders.schemas import StakeholderRead, to_read

router = APIRouter(tags=["gdpr"])


@router.get("/stakeholders/{stakeholder_id}/subject-access", response_model=SubjectAccessReport,
            summary="Subject access report", responses=problems(404))
async def get_subject_access(stakeholder_id: uuid.UUID, session: SessionDep, caller: Admin) -> SubjectAccessReport:
    """Everything held about one person across every resource, as JSON (UK GDPR Art. 15; admin only, audited)."""
    report = await service.subject_access(session=session, caller=caller, stakeholder_id=stakeholder_id)
    await session.commit()
    return report


@router.post("/stakeholders/{stakeholder_id}/restriction", response_model=StakeholderRead,
             summary="Restrict processing of a stakeholder", responses=problems(404, 409))
async def create_restriction(stakeholder_id: uuid.UUID, data: RestrictionCreate, session: SessionDep, caller: Admin,
                             idempotency: IdempotencyDep) -> Response:
    """Restrict processing (UK GDPR Art. 18; admin): kept, but out of lists, exports, grids, audiences and reports.
    Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.restrict(session=session, caller=caller, stakeholder_id=stakeholder_id, data=data)
    response = await idempotency.ok(to_read(row, caller), version=row.version)
    await session.commit()
    return response


@router.delete("/stakeholders/{stakeholder_id}/restriction", response_model=StakeholderRead,
               summary="Lift a stakeholder's restriction", responses=problems(404, 409, 412))
async def delete_restriction(stakeholder_id: uuid.UUID, session: SessionDep, caller: Admin,
                             response: Response, if_match: IfMatch = None) -> StakeholderRead:
    """Lift the restriction of processing (admin); 409 when none is in force, or the person was erased since. Send
    If-Match with the stakeholder's ETag you read (412 when it changed since)."""
    row = await service.lift_restriction(session=session, caller=caller, stakeholder_id=stakeholder_id,
                                         if_match=if_match)
    await session.commit()
    set_etag(response, row.version)
    return to_read(row, caller)


@router.post("/stakeholders/{stakeholder_id}/objection", response_model=StakeholderRead,
             summary="Record a stakeholder's objection", responses=problems(404, 409))
async def create_objection(stakeholder_id: uuid.UUID, data: ObjectionCreate, session: SessionDep, caller: Editor,
                           idempotency: IdempotencyDep) -> Response:
    """Record an objection to processing (UK GDPR Art. 21; admin or lead); an objection to contact turns contact
    consent off. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.record_objection(session=session, caller=caller, stakeholder_id=stakeholder_id, data=data)
    response = await idempotency.ok(to_read(row, caller), version=row.version)
    await session.commit()
    return response


@router.post("/plans/{plan_id}/legal-hold", response_model=PlanRead, summary="Put a plan on legal hold",
             responses=problems(404, 409))
async def create_legal_hold(plan_id: uuid.UUID, data: LegalHoldCreate, session: SessionDep, caller: Admin,
                            idempotency: IdempotencyDep) -> Response:
    """Freeze a plan's record (admin): no archiving, no deleting its evidence or documents, no erasing the people it
    names, until the hold is lifted; 409 when already on hold. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    plan = await service.set_legal_hold(session=session, caller=caller, plan_id=plan_id, data=data)
    response = await idempotency.ok(await plans.read(session, plan, caller), version=plan.version)
    await session.commit()
    return response


@router.delete("/plans/{plan_id}/legal-hold", response_model=PlanRead, summary="Lift a plan's legal hold",
               responses=problems(404, 409, 412))
async def delete_legal_hold(plan_id: uuid.UUID, session: SessionDep, caller: Admin, response: Response,
                            if_match: IfMatch = None) -> PlanRead:
    """Lift the legal hold (admin); 409 when the plan is not on hold. Send If-Match with the plan's ETag you read
    (412 when it changed since). What erasures done during the hold left in the plan's records is taken out now, each
    changed record getting a new version."""
    plan = await service.lift_legal_hold(session=session, caller=caller, plan_id=plan_id, if_match=if_match)
    read = await plans.read(session, plan, caller)
    await session.commit()
    set_etag(response, plan.version)
    return read
