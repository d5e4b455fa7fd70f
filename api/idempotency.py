"""Idempotency-Key for POST: a retry with the same key and body gets the first response again;
the same key with another body is refused (422). Records live 24 hours."""

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Text, cast, delete, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal, current_principal
from api.concurrency import etag
from api.db import get_session, utcnow
from api.errors import Unprocessable
from api.models import IdempotencyRecord
from api.scrub import Contacts, remove_people

RETENTION = timedelta(hours=24)
PURGED_PER_WRITE = 100  # expired records of its tenant a keyed write deletes: far more than it adds, so none pile up
_REPLAYED_HEADERS = ("location", "etag")
LOCK_CLASS = 0x1D3  # the first key of pg_advisory_xact_lock(int, int) for idempotency keys


def advisory_key(*parts: Any) -> int:
    """A signed 32-bit key for pg_advisory_xact_lock(int, int) from the given parts."""
    digest = uuid.uuid5(uuid.NAMESPACE_URL, "/".join(str(p) for p in parts)).int
    return (digest & 0xFFFFFFFF) - (1 << 31)


class Idempotency:
    def __init__(self, *, key: str | None, request: Request, session: AsyncSession, principal: Principal):
        self.key = key
        self.request = request
        self.session = session
        self.principal = principal
        self._hash: str | None = None

    async def _request_hash(self) -> str:
        """An HMAC of the request under the server's secret, not a plain SHA-256: a body can hold a password (a new
        user's), and a plain hash kept for 24 hours would let anyone who reads the table test guesses at it offline,
        around the password's Argon2 hash."""
        if self._hash is None:
            body = await self.request.body()
            key = self.request.app.state.settings.jwt_secret.encode()
            digest = hmac.new(key, b"idempotency\n" + self.request.method.encode() + b" "
                              + self.request.url.path.encode() + b"\n", hashlib.sha256)
            digest.update(body)
            self._hash = digest.hexdigest()
        return self._hash

    async def lock(self) -> None:
        """Make a retry wait for the first request with its key to finish (PostgreSQL; SQLite writers are serialised
        already): without it, two requests sent at once each found no record, each wrote, and the second's record
        replaced the first's."""
        if self.key and self.session.get_bind().dialect.name == "postgresql":
            key = advisory_key(self.principal.tenant_id, self.principal.id, self.key)
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": LOCK_CLASS, "b": key})

    async def replay(self) -> Response | None:
        """The stored response for a retry, or None when this key is new (or absent)."""
        if not self.key:
            return None
        await self.lock()
        record = (await self.session.execute(select(IdempotencyRecord).where(
            IdempotencyRecord.tenant_id == self.principal.tenant_id,
            IdempotencyRecord.principal_id == self.principal.id,
            IdempotencyRecord.key == self.key,
            IdempotencyRecord.created_at > utcnow() - RETENTION,
        ))).scalar_one_or_none()
        if record is None:
            return None
        if record.request_hash != await self._request_hash():
            raise Unprocessable("This Idempotency-Key was used with a different request (its body, path or "
                                "options differ)")
        headers = dict(record.headers)
        headers["Idempotent-Replayed"] = "true"
        return Response(record.body, status_code=record.status_code, headers=headers,
                        media_type="application/json")

    async def created(self, body: BaseModel | Any, *, location: str, version: int | None = None) -> Response:
        """A 201 with Location (and the new row's ETag), remembered under the key like any response."""
        headers = {"Location": location}
        if version is not None:
            headers["ETag"] = etag(version)
        return await self.respond(body, status_code=201, headers=headers)

    async def ok(self, body: BaseModel | Any, *, version: int) -> Response:
        """A 200 with the row's ETag (a restore, an approval, a record's state set), remembered under the key."""
        return await self.respond(body, status_code=200, headers={"ETag": etag(version)})

    async def respond(self, body: BaseModel | Any, *, status_code: int,
                      headers: dict[str, str] | None = None) -> Response:
        """Serialise the response, remember it under the key (in the caller's transaction)."""
        payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        content = orjson.dumps(payload)
        headers = headers or {}
        if self.key:
            # An expired record of the same key makes way for the new one; a fresh one is kept: should two requests
            # with one key ever both find none (on PostgreSQL the lock makes the second wait), the second fails on
            # the unique key (409) rather than replacing the first's record with a second resource.
            await self.session.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.tenant_id == self.principal.tenant_id,
                IdempotencyRecord.principal_id == self.principal.id,
                IdempotencyRecord.key == self.key,
                IdempotencyRecord.created_at <= utcnow() - RETENTION))
            await _purge(self.session, self.principal.tenant_id)
            self.session.add(IdempotencyRecord(
                tenant_id=self.principal.tenant_id, principal_id=self.principal.id, key=self.key,
                method=self.request.method, path=canonical_path(self.request.url.path),
                request_hash=await self._request_hash(), status_code=status_code,
                headers={k: v for k, v in headers.items() if k.lower() in _REPLAYED_HEADERS}, body=content,
            ))
            await self.session.flush()
        return Response(content, status_code=status_code, headers=headers, media_type="application/json")


async def _purge(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Delete expired records of the tenant, the oldest first, a bounded number at a time (index tenant_id,
    created_at): their bodies hold personal data, kept 24 hours and no longer, not only until their key comes back."""
    expired = (select(IdempotencyRecord.id).where(IdempotencyRecord.tenant_id == tenant_id,
                                                  IdempotencyRecord.created_at <= utcnow() - RETENTION)
               .order_by(IdempotencyRecord.created_at).limit(PURGED_PER_WRITE))
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(expired.scalar_subquery()))
                          .execution_options(synchronize_session=False))


def canonical_path(path: str) -> str:
    """The path with each id in the form the API writes it: FastAPI takes one in capitals, without hyphens or as
    urn:uuid:, and a stored record found by its path (an erasure's) must be found whichever the client sent."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        if len(part) >= 32:
            try:
                parts[i] = str(uuid.UUID(part))
            except ValueError:
                pass
    return "/".join(parts)


async def forget_mentions(session: AsyncSession, *, tenant_id: uuid.UUID, stakeholder_id: uuid.UUID, name: str = "",
                          contacts: Contacts | None = None) -> None:
    """Drop every stored response that names the person by id (a record of theirs, an attendance log, feedback they
    gave): an erasure must leave none of their data behind, and once their processing is restricted a retry must not
    show them to whom a read no longer does. An erasure also gives their `name` (a person's, as written) and
    `contacts`: every response holding those goes too, or their email, phone, postcode or an address line that is
    nobody else's (api.scrub.remove_people's rule for text about others). A response keeps what the record said when
    it was stored, so the record as it is now cannot tell which hold them ("Visit Ann Lee, ann@example.org", tidied
    since). The id is found by the database: a body is the JSON orjson wrote, where an id is a string in its canonical
    lower-case form. A name or contacts are found by reading each response in Python, to find a phone however it is
    spaced: a tenant's responses are kept 24 hours, so they are few."""
    # A body is bytes (bytea, BLOB), read as the UTF-8 text orjson wrote: SQLite's LIKE matches no BLOB
    said = (func.convert_from(IdempotencyRecord.body, "UTF8", type_=Text)
            if session.get_bind().dialect.name == "postgresql" else cast(IdempotencyRecord.body, Text))
    await session.execute(delete(IdempotencyRecord).where(
        IdempotencyRecord.tenant_id == tenant_id, said.contains(str(stakeholder_id)))
        .execution_options(synchronize_session=False))
    whole_name = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)",
                            re.IGNORECASE) if name.strip() else None
    if whole_name is None and contacts is None:
        return  # the id alone (a restriction's)
    found = []
    stored = await session.stream(select(IdempotencyRecord.id, IdempotencyRecord.body).where(
        IdempotencyRecord.tenant_id == tenant_id).execution_options(yield_per=500))
    async for record_id, body in stored:
        # The strings of the JSON, one a line: an address written over lines is matched as written, not as "\\n"
        said = "\n".join(_strings(orjson.loads(body)))
        if ((whole_name is not None and whole_name.search(said))
                or (contacts is not None and remove_people(said, names=[], contacts=[contacts],
                                                           about_them=False) != said)):
            found.append(record_id)
    if found:
        await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(found))
                              .execution_options(synchronize_session=False))


def _strings(value: Any) -> Iterable[str]:
    """Every string in a decoded JSON value, keys aside."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


async def forget(session: AsyncSession, *, tenant_id, locations: Iterable[str], paths: Iterable[str] = ()) -> None:
    """Drop the stored responses that created or restored the resources at `locations`, and those to the POSTs of
    `paths` (a feedback's response), in one statement: their bodies can hold personal data, which an erasure must not
    leave behind for the 24 hours they are kept."""
    created = list(locations)
    posted = [*paths, *(f"{place}/restore" for place in created)]  # a restore's body is the resource as it was
    if created or posted:
        await session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.tenant_id == tenant_id,
            or_(IdempotencyRecord.headers["Location"].as_string().in_(created), IdempotencyRecord.path.in_(posted)),
        ))


async def idempotency(
    request: Request,
    session: AsyncSession = Depends(get_session),
    principal: Principal = Depends(current_principal),
    key: str | None = Header(None, alias="Idempotency-Key", min_length=1, max_length=255,
                             description="Makes a retried POST safe: the same key and body return the first response"),
) -> Idempotency:
    return Idempotency(key=key, request=request, session=session, principal=principal)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
