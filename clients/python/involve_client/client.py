"""A small, typed client for Involve's bulk endpoints, over httpx.

Uploads stream from the file (never read whole), downloads stream to a file; transient failures
(connection errors, 5xx, 429) are retried with backoff, and an import is retried with the same
Idempotency-Key, so a retry after a lost response replays the first result instead of writing twice."""

import os
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import httpx

Resource = Literal["stakeholders", "organisations", "activities", "feedback", "attendance"]
Format = Literal["csv", "json", "ndjson"]
Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "ndjson": "application/x-ndjson"}
TRANSIENT = frozenset({429, 500, 502, 503, 504})
CHUNK = 256 * 1024


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row; the CSV header is row 0
    field: str | None
    message: str


@dataclass(frozen=True)
class ImportReport:
    resource: str
    format: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    skipped: int
    failed: int
    errors: list[RowError] = field(default_factory=list)
    body_sha256: str | None = None
    replayed: bool = False  # the server returned the stored first response to this Idempotency-Key


class InvolveError(Exception):
    """The server refused the request: `status` and the RFC 9457 problem it sent."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status = status
        self.problem = problem
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}".strip())


class ImportRefused(InvolveError):
    """Rows failed (on_error=abort) or the body could not be read: nothing was written."""

    @property
    def errors(self) -> list[RowError]:
        return [RowError(e.get("row", 0), e.get("field"), e.get("message") or e.get("msg", ""))
                for e in self.problem.get("errors") or []]


def _report(data: dict[str, Any], replayed: bool) -> ImportReport:
    errors = [RowError(e["row"], e.get("field"), e["message"]) for e in data.get("errors", [])]
    fields = {k: data[k] for k in ("resource", "format", "dry_run", "rows", "created", "updated", "skipped",
                                   "failed")}
    return ImportReport(**fields, errors=errors, body_sha256=data.get("body_sha256"), replayed=replayed)


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
        return body if isinstance(body, dict) else {"detail": str(body)}
    except ValueError:
        return {"title": response.reason_phrase, "detail": response.text[:500]}


class Client:
    """`Client("https://involve.example.nhs.uk", token)` (the API's own address, `…/api/v1`, is taken too); use as a
    context manager or call close()."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 600.0, retries: int = 5,
                 backoff: float = 0.5, transport: httpx.BaseTransport | None = None):
        self.retries = retries
        self.backoff = backoff
        root = base_url.rstrip("/").removesuffix("/api/v1")  # the server's address, or its API's
        self._http = httpx.Client(base_url=root + "/api/v1", transport=transport,
                                  headers={"Authorization": f"Bearer {token}", "User-Agent": "involve-client"},
                                  timeout=httpx.Timeout(timeout, connect=10.0))

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- retries ----------------------------------------------------------------------------------------

    def _wait(self, attempt: int, response: httpx.Response | None) -> None:
        after = response.headers.get("Retry-After", "") if response is not None else ""
        delay = float(after) if after.isdigit() else self.backoff * 2 ** attempt * (0.5 + random.random())  # noqa: S311
        time.sleep(min(delay, 60.0))

    def _send(self, build: Callable[[], httpx.Request], *, stream: bool = False) -> httpx.Response:
        """Send, retrying connection errors, 5xx and 429 (the request is rebuilt each time)."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._http.send(build(), stream=stream)
            except httpx.TransportError:
                if last:
                    raise
                self._wait(attempt, None)
                continue
            if response.status_code in TRANSIENT and not last:
                response.close()
                self._wait(attempt, response)
                continue
            return response
        raise AssertionError("unreachable")

    # -- imports ----------------------------------------------------------------------------------------

    def import_file(self, resource: Resource, path: str | os.PathLike, *, format: Format | None = None,
                    dry_run: bool = False, match: str | None = None, on_conflict: str | None = None,
                    on_error: str | None = None, idempotency_key: str | None = None,
                    progress: Progress | None = None) -> ImportReport:
        """Import a CSV, JSON or NDJSON file (the format from its extension unless given).
        Raises ImportRefused when nothing was written, InvolveError for any other refusal."""
        path = Path(path)
        fmt = format or {".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson"}.get(path.suffix.lower(), "csv")
        size = path.stat().st_size
        key = idempotency_key or str(uuid.uuid4())
        params = {k: v for k, v in {"dry_run": "true" if dry_run else None, "match": match,
                                    "on_conflict": on_conflict, "on_error": on_error}.items() if v}

        def body() -> Iterator[bytes]:
            sent = 0
            with path.open("rb") as f:
                while chunk := f.read(CHUNK):
                    sent += len(chunk)
                    if progress:
                        progress(sent, size)
                    yield chunk

        def build() -> httpx.Request:
            return self._http.build_request(
                "POST", f"/imports/{resource}", params=params, content=body(),
                headers={"Content-Type": MEDIA_TYPES[fmt], "Content-Length": str(size), "Idempotency-Key": key})

        response = self._send(build)
        if response.status_code == 200:
            return _report(response.json(), response.headers.get("Idempotent-Replayed") == "true")
        if response.status_code == 422:
            raise ImportRefused(422, _problem(response))
        raise InvolveError(response.status_code, _problem(response))

    def template(self, resource: Resource) -> str:
        response = self._send(lambda: self._http.build_request("GET", f"/imports/{resource}/template"))
        if response.status_code != 200:
            raise InvolveError(response.status_code, _problem(response))
        return response.text

    # -- exports ----------------------------------------------------------------------------------------

    def export(self, resource: Resource, out: BinaryIO, *, format: Literal["csv", "ndjson"] = "csv",
               filters: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
               progress: Progress | None = None) -> int:
        """Stream an export into `out`; returns the bytes written. `filters` are the list's (as a mapping, or as
        pairs: a name given twice is sent twice, and the server refuses it rather than keep one). A transient failure
        before the first byte is retried; one part-way through is retried from the start when `out` can be rewound."""
        pairs = filters.items() if isinstance(filters, Mapping) else filters or []
        params = [("format", format), *((k, v) for k, v in pairs if v is not None)]
        start = out.tell() if out.seekable() else None
        for attempt in range(self.retries + 1):
            response = self._send(lambda: self._http.build_request("GET", f"/exports/{resource}", params=params),
                                  stream=True)
            try:
                if response.status_code != 200:
                    response.read()
                    raise InvolveError(response.status_code, _problem(response))
                total = int(response.headers.get("Content-Length", 0)) or None
                written = 0
                try:
                    for chunk in response.iter_bytes(CHUNK):
                        out.write(chunk)
                        written += len(chunk)
                        if progress:
                            progress(written, total)
                    return written
                except httpx.TransportError:
                    if start is None or attempt == self.retries:
                        raise
                    out.seek(start)
                    out.truncate()
                    self._wait(attempt, None)
            finally:
                response.close()
        raise AssertionError("unreachable")
