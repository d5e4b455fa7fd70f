"""Attendance imports: lines of activities' attendance logs, found by activity and stakeholder.

A line has no id, external id or version of its own: it is matched by (activity, stakeholder) against the
tenant's log as it was when the import began, and written with an upsert. As with POST …/attendance, the
fields a row gives change and the others stay (false on a new line), a line must be invited or attended,
nobody attends a cancelled activity, an erased person's line does not change, and nobody on a held plan's log is
unmarked. Every activity whose log changed gets a new version (its ETag covers
its counts) — in one statement for the import, not one per line."""

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from api import legal_hold
from api.activities.attendance import ERASED_LINE_KEPT, LINE_FIELDS, MARKS
from api.activities.service import CANCELLED_ATTENDANCE
from api.auth.principal import Principal
from api.imports.parsing import RowErrors
from api.imports.specs import ResourceSpec
from api.imports.validation import Batch, Decider, Options, References, Register
from api.models import Activity, ActivityAttendance

ID_CHUNK = 500
REQUIRED = {"activity_id": ("activity_external_id", "Field required (or activity_id)"),
            "stakeholder_id": ("stakeholder_external_id", "Field required (or stakeholder_email or stakeholder_id)")}


class AttendanceDecider(Decider):
    lines: dict[tuple[uuid.UUID, uuid.UUID], tuple[bool, bool, str | None]]
    statuses: dict[uuid.UUID, str]
    held: frozenset[uuid.UUID]

    @classmethod
    async def load(cls, session: AsyncSession, *, spec: ResourceSpec, options: Options, references: References,
                   errors: RowErrors, now: datetime, caller: Principal) -> "AttendanceDecider":
        decider = cls(spec=spec, options=options, register=Register(spec, {}), references=references, errors=errors,
                      now=now, caller=caller)
        log = await session.execute(select(ActivityAttendance.activity_id, ActivityAttendance.stakeholder_id,
                                           *(getattr(ActivityAttendance, f) for f in LINE_FIELDS))
                                    .where(ActivityAttendance.tenant_id == caller.tenant_id))
        decider.lines = {(a, s): tuple(rest) for a, s, *rest in log}
        activities = (await session.execute(select(Activity.id, Activity.status, Activity.plan_id)
                                            .where(Activity.tenant_id == caller.tenant_id))).all()
        decider.statuses = {id_: status for id_, status, _ in activities}
        decider.seen_lines: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
        held = await legal_hold.held_records(session, caller.tenant_id)
        decider.held = frozenset(id_ for id_, _, plan_id in activities if legal_hold.holds_log(held, id_, plan_id))
        return decider

    def _decide(self, row: int, values: dict[str, Any], batch: Batch) -> None:
        problems: list[tuple[str | None, str]] = []
        ids: dict[str, uuid.UUID | None] = {}
        keys: dict[str, str | None] = {}  # the row key each reference was named by
        for ref in self.spec.references:
            ids[ref.target], keys[ref.target], message = self.references.resolve(ref, values)
            if message:
                problems.append((keys[ref.target], message))
            elif keys[ref.target] is None:  # a line names both its activity and its stakeholder
                problems.append(REQUIRED[ref.target])
        activity_id, stakeholder_id = ids["activity_id"], ids["stakeholder_id"]
        existing = None
        if activity_id is not None and stakeholder_id is not None:
            key = (activity_id, stakeholder_id)
            first = self.seen_lines.setdefault(key, row)
            if first != row:
                problems.append((None, f"Row {first} names the same activity and stakeholder; each line may "
                                       "appear once"))
            existing = self.lines.get(key)
            if existing is None and (why := self.references.barred.get(stakeholder_id)):  # as POST …/attendance
                ref = next(ref for ref in self.spec.references if ref.target == "stakeholder_id")
                problems.append((keys["stakeholder_id"], self.no_new_link(ref, keys["stakeholder_id"], stakeholder_id,
                                                                          why)))
            if existing is None and (why := self.references.barred.get(activity_id)):  # an archived activity
                problems.append((keys["activity_id"], why))
            if existing is not None:
                if self._skip and not problems:
                    self.skipped += 1
                    return
                if self._refuse:
                    problems.append((None, "This stakeholder is on the activity's attendance log already; use "
                                           "on_conflict=update or on_conflict=skip"))
        line = dict(zip(LINE_FIELDS, existing or (False, False, None), strict=True))
        line.update({name: values[name] for name in LINE_FIELDS if name in values})
        if existing is not None and tuple(line.values()) != existing \
                and stakeholder_id in self.references.erased:  # as POST …/attendance
            problems.append((keys["stakeholder_id"], ERASED_LINE_KEPT))
        if not (line["invited"] or line["attended"]):
            problems.append((None, "A line must be invited, attended or both"))
        elif activity_id in self.held and any(existing and existing[i] and not line[mark]
                                              for i, mark in enumerate(MARKS)):  # as POST …/attendance
            problems.append((None, legal_hold.HELD_LOG))
        if line["attended"] and not (existing and existing[1]) and activity_id is not None \
                and self.statuses.get(activity_id) == "cancelled":  # a line attended before the cancelling may stay
            problems.append(("attended", CANCELLED_ATTENDANCE))
        if problems:
            for name, message in problems:
                self.errors.add(row, name, message)
            return
        if existing is None:
            self.created += 1
        else:
            self.updated += 1
        if self.writing and tuple(line[f] for f in LINE_FIELDS) != existing:  # an unchanged line is left alone
            batch.creates.append({"activity_id": activity_id, "stakeholder_id": stakeholder_id, **line})


class AttendanceWriter:
    """Upserts the changed lines a batch at a time, then moves the version of every activity they belong to."""

    def __init__(self, session: AsyncSession, caller: Principal, now: datetime):
        self.session = session
        self.caller = caller
        self.now = now

    async def write(self, batches: AsyncIterator[Batch]) -> None:
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        table = ActivityAttendance.__table__
        stamp = {"tenant_id": self.caller.tenant_id, "recorded_at": self.now, "recorded_by": self.caller.id}
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.activity_id, table.c.stakeholder_id],
            set_={name: stmt.excluded[name] for name in (*LINE_FIELDS, "recorded_at", "recorded_by")})
        touched: set[uuid.UUID] = set()
        async for batch in batches:
            if batch.creates:
                await self.session.execute(stmt, [{**line, **stamp} for line in batch.creates])
                touched.update(line["activity_id"] for line in batch.creates)
        ids = sorted(touched)
        for i in range(0, len(ids), ID_CHUNK):
            await self.session.execute(
                update(Activity)
                .where(Activity.tenant_id == self.caller.tenant_id, Activity.id.in_(ids[i:i + ID_CHUNK]))
                .values(version=Activity.version + 1, updated_at=self.now, updated_by=self.caller.id)
                .execution_options(synchronize_session=False))
