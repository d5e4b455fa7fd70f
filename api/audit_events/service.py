"""Reading and verifying the tenant's audit trail; nothing here writes."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.models import AuditEvent
from api.pagination import PageParams, PageResult, paginate

SORTABLE = {"id": AuditEvent.id, "seq": AuditEvent.seq, "occurred_at": AuditEvent.occurred_at}


@dataclass(frozen=True)
class AuditEventFilters:
    resource_type: str | None = None
    resource_id: str | None = None
    action: str | None = None
    actor_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_audit_events(*, session: AsyncSession, caller: Principal, filters: AuditEventFilters,
                            page: PageParams) -> PageResult:
    """A page of the tenant's audit events matching the filters, newest first by default."""
    stmt = select(AuditEvent).where(AuditEvent.tenant_id == caller.tenant_id)
    if filters.resource_type:
        stmt = stmt.where(AuditEvent.resource_type == filters.resource_type)
    if filters.resource_id:
        stmt = stmt.where(AuditEvent.resource_id == filters.resource_id)
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == filters.actor_id)
    if filters.since:
        stmt = stmt.where(AuditEvent.occurred_at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEvent.occurred_at < filters.until)
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="-seq")


async def verify_chain(*, session: AsyncSession, caller: Principal) -> audit.ChainReport:
    """Recompute the caller's tenant chain from its first event."""
    return await audit.verify(session, caller.tenant_id)
