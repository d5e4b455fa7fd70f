"""A trailing slash redirected, HEAD answered as GET, and refusals made before a request reaches its handler: a NUL
character in an API query string (400: PostgreSQL cannot compare text holding one, so no filter may turn it into a
database error), unknown methods (405), bodies over the cap (413, also when sent chunked without a Content-Length), a
non-JSON body sent to a JSON operation (415), JSON that is not UTF-8 and JSON nested deeper than the cap (400).
Imports and file uploads stream their own bodies under their own, larger caps (import_max_bytes, max_document_bytes);
an evidence pack sent to verify has its own cap (max_pack_bytes), since the pack of a plan with many responses is
larger than any ordinary body."""

import re

from fastapi import Request
from fastapi.responses import RedirectResponse

from api.errors import problem_response
from api.routes import API_PREFIX, match_request, route_table

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STREAMED_PREFIX = f"{API_PREFIX}/imports/"  # the imports read their body as a stream, capped by themselves
PACK_VERIFY_PATH = f"{API_PREFIX}/evidence-packs/verify"  # a whole sealed pack: capped by max_pack_bytes
# One pass, left to right: a string (skipped whole, so brackets in it don't count) or a bracket. Possessive, and the
# closing quote optional, so an unclosed string is one match to the end of the body. Cutting strings out with a
# pattern that needed the closing quote retried it from every quote of an unclosed one, in time the square of the
# body's (80 KB of \" held the event loop 18 s before any token was checked; now 1 MB takes 15 ms).
_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)
_QUOTE, _OPENERS = ord('"'), frozenset(b"[{")


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def too_deep(body: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` (strings are cut out first, brackets in them don't count).
    Checked on the raw bytes so a deep document is refused before any parser recurses through it."""
    depth = 0
    for match in _TOKENS.finditer(body):
        first = body[match.start()]
        if first == _QUOTE:
            continue
        if first in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class _HeadersSent(Exception):
    """Raised into a streamed response's producer once a HEAD's headers are out: the rest would be thrown away."""


async def _head_as_get(app, scope, receive, send) -> None:
    """The GET's status and headers. A streamed body (an export) is cut after them, so its producer stops at its
    first chunk instead of running the whole export for a body the server would drop."""

    async def headers_only(message) -> None:
        if message["type"] == "http.response.body" and message.get("more_body"):
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            raise _HeadersSent
        await send(message)

    # request.state.head tells a GET whose answer is a write (sealing an evidence pack) to check and write nothing.
    state = {**scope.get("state", {}), "head": True}
    try:
        await app({**scope, "method": "GET", "state": state}, receive, headers_only)
    except _HeadersSent:
        pass


class RequestGuardMiddleware:
    def __init__(self, app, *, max_body_bytes: int, max_json_depth: int, max_pack_bytes: int | None = None):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.max_pack_bytes = max_pack_bytes or max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method = scope["method"]
        query = scope.get("query_string", b"")
        if (b"%00" in query or b"\x00" in query) and scope["path"].startswith(API_PREFIX):
            return await self._refuse(Request(scope), send, receive, 400, "bad-request", "Bad request",
                                      "The query string contains a NUL character")
        path = scope["path"]
        if path.endswith("/") and len(path) > 1 and route_table(scope["app"]).match(path.rstrip("/")):
            # The router's own redirect named the Host header's host and the scheme uvicorn saw: behind a TLS proxy,
            # a client following it would resend its bearer token in clear. A relative Location keeps both.
            location = path.rstrip("/") + (f"?{query.decode('latin-1')}" if query else "")
            return await RedirectResponse(location, status_code=307)(scope, receive, send)
        if method == "HEAD" and (found := match_request(scope)) and "GET" in found[1]:
            # FastAPI routes GET alone, and every server must answer HEAD to a GET resource: the same headers, without
            # the body, which the server leaves unsent for a HEAD (uvicorn, as Starlette's own routes rely on). The
            # scope is copied so the access log and metrics still name HEAD.
            return await _head_as_get(self.app, scope, receive, send)
        if method in KNOWN_METHODS and (method not in BODY_METHODS or scope["path"].startswith(STREAMED_PREFIX)):
            return await self.app(scope, receive, send)
        request = Request(scope)
        found = match_request(scope)
        if method not in KNOWN_METHODS:  # TRACE, CONNECT, made-up verbs
            allow = ", ".join(sorted(found[1])) if found else ""
            return await self._refuse(request, send, receive, 405, "method-not-allowed", "Method not allowed",
                                      f"{method} is not supported", {"Allow": allow})

        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        declared = route_table(request.app).body_types(found[0], method) if found else frozenset()
        if "multipart/form-data" in declared:  # uploads spool to disk and are capped by their handler (413)
            return await self.app(scope, receive, send)
        if media and declared and all(is_json(t) for t in declared) and not is_json(media):
            return await self._refuse(request, send, receive, 415, "unsupported-media-type",
                                      "Unsupported media type", "Send the body as application/json")

        limit = self.max_pack_bytes if scope["path"] == PACK_VERIFY_PATH else self.max_body_bytes
        declared_length = request.headers.get("content-length", "")
        if declared_length.isdigit() and int(declared_length) > limit:
            return await self._too_large(request, send, receive, limit)
        chunks, size = [], 0
        while True:  # read it all, counting: a chunked body has no Content-Length to trust
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client is gone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await self._too_large(request, send, receive, limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if is_json(media or "application/json"):
            # UTF-8 JSON never holds a NUL byte, and UTF-16 or UTF-32 JSON always does: their bytes would hide brackets
            # from the depth check (a character such as U+2200 holds a quote byte), and the parser reads them anyway.
            if b"\x00" in body:
                return await self._refuse(request, send, receive, 400, "malformed-json", "Malformed JSON",
                                          "Send the body as UTF-8 JSON")
            if too_deep(body, self.max_json_depth):
                return await self._refuse(request, send, receive, 400, "json-too-deep", "JSON nested too deeply",
                                          f"Arrays and objects may nest at most {self.max_json_depth} deep")

        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, request, send, receive, limit: int):
        await self._refuse(request, send, receive, 413, "payload-too-large", "Request body too large",
                           f"The body may be at most {limit} bytes")

    @staticmethod
    async def _refuse(request, send, receive, status, slug, title, detail, headers=None):
        response = problem_response(request, status=status, slug=slug, title=title, detail=detail, headers=headers)
        await response(request.scope, receive, send)
