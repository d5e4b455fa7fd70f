import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from api.activities import attendance, service
from api.activities.engagement import IsoDate
from api.activities.schemas import (
    ActivityCreate,
    ActivityMethod,
    ActivityPage,
    ActivityRead,
    ActivityStatus,
    ActivityUpdate,
    AttendanceLog,
    AttendanceRecord,
    DutyLimb,
    InvolvementLevel,
    StakeholderActivityPage,
)
from api.concurrency import IfMatch, set_etag
from api.deps import Logger, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep
from api.stakeholders.schemas import StakeholderCategory

router = APIRouter(tags=["activities"])


def list_filters(
    plan_id: uuid.UUID | None = Query(None, description="Only those of this plan"),
    method: ActivityMethod | None = Query(None, description="Only this method"),
    level: InvolvementLevel | None = Query(None, description="Only this involvement level"),
    duty_limb: DutyLimb | None = Query(None, description="Only those serving this limb of the duty"),
    status: ActivityStatus | None = Query(None, description="Only those with this status"),
    starts_from: IsoDate | None = Query(None, description="Only those starting on or after this UK date"),
    starts_to: IsoDate | None = Query(None, description="Only those starting on or before this UK date"),
    led_by: uuid.UUID | None = Query(None, description="Only those led by this user"),
    stakeholder_id: uuid.UUID | None = Query(None, description="Only those this stakeholder attended"),
    audience_category: StakeholderCategory | None = Query(None, description="Only those aimed at this group"),
    external_id: str | None = Query(None, max_length=200, description="Only the one with this external id"),
    q: str | None = Query(None, min_length=1, max_length=200, description="Search title, location and leader name"),
    archived: bool = Query(False, description="Archived activities instead of active ones"),
) -> service.ActivityFilters:
    """The list's filters, which the export takes too."""
    return service.ActivityFilters(
        plan_id=plan_id, method=method, level=level, duty_limb=duty_limb, status=status, starts_from=starts_from,
        starts_to=starts_to, led_by=led_by, stakeholder_id=stakeholder_id, audience_category=audience_category,
        external_id=external_id, q=q, archived=archived)


ActivityFiltersDep = Annotated[service.ActivityFilters, Depends(list_filters)]


@router.get("/activities", response_model=ActivityPage, summary="List activities")
async def list_activities(session: SessionDep, caller: Reader, filters: ActivityFiltersDep,
                          page: PageDep) -> ActivityPage:
    """The Record of Stakeholder Engagement, a page at a time; sortable by starts_at (default: newest first),
    title, created_at, updated_at."""
    result = await service.list_activities(session=session, caller=caller, filters=filters, page=page)
    tallies = await service.counts(session, [a.id for a in result.items])
    await session.commit()  # the audit of an admin's read of what a restricted person attended, if it was one
    return ActivityPage(items=[service.to_read(a, tallies.get(a.id)) for a in result.items],
                        next_cursor=result.next_cursor, total=result.total)


@router.post("/activities", response_model=ActivityRead, status_code=status.HTTP_201_CREATED,
             summary="Record an activity", responses=problems(409))
async def create_activity(data: ActivityCreate, session: SessionDep, caller: Logger,
                          idempotency: IdempotencyDep) -> Response:
    """Record a planned or past activity. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.create(session=session, caller=caller, data=data)
    response = await idempotency.created(await service.read(session, row),
                                         location=service.location(row.id), version=row.version)
    await session.commit()
    return response


@router.get("/activities/{activity_id}", response_model=ActivityRead, summary="Get an activity",
            responses=problems(404))
async def get_activity(activity_id: uuid.UUID, session: SessionDep, caller: Reader,
                       response: Response) -> ActivityRead:
    """One activity with its derived counts and its ETag."""
    row = await service.get(session=session, caller=caller, activity_id=activity_id)
    set_etag(response, row.version)
    return await service.read(session, row)


@router.patch("/activities/{activity_id}", response_model=ActivityRead, summary="Update an activity",
              responses=problems(404, 409, 412))
async def update_activity(activity_id: uuid.UUID, data: ActivityUpdate, session: SessionDep, caller: Logger,
                          response: Response, if_match: IfMatch = None) -> ActivityRead:
    """Change the fields given (status: planned, done or cancelled). Send If-Match to avoid overwriting edits."""
    row = await service.update(session=session, caller=caller, activity_id=activity_id, data=data,
                               if_match=if_match)
    body = await service.read(session, row)
    await session.commit()
    set_etag(response, row.version)
    return body


@router.delete("/activities/{activity_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Archive an activity", responses=problems(404, 409, 412))
async def delete_activity(activity_id: uuid.UUID, session: SessionDep, caller: Logger,
                          if_match: IfMatch = None) -> Response:
    """Archive (soft-delete) an activity recorded in error; it leaves lists, reports and the calendar."""
    await service.set_archived(session=session, caller=caller, activity_id=activity_id, archived=True,
                               if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/activities/{activity_id}/restore", response_model=ActivityRead, summary="Restore an activity",
             responses=problems(404))
async def restore_activity(activity_id: uuid.UUID, session: SessionDep, caller: Logger,
                           idempotency: IdempotencyDep) -> Response:
    """Bring an archived activity back into the record. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.set_archived(session=session, caller=caller, activity_id=activity_id, archived=False)
    response = await idempotency.ok(await service.read(session, row), version=row.version)
    await session.commit()
    return response


@router.get("/activities/{activity_id}/attendance", response_model=AttendanceLog,
            summary="Get an activity's attendance log", responses=problems(404))
async def get_attendance(activity_id: uuid.UUID, session: SessionDep, caller: Reader,
                         response: Response) -> AttendanceLog:
    """Who was invited and who attended, by name, with the unnamed headcount; the ETag is the activity's. A
    restricted person's name is shown to admins only, and each such read is audited."""
    row = await service.get(session=session, caller=caller, activity_id=activity_id)
    set_etag(response, row.version)
    body = await attendance.log(session=session, caller=caller, activity=row)
    await session.commit()  # the audit of an admin's read of a restricted person on the log, if there was one
    return body


@router.post("/activities/{activity_id}/attendance", response_model=AttendanceLog,
             summary="Record attendance", responses=problems(404, 409, 412))
async def record_attendance(activity_id: uuid.UUID, data: AttendanceRecord, session: SessionDep, caller: Logger,
                            idempotency: IdempotencyDep, if_match: IfMatch = None) -> Response:
    """Add or change lines (upserted by stakeholder) and the unnamed headcount; returns the whole log.
    Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await attendance.record(session=session, caller=caller, activity_id=activity_id, data=data,
                                  if_match=if_match)
    body = await attendance.log(session=session, caller=caller, activity=row)
    response = await idempotency.ok(body, version=row.version)
    await session.commit()
    return response


@router.put("/activities/{activity_id}/attendance", response_model=AttendanceLog,
            summary="Replace the attendance log", responses=problems(404, 409, 412))
async def replace_attendance(activity_id: uuid.UUID, data: AttendanceRecord, session: SessionDep, caller: Logger,
                             response: Response, if_match: IfMatch = None) -> AttendanceLog:
    """Make the entries the whole log: lines not named are removed, fields left out are false. The unnamed
    headcount changes only when given."""
    row = await attendance.record(session=session, caller=caller, activity_id=activity_id, data=data,
                                  if_match=if_match, replace=True)
    body = await attendance.log(session=session, caller=caller, activity=row)
    await session.commit()
    set_etag(response, row.version)
    return body


@router.delete("/activities/{activity_id}/attendance/{stakeholder_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove a stakeholder from the attendance log", responses=problems(404, 409, 412))
async def delete_attendance(activity_id: uuid.UUID, stakeholder_id: uuid.UUID, session: SessionDep,
                            caller: Logger, if_match: IfMatch = None) -> Response:
    """Take one stakeholder's line off the log (recorded in error)."""
    await attendance.remove(session=session, caller=caller, activity_id=activity_id, stakeholder_id=stakeholder_id,
                            if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/stakeholders/{stakeholder_id}/activities", response_model=StakeholderActivityPage,
            summary="List a stakeholder's activities", responses=problems(404))
async def list_stakeholder_activities(
    stakeholder_id: uuid.UUID, session: SessionDep, caller: Reader, page: PageDep,
    attended: bool | None = Query(None, description="Only those they attended (true) or missed (false)"),
) -> StakeholderActivityPage:
    """The activities a stakeholder was invited to or attended, with dates; sortable by starts_at (default:
    newest first), title, created_at, updated_at."""
    result, items = await attendance.stakeholder_activities(session=session, caller=caller,
                                                            stakeholder_id=stakeholder_id, attended=attended,
                                                            page=page)
    await session.commit()  # the audit of an admin's read of a restricted person, if it was one
    return StakeholderActivityPage(items=items, next_cursor=result.next_cursor, total=result.total)
