import uuid

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.deps import Admin, PageDep, Reader, SessionDep
from api.duties import service
from api.duties.schemas import DutyCreate, DutyPage, DutyRead, DutyUpdate, Jurisdiction
from api.errors import problems
from api.idempotency import IdempotencyDep

router = APIRouter(tags=["duties"])


@router.get("/duties", response_model=DutyPage, summary="List duties")
async def list_duties(
    session: SessionDep, caller: Reader, page: PageDep,
    jurisdiction: Jurisdiction | None = Query(None, description="The jurisdiction whose duties to list; your "
                                                                "tenant's when absent"),
    built_in: bool | None = Query(None, description="Only the built-in catalogue (true) or only your own (false)"),
    q: str | None = Query(None, min_length=1, max_length=200, description="Search the title, code and citation"),
) -> DutyPage:
    """The duties to involve of one jurisdiction — the built-in catalogue and your tenant's own — each with its
    requirements; sortable by position (default, then code), code, title, created_at, updated_at."""
    filters = service.DutyFilters(jurisdiction=jurisdiction, built_in=built_in, q=q)
    result, requirements = await service.list_duties(session=session, caller=caller, filters=filters, page=page)
    return DutyPage(items=[service.to_read(d, requirements[d.id]) for d in result.items],
                    next_cursor=result.next_cursor, total=result.total)


@router.post("/duties", response_model=DutyRead, status_code=status.HTTP_201_CREATED, summary="Add a duty",
             responses=problems(409))
async def create_duty(data: DutyCreate, session: SessionDep, caller: Admin, idempotency: IdempotencyDep) -> Response:
    """Add one of your tenant's own duties (admin only), in your tenant's jurisdiction, with its requirements.
    Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    duty = await service.create(session=session, caller=caller, data=data)
    response = await idempotency.created(await service.read(session, duty), location=service.location(duty.id),
                                         version=duty.version)
    await session.commit()
    return response


@router.get("/duties/{duty_id}", response_model=DutyRead, summary="Get a duty", responses=problems(404))
async def get_duty(duty_id: uuid.UUID, session: SessionDep, caller: Reader, response: Response) -> DutyRead:
    """One duty (built-in, or your tenant's own) with its requirements and its ETag."""
    duty = await service.get(session=session, caller=caller, duty_id=duty_id)
    set_etag(response, duty.version)
    return await service.read(session, duty)


@router.patch("/duties/{duty_id}", response_model=DutyRead, summary="Update a duty",
              responses=problems(404, 409, 412))
async def update_duty(duty_id: uuid.UUID, data: DutyUpdate, session: SessionDep, caller: Admin, response: Response,
                      if_match: IfMatch = None) -> DutyRead:
    """Change one of your tenant's own duties (admin only); a requirements list replaces the current one.
    Built-in duties are read-only (403)."""
    duty = await service.update(session=session, caller=caller, duty_id=duty_id, data=data, if_match=if_match)
    body = await service.read(session, duty)
    await session.commit()
    set_etag(response, duty.version)
    return body


@router.delete("/duties/{duty_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a duty",
               responses=problems(404, 409, 412))
async def delete_duty(duty_id: uuid.UUID, session: SessionDep, caller: Admin, if_match: IfMatch = None) -> Response:
    """Delete one of your tenant's own duties (admin only); 409 while an applicability record or evidence refers
    to it. Built-in duties are read-only (403)."""
    await service.delete_duty(session=session, caller=caller, duty_id=duty_id, if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
