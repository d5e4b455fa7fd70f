import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from api.pagination import Page
from api.schemas import ReadModel, ResponseModel, UtcBound


def _iso_8601(value: Any) -> Any:
    """Only an ISO 8601 string: pydantic alone would also take '0.5' as a Unix timestamp."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not an ISO 8601 datetime") from None
    return value


IsoDatetime = Annotated[UtcBound, BeforeValidator(_iso_8601)]
NO_NUL = r"^[^\x00]+$"  # PostgreSQL refuses NUL in text: a filter holding one would otherwise be a 500


class AuditEventRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    seq: int = Field(description="Position in the tenant's chain, from 1 with no gaps")
    occurred_at: datetime = Field(description="When it happened")
    actor_type: str = Field(description="user, service_account, system or anonymous")
    actor_id: uuid.UUID | None = Field(description="The user or service account that acted, if any")
    action: str = Field(description="What was done: create, update, role_change, revoke, login, …")
    resource_type: str = Field(description="The kind of resource acted on, e.g. user, organisation")
    resource_id: str | None = Field(description="The resource's id")
    changes: dict[str, Any] = Field(
        description="Field → {before, after}; personal values appear as '[personal data]', secrets never")
    request_id: str | None = Field(description="The X-Request-ID of the request that made it")
    prev_hash: str = Field(description="The previous event's hash (64 zeros for the first)")
    hash: str = Field(description="SHA-256 of this event's canonical JSON, prev_hash included")


class AuditEventPage(Page[AuditEventRead]):
    pass


class BrokenLink(ResponseModel):
    seq: int = Field(description="The first event that does not hold, or the first missing from the chain's end")
    id: uuid.UUID | None = Field(description="That event's id; null when it is missing")
    reason: str = Field(description="Why: a sequence gap, a prev_hash mismatch, altered content, or events removed "
                                    "from the chain's end (it stops short of its recorded head)")


class ChainVerification(ResponseModel):
    intact: bool = Field(description="true when every event's hash and link recompute")
    events_checked: int = Field(description="Events that verified before the first break (all of them if intact)")
    head_hash: str | None = Field(description="Hash of the last verified event; null for an empty chain")
    first_broken: BrokenLink | None = Field(description="The first event that does not verify; null if intact")
