import uuid

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.deps import Editor, PageDep, Reader, SessionDep
from api.duties.schemas import Code
from api.errors import problems
from api.evidence import service
from api.evidence.schemas import EvidenceCreate, EvidencePage, EvidenceRead, EvidenceUpdate
from api.idempotency import IdempotencyDep

router = APIRouter(tags=["evidence"])
BASE = "/plans/{plan_id}/evidence"
ITEM = BASE + "/{evidence_id}"


@router.get(BASE, response_model=EvidencePage, summary="List a plan's evidence", responses=problems(404))
async def list_evidence(
    plan_id: uuid.UUID, session: SessionDep, caller: Reader, page: PageDep,
    requirement_id: uuid.UUID | None = Query(None, description="Only evidence for this requirement"),
    duty_code: Code | None = Query(None, description="Only evidence for a requirement of the duty with this code"),
    consultation_id: uuid.UUID | None = Query(None, description="Only evidence whose decision is about this "
                                                                "consultation (not those naming none)"),
    external_id: str | None = Query(None, max_length=200, description="Only the one with this external id"),
    q: str | None = Query(None, min_length=1, max_length=200, description="Search the summary and the decision"),
    archived: bool = Query(False, description="List archived evidence instead of active evidence"),
) -> EvidencePage:
    """The plan's evidence items with their links expanded briefly, a page at a time; sortable by created_at
    (default), updated_at."""
    filters = service.EvidenceFilters(requirement_id=requirement_id, duty_code=duty_code,
                                      consultation_id=consultation_id, external_id=external_id, q=q,
                                      archived=archived)
    result = await service.list_evidence(session=session, caller=caller, plan_id=plan_id, filters=filters, page=page)
    return EvidencePage(items=await service.to_reads(session, result.items), next_cursor=result.next_cursor,
                        total=result.total)


@router.post(BASE, response_model=EvidenceRead, status_code=status.HTTP_201_CREATED, summary="Add evidence",
             responses=problems(404, 409))
async def create_evidence(plan_id: uuid.UUID, data: EvidenceCreate, session: SessionDep, caller: Editor,
                          idempotency: IdempotencyDep) -> Response:
    """Link a duty requirement to the activities, feedback, documents and decision that show it was met (lead or
    admin); the decision may name the consultation of the plan it is about. A link to an archived activity, feedback
    or consultation is refused (409). Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.create(session=session, caller=caller, plan_id=plan_id, data=data)
    response = await idempotency.created(await service.to_read(session, row),
                                         location=service.location(plan_id, row.id), version=row.version)
    await session.commit()
    return response


@router.get(ITEM, response_model=EvidenceRead, summary="Get an evidence item", responses=problems(404))
async def get_evidence(plan_id: uuid.UUID, evidence_id: uuid.UUID, session: SessionDep, caller: Reader,
                       response: Response) -> EvidenceRead:
    """One evidence item of the plan, its links expanded, with its ETag."""
    row = await service.get(session=session, caller=caller, plan_id=plan_id, evidence_id=evidence_id)
    set_etag(response, row.version)
    return await service.to_read(session, row)


@router.patch(ITEM, response_model=EvidenceRead, summary="Update an evidence item",
              responses=problems(404, 409, 412))
async def update_evidence(plan_id: uuid.UUID, evidence_id: uuid.UUID, data: EvidenceUpdate, session: SessionDep,
                          caller: Editor, response: Response, if_match: IfMatch = None) -> EvidenceRead:
    """Change the fields given (lead or admin); a list of links replaces the current one. A new link to an archived
    activity, feedback or consultation is refused (409); one the item already holds stays. On a plan under legal
    hold, links to activities and feedback may be added but not removed, the consultation cannot change, and a
    decision or decision date once recorded cannot change or be cleared, though a blank one may be filled in (409)."""
    row = await service.update(session=session, caller=caller, plan_id=plan_id, evidence_id=evidence_id, data=data,
                               if_match=if_match)
    body = await service.to_read(session, row)
    await session.commit()
    set_etag(response, row.version)
    return body


@router.delete(ITEM, status_code=status.HTTP_204_NO_CONTENT, summary="Archive an evidence item",
               responses=problems(404, 409, 412))
async def delete_evidence(plan_id: uuid.UUID, evidence_id: uuid.UUID, session: SessionDep, caller: Editor,
                          if_match: IfMatch = None) -> Response:
    """Archive (soft-delete) an evidence item recorded in error; it stays readable with ?archived=true, and POST
    …/restore brings it back. 409 while the plan is on legal hold."""
    await service.set_archived(session=session, caller=caller, plan_id=plan_id, evidence_id=evidence_id,
                               archived=True, if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(ITEM + "/restore", response_model=EvidenceRead, summary="Restore an evidence item",
             responses=problems(404))
async def restore_evidence(plan_id: uuid.UUID, evidence_id: uuid.UUID, session: SessionDep, caller: Editor,
                           idempotency: IdempotencyDep) -> Response:
    """Bring back an item archived in error (lead or admin); restoring a live one changes nothing.
    Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.set_archived(session=session, caller=caller, plan_id=plan_id, evidence_id=evidence_id,
                                     archived=False)
    response = await idempotency.ok(await service.to_read(session, row), version=row.version)
    await session.commit()
    return response
