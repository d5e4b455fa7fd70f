import uuid

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.deps import Editor, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep
from api.plans import service
from api.plans.schemas import PlanCreate, PlanPage, PlanRead, PlanStage, PlanStatus, PlanUpdate

router = APIRouter(tags=["plans"])
NO_NUL = r"^[^\x00]+$"


@router.get("/plans", response_model=PlanPage, summary="List plans")
async def list_plans(
    session: SessionDep, caller: Reader, page: PageDep,
    stage: PlanStage | None = Query(None, description="Only plans at this lifecycle stage"),
    status: PlanStatus | None = Query(None, description="Only plans with this status"),
    lead_id: uuid.UUID | None = Query(None, description="Only plans this user leads"),
    external_id: str | None = Query(None, max_length=200, pattern=NO_NUL, description="Only the one with this id"),
    q: str | None = Query(None, min_length=1, max_length=200, pattern=NO_NUL,
                          description="Search title, programme and delivery group"),
    archived: bool = Query(False, description="List archived plans instead of the others"),
) -> PlanPage:
    """Plans of your tenant, a page at a time; sortable by title, created_at, updated_at."""
    filters = service.PlanFilters(stage=stage, status=status, lead_id=lead_id, external_id=external_id, q=q,
                                  archived=archived)
    result = await service.list_plans(session=session, caller=caller, filters=filters, page=page)
    items = await service.read_many(session, result.items, caller)
    await session.commit()  # the audit of an admin's read of a restricted person in an audience, if it was one
    return PlanPage(items=items, next_cursor=result.next_cursor, total=result.total)


@router.post("/plans", response_model=PlanRead, status_code=status.HTTP_201_CREATED, summary="Create a plan",
             responses=problems(409))
async def create_plan(data: PlanCreate, session: SessionDep, caller: Editor, idempotency: IdempotencyDep) -> Response:
    """Create a draft plan with its objectives, messages, budget and audience. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    plan = await service.create(session=session, caller=caller, data=data)
    response = await idempotency.created(await service.read(session, plan, caller),
                                         location=service.location(plan.id), version=plan.version)
    await session.commit()
    return response


@router.get("/plans/{plan_id}", response_model=PlanRead, summary="Get a plan", responses=problems(404))
async def get_plan(plan_id: uuid.UUID, session: SessionDep, caller: Reader, response: Response) -> PlanRead:
    """One plan, with its ETag."""
    plan = await service.get(session=session, caller=caller, plan_id=plan_id)
    read = await service.read(session, plan, caller)
    await session.commit()  # the audit of an admin's read of a restricted person in the audience, if it was one
    set_etag(response, plan.version)
    return read


@router.patch("/plans/{plan_id}", response_model=PlanRead, summary="Update a plan",
              responses=problems(404, 409, 412))
async def update_plan(plan_id: uuid.UUID, data: PlanUpdate, session: SessionDep, caller: Editor,
                      response: Response, if_match: IfMatch = None) -> PlanRead:
    """Change the fields given; purpose and what objectives and key messages say only while the plan is a draft and
    not on legal hold (409), their progress at any time. An archived plan keeps its status and stage and names nobody
    new in its audience (a category included) or as its lead until restored (409)."""
    plan = await service.update(session=session, caller=caller, plan_id=plan_id, data=data, if_match=if_match)
    read = await service.read(session, plan, caller)
    await session.commit()
    set_etag(response, plan.version)
    return read


@router.delete("/plans/{plan_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Archive a plan",
               responses=problems(404, 409, 412))
async def delete_plan(plan_id: uuid.UUID, session: SessionDep, caller: Editor, if_match: IfMatch = None) -> Response:
    """Archive (soft-delete) a plan; its actions, risks and assessments stay. Restore undoes it."""
    await service.set_archived(session=session, caller=caller, plan_id=plan_id, archived=True, if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/plans/{plan_id}/restore", response_model=PlanRead, summary="Restore a plan", responses=problems(404))
async def restore_plan(plan_id: uuid.UUID, session: SessionDep, caller: Editor,
                       idempotency: IdempotencyDep) -> Response:
    """Bring an archived plan back into the lists. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    plan = await service.set_archived(session=session, caller=caller, plan_id=plan_id, archived=False)
    response = await idempotency.ok(await service.read(session, plan, caller), version=plan.version)
    await session.commit()
    return response


@router.post("/plans/{plan_id}/approve", response_model=PlanRead, summary="Approve a plan",
             responses=problems(404, 409, 412))
async def approve_plan(plan_id: uuid.UUID, session: SessionDep, caller: Editor, idempotency: IdempotencyDep,
                       if_match: IfMatch = None) -> Response:
    """Approve a draft plan (lead or admin), recording who and when; 409 unless it is a draft not on legal hold.
    Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    plan = await service.approve(session=session, caller=caller, plan_id=plan_id, if_match=if_match)
    response = await idempotency.ok(await service.read(session, plan, caller), version=plan.version)
    await session.commit()
    return response
