"""Database: declarative base, portable column types, the async engine and the session dependency."""

import asyncio
import logging
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from fastapi import Request
from sqlalchemy import JSON, DateTime, MetaData, Select, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from api.config import Settings

log = logging.getLogger("api.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        # asyncpg already decodes timestamptz to aware datetimes in UTC, whatever the session's time zone: skip a
        # Python call per value (300 on a page of 50 stakeholders).
        if dialect.name == "postgresql" and dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)


# JSONB on PostgreSQL (indexable with GIN), JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


_last_ms = 0
_counter = 0
_id_lock = threading.Lock()


def new_id() -> uuid.UUID:
    """A UUIDv7: random like v4 but time-ordered, so the primary key index grows at its end
    and ordering by id is ordering by creation. Within one millisecond the 12 bits after the
    timestamp count up (RFC 9562, method 1), so ids made by one process are strictly increasing."""
    global _last_ms, _counter
    with _id_lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x3FF  # leave room to count
        else:
            _counter += 1
            if _counter > 0xFFF:  # 4096 ids in one millisecond: borrow the next one
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    return uuid.UUID(int=value)


class DatabaseUnreachable(Exception):
    """A connection to the database could not be made (refused, reset, timed out): answered 503 (api.errors). The
    driver raises a bare OSError there, which SQLAlchemy passes on unwrapped; it is named here, where it can only
    be the database's, so that an OSError of anything else (a full disk) is not taken for one."""


def _connect_errors_named(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):
        try:
            return dialect.loaded_dbapi.connect(*cargs, **cparams)  # what SQLAlchemy does without this hook
        except OSError as exc:  # TimeoutError included
            raise DatabaseUnreachable(type(exc).__name__) from exc


UNICODE_LOWER = "unicode_lower"  # the SQL name of unicode_lower on SQLite (api.crud.text_match compares with it)


def unicode_lower(value: Any) -> Any:
    """Text lowered as PostgreSQL's ILIKE lowers it (str.lower, every script), for SQLite, whose lower() and LIKE fold
    ASCII letters only: "Écoute" was not found by ?q=écoute there. Anything else (NULL, a number) is left as it is.
    A name of its own, not SQLite's lower(): the unique indexes on lower(email) were built with the built-in one."""
    return value.lower() if isinstance(value, str) else value


def _sqlite_hooks(engine: AsyncEngine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, issue BEGIN: savepoints then work (tests roll
    back per test) and writers take the lock up front with BEGIN IMMEDIATE, so two concurrent
    writers queue on busy_timeout instead of failing on a lock upgrade."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Deterministic: the same text always gives the same result, so SQLite may evaluate it once for a constant.
        dbapi_connection.create_function(UNICODE_LOWER, 1, unicode_lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "BEGIN")


def _postgres_hooks(engine: AsyncEngine, statements: list[str]) -> None:
    """Run the row-level-security setup (api.rls) once on every new connection."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection, _record):
        # On asyncpg itself, outside any transaction: the adapter's cursor opens one implicitly, and the first
        # ROLLBACK (every read ends in one) undid SET ROLE, so the connection went on as the login role, which
        # row-level security does not bind.
        async def setup(connection: asyncpg.Connection) -> None:
            for statement in statements:
                await connection.execute(statement)

        dbapi_connection.run_async(setup)


class Database:
    """The engine and session factories for one database URL. `trusted` (the CLI, tools) skips the
    application role and bypasses row-level security; the API never sets it."""

    def __init__(self, settings: Settings, *, trusted: bool = False):
        self.settings = settings
        self.url = settings.async_database_url
        kwargs: dict = {}
        if settings.db_null_pool:
            kwargs["poolclass"] = NullPool
        elif not settings.is_sqlite:
            kwargs.update(pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                          pool_timeout=settings.db_pool_timeout)
        if not settings.is_sqlite:
            kwargs["pool_pre_ping"] = False
            connect_args: dict = {"timeout": settings.db_connect_timeout}
            if settings.db_statement_timeout_ms:
                # A server setting of every connection: one slow query cannot hold a worker (the error is a 503).
                # SQLite has no such setting; there a query runs to its end.
                connect_args["server_settings"] = {"statement_timeout": str(settings.db_statement_timeout_ms)}
            kwargs["connect_args"] = connect_args
        # hide_parameters: a database error's message must not carry personal values into the log.
        # orjson reads JSON columns (lists on every stakeholder row) several times faster than the json module.
        self.engine = create_async_engine(self.url, hide_parameters=True, json_deserializer=orjson.loads, **kwargs)
        _connect_errors_named(self.engine)
        if not settings.is_sqlite:
            from api.rls import connection_setup

            statements = connection_setup(role=settings.db_app_role, trusted=trusted)
            if statements:
                _postgres_hooks(self.engine, statements)
        if settings.is_sqlite:
            _sqlite_hooks(self.engine)
            self.write_engine = self.engine.execution_options(sqlite_write=True)
        else:
            self.write_engine = self.engine
        self.read_sessions = async_sessionmaker(self.engine, expire_on_commit=False,
                                                info={SQLITE_READER: True} if settings.is_sqlite else None)
        self.write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)

        # The hot reads' own connections (api/stakeholders/hot_reads.py), PostgreSQL only.
        self.read_pool = None if settings.is_sqlite else ReadPool(settings)

    async def dispose(self) -> None:
        if self.read_pool is not None:
            await self.read_pool.close()
        await self.engine.dispose()


class _TenantConnection(asyncpg.Connection):
    """A read pool's connection, remembering the tenant its session is scoped to."""

    __slots__ = ("_tenant",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tenant: str | None = None

    async def scope_to(self, tenant: str) -> None:
        if self._tenant != tenant:
            self._tenant = None  # unknown until the new setting is confirmed
            await self.execute("SELECT set_config('app.tenant_id', $1, false)", tenant)
            self._tenant = tenant


async def read_codecs(connection: asyncpg.Connection) -> None:
    """The read pool's value types (bench/peer/bare_fastapi.py sets up its connections with them too)."""
    # JSON as the sessions' connections decode it (orjson); values bound to JSON columns arrive already as text.
    for name in ("json", "jsonb"):
        await connection.set_type_codec(name, schema="pg_catalog", format="text", encoder=str, decoder=orjson.loads)
    # Ids as text: what the reads write into JSON anyway. orjson writes a str at once, where asyncpg's own UUID
    # class (not uuid.UUID to orjson) went through a Python call per id: half of a list page's serialising.
    await connection.set_type_codec("uuid", schema="pg_catalog", format="text", encoder=str, decoder=str)


class ReadPool:
    """asyncpg's own pool of connections for the hot reads, which run one statement at a time outside any transaction
    (no BEGIN and no ROLLBACK round trips, nor SQLAlchemy's session around them).

    Row-level security needs the tenant as a setting, and without a transaction it cannot be transaction-local as
    the sessions' is (api.rls). Here it is a setting of the connection's session instead, set before the first
    statement of every use whose tenant differs from the connection's last one. That is safe because these
    connections serve nothing else: no other code ever runs on one, so no tenant can carry over into code that did
    not set its own, and every statement run here also filters by the tenant itself (RLS stays defence in depth).
    asyncpg's pool would `RESET ALL` on every release, a round trip that would also drop the setting; this pool skips
    it, as nothing here changes other settings, opens a transaction or holds a lock."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def _setup(self, connection: _TenantConnection) -> None:
        from api.rls import connection_setup

        for statement in connection_setup(role=self.settings.db_app_role, trusted=False):
            await connection.execute(statement)
        await read_codecs(connection)

    async def _reset(self, connection: _TenantConnection) -> None:
        """Nothing to reset: see the class's comment."""

    async def _open(self) -> asyncpg.Pool:
        async with self._lock:
            if self._pool is None:
                settings = self.settings
                server_settings = ({"statement_timeout": str(settings.db_statement_timeout_ms)}
                                   if settings.db_statement_timeout_ms else None)
                url = make_url(settings.async_database_url).set(drivername="postgresql")
                self._pool = await asyncpg.create_pool(
                    url.render_as_string(hide_password=False), min_size=0, max_size=settings.db_pool_size,
                    timeout=settings.db_connect_timeout, server_settings=server_settings,
                    connection_class=_TenantConnection, init=self._setup, reset=self._reset)
        return self._pool

    @asynccontextmanager
    async def scoped(self, tenant_id: uuid.UUID) -> AsyncIterator[asyncpg.Connection]:
        """A connection whose session sees only this tenant's rows (under row-level security)."""
        pool = self._pool or await self._open()
        # asyncio.timeout rather than acquire(timeout=), which waits in a task of its own (≈ 5 µs a read).
        async with asyncio.timeout(self.settings.db_pool_timeout):
            connection = await pool.acquire()
        try:
            await connection.scope_to(str(tenant_id))
            yield connection
        finally:
            await pool.release(connection)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


_DRIVER_KEY = "driver_connection"


async def driver_connection(session: AsyncSession):
    """The asyncpg connection under the session, inside the session's transaction (begun, and scoped by row-level
    security, if it had not been). Remembered for the transaction: asking SQLAlchemy again costs two greenlet
    switches, and a read asks two or three times (its account, then its rows)."""
    transaction = session.sync_session.get_transaction()
    remembered = session.info.get(_DRIVER_KEY)
    if transaction is not None and remembered is not None and remembered[0] is transaction:
        return remembered[1]
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not driver.is_in_transaction():
        # SQLAlchemy sends BEGIN lazily, with the first statement it runs; a scoped session's first statement is its
        # row-level-security scope (api.rls). Statements sent to the driver before that would run outside any
        # transaction and scope, so this is a programming error, not something to paper over.
        raise RuntimeError("driver_connection() needs a session scoped by api.rls.scope() or bypass() first")
    session.info[_DRIVER_KEY] = (session.sync_session.get_transaction(), driver)
    return driver


class StaticQuery:
    """A statement built once and run on every request: the account behind a token, a stakeholder by id, each shape
    of the stakeholder list (api.pagination.ListQueries).

    On PostgreSQL it is compiled once and run by asyncpg itself on the session's connection, inside the session's
    transaction and row-level-security scope: SQLAlchemy's execution path (cache key, execution context, result
    processing) costs several times the CPU of such a query. Rows then carry asyncpg's values (ids as its UUID
    subclass, JSON already decoded by the codec the dialect installs). Elsewhere it runs through the session's
    connection (plain rows, no ORM).

    Every value a request supplies must be a named `bindparam` without a value, so that the statement can hold none
    of one request's values for the next: a missing one is a KeyError, never a stale value. Values fixed in the
    statement itself (`status = 'done'`) are sent as they are."""

    def __init__(self, statement: Select):
        self.statement = statement
        self._compiled: tuple[str, list[tuple[str, Any, Any]]] | None = None

    def _for_asyncpg(self, dialect) -> tuple[str, list[tuple[str, Any, Any]]]:
        """The SQL text, and for each positional parameter its name, its bind processor and its fixed value."""
        if self._compiled is None:
            compiled = self.statement.compile(dialect=dialect)
            parameters = []
            for name in compiled.positiontup:
                bind = compiled.binds[name]
                if bind.expanding:
                    raise ValueError(f"StaticQuery cannot expand the IN list of parameter {name!r}")
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                parameters.append((name, processor, _REQUIRED if bind.required else bind.effective_value))
            self._compiled = str(compiled), parameters
        return self._compiled

    def asyncpg_args(self, dialect, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The SQL text and its positional arguments for asyncpg's `fetch(sql, *args)`."""
        sql, parameters = self._for_asyncpg(dialect)
        args = []
        for name, processor, fixed in parameters:
            value = params[name] if fixed is _REQUIRED else fixed
            args.append(processor(value) if processor is not None and value is not None else value)
        return sql, args

    async def one(self, session: AsyncSession, **params) -> Mapping[str, Any] | None:
        if session.get_bind().dialect.name != "postgresql":
            return (await (await session.connection()).execute(self.statement, params)).mappings().first()
        sql, args = self.asyncpg_args(session.get_bind().dialect, params)
        return await (await driver_connection(session)).fetchrow(sql, *args)

    async def all(self, session: AsyncSession, **params) -> list[Mapping[str, Any]]:
        if session.get_bind().dialect.name != "postgresql":
            return list((await (await session.connection()).execute(self.statement, params)).mappings())
        sql, args = self.asyncpg_args(session.get_bind().dialect, params)
        return await (await driver_connection(session)).fetch(sql, *args)


_REQUIRED = object()  # a parameter each run must supply


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_READER = "sqlite_reader"  # in the info of a read session on SQLite, whose transactions begin as readers


async def as_writer(session: AsyncSession) -> None:
    """Make a read session's transaction a writer before a GET writes (the audit event of what it showed: an
    export, an evidence pack, an admin's read of a restricted person).

    On SQLite a transaction that began as a reader cannot safely become a writer: once another connection has written
    since it began, its first write fails at once ("database is locked", a 500) rather than waiting its turn, as three
    reads of one restricted person sent together by the app showed. So the read transaction, which wrote nothing, is
    ended, and a writer begun (BEGIN IMMEDIATE), which waits for the lock. Elsewhere nothing is done: write sessions
    begin as writers, and PostgreSQL's transactions need no such step."""
    if not session.info.get(SQLITE_READER):
        return
    if session.in_transaction():
        if (await session.connection()).sync_connection.get_execution_options().get("sqlite_write"):
            return
        await session.commit()
    await session.connection(execution_options={"sqlite_write": True})


SESSION_KEY = "involve.session"  # where a request keeps its session, in the ASGI scope's state


async def get_session(request: Request) -> AsyncSession:
    """The request's session, made on first use and closed by SessionMiddleware once the response has been sent
    (streamed exports included). A dependency with `yield` did the same through FastAPI's exit stack, at ≈ 0.25 ms
    of CPU a request. Writers on SQLite take the write lock when they begin."""
    state = request.scope["state"]
    session = state.get(SESSION_KEY)
    if session is None:
        db: Database = request.app.state.db
        factory = db.read_sessions if request.method in READ_METHODS else db.write_sessions
        session = state[SESSION_KEY] = factory()
    return session


class SessionMiddleware:
    """Closes the session get_session made for the request (rolling back whatever was not committed)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope.setdefault("state", {})
        try:
            await self.app(scope, receive, send)
        finally:
            session = scope["state"].pop(SESSION_KEY, None)
            if session is not None:
                try:
                    await session.close()
                except Exception as exc:  # noqa: BLE001
                    # The connection died under the request, and its transaction with it: there is nothing left to
                    # undo, and the answer (a 503) is already on its way. Raised from here it would drop the
                    # client's connection instead. SQLAlchemy has invalidated the pooled connection.
                    log.warning("database session could not be closed: %s", type(exc).__name__)
