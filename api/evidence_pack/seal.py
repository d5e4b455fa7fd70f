"""The pack's digest and its verification, shared by the API and `involve verify-pack`.

Canonical form (README "Evidence pack"): the pack as a JSON object without its `digest` member, serialised
with keys sorted (by code point) at every level, no whitespace (separators "," and ":"), non-ASCII characters
as themselves (no \\u escapes), encoded as UTF-8. The pack holds strings, integers, booleans, null, lists and
objects only: no floating-point numbers, so no number formatting question arises."""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.audit import GENESIS, event_hash
from api.models import AuditEvent

SEALED_ACTION = "evidence_pack.sealed"
# The largest audit_head.seq that can name an event: seq and seq + 1 are looked up in a BIGINT column, and a
# larger one failed in the database driver (a 500 for a claim that is simply false).
MAX_SEQ = 2**63 - 2


def canonical(pack: dict[str, Any]) -> bytes:
    """The canonical bytes of the pack without its digest."""
    return encode({k: v for k, v in pack.items() if k != "digest"})


def encode(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def digest(pack: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(pack)).hexdigest()


class NotAPack(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise NotAPack(f"the key '{key}' appears twice in one object")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise NotAPack(f"{name} is not JSON")


def loads(data: bytes) -> dict[str, Any]:
    """Parse a stored pack strictly: UTF-8 JSON, one object, no duplicate keys, no NaN or Infinity."""
    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise NotAPack("the file is not UTF-8 text")
    except json.JSONDecodeError as exc:
        raise NotAPack(f"the file is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")
    except ValueError as exc:  # an integer of more digits than Python converts (4,300): no pack has one
        raise NotAPack(f"the file holds a number too long to read ({exc})")
    except RecursionError:  # the API refuses such a body before reading it (INVOLVE_MAX_JSON_DEPTH); a file has none
        raise NotAPack("the file is nested too deeply to be a pack")
    if not isinstance(value, dict):
        raise NotAPack("the file is not a JSON object")
    try:
        encode(value)  # JSON may escape a lone surrogate (\ud800), which has no UTF-8 form, so no digest either
    except UnicodeEncodeError:
        raise NotAPack("the file holds a lone UTF-16 surrogate escape (such as \\ud800), which is not text")
    except ValueError:  # a number past a double's range (1e400) reads as infinity, which JSON has no form for
        raise NotAPack("the file holds a number too large to be JSON (such as 1e400)")
    return value


@dataclass
class Result:
    digest_matches: bool = False
    audit_head_found: bool = False
    sealed_event_found: bool = False
    audit_chain_intact: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return (self.digest_matches and self.audit_head_found and self.sealed_event_found and self.audit_chain_intact
                and not self.reasons)


def _head(pack: dict[str, Any]) -> tuple[int, str] | None:
    head = pack.get("audit_head")
    if not isinstance(head, dict):
        return None
    seq, value = head.get("seq"), head.get("hash")
    if type(seq) is not int or not 0 <= seq <= MAX_SEQ or not isinstance(value, str):
        return None
    return seq, value


def pack_tenant(pack: dict[str, Any]) -> uuid.UUID | None:
    tenant = pack.get("tenant")
    try:
        return uuid.UUID(tenant.get("id")) if isinstance(tenant, dict) else None
    except (TypeError, ValueError, AttributeError):
        return None


async def verify(session: AsyncSession, tenant_id: uuid.UUID, pack: dict[str, Any]) -> Result:
    """Recompute the digest, then check the tenant's audit trail: the event at audit_head.seq has audit_head.hash
    (the pack was sealed at that point of the chain) and the event after it records the sealing of this digest
    (the pack was produced by the system, not rebuilt by someone who recomputed the digest). Those two events
    matching their own hashes is not enough: whoever rewrote the pack could rewrite its sealing event and rehash it,
    and only the events after it (which chain to its hash) and the recorded head show that. So the tenant's whole
    chain is recomputed too (api.audit.verify, as GET /audit-events/verify)."""
    result = Result()
    claimed = pack.get("digest")
    if not isinstance(claimed, str):
        result.reasons.append("The pack has no digest.")
    elif digest(pack) != claimed:
        result.reasons.append("The digest does not match the pack's content: the pack was altered after it was "
                              "sealed.")
    else:
        result.digest_matches = True
    if pack_tenant(pack) != tenant_id:
        result.reasons.append("The pack was not sealed by this tenant.")
        return result
    head = _head(pack)
    if head is None:
        result.reasons.append("The pack has no valid audit_head.")
        return result
    seq, head_hash = head
    rows = {e.seq: e for e in (await session.execute(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant_id, AuditEvent.seq.in_([seq, seq + 1])))).scalars()}
    intact = all(event_hash(row) == row.hash for row in rows.values())
    if not intact:
        result.reasons.append("The audit events the pack refers to do not match their own hashes: the audit trail "
                              "was altered.")
    if (seq == 0 and head_hash == GENESIS) or (seq in rows and rows[seq].hash == head_hash and intact):
        result.audit_head_found = True
    else:
        result.reasons.append(f"The audit trail has no event {seq} with the hash the pack gives.")
    sealed = rows.get(seq + 1)
    if (sealed is not None and intact and sealed.action == SEALED_ACTION and sealed.prev_hash == head_hash
            and isinstance(claimed, str) and (sealed.changes or {}).get("digest") == claimed):
        result.sealed_event_found = True
    else:
        result.reasons.append(f"The audit trail does not record the sealing of a pack with this digest at event "
                              f"{seq + 1}.")
    chain = await audit.verify(session, tenant_id)
    if chain.intact:
        result.audit_chain_intact = True
    else:
        result.reasons.append(f"The tenant's audit chain is broken at event {chain.first_broken_seq} "
                              f"({chain.reason}): the audit trail this pack is checked against was altered.")
    return result
