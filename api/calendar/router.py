import uuid

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials
from sqlalchemy.ext.asyncio import AsyncSession

from api.activities.engagement import IsoDate
from api.auth.principal import ALL_ROLES, bearer_scheme, current_principal, oauth2_scheme, roles_marker
from api.calendar import service
from api.calendar.schemas import CalendarTokenCreate, CalendarTokenPage, CalendarTokenRead, CalendarTokenSecret
from api.db import get_session
from api.deps import Editor, PageDep, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep
from api.query_params import refuse_unknown

router = APIRouter(tags=["calendar"])

calendar_token_scheme = APIKeyQuery(name="token", auto_error=False, scheme_name="CalendarToken",
                                    description="A calendar token from POST /api/v1/calendar-tokens, for calendar "
                                                "clients that cannot send an Authorization header")
ICS_RESPONSE = {200: {"description": "An iCalendar (RFC 5545) document",
                      "content": {"text/calendar": {"schema": {"type": "string"}}}}}


class ICalendarResponse(Response):
    media_type = "text/calendar"


async def feed_access(
    request: Request,
    session: AsyncSession = Depends(get_session),
    token: str | None = Depends(calendar_token_scheme),
    oauth_token: str | None = Depends(oauth2_scheme),
    bearer: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> service.FeedAccess:
    """A calendar token (?token=) or, failing that, a bearer token of any role; then a 422 for a query parameter the
    feed does not take, or one given twice, as lists refuse them: a misspelt ?planid= would publish every plan."""
    if token:
        access = await service.access_by_token(session, token)
    else:
        principal = await current_principal(request, session, oauth_token, bearer)
        access = service.FeedAccess(principal.tenant_id, None)
    refuse_unknown(request, "the calendar feed")
    return access


@router.get("/calendar.ics", response_class=ICalendarResponse, summary="Engagement calendar (iCalendar)",
            responses={**ICS_RESPONSE, **problems(404)},
            openapi_extra=roles_marker(ALL_ROLES))  # feed_access checks the caller itself
async def get_calendar(
    session: SessionDep, access: service.FeedAccess = Depends(feed_access),
    plan_id: uuid.UUID | None = Query(None, description="Only this plan's activities"),
    start: IsoDate | None = Query(None, alias="from", description="Only activities starting on or after this UK date "
                                                             "(default: a year before `to`, or a year ago)"),
    end: IsoDate | None = Query(None, alias="to", description="Only activities starting on or before this UK date"),
) -> Response:
    """Planned and past activities as iCalendar events (cancelled ones as STATUS:CANCELLED), without personal
    data. Subscribe with ?token= (a calendar token) or call with a bearer token."""
    body = await service.feed(session=session, access=access, plan_id=plan_id, start=start, end=end)
    return ICalendarResponse(body, media_type="text/calendar; charset=utf-8",
                             headers={"Cache-Control": "private, max-age=300"})


@router.post("/calendar-tokens", response_model=CalendarTokenSecret, status_code=status.HTTP_201_CREATED,
             summary="Create a calendar token", responses=problems(409))
async def create_calendar_token(data: CalendarTokenCreate, session: SessionDep, caller: Editor,
                                idempotency: IdempotencyDep) -> Response:
    """A long-lived, read-only token for the calendar feed; the token is shown only in this response."""
    if replay := await idempotency.replay():
        return replay
    row, secret = await service.create_token(session=session, caller=caller, label=data.label, plan_id=data.plan_id)
    read = CalendarTokenRead.model_validate(row).model_dump()
    # No Location: a token has no URL of its own to read (the list shows it); only DELETE takes its id.
    # The Idempotency-Key record keeps the response without the secret: it is never stored in clear.
    await idempotency.respond(CalendarTokenSecret(**read, token=None, feed_path=None), status_code=201)
    body = CalendarTokenSecret(**read, token=secret, feed_path=f"/api/v1/calendar.ics?token={secret}")
    await session.commit()
    return JSONResponse(body.model_dump(mode="json"), status_code=201)


@router.get("/calendar-tokens", response_model=CalendarTokenPage, summary="List calendar tokens")
async def list_calendar_tokens(
    session: SessionDep, caller: Editor, page: PageDep,
    revoked: bool | None = Query(None, description="Only revoked (true) or only working (false) tokens"),
) -> CalendarTokenPage:
    """The tenant's calendar tokens, oldest first, without their secrets."""
    result = await service.list_tokens(session=session, caller=caller, revoked=revoked, page=page)
    return CalendarTokenPage(items=[CalendarTokenRead.model_validate(t) for t in result.items],
                             next_cursor=result.next_cursor, total=result.total)


@router.delete("/calendar-tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Revoke a calendar token", responses=problems(404))
async def delete_calendar_token(token_id: uuid.UUID, session: SessionDep, caller: Editor) -> Response:
    """Revoke a token: feeds using it get 401 from now on. No If-Match: a token cannot be edited, so it has no
    version to be stale against, and a revoke is idempotent and final (revoking again changes nothing)."""
    await service.revoke(session=session, caller=caller, token_id=token_id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
