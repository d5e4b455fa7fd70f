"""Every error is RFC 9457 application/problem+json; this module holds the types and handlers."""

import logging
import traceback
from types import TracebackType
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.db import DatabaseUnreachable
from api.routes import match_request
from api.schemas import ResponseModel

log = logging.getLogger("api.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://involve.nhs.example/problems/"


class FieldError(ResponseModel):
    loc: list[str | int] = Field(description="Where the bad value is: body, query, path or header, then the field")
    msg: str = Field(description="What is wrong with it")
    type: str | None = Field(default=None, description="A machine-readable kind of error")


class Problem(ResponseModel):
    type: str = Field(description="A URI naming the kind of problem")
    title: str = Field(description="A short, fixed summary of the kind of problem")
    status: int = Field(description="The HTTP status code")
    detail: str | None = Field(default=None, description="What went wrong this time")
    instance: str | None = Field(default=None, description="The path of the request")
    request_id: str | None = Field(default=None, description="Quote this to the operators")
    errors: list[FieldError] | None = Field(default=None, description="Field errors, for validation failures")


class AppError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None, *, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        if headers:
            self.headers = headers


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status, slug, title = 401, "unauthorized", "Not authenticated"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, slug, title = 412, "precondition-failed", "The resource has changed"


class PayloadTooLarge(AppError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(AppError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class Unprocessable(AppError):
    status, slug, title = 422, "unprocessable", "Unprocessable request"


def problem_response(request: Request, *, status: int, slug: str, title: str, detail: str | None = None,
                     errors: list[dict] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.url.path
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_errors(exc: RequestValidationError) -> list[dict]:
    out = []
    for err in exc.errors():
        # Never echo the input back: it may be a password or personal data.
        out.append({"loc": [str(p) if not isinstance(p, int) else p for p in err.get("loc", ())],
                    "msg": err.get("msg", "invalid"), "type": err.get("type")})
    return out


_STATUS_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Not authenticated"),
    403: ("forbidden", "Not allowed for your role"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("too-many-requests", "Too many requests"),
}


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (the router names only the first route's)."""
    found = match_request(request.scope)
    return ", ".join(sorted(found[1])) if found else ""


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError):
        return problem_response(request, status=exc.status, slug=exc.slug, title=exc.title,
                                detail=exc.detail, errors=exc.errors, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = _field_errors(exc)
        if any(e["type"] == "json_invalid" for e in errors):
            return problem_response(request, status=400, slug="malformed-json", title="Malformed JSON",
                                    detail="The request body is not valid JSON", errors=errors)
        return problem_response(request, status=422, slug="validation", title="Invalid request",
                                detail="One or more fields are invalid", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # The spec's paths know every operation's methods; the docs and the spec itself are not among them, and
            # keep the router's own Allow (an empty one would say they take no method at all).
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return problem_response(request, status=exc.status_code, slug=slug, title=title, detail=detail,
                                headers=headers or None)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError):
        # The row's version moved between our read and our UPDATE: a concurrent edit won.
        return problem_response(request, status=412, slug=PreconditionFailed.slug, title=PreconditionFailed.title,
                                detail="The resource was changed by someone else; read it again")

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError):
        # Services check uniqueness first with a clear message; this is the race they cannot see.
        return problem_response(request, status=409, slug=Conflict.slug, title=Conflict.title,
                                detail="The change conflicts with a record written at the same moment; try again")

    def _unavailable(request: Request, what: str) -> JSONResponse:
        return problem_response(request, status=503, slug="unavailable", title="Service unavailable",
                                detail=f"{what}; try again shortly", headers={"Retry-After": str(RETRY_AFTER)})

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, exc: PoolTimeout):
        log.warning("database pool exhausted", extra={"request_id": getattr(request.state, "request_id", None)})
        return _unavailable(request, "Every database connection is busy")

    @app.exception_handler(DatabaseUnreachable)  # refused or reset connections, connect timeouts
    async def _unreachable(request: Request, exc: DatabaseUnreachable):
        log.warning("database unreachable: %s", exc, extra={"request_id": getattr(request.state, "request_id", None)})
        return _unavailable(request, "The database is unreachable")

    @app.exception_handler(DBAPIError)
    @app.exception_handler(asyncpg.PostgresError)  # raised by statements run on the driver itself (api.db.StaticQuery)
    @app.exception_handler(asyncpg.InterfaceError)
    async def _dbapi(request: Request, exc: Exception):
        fault = database_fault(exc)
        if fault == "connection":
            log.warning("database connection lost: %s", type(getattr(exc, "orig", exc)).__name__,
                        extra={"request_id": getattr(request.state, "request_id", None)})
            return _unavailable(request, "The database connection was lost")
        if fault == "timeout":
            return statement_timeout_problem(request)
        # Not the driver's message, nor the traceback that carries it: asyncpg puts the bound value it could not
        # take in its message ("invalid input for query argument $2: 'Ann…'"), which hide_parameters does not reach.
        orig = getattr(exc, "orig", exc)
        log.error("database error %s (SQLSTATE %s) at %s", type(orig).__name__,
                  getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None), _where(exc.__traceback__),
                  extra={"request_id": getattr(request.state, "request_id", None)})
        return _internal(request)


def _where(tb: TracebackType | None) -> str:
    """The last line of our own code the error passed through (file:line), to find it by without its message."""
    where = "?"
    for frame, line in traceback.walk_tb(tb):
        if "/api/" in frame.f_code.co_filename:
            where = f"{frame.f_code.co_filename.rsplit('/api/', 1)[1]}:{line}"
    return where


def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """The 500 of an error nothing else handled: logged with its traceback, answered without it."""
    log.error("unhandled error", exc_info=exc, extra={"request_id": getattr(request.state, "request_id", None)})
    return _internal(request)


def _internal(request: Request) -> JSONResponse:
    return problem_response(request, status=500, slug="internal", title="Internal server error",
                            detail="Something went wrong on our side; quote the request id to the operators")


class UnexpectedErrorMiddleware:
    """Answers an unhandled error's 500 inside the security headers, CORS and request id middlewares. Starlette answers
    it in ServerErrorMiddleware, outside every middleware, so its 500 went out without nosniff, no-store, the CSP or
    X-Request-ID. An error after the answer has started is left to go on up: nothing can be answered any more."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_and_note(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception as exc:
            if started:
                raise
            await unexpected_error(Request(scope), exc)(scope, receive, send)


RETRY_AFTER = 2  # seconds a client should wait before retrying a 503


def statement_timeout_problem(request: Request) -> JSONResponse:
    """The answer to a statement PostgreSQL cancelled at the statement timeout (api.config.db_statement_timeout_ms)."""
    return problem_response(request, status=503, slug="statement-timeout", title="The database took too long",
                            detail="The query ran past the statement timeout; narrow it or try again later",
                            headers={"Retry-After": "5"})


# asyncpg's names for a connection that is gone or refused (matched by name: they come from several modules).
_CONNECTION_ERRORS = {"ConnectionDoesNotExistError", "CannotConnectNowError", "ConnectionFailureError",
                      "AdminShutdownError", "CrashShutdownError", "PostgresConnectionError",
                      "ConnectionResetError", "ConnectionRefusedError", "TooManyConnectionsError"}
QUERY_CANCELED = "57014"  # PostgreSQL's query_canceled, which a statement_timeout raises


def database_fault(exc: Exception) -> str | None:
    """What a driver error says happened, read from it and the error it wraps (SQLAlchemy's wraps the adapter's,
    whose cause is asyncpg's; a statement run on the driver itself raises asyncpg's own): "connection" when the
    database went away (restart, failover, network), "timeout" when the statement ran past the statement
    timeout, None when the database refused the statement itself."""
    if getattr(exc, "connection_invalidated", False):
        return "connection"
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    found = [e for e in (orig, getattr(orig, "__cause__", None)) if e is not None]
    if any(isinstance(e, OSError) or type(e).__name__ in _CONNECTION_ERRORS for e in found):
        return "connection"
    if any((getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)) == QUERY_CANCELED for e in found):
        return "timeout"
    return None


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry declaring problem+json answers for the given status codes."""
    descriptions = {
        400: "Bad request (malformed JSON, a bad cursor or query)",
        401: "Missing, expired or invalid token",
        403: "The caller's role may not do this",
        404: "Not found in the caller's tenant",
        409: "Conflicts with the current state (a duplicate external_id or email, an illegal transition)",
        412: "If-Match does not match the current ETag",
        413: "Request body too large",
        415: "Unsupported media type",
        422: "Validation failed (see errors[])",
        429: "Too many requests",
        500: "Unexpected error (with a request id)",
        503: "A dependency is unavailable",
    }
    return {
        s: {"model": Problem, "description": descriptions.get(s, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for s in statuses
    }
