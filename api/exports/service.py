"""Exports: count and audit first (one event, no personal data), then stream the rows in constant memory.

PostgreSQL writes the CSV itself (COPY … TO STDOUT, formatted and neutralised in SQL) and the bytes are
passed on as they come; NDJSON, and everything on SQLite, streams from a server-side cursor a thousand
rows at a time. Either way rows come in primary key order (creation order; attendance lines by activity, then
stakeholder), with the import template's columns."""

import asyncio
import contextlib
import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import date
from enum import Enum
from typing import Any

import orjson
from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api import audit
from api.auth.principal import Principal, Role
from api.db import as_writer, driver_connection
from api.exports.formatting import csv_formatter, json_value, pg_csv_cell, sqlite_decoder
from api.exports.schemas import ExportFormat
from api.imports.specs import ResourceSpec
from api.stakeholders import service as stakeholders

PARTITION_ROWS = 1000
# The filter values the audit trail records as given: a choice from a list (an enum), an id, a date, a yes/no or a
# score, none of which can say who someone is. Any other value is text the caller typed (an email, a search, a tag,
# a feedback theme, an external id), which may name a person: the trail, which an erasure cannot change, records
# that it was given, never what it was. Kept the other way round, a list of the personal ones, a new free-text
# filter would be recorded verbatim until someone remembered to add it (as ?theme= was).
SAFE_FILTER_VALUES = (Enum, uuid.UUID, date, bool, int, float)


def _columns(spec: ResourceSpec, stmt: Select, caller: Principal) -> tuple[Select, list[Any]]:
    """`stmt` joined to what the reference columns need, and one column expression per template column."""
    model = spec.model
    sources: dict[str, Any] = {}
    for ref in spec.references:
        alias = None
        person = hasattr(ref.model, "restricted_at")
        for row_key, column, _ in ref.keys:
            if column == "id" and (not person or caller.role == Role.admin):
                sources[row_key] = getattr(model, ref.target)
                continue
            if alias is None:
                alias = aliased(ref.model, name=f"ref_{ref.target}")
                # On the primary key alone: a reference is in the tenant by construction (every write checks
                # it), and a tenant condition here lets stale statistics after a bulk import pick a plan that
                # scans the tenant's organisations once per row.
                stmt = stmt.outerjoin(alias, alias.id == getattr(model, ref.target))
            value = getattr(alias, column)
            if person:  # a restricted person's email and external id never leave (UK GDPR Art. 18), nor, but to an
                # admin, their id: as the API's reads, to others their feedback names nobody (imports keep the link)
                value = case((alias.restricted_at.is_(None), value))
            sources[row_key] = value
    columns = [sources.get(c.name, getattr(model, c.name, None)) for c in spec.columns]
    return stmt.order_by(*model.__table__.primary_key.columns), columns  # an attendance line: (activity, stakeholder)


async def count(session: AsyncSession, stmt: Select) -> int:
    return (await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one()


async def audit_export(*, session: AsyncSession, caller: Principal, spec: ResourceSpec, stmt: Select,
                       fmt: ExportFormat, filters: dict[str, Any]) -> int:
    """Count the rows and record the export (who, what, which filters, how many) before any row leaves."""
    await as_writer(session)  # before the count, so that it and the event are read and written in one transaction
    rows = await count(session, stmt)
    given = {name: value if isinstance(value, SAFE_FILTER_VALUES) else audit.REDACTED
             for name, value in filters.items() if value is not None}
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="export",
                       resource_type=spec.label, changes={"format": fmt.value, "filters": given, "rows": rows})
    if caller.role == Role.admin:
        await stakeholders.restricted_among(session, caller, [filters.get("stakeholder_id"),
                                                              *await _restricted_named(session, spec, stmt)])
    await session.commit()
    return rows


async def _restricted_named(session: AsyncSession, spec: ResourceSpec, stmt: Select) -> list[uuid.UUID]:
    """The restricted people (UK GDPR Art. 18) the rows name by id, which only an admin's export shows (_columns):
    each is a read of that person, audited as a list's (stakeholders.restricted_among), as is the export's
    ?stakeholder_id= of one."""
    named: list[uuid.UUID] = []
    for ref in spec.references:
        if hasattr(ref.model, "restricted_at"):
            column = getattr(spec.model, ref.target)
            restricted = select(ref.model.id).where(ref.model.restricted_at.is_not(None))
            found = await session.execute(stmt.order_by(None).with_only_columns(column).where(
                column.in_(restricted)).distinct())
            named += found.scalars()
    return named


def stream(*, session: AsyncSession, caller: Principal, spec: ResourceSpec, stmt: Select,
           fmt: ExportFormat) -> AsyncIterator[bytes]:
    stmt, columns = _columns(spec, stmt, caller)
    if fmt == ExportFormat.csv and session.get_bind().dialect.name == "postgresql":
        return _postgres_csv(session, spec, stmt, columns)
    return _rows(session, spec, stmt, columns, fmt)


def header(spec: ResourceSpec) -> bytes:
    return spec.template().encode()


async def _rows(session: AsyncSession, spec: ResourceSpec, stmt: Select, columns: list[Any],
                fmt: ExportFormat) -> AsyncIterator[bytes]:
    kinds = [c.kind for c in spec.columns]
    names = spec.column_names
    decoders: list[tuple[int, Any]] = []
    raw = session.get_bind().dialect.name == "sqlite"
    if raw:  # raw values, without SQLAlchemy's per-value type processing, decoded by sqlite_decoder
        dialect = session.get_bind().dialect
        decoders = [(i, d) for i, c in enumerate(spec.columns) if (d := sqlite_decoder(c))]
        columns = [literal_column(str(col.compile(dialect=dialect))) for col in columns]
    formatters = [csv_formatter(c, sqlite_decoder(c) if raw else None) for c in spec.columns]
    if fmt == ExportFormat.csv:
        yield header(spec)
    result = await session.stream(stmt.with_only_columns(*columns).execution_options(yield_per=PARTITION_ROWS))
    async for partition in result.partitions():
        if fmt == ExportFormat.ndjson:
            if decoders:
                partition = [_decoded(row, decoders) for row in partition]
            yield b"".join(orjson.dumps({n: json_value(k, v) for n, k, v in zip(names, kinds, row, strict=True)})
                           + b"\n" for row in partition)
            continue
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in partition:
            cells = [format_(v) for format_, v in zip(formatters, row, strict=True)]
            if "\r" in "".join(cells):
                buffer.write(",".join(_quoted(c) for c in cells) + "\n")  # csv quotes \r only in \r\n mode
            else:
                writer.writerow(cells)
        yield buffer.getvalue().encode()


def _decoded(row: Any, decoders: list[tuple[int, Any]]) -> list[Any]:
    values = list(row)
    for i, decode in decoders:
        if values[i] is not None:
            values[i] = decode(values[i])
    return values


def _quoted(cell: str) -> str:
    if any(ch in cell for ch in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _compiled(session: AsyncSession, stmt: Select) -> tuple[str, list[Any]]:
    """The statement as asyncpg SQL ($1, $2…) and its arguments, with SQLAlchemy's bind processing. Not
    api.db.StaticQuery's compilation: an export's filters bind their values with `.params()` (the stakeholder list's
    shapes) or in the expressions, and only the compiled statement's construct_params() sees both; StaticQuery takes
    each run's values by name and fails on them (tried at stop 17)."""
    # render_postcompile: an IN list (feedback's overdue filter) is otherwise left as __[POSTCOMPILE_…] for the
    # execution to expand, which COPY's statement never gets.
    compiled = stmt.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    processors = compiled._bind_processors  # noqa: SLF001 - the public API offers no positional form
    names = compiled.positiontup or []
    return compiled.string, [processors[n](params[n]) if n in processors else params[n] for n in names]


async def _postgres_csv(session: AsyncSession, spec: ResourceSpec, stmt: Select,
                        columns: list[Any]) -> AsyncIterator[bytes]:
    cells = [literal_column(pg_csv_cell(c, str(col.compile(dialect=session.get_bind().dialect))))
             for c, col in zip(spec.columns, columns, strict=True)]
    sql, args = _compiled(session, stmt.with_only_columns(*cells))
    driver = await driver_connection(session)
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=8)  # backpressure: a slow client pauses COPY

    async def sink(data: bytes | bytearray | memoryview) -> None:
        await queue.put(bytes(data))

    async def copy() -> None:
        try:
            await driver.copy_from_query(sql, *args, output=sink, format="csv")
        except asyncio.CancelledError:
            raise  # the response was abandoned: nobody waits for the end marker
        except BaseException:
            await queue.put(None)
            raise
        await queue.put(None)

    yield header(spec)
    task = asyncio.create_task(copy())
    try:
        while (chunk := await queue.get()) is not None:
            yield chunk
        await task
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def filename(spec: ResourceSpec, fmt: ExportFormat) -> str:
    return f"{spec.name}-{uuid.uuid4().hex[:8]}.{fmt.value}"
