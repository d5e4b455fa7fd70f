"""The two reads that carry most of the traffic, GET /api/v1/stakeholders/{id} and GET /api/v1/stakeholders, answered
on PostgreSQL before FastAPI's router sees them.

Why: FastAPI's routing and per-request dependency solving, and SQLAlchemy's session around the statements (BEGIN, the
tenant scope, the account, the rows, ROLLBACK: five round trips), were three quarters of such a read's CPU
(bench/README.md). Here a read by id or a list page is one statement, the caller's account joined to the rows, on a
connection of the read pool (api.db.ReadPool): the statements the FastAPI routes run (service.BY_ID,
service.list_plan), each wrapped once by _with_account.

What it answers: only a 200 to a request it understands entirely. Everything else goes on, untouched, to the FastAPI
route, which stays the one definition of the operation, of its spec and of every error: another method or path, no
bearer token or a single sign-on one, a token that does not verify, a query parameter it does not know or one given
twice, a value the query models refuse, a bad sort or cursor, a quadrant filter or include_total, an unknown or
deactivated account or one whose role or password has changed since the token, an unknown id, a restricted person
(an admin's read of one is audited), the viewer role's email filter, a score range whose minimum is above its
maximum, and any database error but one. The bodies and
headers are the routes' own (router.read_response, page_response); tests/stakeholders/test_hot_reads.py compares both
paths' answers.
The one error answered here is a statement PostgreSQL cancelled at the statement timeout: the route would run the
same read again and wait as long, twice the timeout in all on a database already too slow; it gets the route's 503.

Reads by id of one caller share statements (_ReadsById): a caller has one running at a time in a worker, and those
arriving meanwhile are read together in the next. The round trip to PostgreSQL (the pool's acquire and release, the
statement, the wake-up) was half of a read's CPU. Each request still gets its own answer, from its own row, and
decides it alone; a read arriving alone goes at once.

Where the connection comes from: the read pool; or, when the app's session dependency is overridden (the tests'
shared transaction, an override taking no arguments), that session's connection, scoped to the caller's tenant
as current_principal scopes it."""

import asyncio
import contextlib
import re
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

import asyncpg
from fastapi import FastAPI, Request, Response
from pydantic import ValidationError
from sqlalchemy import bindparam, select, true
from starlette.types import ASGIApp, Receive, Scope, Send

from api import rls
from api.auth.principal import ACCOUNT_MODELS, Principal, Role, account_columns, bearer_token, principal_of
from api.db import StaticQuery, driver_connection, get_session
from api.errors import AppError, database_fault, statement_timeout_problem
from api.pagination import Order, PageParams, page_result
from api.routes import API_PREFIX
from api.security import InvalidToken, TokenClaims
from api.stakeholders import service
from api.stakeholders.router import StakeholderListQuery, list_filters, page_response, read_response

COLLECTION = f"{API_PREFIX}/stakeholders"
# Starlette's uuid convertor, which the route's {stakeholder_id:uuid} uses.
_ID = re.compile(r"/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")
_FILTERS = frozenset(StakeholderListQuery.model_fields)
_PAGING = frozenset(PageParams.model_fields)
# The database's failures: the route then meets the same failure and answers it as it answers any (503 and so on).
_DATABASE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)


class HotReads:
    """ASGI middleware, innermost: inside the request id, access log, security headers, rate limit and request guard."""

    def __init__(self, app: ASGIApp, *, fastapi_app: FastAPI):
        self.app = app
        self.state = fastapi_app.state
        self.overrides = fastapi_app.dependency_overrides
        self.enabled = self.state.db.read_pool is not None and self.state.settings.hot_reads
        self.dialect = self.state.db.engine.dialect  # compiles the statements once, for asyncpg
        self._by_id = _ReadsById()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.enabled and scope["type"] == "http" and scope["method"] == "GET" \
                and scope["path"].startswith(COLLECTION):
            response = await self._answer(scope)
            if response is not None:
                return await response(scope, receive, send)
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope) -> Response | None:
        rest = scope["path"][len(COLLECTION):]
        by_id = _ID.fullmatch(rest)
        if not by_id and rest:
            return None
        claims = self._claims(scope)
        if claims is None:
            return None
        try:
            if by_id:
                return await self._read(claims, by_id.group(1).lower())  # as str(uuid) writes it: the rows' key
            # A list's query is understood (or passed on) before a connection is taken.
            planned = await _plan_list(claims, scope["query_string"])
            if planned is None:
                return None
            async with self._connection(claims.tenant_id) as connection:
                return await self._list(connection, claims=claims, planned=planned)
        except _DATABASE_ERRORS as exc:
            # A statement cancelled at the timeout, as the routes' handler tells it (errors.database_fault).
            return statement_timeout_problem(Request(scope)) if database_fault(exc) == "timeout" else None

    def _claims(self, scope: Scope) -> TokenClaims | None:
        """The verified claims of the request's own token, or None for the route to answer."""
        authorization = next((value for name, value in scope["headers"] if name == b"authorization"), None)
        token = bearer_token(authorization.decode("latin-1") if authorization is not None else None)
        if token is None or (self.state.oidc is not None and self.state.oidc.owns(token)):
            return None
        try:
            return self.state.tokens.verify(token)
        except InvalidToken:
            return None

    def _connection(self, tenant_id: uuid.UUID) -> contextlib.AbstractAsyncContextManager[Any]:
        override = self.overrides.get(get_session)
        if override is None:
            return self.state.db.read_pool.scoped(tenant_id)
        return _overridden(override, tenant_id)

    async def _read(self, claims: TokenClaims, stakeholder_id: str) -> Response | None:
        # The caller's account is read with the rows: one caller's reads alone can share a statement.
        row = await self._by_id.read((claims.tenant_id, claims.subject_kind, claims.subject_id), stakeholder_id,
                                     partial(self._rows_by_id, claims))
        if row is None:  # an unknown id, or another tenant's, or an account unknown: the route says which
            return None
        caller = _caller(claims, row)
        if caller is None or row["restricted_at"] is not None:
            return None
        return read_response(row, caller)

    async def _rows_by_id(self, claims: TokenClaims, ids: list[str]) -> list[Any]:
        """The stakeholders of these ids (those that exist in the caller's tenant), each with the caller's account."""
        async with self._connection(claims.tenant_id) as connection:
            return await connection.fetch(*_args(_with_account(service.BY_IDS, claims.subject_kind), self.dialect,
                                                 account_id=claims.subject_id, tenant_id=claims.tenant_id, ids=ids))

    async def _list(self, connection, *, claims: TokenClaims, planned: "_ListPlan") -> Response | None:
        rows = await connection.fetch(*_args(planned.query, self.dialect, account_id=claims.subject_id,
                                             **planned.binds))
        caller = _caller(claims, rows[0] if rows else None)
        if caller != planned.caller:
            return None
        items = rows if rows[0]["id"] is not None else []  # no stakeholder matched: the account's row alone
        return page_response(page_result(items, planned.order, planned.limit), caller)


# What those who joined a statement get when it was never read (the first request cancelled, or failing otherwise
# than in the database): not a database error, so each passes its request on to the route.
_NOT_READ = RuntimeError("not read")


class _ReadsById:
    """Reads by id that wait together share a statement. The first of a key (one caller) opens a batch; the others
    of that key join it until it is read: those arriving in the same turn of the event loop, and, while the key's
    statement before it is still running, those arriving meanwhile. A key has one statement running at a time, so
    under load a batch gathers all that came during one round trip; a read arriving alone goes at once (one turn
    later)."""

    LIMIT = 64  # ids a statement takes at most; a larger crowd starts another

    def __init__(self) -> None:
        self._open: dict[tuple, dict[str, list[asyncio.Future]]] = {}  # key → id → the futures of those joining
        self._turns: dict[tuple, _Turns] = {}  # key → its one statement at a time, while any batch of it waits

    async def read(self, key: tuple, stakeholder_id: str, rows: Callable[[list[str]], Awaitable[list[Any]]]) -> Any:
        """The row of `stakeholder_id` from `rows(ids)`, or None when it has none. A database error is raised in
        every request that shared it; any other failure in the first request's alone (the others get None, and the
        route answers them)."""
        batch = self._open.get(key)
        if batch is not None and len(batch) < self.LIMIT:
            joined = asyncio.get_running_loop().create_future()
            batch.setdefault(stakeholder_id, []).append(joined)
            outcome = await joined
        else:
            batch = self._open[key] = {stakeholder_id: []}
            outcome = await self._lead(key, batch, rows)
        if isinstance(outcome, BaseException):
            if isinstance(outcome, _DATABASE_ERRORS):
                raise outcome
            return None
        return outcome.get(stakeholder_id)

    async def _lead(self, key: tuple, batch: dict[str, list[asyncio.Future]],
                    rows: Callable[[list[str]], Awaitable[list[Any]]]) -> dict[str, Any] | BaseException:
        outcome: dict[str, Any] | BaseException = _NOT_READ
        turns = self._turns.get(key) or self._turns.setdefault(key, _Turns())
        turns.waiting += 1
        try:
            await asyncio.sleep(0)  # the turn in which the others that came with this one join it
            async with turns.lock:  # and, while the key's statement before is running, those coming meanwhile
                self._close(key, batch)
                outcome = {str(row["id"]): row for row in await rows(list(batch)) if row["id"] is not None}
        except _DATABASE_ERRORS as exc:
            outcome = exc
        finally:  # whatever happened (cancelled before its statement too), no request that joined is left waiting
            self._close(key, batch)
            turns.waiting -= 1
            if not turns.waiting:
                del self._turns[key]
            for waiting in batch.values():
                for joined in waiting:
                    if not joined.done():
                        joined.set_result(outcome)
        return outcome

    def _close(self, key: tuple, batch: dict[str, list[asyncio.Future]]) -> None:
        """No one joins the batch any more (a later read of the key opens the next)."""
        if self._open.get(key) is batch:
            del self._open[key]


@dataclass
class _Turns:
    """A key's statements, one at a time, and the batches of it that have them to come (to forget it after)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


@contextlib.asynccontextmanager
async def _overridden(override, tenant_id: uuid.UUID) -> AsyncIterator[Any]:
    """The connection of the session that overrides the app's (the tests' shared transaction), scoped to the tenant."""
    session = override()
    await rls.scope(session, tenant_id)
    yield await driver_connection(session)


@dataclass(frozen=True)
class _ListPlan:
    query: StaticQuery
    binds: dict[str, Any]
    order: Order
    limit: int
    caller: Principal  # as the token has it; the answer stands only if the account agrees


async def _plan_list(claims: TokenClaims, query_string: bytes) -> _ListPlan | None:
    """The list page's statement (with the caller's account) and values, or None for the route to answer."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    given = dict(pairs)
    if len(given) != len(pairs) or not given.keys() <= _FILTERS | _PAGING:
        return None
    try:
        query = StakeholderListQuery.model_validate({k: v for k, v in given.items() if k in _FILTERS})
        page = PageParams.model_validate({k: v for k, v in given.items() if k in _PAGING})
    except ValidationError:
        return None
    if query.quadrant is not None or page.include_total:
        return None
    # The page's shape depends on the caller's role, known for certain only from the account, which is read in the
    # same statement: the token's role chooses the shape, and the answer stands only if the account still has that
    # role (else the route answers, with the account's current role).
    try:
        token_caller = Principal(claims.subject_id, claims.subject_kind, claims.tenant_id, Role(claims.role))
    except ValueError:
        return None
    try:
        plan, binds, order = service.list_plan(dialect_name="postgresql", caller=token_caller,
                                               filters=await list_filters(query), page=page)
    except AppError:
        return None
    return _ListPlan(_with_account(plan, claims.subject_kind, order.columns), binds, order, page.limit,
                     token_caller)


# Each statement with the caller's account joined on, by statement (dropped with it when ListQueries lets a list's
# shape go) and account kind.
_WITH_ACCOUNT: weakref.WeakKeyDictionary[StaticQuery, dict[str, StaticQuery]] = weakref.WeakKeyDictionary()


def _with_account(rows_query: StaticQuery, kind: str, order_by: Sequence[tuple[Any, bool]] = ()) -> StaticQuery:
    """`rows_query` with the role and is_active of the caller's account (api.auth.principal.account_columns) on each
    row, after the rows' own columns (whose order schemas.read_rows relies on), in one round trip instead of two: the
    account's one row joined to the rows, or alone (with nulls) when there are none; nothing when the account is
    unknown. `order_by` (column, descending) orders the joined rows again: a join keeps no order."""
    made = _WITH_ACCOUNT.get(rows_query)
    if made is None:
        made = _WITH_ACCOUNT[rows_query] = {}
    if kind not in made:
        model = ACCOUNT_MODELS[kind]
        account = select(*account_columns(model)).where(
            model.id == bindparam("account_id"), model.tenant_id == bindparam("tenant_id")).subquery("account")
        rows = rows_query.statement.subquery("rows")
        made[kind] = StaticQuery(
            select(rows, account).select_from(account.outerjoin(rows, true()))
            .order_by(*[rows.c[c.key].desc() if d else rows.c[c.key].asc() for c, d in order_by]))
    return made[kind]


def _args(query, dialect, **params) -> list[Any]:
    sql, args = query.asyncpg_args(dialect, params)
    return [sql, *args]


def _caller(claims: TokenClaims, account) -> Principal | None:
    try:
        return principal_of(claims, account)
    except ValueError:  # a role this code does not know: the route's answer, whatever it is
        return None
