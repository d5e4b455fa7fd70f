"""The per-tenant, hash-chained audit trail.

Each event stores the SHA-256 of its own canonical JSON, which includes the previous event's
hash: changing or deleting any row breaks every hash after it, and `verify` finds the first.
Personal data (names, emails, phones, addresses) is never written here: a changed personal
field is recorded as changed, without its values, so an erasure leaves nothing behind."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import as_writer, utcnow
from api.models import AuditEvent, AuditHead
from api.observability import request_id_var

GENESIS = "0" * 64
REDACTED = "[personal data]"
SECRET_FIELDS = frozenset({"password", "password_hash", "secret", "secret_hash", "client_secret"})


@dataclass(frozen=True)
class Actor:
    type: str  # "user", "service_account", "system" or "anonymous"
    id: uuid.UUID | None = None


SYSTEM = Actor("system")
ANONYMOUS = Actor("anonymous")


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None, *,
         personal: frozenset[str] = frozenset()) -> dict[str, Any]:
    """{field: {"before": …, "after": …}} for the fields that differ; secrets are dropped and
    personal values replaced by a marker."""
    before, after = before or {}, after or {}
    out: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        if name in SECRET_FIELDS:
            continue
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in personal:
            old = None if old is None else REDACTED
            new = None if new is None else REDACTED
        change = {}
        if before:
            change["before"] = jsonable(old)
        if after:
            change["after"] = jsonable(new)
        out[name] = change
    return out


def _canonical(event: AuditEvent) -> bytes:
    doc = {
        "tenant_id": str(event.tenant_id),
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_type": event.actor_type,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "changes": event.changes,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


async def _lock_chain(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Serialise appends per tenant so the chain never forks. SQLite writers hold the database lock (BEGIN
    IMMEDIATE; a GET's reader becomes one here, db.as_writer); PostgreSQL takes a transaction-scoped advisory lock."""
    await as_writer(session)
    if session.get_bind().dialect.name == "postgresql":
        key = (tenant_id.int & ((1 << 63) - 1)) - (1 << 62)
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


async def locked_head(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[int, str]:
    """The tenant's chain head (seq, hash), (0, GENESIS) when empty, with the chain locked until the
    transaction ends: no other event can be appended after it meanwhile, so the caller's next `append`
    directly follows it."""
    await _lock_chain(session, tenant_id)
    head = (await session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.seq.desc()).limit(1)
    )).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


async def append(session: AsyncSession, *, tenant_id: uuid.UUID, actor: Actor, action: str,
                 resource_type: str, resource_id: Any = None, changes: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event to the tenant's chain (flushed, committed with the caller's write)."""
    seq, prev_hash = await locked_head(session, tenant_id)
    event = AuditEvent(
        tenant_id=tenant_id,
        seq=seq + 1,
        occurred_at=utcnow(),
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id is not None else None,
        changes=jsonable(changes or {}),
        request_id=request_id_var.get(),
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    await session.flush()
    await _record_head(session, event)
    return event


async def _record_head(session: AsyncSession, event: AuditEvent) -> None:
    """The tenant's chain now ends at `event` (AuditHead), under the chain's lock."""
    upsert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(AuditHead)
    await session.execute(upsert.values(tenant_id=event.tenant_id, seq=event.seq, hash=event.hash)
                          .on_conflict_do_update(index_elements=[AuditHead.tenant_id],
                                                 set_={"seq": event.seq, "hash": event.hash}))


@dataclass
class ChainReport:
    intact: bool
    events_checked: int
    head_hash: str | None
    first_broken_seq: int | None = None
    first_broken_id: uuid.UUID | None = None
    reason: str | None = None


async def verify(session: AsyncSession, tenant_id: uuid.UUID) -> ChainReport:
    """Recompute the tenant's chain from the start up to its recorded head; report the first event that does not
    hold. The head is read first and only the events up to it are checked: an event and the head it moves commit
    together, so under PostgreSQL's READ COMMITTED an event written while the chain is read (a busy tenant, a long
    chain) is a later write, not a broken end. An event past the head with no head of its own is reported."""
    head = (await session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.tenant_id == tenant_id))).first()
    recorded = (head.seq, head.hash) if head else (0, GENESIS)
    result = await session.stream_scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant_id, AuditEvent.seq <= recorded[0])
        .order_by(AuditEvent.seq).execution_options(yield_per=1000, populate_existing=True)
    )
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    async for event in result:
        reason = None
        if event.seq != expected_seq:
            reason = f"sequence gap: expected {expected_seq}, found {event.seq}"
        elif event.prev_hash != prev_hash:
            reason = "prev_hash does not match the previous event"
        elif event_hash(event) != event.hash:
            reason = "the event's content does not match its hash"
        if reason:
            await result.close()
            return ChainReport(False, checked, prev_hash if checked else None, event.seq, event.id, reason)
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    if recorded != (checked, prev_hash):
        # Events removed from the end leave a chain that holds from its start, but stops short of its recorded head
        reason = (f"the chain ends at event {checked}, but its head was recorded as event {recorded[0]}: events "
                  "were removed from its end" if recorded[0] > checked else
                  "the chain's last event is not its recorded head")
        return ChainReport(False, checked, prev_hash if checked else None, checked + 1, None, reason)
    # One statement, so one snapshot: an event past the head as it stands now was not written by an append, which
    # moves the head in the same transaction
    beyond = (await session.execute(select(AuditEvent.seq, AuditEvent.id).where(
        AuditEvent.tenant_id == tenant_id, AuditEvent.seq > func.coalesce(
            select(AuditHead.seq).where(AuditHead.tenant_id == tenant_id).scalar_subquery(), 0))
        .order_by(AuditEvent.seq).limit(1))).first()
    if beyond is not None:
        return ChainReport(False, checked, prev_hash if checked else None, beyond.seq, beyond.id,
                           "the chain's last event is not its recorded head")
    return ChainReport(True, checked, prev_hash if checked else None)
