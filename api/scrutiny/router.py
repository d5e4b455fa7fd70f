import uuid

from fastapi import APIRouter, Response, status

from api.concurrency import IfMatch, set_etag
from api.deps import Editor, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep
from api.scrutiny import correspondence, service
from api.scrutiny.schemas import (
    CorrespondenceCreate,
    CorrespondencePage,
    CorrespondenceRead,
    CorrespondenceUpdate,
    ScrutinyPut,
    ScrutinyRead,
)

router = APIRouter(tags=["scrutiny"])
RECORD = "/plans/{plan_id}/scrutiny"
LETTERS = RECORD + "/correspondence"
LETTER = LETTERS + "/{correspondence_id}"
CREATED = {201: {"model": ScrutinyRead, "description": "The record was created"}}


@router.get(RECORD, response_model=ScrutinyRead, summary="Get a plan's scrutiny record", responses=problems(404))
async def get_scrutiny(plan_id: uuid.UUID, session: SessionDep, caller: Reader, response: Response) -> ScrutinyRead:
    """The plan's scrutiny record and correspondence, with its ETag; before the first PUT, its defaults with
    recorded false and ETag "0"."""
    read = await service.read(session=session, caller=caller, plan_id=plan_id)
    set_etag(response, read.version)
    return read


@router.put(RECORD, response_model=ScrutinyRead, summary="Record a plan's scrutiny view",
            responses={**CREATED, **problems(404, 409, 412)})
async def put_scrutiny(plan_id: uuid.UUID, data: ScrutinyPut, session: SessionDep, caller: Editor,
                       response: Response, if_match: IfMatch = None) -> ScrutinyRead:
    """Create (201) or replace (200) the whole record; fields left out become null. A substantial-variation view
    needs its reason (422). An archived plan's record may be corrected but not first created (409). While the plan is
    on legal hold its substantial-variation view and reason, committee view and its date, and Secretary of State
    fields must be sent as stored (409 otherwise); its body and committee name can change."""
    row, created = await service.put(session=session, caller=caller, plan_id=plan_id, data=data, if_match=if_match)
    read = await service.to_read(session, caller, plan_id, row)
    await session.commit()
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = service.location(plan_id)
    set_etag(response, row.version)
    return read


@router.get(LETTERS, response_model=CorrespondencePage, summary="List scrutiny correspondence",
            responses=problems(404))
async def list_correspondence(plan_id: uuid.UUID, session: SessionDep, caller: Reader,
                              page: PageDep) -> CorrespondencePage:
    """The plan's correspondence with the scrutiny body, a page at a time; sortable by correspondence_date
    (default), created_at, updated_at."""
    result = await correspondence.list_correspondence(session=session, caller=caller, plan_id=plan_id, page=page)
    return CorrespondencePage(items=[CorrespondenceRead.model_validate(c) for c in result.items],
                              next_cursor=result.next_cursor, total=result.total)


@router.post(LETTERS, response_model=CorrespondenceRead, status_code=status.HTTP_201_CREATED,
             summary="Record scrutiny correspondence", responses=problems(404, 409))
async def create_correspondence(plan_id: uuid.UUID, data: CorrespondenceCreate, session: SessionDep,
                                caller: Editor, idempotency: IdempotencyDep) -> Response:
    """Record a letter, email or meeting with the scrutiny body. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await correspondence.create(session=session, caller=caller, plan_id=plan_id, data=data)
    response = await idempotency.created(CorrespondenceRead.model_validate(row),
                                         location=correspondence.location(plan_id, row.id), version=row.version)
    await session.commit()
    return response


@router.get(LETTER, response_model=CorrespondenceRead, summary="Get scrutiny correspondence",
            responses=problems(404))
async def get_correspondence(plan_id: uuid.UUID, correspondence_id: uuid.UUID, session: SessionDep, caller: Reader,
                             response: Response) -> CorrespondenceRead:
    """One letter, email or meeting, with its ETag."""
    row = await correspondence.get(session=session, caller=caller, plan_id=plan_id,
                                   correspondence_id=correspondence_id)
    set_etag(response, row.version)
    return CorrespondenceRead.model_validate(row)


@router.patch(LETTER, response_model=CorrespondenceRead, summary="Update scrutiny correspondence",
              responses=problems(404, 409, 412))
async def update_correspondence(plan_id: uuid.UUID, correspondence_id: uuid.UUID, data: CorrespondenceUpdate,
                                session: SessionDep, caller: Editor, response: Response,
                                if_match: IfMatch = None) -> CorrespondenceRead:
    """Change the fields given; the document must be one of the same plan (422). While the plan is on legal hold its
    direction, date, summary and a cited document cannot change (409); a document may be cited where none was."""
    row = await correspondence.update(session=session, caller=caller, plan_id=plan_id,
                                      correspondence_id=correspondence_id, data=data, if_match=if_match)
    read = CorrespondenceRead.model_validate(row)
    await session.commit()
    set_etag(response, row.version)
    return read


@router.delete(LETTER, status_code=status.HTTP_204_NO_CONTENT, summary="Delete scrutiny correspondence",
               responses=problems(404, 409, 412))
async def delete_correspondence(plan_id: uuid.UUID, correspondence_id: uuid.UUID, session: SessionDep,
                                caller: Editor, if_match: IfMatch = None) -> Response:
    """Delete an item recorded in error (the audit trail keeps what it said)."""
    await correspondence.delete(session=session, caller=caller, plan_id=plan_id,
                                correspondence_id=correspondence_id, if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
