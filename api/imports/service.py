"""An import from start to end: read and validate the body as it streams, write inside one savepoint of
the request's transaction, and append one audit event. Rows are never audited one by one (a 100,000-row
import would write 100,000 events); the event records the counts, options and the body's SHA-256."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.db import utcnow
from api.errors import Conflict
from api.imports import attendance
from api.imports.parsing import Body, CsvRows, JsonRows, RowErrors
from api.imports.schemas import ImportReport, OnError
from api.imports.specs import ResourceSpec
from api.imports.validation import Batch, Decider, Options, References, Register
from api.imports.writers import writer_for
from api.stakeholders.service import lock_people_states

MOVED = "stakeholders_changed"  # the import event's {record id: {"before": person id, "after": …}} (api.gdpr reads it)


@dataclass
class Outcome:
    report: ImportReport
    refused: bool  # rows failed and on_error=abort: nothing was written


class _Abort(Exception):
    def __init__(self, report: ImportReport):
        self.report = report


async def run_import(*, session: AsyncSession, caller: Principal, spec: ResourceSpec, options: Options, body: Body,
                     media: str) -> Outcome:
    """Import the body's rows; with on_error=abort any failed row means nothing is written."""
    errors = RowErrors()
    source = CsvRows(spec, errors) if media == "csv" else JsonRows(spec, errors, ndjson=media == "ndjson")
    now = utcnow()
    try:
        async with session.begin_nested():  # anything raised in here undoes every row written
            # Who is erased or restricted is read once, below: an erasure or restriction waits for this import.
            await lock_people_states(session, caller.tenant_id, exclusive=False)
            references = References(session, caller.tenant_id)
            await references.load(spec)
            if spec.lines:
                decider = await attendance.AttendanceDecider.load(session, spec=spec, options=options,
                                                                  references=references, errors=errors, now=now,
                                                                  caller=caller)
                writer = attendance.AttendanceWriter(session, caller, now)
            else:
                register = await Register.load(session, spec, caller.tenant_id)
                context = await spec.context(session, caller) if spec.context else None
                writer = writer_for(session, spec, caller, now)
                decider = Decider(spec=spec, options=options, register=register, references=references,
                                  errors=errors, now=now, caller=caller, context=context, encode=writer.new_row)

            async def parsed():
                async for rows in source.batches(body.chunks()):
                    batch = await decider.batch(rows)
                    decider.rows = source.rows
                    yield batch
                decider.rows = source.rows

            decided = read_ahead(parsed())
            if decider.writing:
                try:
                    await writer.write(decided)
                except asyncpg.IntegrityConstraintViolationError:
                    raise Conflict(f"{spec.a_label.capitalize()} written while the import ran clashes with one of "
                                   "its rows; nothing was imported: try again")
            else:
                async for _ in decided:
                    pass
            report = _report(spec, options, media, decider, errors, body)
            if errors.failed_rows and options.on_error == OnError.abort:
                raise _Abort(report)
            if not options.dry_run:
                await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="import",
                                   resource_type=spec.label, changes=_audit_changes(report, options, body, decider))
    except _Abort as abort:
        return Outcome(abort.report, refused=True)
    # The rows went in behind the ORM's back: a session that loaded some of them before (never a request's
    # own session) must read them again with populate_existing.
    return Outcome(report, refused=False)


async def read_ahead(batches: AsyncIterator[Batch], depth: int = 8) -> AsyncIterator[Batch]:
    """Parse in a task of its own, up to `depth` batches ahead: while the writer waits for the database to take
    what it sent (COPY's flow control), parsing goes on instead of waiting with it."""
    queue: asyncio.Queue = asyncio.Queue(maxsize=depth)
    end = object()

    async def produce() -> None:
        try:
            async for batch in batches:
                await queue.put(batch)
        except asyncio.CancelledError:
            raise  # the reader is gone
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, who raises it
            await queue.put(exc)
            return
        await queue.put(end)

    task = asyncio.create_task(produce())
    try:
        while (item := await queue.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _report(spec: ResourceSpec, options: Options, media: str, decider: Decider, errors: RowErrors,
            body: Body) -> ImportReport:
    return ImportReport(resource=spec.name, format=media, dry_run=options.dry_run, rows=decider.rows,
                        created=decider.created, updated=decider.updated, skipped=decider.skipped,
                        failed=errors.failed_rows, errors=sorted(errors.errors, key=lambda e: e["row"]),
                        body_sha256=body.sha256.hexdigest())


def _audit_changes(report: ImportReport, options: Options, body: Body, decider: Decider) -> dict[str, Any]:
    """Counts, options and the body's digest: enough to match the event to the file, no personal data. And, by id
    only, each record whose person it changed (feedback moved from Ann to Bob): the trail then still says it was
    Ann's, so her subject access report keeps its events up to the move, as after a PATCH (api.gdpr.service)."""
    changes = {
        "format": report.format,
        "options": {"match": options.match, "on_conflict": options.on_conflict.value,
                    "on_error": options.on_error.value},
        "rows": report.rows, "created": report.created, "updated": report.updated, "skipped": report.skipped,
        "failed": report.failed, "body_sha256": report.body_sha256, "body_bytes": body.size,
    }
    if decider.moved:  # only when some moved: an import of new rows keeps its event as small as ever
        changes[MOVED] = decider.moved
    return changes
