import uuid

from fastapi import APIRouter, Query, Response, status

from api.actions import service
from api.actions.schemas import ActionCreate, ActionPage, ActionRead, ActionStatus, ActionUpdate
from api.concurrency import IfMatch, set_etag
from api.deps import Editor, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep

router = APIRouter(tags=["actions"])
ITEM = "/plans/{plan_id}/actions/{action_id}"


@router.get("/plans/{plan_id}/actions", response_model=ActionPage, summary="List a plan's actions",
            responses=problems(404))
async def list_actions(
    plan_id: uuid.UUID, session: SessionDep, caller: Reader, page: PageDep,
    status: ActionStatus | None = Query(None, description="Only actions with this status"),
    owner_id: uuid.UUID | None = Query(None, description="Only actions this user owns"),
    overdue: bool | None = Query(None, description="Only overdue actions (past due, neither done nor dropped), or "
                                                   "with false only the others"),
) -> ActionPage:
    """The plan's tactical action plan, a page at a time; sortable by created_at, updated_at."""
    filters = service.ActionFilters(status=status, owner_id=owner_id, overdue=overdue)
    result = await service.list_actions(session=session, caller=caller, plan_id=plan_id, filters=filters, page=page)
    return ActionPage(items=[ActionRead.model_validate(a) for a in result.items], next_cursor=result.next_cursor,
                      total=result.total)


@router.post("/plans/{plan_id}/actions", response_model=ActionRead, status_code=status.HTTP_201_CREATED,
             summary="Add an action to a plan", responses=problems(404, 409))
async def create_action(plan_id: uuid.UUID, data: ActionCreate, session: SessionDep, caller: Editor,
                        idempotency: IdempotencyDep) -> Response:
    """Add a line to the plan's action plan; its activity must be one of this plan's or of none (422); 409 when the
    plan is archived or closed (a closed plan's lines may still be updated). Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.create(session=session, caller=caller, plan_id=plan_id, data=data)
    response = await idempotency.created(ActionRead.model_validate(row),
                                         location=service.location(plan_id, row.id), version=row.version)
    await session.commit()
    return response


@router.get(ITEM, response_model=ActionRead, summary="Get an action", responses=problems(404))
async def get_action(plan_id: uuid.UUID, action_id: uuid.UUID, session: SessionDep, caller: Reader,
                     response: Response) -> ActionRead:
    """One action of the plan, with its ETag."""
    row = await service.get(session=session, caller=caller, plan_id=plan_id, action_id=action_id)
    set_etag(response, row.version)
    return ActionRead.model_validate(row)


@router.patch(ITEM, response_model=ActionRead, summary="Update an action", responses=problems(404, 409, 412))
async def update_action(plan_id: uuid.UUID, action_id: uuid.UUID, data: ActionUpdate, session: SessionDep,
                        caller: Editor, response: Response, if_match: IfMatch = None) -> ActionRead:
    """Change the fields given; status done sets completed_at, any other status clears it. The activity must be one
    of this plan's or of none (422). While the plan is on legal hold its description, due date and a linked activity
    cannot change, nor may it be dropped (409); its status, owner and notes can."""
    row = await service.update(session=session, caller=caller, plan_id=plan_id, action_id=action_id, data=data,
                               if_match=if_match)
    await session.commit()
    set_etag(response, row.version)
    return ActionRead.model_validate(row)


@router.delete(ITEM, status_code=status.HTTP_204_NO_CONTENT, summary="Drop an action",
               responses=problems(404, 409, 412))
async def delete_action(plan_id: uuid.UUID, action_id: uuid.UUID, session: SessionDep, caller: Editor,
                        if_match: IfMatch = None) -> Response:
    """Mark the action dropped: the line stays in the action plan as a record of what was decided. 409 while the plan
    is on legal hold."""
    await service.drop(session=session, caller=caller, plan_id=plan_id, action_id=action_id, if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
