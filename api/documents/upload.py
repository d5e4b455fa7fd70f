"""Receiving an uploaded file: the body is cut off at the size limit while it arrives (so an oversized
upload is refused with 413 before it fills a disk), and the file is hashed in one streamed pass over the
spooled part, which Starlette keeps on disk past 1 MiB; its bytes are read into memory once, for the INSERT."""

import hashlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Header, HTTPException, Request, Response, UploadFile
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool
from starlette.types import Message

from api.auth.principal import Principal, current_principal
from api.db import get_session
from api.documents import media
from api.errors import Unprocessable, UnsupportedMediaType
from api.idempotency import Idempotency

CHUNK = 64 * 1024
# The multipart envelope and the small form fields around the file (each field is capped at FIELD_BYTES).
FIELD_BYTES = 16 * 1024
MAX_FIELDS = 8
FORM_LIMITS = {"max_files": 1, "max_fields": MAX_FIELDS, "max_part_size": FIELD_BYTES}
ENVELOPE_BYTES = (MAX_FIELDS + 2) * FIELD_BYTES


class PayloadTooLarge(HTTPException):
    """An HTTPException, so FastAPI lets it through its form parsing untouched (it would turn any
    other error raised there into a 400); api.errors renders it as problem+json."""

    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=f"A document may be at most {limit} bytes")


def document_limit(request: Request) -> int:
    return request.app.state.settings.max_document_bytes


class LimitedBodyRoute(APIRoute):
    """A route whose request body may not exceed the document limit plus the form envelope: refused by
    its Content-Length up front, or as soon as more bytes than that have arrived."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit = document_limit(request)
            allowed = limit + ENVELOPE_BYTES
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > allowed:
                raise PayloadTooLarge(limit)
            received = 0

            async def receive() -> Message:
                nonlocal received
                message = await request.receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > allowed:
                        raise PayloadTooLarge(limit)
                return message

            return await handler(Request(request.scope, receive))

        return limited


@dataclass(frozen=True)
class Received:
    media_type: str
    filename: str
    size_bytes: int
    sha256: str
    content: bytes


async def receive_file(upload: UploadFile, *, limit: int) -> Received:
    """Check and read an uploaded file: 415 for a type not accepted or bytes that are not that type,
    413 past the limit, 422 when empty."""
    media_type, filename = media.resolve(upload.content_type, media.safe_filename(upload.filename))
    digest, size, sniffer = hashlib.sha256(), 0, media.Sniffer()
    await upload.seek(0)
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        digest.update(chunk)
        sniffer.feed(chunk)
    sniffer.finish()
    if size == 0:
        raise Unprocessable("The file is empty", errors=[{"loc": ["body", "file"], "msg": "the file is empty",
                                                          "type": "empty_file"}])
    if not await run_in_threadpool(media.content_matches, media_type, sniffer, upload.file):
        raise UnsupportedMediaType(f"The file's content is not {media_type}")
    await upload.seek(0)
    content = await upload.read()
    return Received(media_type, filename, size, digest.hexdigest(), content)


class UploadIdempotency(Idempotency):
    """Idempotency-Key for an upload: the request is identified by its fields and the file's SHA-256
    (the raw multipart body is already consumed, and its boundary differs between retries anyway)."""

    fingerprint: str | None = None

    async def _request_hash(self) -> str:
        assert self.fingerprint is not None
        return self.fingerprint


async def upload_idempotency(
    request: Request, session: AsyncSession = Depends(get_session),
    principal: Principal = Depends(current_principal),
    key: str | None = Header(None, alias="Idempotency-Key", min_length=1, max_length=255,
                             description="Makes a retried upload safe: the same key, fields and file return the "
                                         "first response"),
) -> UploadIdempotency:
    return UploadIdempotency(key=key, request=request, session=session, principal=principal)
