import uuid

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.consultations import service
from api.consultations.schemas import ConsultationCreate, ConsultationPage, ConsultationRead, ConsultationUpdate
from api.deps import Editor, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep

router = APIRouter(tags=["consultations"])
COLLECTION = "/plans/{plan_id}/consultations"
ITEM = COLLECTION + "/{consultation_id}"
NO_NUL = r"^[^\x00]+$"


@router.get(COLLECTION, response_model=ConsultationPage, summary="List a plan's consultations",
            responses=problems(404))
async def list_consultations(
    plan_id: uuid.UUID, session: SessionDep, caller: Reader, page: PageDep,
    external_id: str | None = Query(None, max_length=200, pattern=NO_NUL, description="Only the one with this id"),
    archived: bool = Query(False, description="List archived consultations instead of the live ones"),
) -> ConsultationPage:
    """The plan's formal consultations with their documents, a page at a time; sortable by created_at (default),
    title, updated_at."""
    filters = service.ConsultationFilters(external_id=external_id, archived=archived)
    result = await service.list_consultations(session=session, caller=caller, plan_id=plan_id, filters=filters,
                                              page=page)
    return ConsultationPage(items=await service.read_many(session, result.items), next_cursor=result.next_cursor,
                            total=result.total)


@router.post(COLLECTION, response_model=ConsultationRead, status_code=status.HTTP_201_CREATED,
             summary="Add a consultation to a plan", responses=problems(404, 409))
async def create_consultation(plan_id: uuid.UUID, data: ConsultationCreate, session: SessionDep, caller: Editor,
                              idempotency: IdempotencyDep) -> Response:
    """Record a formal consultation window, its minimum duration and its decision. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.create(session=session, caller=caller, plan_id=plan_id, data=data)
    response = await idempotency.created(await service.read(session, row), location=service.location(plan_id, row.id),
                                         version=row.version)
    await session.commit()
    return response


@router.get(ITEM, response_model=ConsultationRead, summary="Get a consultation", responses=problems(404))
async def get_consultation(plan_id: uuid.UUID, consultation_id: uuid.UUID, session: SessionDep, caller: Reader,
                           response: Response) -> ConsultationRead:
    """One consultation with its documents and its ETag."""
    row = await service.get(session=session, caller=caller, plan_id=plan_id, consultation_id=consultation_id)
    set_etag(response, row.version)
    return await service.read(session, row)


@router.patch(ITEM, response_model=ConsultationRead, summary="Update a consultation",
              responses=problems(404, 409, 412))
async def update_consultation(plan_id: uuid.UUID, consultation_id: uuid.UUID, data: ConsultationUpdate,
                              session: SessionDep, caller: Editor, response: Response,
                              if_match: IfMatch = None) -> ConsultationRead:
    """Change the fields given; closed_date may not fall before opened_date (422). While the plan is on legal hold its
    opened, closed and decision dates, minimum_days, shorter_reason, decision maker and decision summary cannot change
    (409); its title and external id can."""
    row = await service.update(session=session, caller=caller, plan_id=plan_id, consultation_id=consultation_id,
                               data=data, if_match=if_match)
    read = await service.read(session, row)
    await session.commit()
    set_etag(response, row.version)
    return read


@router.delete(ITEM, status_code=status.HTTP_204_NO_CONTENT, summary="Archive a consultation",
               responses=problems(404, 409, 412))
async def delete_consultation(plan_id: uuid.UUID, consultation_id: uuid.UUID, session: SessionDep, caller: Editor,
                              if_match: IfMatch = None) -> Response:
    """Archive (soft-delete) a consultation; its documents stay. Restore undoes it."""
    await service.set_archived(session=session, caller=caller, plan_id=plan_id, consultation_id=consultation_id,
                               archived=True, if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(ITEM + "/restore", response_model=ConsultationRead, summary="Restore a consultation",
             responses=problems(404))
async def restore_consultation(plan_id: uuid.UUID, consultation_id: uuid.UUID, session: SessionDep, caller: Editor,
                               idempotency: IdempotencyDep) -> Response:
    """Bring an archived consultation back. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.set_archived(session=session, caller=caller, plan_id=plan_id,
                                     consultation_id=consultation_id, archived=False)
    response = await idempotency.ok(await service.read(session, row), version=row.version)
    await session.commit()
    return response
