import uuid

from fastapi import APIRouter, Query, Response, status

from api.assessments import grid, service
from api.assessments.schemas import SINCE, AssessmentCreate, AssessmentPage, AssessmentRead, Grid, Since
from api.deps import Editor, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep

router = APIRouter(tags=["assessments"])


# Declared before /stakeholders/{id} (this router is mounted first), so "grid" is never taken for an id.
@router.get("/stakeholders/grid", response_model=Grid, summary="Get the general power/interest grid")
async def get_general_grid(session: SessionDep, caller: Reader,
                           since: Since | None = Query(None, description=SINCE)) -> Grid:
    """Every active stakeholder on the general map: latest general scores, quadrant, counts, movement since."""
    return await grid.general_grid(session=session, caller=caller, since=since)


@router.get("/plans/{plan_id}/grid", response_model=Grid, summary="Get a plan's power/interest grid",
            responses=problems(404))
async def get_plan_grid(plan_id: uuid.UUID, session: SessionDep, caller: Reader,
                        since: Since | None = Query(None, description=SINCE)) -> Grid:
    """The plan's audience on the grid: scores for the plan (else the latest general ones), counts, movement."""
    return await grid.plan_grid(session=session, caller=caller, plan_id=plan_id, since=since)


@router.get("/stakeholders/{stakeholder_id}/assessments", response_model=AssessmentPage,
            summary="List a stakeholder's assessments", responses=problems(404))
async def list_assessments(
    stakeholder_id: uuid.UUID, session: SessionDep, caller: Reader, page: PageDep,
    plan_id: uuid.UUID | None = Query(None, description="Only the assessments for this plan"),
    general: bool | None = Query(None, description="Only general assessments (true) or only plan ones (false); "
                                                   "not with plan_id"),
) -> AssessmentPage:
    """The stakeholder's assessment history, newest first (sortable by assessed_at). A restricted person's is shown
    to admins only, and each such read is audited."""
    filters = service.AssessmentFilters(plan_id=plan_id, general=general)
    result = await service.list_assessments(session=session, caller=caller, stakeholder_id=stakeholder_id,
                                            filters=filters, page=page)
    high = await service.tenant_threshold(session, caller.tenant_id)
    await session.commit()  # the audit of an admin's read of a restricted person, if it was one
    return AssessmentPage(items=[service.to_read(a, high) for a in result.items], next_cursor=result.next_cursor,
                          total=result.total)


@router.post("/stakeholders/{stakeholder_id}/assessments", response_model=AssessmentRead,
             status_code=status.HTTP_201_CREATED, summary="Assess a stakeholder", responses=problems(404, 409))
async def create_assessment(stakeholder_id: uuid.UUID, data: AssessmentCreate, session: SessionDep, caller: Editor,
                            idempotency: IdempotencyDep) -> Response:
    """Record scores that become the stakeholder's latest (for the plan, if given); 409 once archived, erased or
    restricted."""
    if replay := await idempotency.replay():
        return replay
    row = await service.create(session=session, caller=caller, stakeholder_id=stakeholder_id, data=data)
    high = await service.tenant_threshold(session, caller.tenant_id)
    response = await idempotency.created(service.to_read(row, high), location=service.location(stakeholder_id, row.id))
    await session.commit()
    return response


@router.get("/stakeholders/{stakeholder_id}/assessments/{assessment_id}", response_model=AssessmentRead,
            summary="Get an assessment", responses=problems(404))
async def get_assessment(stakeholder_id: uuid.UUID, assessment_id: uuid.UUID, session: SessionDep,
                         caller: Reader) -> AssessmentRead:
    """One assessment of the stakeholder (assessments never change, so there is no ETag)."""
    row = await service.get(session=session, caller=caller, stakeholder_id=stakeholder_id,
                            assessment_id=assessment_id)
    body = service.to_read(row, await service.tenant_threshold(session, caller.tenant_id))
    await session.commit()  # the audit of an admin's read of a restricted person, if it was one
    return body
