import uuid

from fastapi import APIRouter, Depends, Query

from api.audit_events import service
from api.audit_events.schemas import (
    NO_NUL,
    AuditEventPage,
    AuditEventRead,
    BrokenLink,
    ChainVerification,
    IsoDatetime,
)
from api.deps import AuditReader, PageDep, SessionDep
from api.errors import problems
from api.ratelimit import limit_exports

router = APIRouter(prefix="/audit-events", tags=["audit-events"])


@router.get("", response_model=AuditEventPage, summary="List audit events")
async def list_audit_events(
    session: SessionDep, caller: AuditReader, page: PageDep,
    resource_type: str | None = Query(None, max_length=40, pattern=NO_NUL,
                                      description="Only events on this kind of resource, e.g. user"),
    resource_id: str | None = Query(None, max_length=64, pattern=NO_NUL, description="Only events on this resource"),
    action: str | None = Query(None, max_length=40, pattern=NO_NUL, description="Only this action, e.g. role_change"),
    actor_id: uuid.UUID | None = Query(None, description="Only events by this user or service account"),
    since: IsoDatetime | None = Query(None, description="Only events at or after this time (ISO 8601 with offset)"),
    until: IsoDatetime | None = Query(None, description="Only events before this time (ISO 8601 with offset)"),
) -> AuditEventPage:
    """Your tenant's audit trail, newest first unless ?sort= says otherwise (seq, occurred_at)."""
    filters = service.AuditEventFilters(resource_type=resource_type, resource_id=resource_id, action=action,
                                        actor_id=actor_id, since=since, until=until)
    result = await service.list_audit_events(session=session, caller=caller, filters=filters, page=page)
    return AuditEventPage(items=[AuditEventRead.model_validate(e) for e in result.items],
                          next_cursor=result.next_cursor, total=result.total)


# It reads the tenant's whole trail, as an export reads a whole register: it counts against the exports' limit.
@router.get("/verify", response_model=ChainVerification, summary="Verify the audit chain",
            dependencies=[Depends(limit_exports)], responses=problems(429))
async def verify_audit_chain(session: SessionDep, caller: AuditReader) -> ChainVerification:
    """Recompute every hash of your tenant's chain and report the first event that was altered or removed."""
    report = await service.verify_chain(session=session, caller=caller)
    broken = None
    if not report.intact:
        broken = BrokenLink(seq=report.first_broken_seq, id=report.first_broken_id, reason=report.reason)
    return ChainVerification(intact=report.intact, events_checked=report.events_checked,
                             head_hash=report.head_hash, first_broken=broken)
