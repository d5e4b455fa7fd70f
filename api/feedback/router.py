import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status
from fastapi.responses import HTMLResponse

from api.activities.engagement import IsoDate
from api.concurrency import IfMatch, set_etag
from api.deps import Logger, PageDep, Reader, SessionDep
from api.errors import problems
from api.feedback import service, you_said
from api.feedback.schemas import (
    FeedbackChannel,
    FeedbackCreate,
    FeedbackPage,
    FeedbackRead,
    FeedbackResponseCreate,
    FeedbackStatus,
    FeedbackType,
    FeedbackUpdate,
    YouSaidWeDid,
)
from api.idempotency import IdempotencyDep

router = APIRouter(tags=["feedback"])

HTML_RESPONSE = {200: {"description": "JSON by default; a plain HTML page with `Accept: text/html`",
                       "content": {"text/html": {"schema": {"type": "string"}}}}}


def list_filters(
    status: FeedbackStatus | None = Query(None, description="Only those at this point of the workflow"),
    type: FeedbackType | None = Query(None, description="Only this kind of feedback"),
    channel: FeedbackChannel | None = Query(None, description="Only those received this way"),
    theme: str | None = Query(None, max_length=50, description="Only those raising this theme"),
    plan_id: uuid.UUID | None = Query(None, description="Only those about this plan"),
    activity_id: uuid.UUID | None = Query(None, description="Only those from this activity"),
    stakeholder_id: uuid.UUID | None = Query(None, description="Only those from this stakeholder"),
    overdue: bool | None = Query(None, description="Only those with no response past their due date (true), "
                                                   "or only the others (false)"),
    publishable: bool | None = Query(None, description="Only those marked publishable, or only the others"),
    received_from: IsoDate | None = Query(None, description="Only those received on or after this UK date"),
    received_to: IsoDate | None = Query(None, description="Only those received on or before this UK date"),
    external_id: str | None = Query(None, max_length=200, description="Only the one with this external id"),
    q: str | None = Query(None, min_length=1, max_length=200, description="Search the text and the summary"),
    archived: bool = Query(False, description="Archived feedback instead of active feedback"),
) -> service.FeedbackFilters:
    """The list's filters, which the export takes too."""
    return service.FeedbackFilters(
        status=status, type=type, channel=channel, theme=theme, plan_id=plan_id, activity_id=activity_id,
        stakeholder_id=stakeholder_id, overdue=overdue, publishable=publishable, received_from=received_from,
        received_to=received_to, external_id=external_id, q=q, archived=archived)


FeedbackFiltersDep = Annotated[service.FeedbackFilters, Depends(list_filters)]


@router.get("/feedback", response_model=FeedbackPage, summary="List feedback")
async def list_feedback(session: SessionDep, caller: Reader, filters: FeedbackFiltersDep,
                        page: PageDep) -> FeedbackPage:
    """Feedback of your tenant, a page at a time; sortable by received_at (default: newest first),
    response_due_at, created_at, updated_at."""
    result = await service.list_feedback(session=session, caller=caller, filters=filters, page=page)
    items = await service.reads(session, caller, result.items)
    await session.commit()  # the audit of an admin's read of a restricted person's feedback, if it was one
    return FeedbackPage(items=items, next_cursor=result.next_cursor, total=result.total)


@router.post("/feedback", response_model=FeedbackRead, status_code=status.HTTP_201_CREATED,
             summary="Record feedback", responses=problems(409))
async def create_feedback(data: FeedbackCreate, session: SessionDep, caller: Logger,
                          idempotency: IdempotencyDep) -> Response:
    """Record what was said (status received) and when a response is due. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.create(session=session, caller=caller, data=data)
    response = await idempotency.created(await service.read(session, caller, row), location=service.location(row.id),
                                         version=row.version)
    await session.commit()
    return response


@router.get("/feedback/{feedback_id}", response_model=FeedbackRead, summary="Get feedback",
            responses=problems(404))
async def get_feedback(feedback_id: uuid.UUID, session: SessionDep, caller: Reader,
                       response: Response) -> FeedbackRead:
    """One piece of feedback with its response and its ETag."""
    row = await service.get(session=session, caller=caller, feedback_id=feedback_id)
    body = await service.read(session, caller, row)
    await session.commit()  # the audit of an admin's read of a restricted person's feedback, if it was one
    set_etag(response, row.version)
    return body


@router.patch("/feedback/{feedback_id}", response_model=FeedbackRead, summary="Update feedback",
              responses=problems(404, 409, 412))
async def update_feedback(feedback_id: uuid.UUID, data: FeedbackUpdate, session: SessionDep, caller: Logger,
                          response: Response, if_match: IfMatch = None) -> FeedbackRead:
    """Change the fields given or move the workflow on (an illegal transition is 409); closing needs the
    stakeholder told, or for anonymous feedback the response published."""
    row = await service.update(session=session, caller=caller, feedback_id=feedback_id, data=data,
                               if_match=if_match)
    body = await service.read(session, caller, row)
    await session.commit()
    set_etag(response, row.version)
    return body


@router.delete("/feedback/{feedback_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Archive feedback",
               responses=problems(403, 404, 409, 412))
async def delete_feedback(feedback_id: uuid.UUID, session: SessionDep, caller: Logger,
                          if_match: IfMatch = None) -> Response:
    """Archive (soft-delete) feedback recorded in error; it leaves lists, reports and 'you said, we did' (feedback
    marked publishable: a lead or an admin only, 403)."""
    await service.set_archived(session=session, caller=caller, feedback_id=feedback_id, archived=True,
                               if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/feedback/{feedback_id}/restore", response_model=FeedbackRead, summary="Restore feedback",
             responses=problems(404))
async def restore_feedback(feedback_id: uuid.UUID, session: SessionDep, caller: Logger,
                           idempotency: IdempotencyDep) -> Response:
    """Bring archived feedback back. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.set_archived(session=session, caller=caller, feedback_id=feedback_id, archived=False)
    response = await idempotency.ok(await service.read(session, caller, row), version=row.version)
    await session.commit()
    return response


@router.post("/feedback/{feedback_id}/response", response_model=FeedbackRead, summary="Record the response",
             responses=problems(404, 409, 412))
async def create_feedback_response(feedback_id: uuid.UUID, data: FeedbackResponseCreate, session: SessionDep,
                                   caller: Logger, idempotency: IdempotencyDep,
                                   if_match: IfMatch = None) -> Response:
    """Record "we did": the response, the action taken or why no change was possible, and how and when the
    stakeholder was told. The feedback becomes responded; 409 once closed. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.respond(session=session, caller=caller, feedback_id=feedback_id, data=data,
                                if_match=if_match)
    response = await idempotency.ok(await service.read(session, caller, row), version=row.version)
    await session.commit()
    return response


@router.get("/plans/{plan_id}/you-said-we-did", response_model=YouSaidWeDid, summary="You said, we did",
            responses={**problems(404), **HTML_RESPONSE})
async def get_you_said_we_did(plan_id: uuid.UUID, session: SessionDep, caller: Reader,
                              accept: str | None = Header(None, max_length=1000,
                                                          description="text/html for a plain HTML page")) -> Response:
    """The plan's publishable summary: themes with counts, what was said (paraphrased) and what was done;
    no personal data. JSON, or HTML for an intranet page with Accept: text/html."""
    summary = await you_said.build(session=session, caller=caller, plan_id=plan_id)
    if you_said.wants_html(accept):
        return HTMLResponse(you_said.render_html(summary), headers={"Vary": "Accept"})
    return Response(summary.model_dump_json(), media_type="application/json", headers={"Vary": "Accept"})
