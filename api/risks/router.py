import uuid

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.deps import Editor, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep
from api.risks import service
from api.risks.schemas import RiskCreate, RiskKind, RiskPage, RiskRead, RiskStatus, RiskUpdate
from api.risks.scoring import Rag

router = APIRouter(tags=["risks"])
ITEM = "/plans/{plan_id}/risks/{risk_id}"


@router.get("/plans/{plan_id}/risks", response_model=RiskPage, summary="List a plan's risks and issues",
            responses=problems(404))
async def list_risks(
    plan_id: uuid.UUID, session: SessionDep, caller: Reader, page: PageDep,
    kind: RiskKind | None = Query(None, description="Only risks or only issues"),
    status: RiskStatus | None = Query(None, description="Only entries with this status"),
    rag: Rag | None = Query(None, description="Only entries with this RAG rating"),
    min_score: int | None = Query(None, ge=1, le=25, description="Only entries scoring at least this"),
    owner_id: uuid.UUID | None = Query(None, description="Only entries this user owns"),
) -> RiskPage:
    """The plan's Risk & Issue Log, highest score first; sortable by score, created_at, updated_at."""
    filters = service.RiskFilters(kind=kind, status=status, rag=rag, min_score=min_score, owner_id=owner_id)
    result = await service.list_risks(session=session, caller=caller, plan_id=plan_id, filters=filters, page=page)
    return RiskPage(items=[RiskRead.model_validate(r) for r in result.items], next_cursor=result.next_cursor,
                    total=result.total)


@router.post("/plans/{plan_id}/risks", response_model=RiskRead, status_code=status.HTTP_201_CREATED,
             summary="Log a risk or issue", responses=problems(404, 409))
async def create_risk(plan_id: uuid.UUID, data: RiskCreate, session: SessionDep, caller: Editor,
                      idempotency: IdempotencyDep) -> Response:
    """Add a risk or issue to the plan's log; score and RAG are derived; 409 when the plan is archived or closed (a
    closed plan's entries may still be updated). Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.create(session=session, caller=caller, plan_id=plan_id, data=data)
    response = await idempotency.created(RiskRead.model_validate(row),
                                         location=service.location(plan_id, row.id), version=row.version)
    await session.commit()
    return response


@router.get(ITEM, response_model=RiskRead, summary="Get a risk or issue", responses=problems(404))
async def get_risk(plan_id: uuid.UUID, risk_id: uuid.UUID, session: SessionDep, caller: Reader,
                   response: Response) -> RiskRead:
    """One entry of the plan's log, with its ETag."""
    row = await service.get(session=session, caller=caller, plan_id=plan_id, risk_id=risk_id)
    set_etag(response, row.version)
    return RiskRead.model_validate(row)


@router.patch(ITEM, response_model=RiskRead, summary="Update a risk or issue", responses=problems(404, 409, 412))
async def update_risk(plan_id: uuid.UUID, risk_id: uuid.UUID, data: RiskUpdate, session: SessionDep,
                      caller: Editor, response: Response, if_match: IfMatch = None) -> RiskRead:
    """Change the fields given; score and RAG follow likelihood and impact. While the plan is on legal hold its kind,
    description, likelihood and impact cannot change (409); its owner, mitigation, status and review date can."""
    row = await service.update(session=session, caller=caller, plan_id=plan_id, risk_id=risk_id, data=data,
                               if_match=if_match)
    await session.commit()
    set_etag(response, row.version)
    return RiskRead.model_validate(row)


@router.delete(ITEM, status_code=status.HTTP_204_NO_CONTENT, summary="Delete a risk or issue",
               responses=problems(404, 409, 412))
async def delete_risk(plan_id: uuid.UUID, risk_id: uuid.UUID, session: SessionDep, caller: Editor,
                      if_match: IfMatch = None) -> Response:
    """Remove an entry logged by mistake (set status closed to keep one); the audit trail keeps its content."""
    await service.delete(session=session, caller=caller, plan_id=plan_id, risk_id=risk_id, if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
