import uuid

from fastapi import APIRouter, Path, Response

from api.concurrency import IfMatch, set_etag
from api.deps import Editor, PageDep, Reader, SessionDep
from api.duty_assessments import service
from api.duty_assessments.schemas import DutyAssessmentPage, DutyAssessmentRead, DutyAssessmentWrite
from api.errors import problems
from api.idempotency import IdempotencyDep

router = APIRouter(tags=["duty-assessments"])
BASE = "/plans/{plan_id}/duty-assessment"


@router.get(BASE, response_model=DutyAssessmentRead, summary="Get the applicability record",
            responses=problems(404))
async def get_duty_assessment(plan_id: uuid.UUID, session: SessionDep, caller: Reader,
                              response: Response) -> DutyAssessmentRead:
    """The current (latest) version of the plan's applicability record; its ETag is the version number. 404
    until a first version is written."""
    row = await service.current(session=session, caller=caller, plan_id=plan_id)
    set_etag(response, row.number)
    return await service.to_read(session, row)


@router.put(BASE, response_model=DutyAssessmentRead, summary="Write a new version of the applicability record",
            responses=problems(404, 409, 412))
async def put_duty_assessment(plan_id: uuid.UUID, data: DutyAssessmentWrite, session: SessionDep, caller: Editor,
                              response: Response, if_match: IfMatch = None) -> DutyAssessmentRead:
    """Record, for each duty considered, whether it applies, why, and at what level (lead or admin). Every PUT
    writes the next version, unsigned; earlier versions stay readable. If-Match (the version number) is optional
    and honoured. An archived plan's record may be corrected but not first written (409)."""
    row = await service.write(session=session, caller=caller, plan_id=plan_id, data=data, if_match=if_match)
    body = await service.to_read(session, row)
    await session.commit()
    set_etag(response, row.number)
    return body


@router.get(f"{BASE}/versions", response_model=DutyAssessmentPage, summary="List the applicability record's versions",
            responses=problems(404))
async def list_duty_assessment_versions(plan_id: uuid.UUID, session: SessionDep, caller: Reader,
                                        page: PageDep) -> DutyAssessmentPage:
    """Every version of the plan's applicability record, newest first (sortable by number); an empty list when
    none has been written."""
    result = await service.list_versions(session=session, caller=caller, plan_id=plan_id, page=page)
    return DutyAssessmentPage(items=await service.to_reads(session, result.items), next_cursor=result.next_cursor,
                              total=result.total)


@router.get(f"{BASE}/versions/{{number}}", response_model=DutyAssessmentRead,
            summary="Get one version of the applicability record", responses=problems(404))
async def get_duty_assessment_version(plan_id: uuid.UUID, session: SessionDep, caller: Reader, response: Response,
                                      number: int = Path(ge=1, le=2_147_483_647, description="The version number")
                                      ) -> DutyAssessmentRead:
    """One version of the plan's applicability record, as it was written (and signed off)."""
    row = await service.version(session=session, caller=caller, plan_id=plan_id, number=number)
    set_etag(response, row.number)
    return await service.to_read(session, row)


@router.post(f"{BASE}/sign-off", response_model=DutyAssessmentRead, summary="Sign off the applicability record",
             responses=problems(404, 409, 412))
async def sign_off_duty_assessment(plan_id: uuid.UUID, session: SessionDep, caller: Editor,
                                   idempotency: IdempotencyDep, if_match: IfMatch = None) -> Response:
    """Sign off the current version (lead or admin); 409 when it is already signed off. Send If-Match with the
    version you reviewed, so a newer version written meanwhile is not signed unseen (412). Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.sign_off(session=session, caller=caller, plan_id=plan_id, if_match=if_match)
    response = await idempotency.ok(await service.to_read(session, row), version=row.number)
    await session.commit()
    return response
