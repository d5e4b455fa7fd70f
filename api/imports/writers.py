"""Writing decided rows, per database, inside the request's transaction.

PostgreSQL: new rows stream through one binary COPY straight into the table while the body is still
being parsed (the database works on one core while Python parses on the other); updates are spooled,
copied into a temporary staging table afterwards and applied with one UPDATE … FROM per set of fields.
SQLite: one INSERT of a few thousand new rows at a time, and executemany of plain UPDATE statements."""

import asyncio
import contextlib
import os
import pickle  # only ever reads back what this module wrote a moment before
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.db import driver_connection
from api.errors import Conflict
from api.imports.specs import ResourceSpec
from api.imports.validation import Batch

TRACKING = ("id", "tenant_id", "created_at", "updated_at", "created_by", "updated_by", "version")
SQLITE_STATEMENT_ROWS = 5000  # rows a SQLite statement takes: see SqliteWriter
SQLITE_IMPORT_CACHE_KIB = 32 * 1024  # the connection's page cache while it imports: see SqliteWriter


def monotonic_ids() -> Iterator[str]:
    """UUIDv7s (like api.db.new_id) that also increase within a millisecond (RFC 9562, method 2), so an
    import's rows sort by id in the order of the file. As 32 hex digits: how SQLite stores a UUID, and a form
    asyncpg's COPY takes for one (a uuid.UUID object cost more to build than the rest of the id)."""
    ms = time.time_ns() // 1_000_000
    counter = int.from_bytes(os.urandom(10), "big") >> 7  # 73 random bits: room to count up
    head = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | 0b10 << 62
    while True:
        counter += 1
        yield f"{head | (counter >> 62) << 64 | (counter & ((1 << 62) - 1)):032x}"


def _json(value: list | None) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _sqlite_uuid(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def _sqlite_datetime(value: datetime | None) -> str | None:
    """As SQLAlchemy stores a UTCDateTime on SQLite: naive UTC text with microseconds (str() is twice as fast
    as strftime, and writes the year with four digits as SQLAlchemy does)."""
    if value is None:
        return None
    value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value) if value.microsecond else f"{value}.000000"


@dataclass(frozen=True)
class _Spelling:
    """How one database spells the parts of an import's UPDATE (see specs.UpdateSql)."""

    now: str
    actor: str
    new: Callable[[str], str]  # the row's value of a field
    old: Callable[[str], str]  # the stored value
    distinct: Callable[[str, str], str]  # two values differ, NULLs included
    json_differs: Callable[[str], str]  # a JSON field's row and stored values differ


class _Writer:
    encoders: dict[str, Callable[[Any], Any]] = {}

    def __init__(self, session: AsyncSession, spec: ResourceSpec, caller: Principal, now: datetime):
        self.session = session
        self.spec = spec
        self.caller = caller
        self.now = now
        self.table = spec.model.__tablename__
        kinds = spec.stored_kinds
        self._encode = [(i, self.encoders[kinds[name]]) for i, name in enumerate(spec.fields)
                        if kinds[name] in self.encoders]

    def stored(self, values: dict[str, Any]) -> list[Any]:
        """The row's stored fields in spec order (None for those it lacks), encoded for the driver."""
        out = list(map(values.get, self.spec.fields))
        for i, encode in self._encode:
            out[i] = encode(out[i])
        return out

    def new_row(self, values: dict[str, Any]) -> tuple:
        """A new row as write() takes it (see Decider's `encode`)."""
        return tuple(self.stored(values))

    def update_statement(self, given: frozenset[str], sql: _Spelling, *, target: str, where: str) -> str:
        """UPDATE the fields given, only where one of them really changes (so the version means a change)."""
        spec = self.spec
        sets, changed = [], []
        for name in (n for n in spec.fields if n in given or n in spec.update_sql):
            special = spec.update_sql.get(name)
            value = special(sql, given) if special else sql.new(name)
            if value is None:
                continue
            sets.append(f"{name} = {value}")
            changed.append(sql.json_differs(name) if spec.stored_kinds[name] == "list"
                           else sql.distinct(sql.old(name), value))
        sets += [f"version = {sql.old('version')} + 1", f"updated_at = {sql.now}", f"updated_by = {sql.actor}"]
        # Identifiers and placeholders only: every value travels as a parameter.
        return f"UPDATE {target} SET {', '.join(sets)} {where} AND ({' OR '.join(changed)})"  # noqa: S608


class PostgresWriter(_Writer):
    encoders = {"list": _json}

    async def write(self, batches: AsyncIterator[Batch]) -> None:
        conn = await driver_connection(self.session)
        spool = _Spool()
        ids = monotonic_ids()
        fixed = (self.caller.tenant_id, self.now, self.now, self.caller.id, self.caller.id, 1)
        stored = self.stored

        async def records() -> AsyncIterator[tuple]:
            async for batch in batches:
                for row in batch.creates:
                    yield (next(ids), *fixed, *row)
                if batch.updates:
                    spool.add([(target, given, version, tuple(stored(values)))
                               for target, given, values, version in batch.updates])

        columns = [*TRACKING, *self.spec.fields]
        try:
            if await conn.fetchval("SELECT row_security_active($1::regclass)", self.table):
                await self._copy_through_staging(conn, records(), columns)
            else:
                await conn.copy_records_to_table(self.table, records=records(), columns=columns)
            if spool.count:
                await self._update(conn, spool)
        finally:
            spool.file.close()  # also when nothing was spooled or the COPY failed (else a ResourceWarning)

    async def _copy_through_staging(self, conn, records: AsyncIterator[tuple], columns: list[str]) -> None:
        """PostgreSQL refuses COPY into a table under row-level security (the app role, INVOLVE_DB_APP_ROLE): the
        rows are copied into a temporary table, then inserted in one statement that the policies check."""
        names = ", ".join(columns)
        async with self._staging(conn, "new", names, columns, records) as staging:
            await conn.execute(f"INSERT INTO {self.table} ({names}) SELECT {names} FROM {staging}")  # noqa: S608

    @contextlib.asynccontextmanager
    async def _staging(self, conn, purpose: str, select_list: str, columns: list[str],
                       records: AsyncIterator[tuple]) -> AsyncIterator[str]:
        """A temporary table shaped like `SELECT select_list FROM` the resource's table, filled by one COPY of
        `records`; its name is yielded, and it is dropped afterwards."""
        staging = f"import_{purpose}_{uuid.uuid4().hex[:16]}"
        await conn.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {select_list} "  # noqa: S608
                           f"FROM {self.table} WITH NO DATA")
        await conn.copy_records_to_table(staging, records=records, columns=columns)
        yield staging
        await conn.execute(f"DROP TABLE {staging}")

    async def _update(self, conn, spool: "_Spool") -> None:
        """Each row was decided against the record as the import read it before its first row, and PostgreSQL lets
        others commit meanwhile: a record is updated only if its version is still the one read, and any record that
        moved since (a PATCH, say) refuses the whole import (409) rather than be overwritten by a stale decision.
        Records the import updates stay locked until it commits; SQLite runs one writer at a time."""
        groups: dict[frozenset[str], int] = {}

        async def records() -> AsyncIterator[tuple]:
            for chunk in spool.read():
                for target, given, version, values in chunk:
                    yield (target, groups.setdefault(given, len(groups)), version, *values)

        select_list = f"id, 0 AS grp, version, {', '.join(self.spec.fields)}"
        columns = ["id", "grp", "version", *self.spec.fields]
        async with self._staging(conn, "staging", select_list, columns, records()) as staging:
            await conn.execute(f"ANALYZE {staging}")  # without statistics the join can go quadratic
            spelling = _Spelling(now="$1", actor="$2", new=lambda n: f"t.{n}", old=lambda n: f"s.{n}",
                                 distinct=lambda a, b: f"{a} IS DISTINCT FROM {b}",
                                 json_differs=lambda n: f"s.{n} IS DISTINCT FROM t.{n}")
            for given, group in groups.items():
                sql = self.update_statement(given, spelling, target=f"{self.table} AS s",
                                            where=f"FROM {staging} AS t WHERE s.id = t.id AND t.grp = {group:d} "
                                                  "AND s.tenant_id = $3 AND s.version = t.version")
                await conn.execute(sql, self.now, self.caller.id, self.caller.tenant_id)
            # Moved: neither the version read nor written by this import (its own rows carry its timestamp).
            moved = await conn.fetchval(
                f"SELECT count(*) FROM {staging} AS t JOIN {self.table} AS s ON s.id = t.id "  # noqa: S608
                "WHERE s.tenant_id = $1 AND s.version <> t.version AND s.updated_at IS DISTINCT FROM $2",
                self.caller.tenant_id, self.now)
        if moved:
            raise Conflict(f"{moved} of the records this import updates changed while it ran; nothing was imported: "
                           "export them again, or try again")


def _sqlite_json_differs(name: str) -> str:
    """A stored list and the row's differ as values, not as text. The API stores JSON as SQLAlchemy writes it
    (json.dumps: "caf\\u00e9") and the import as orjson does ("café"); SQLite's json() keeps escapes as written,
    so equal lists of non-ASCII text differ as text. Their items (json_each decodes them) are compared only then."""
    items_differ = (f"SELECT 1 FROM json_each({name}) AS stored JOIN json_each(:{name}) AS given "  # noqa: S608
                    "USING (key) WHERE stored.value IS NOT given.value")
    return (f"(json({name}) IS NOT json(:{name}) AND "
            f"(json_array_length({name}) IS NOT json_array_length(:{name}) OR EXISTS ({items_differ})))")


class SqliteWriter(_Writer):
    """sqlite3 releases the GIL while it steps through a statement, and aiosqlite runs it on its own thread: each
    batch's statements run while the next batch is parsed (one statement in flight at a time).

    New rows go in as one INSERT … SELECT over json_each() of a few thousand rows, not an executemany: executemany
    takes the GIL back to bind every row, and while the event loop's thread parses it waits up to the interpreter's
    switch interval (5 ms) for it, row after row, so the two threads ran one after the other. One statement steps
    through all its rows without the GIL (the batch is materialised first, or every ->> would render the row's JSON
    again). ->> gives back the values as bound before: text, integers for bools and numbers, NULL.

    While it writes, the connection's page cache is raised from SQLite's default 2 MB, which the table's indexes
    outgrow within a few thousand rows: SQLite then spills dirty pages to the WAL and reads them back (1.4 GB read
    for 100,000 stakeholders; 0.2 GB with 32 MB, 0.14 GB with 64 MB for 60 MB more memory). It is set back after."""

    encoders = {"list": _json, "uuid": _sqlite_uuid, "datetime": _sqlite_datetime}  # a bool is an int already

    def __init__(self, session: AsyncSession, spec: ResourceSpec, caller: Principal, now: datetime):
        super().__init__(session, spec, caller, now)
        self._ids = monotonic_ids()
        stamp, actor = _sqlite_datetime(now), caller.id.hex
        self._fixed = (caller.tenant_id.hex, stamp, stamp, actor, actor, 1)

    def new_row(self, values: dict[str, Any]) -> tuple:
        """The INSERT's parameters: the tracking fields (a new id) and the stored fields."""
        return (next(self._ids), *self._fixed, *self.stored(values))

    async def write(self, batches: AsyncIterator[Batch]) -> None:
        connection = await self.session.connection()
        columns = [*TRACKING, *self.spec.fields]
        insert = (f"WITH batch(row) AS MATERIALIZED (SELECT value FROM json_each(?)) "  # noqa: S608
                  f"INSERT INTO {self.table} ({', '.join(columns)}) "
                  f"SELECT {', '.join(f'row ->> {i:d}' for i in range(len(columns)))} FROM batch")
        now = _sqlite_datetime(self.now)
        actor, tenant = self.caller.id.hex, self.caller.tenant_id.hex
        update_sql: dict[frozenset[str], str] = {}
        spelling = _Spelling(now=":now_", actor=":actor_", new=lambda n: f":{n}", old=lambda n: n,
                             distinct=lambda a, b: f"{a} IS NOT {b}",
                             json_differs=_sqlite_json_differs)
        in_flight: asyncio.Future | None = None

        async def run(statements: list[tuple[str, Any]]) -> None:
            for sql, params in statements:
                await connection.exec_driver_sql(sql, params)

        cache_size = (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one()
        await connection.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB:d}")
        try:
            async for batch in _gathered(batches, SQLITE_STATEMENT_ROWS):
                statements: list[tuple[str, Any]] = []
                if batch.creates:
                    statements.append((insert, (orjson.dumps(batch.creates).decode(),)))
                by_group: dict[frozenset[str], list[dict[str, Any]]] = {}
                for target, given, values, _ in batch.updates:  # the version: see PostgresWriter._update
                    params = dict(zip(self.spec.fields, self.stored(values), strict=True))
                    params.update(id_=target.hex, tenant_=tenant, now_=now, actor_=actor)
                    by_group.setdefault(given, []).append(params)
                for given, params in by_group.items():
                    if given not in update_sql:
                        update_sql[given] = self.update_statement(given, spelling, target=self.table,
                                                                  where="WHERE id = :id_ AND tenant_id = :tenant_")
                    statements.append((update_sql[given], params))
                if in_flight is not None:
                    await in_flight
                in_flight = asyncio.ensure_future(run(statements)) if statements else None
            if in_flight is not None:
                await in_flight
        finally:
            if in_flight is not None and not in_flight.done():  # never leave a statement running on failure
                with contextlib.suppress(Exception):
                    await in_flight
            with contextlib.suppress(Exception):  # never hide the import's own error behind this one
                await connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size):d}")


async def _gathered(batches: AsyncIterator[Batch], rows: int) -> AsyncIterator[Batch]:
    """Consecutive batches merged until they hold at least `rows` new rows, or any update (the last may hold fewer).
    Updates are not held back: they are dicts of lists, which the GC would keep rescanning while they wait."""
    merged = Batch()
    async for batch in batches:
        merged.creates += batch.creates
        merged.updates += batch.updates
        if len(merged.creates) >= rows or merged.updates:
            yield merged
            merged = Batch()
    if merged.creates or merged.updates:
        yield merged


class _Spool:
    """Updates waiting for the COPY of new rows to finish: pickled batches in memory, on disk past 16 MB."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
        self.count = 0

    def add(self, rows: list[tuple]) -> None:
        pickle.dump(rows, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += len(rows)

    def read(self) -> Iterator[list[tuple]]:
        self.file.seek(0)
        try:
            while True:
                try:
                    yield pickle.load(self.file)  # noqa: S301 - written by add() above
                except EOFError:
                    return
        finally:
            self.file.close()


def writer_for(session: AsyncSession, spec: ResourceSpec, caller: Principal, now: datetime) -> _Writer:
    if session.get_bind().dialect.name == "postgresql":
        return PostgresWriter(session, spec, caller, now)
    return SqliteWriter(session, spec, caller, now)
