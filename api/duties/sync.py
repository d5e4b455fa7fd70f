"""Keep the built-in catalogue (duty rows with no tenant) equal to api/duties/catalogue.py.

Run after every `upgrade()` to head, so `involve migrate`, `make run` and the tests all see the
catalogue the code describes. Idempotent: duties are matched by (jurisdiction, code) and requirements
by (duty, code), and a row is written only when a value differs, so ids (which applicability records
and evidence hold) never change. A duty or requirement dropped from the catalogue is deleted unless
something refers to it; then it is kept, because deleting it would delete evidence with it."""

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, delete, exists, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.config import to_async_url
from api.crud import dialect
from api.duties.catalogue import CATALOGUE, DutySpec
from api.models import Duty, DutyAssessment, DutyRequirement, Evidence

log = logging.getLogger("api.duties.sync")

DUTY_FIELDS = ("title", "citation", "summary", "position")
REQUIREMENT_FIELDS = ("title", "description", "rule", "position")


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # gone from the catalogue, but still referred to

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _set(row, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def requirement_in_use(session: AsyncSession, requirement_ids: list) -> set:
    """Of these requirement ids, those that some evidence item (archived or not) refers to."""
    if not requirement_ids:
        return set()
    rows = await session.execute(select(Evidence.requirement_id).where(Evidence.requirement_id.in_(requirement_ids)))
    return {r for (r,) in rows}


def _names_duty(session: AsyncSession, duty_id: str) -> ColumnElement[bool]:
    """An entry of the record (a JSON array of objects) has this duty_id: JSONB containment on PostgreSQL,
    json_each on SQLite. Not a text search, which would also match the id quoted in an entry's reasons."""
    if dialect(session) == "postgresql":
        return type_coerce(DutyAssessment.entries, JSONB).contains([{"duty_id": duty_id}])
    entries = func.json_each(DutyAssessment.entries).table_valued("value").alias("entry")
    return exists().where(func.json_extract(entries.c.value, "$.duty_id") == duty_id)


async def duty_in_use(session: AsyncSession, duty: Duty, *, tenant_id=None) -> bool:
    """Some applicability record (any version) names the duty, or evidence cites one of its requirements."""
    requirement_ids = list((await session.execute(
        select(DutyRequirement.id).where(DutyRequirement.duty_id == duty.id))).scalars())
    if await requirement_in_use(session, requirement_ids):
        return True
    stmt = select(DutyAssessment.id).where(_names_duty(session, str(duty.id)))
    if tenant_id is not None:
        stmt = stmt.where(DutyAssessment.tenant_id == tenant_id)
    return (await session.execute(stmt.limit(1))).first() is not None


async def _sync_requirements(session: AsyncSession, duty: Duty, spec: DutySpec, label: str,
                             report: SyncReport) -> None:
    existing = {r.code: r for r in (await session.execute(
        select(DutyRequirement).where(DutyRequirement.duty_id == duty.id))).scalars()}
    for position, req in enumerate(spec["requirements"]):
        values = {"title": req["title"], "description": req["description"], "rule": req["rule"],
                  "position": position}
        row = existing.pop(req["code"], None)
        if row is None:
            session.add(DutyRequirement(duty_id=duty.id, code=req["code"], **values))
            report.created.append(f"{label}/{req['code']}")
        elif _set(row, values):
            report.updated.append(f"{label}/{req['code']}")
    used = await requirement_in_use(session, [r.id for r in existing.values()])
    for code, row in existing.items():
        if row.id in used:
            report.kept.append(f"{label}/{code}")
        else:
            await session.delete(row)
            report.deleted.append(f"{label}/{code}")


async def sync_catalogue(session: AsyncSession) -> SyncReport:
    """Make the built-in rows match CATALOGUE; flushes, never commits."""
    report = SyncReport()
    existing = {(d.jurisdiction, d.code): d for d in (await session.execute(
        select(Duty).where(Duty.tenant_id.is_(None)))).scalars()}
    for jurisdiction, specs in CATALOGUE.items():
        for position, spec in enumerate(specs):
            label = f"{jurisdiction}/{spec['code']}"
            values = {"title": spec["title"], "citation": spec["citation"], "summary": spec["summary"],
                      "position": position}
            duty = existing.pop((jurisdiction, spec["code"]), None)
            if duty is None:
                duty = Duty(tenant_id=None, jurisdiction=jurisdiction, code=spec["code"], **values)
                session.add(duty)
                await session.flush()
                report.created.append(label)
            elif _set(duty, values):
                report.updated.append(label)
            await _sync_requirements(session, duty, spec, label, report)
    for (jurisdiction, code), duty in existing.items():
        label = f"{jurisdiction}/{code}"
        if await duty_in_use(session, duty):
            report.kept.append(label)
        else:
            # Explicitly, not by ON DELETE CASCADE: SQLite enforces foreign keys only when asked to.
            await session.execute(delete(DutyRequirement).where(DutyRequirement.duty_id == duty.id))
            await session.delete(duty)
            report.deleted.append(label)
    await session.flush()
    return report


async def _run(database_url: str) -> SyncReport:
    engine = create_async_engine(to_async_url(database_url))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            report = await sync_catalogue(session)
            await session.commit()
    finally:
        await engine.dispose()
    return report


def run(database_url: str) -> SyncReport:
    """Synchronise the catalogue in its own transaction (called by api.migrate.upgrade)."""
    report = asyncio.run(_run(database_url))
    if report.changed or report.kept:
        log.info("duty catalogue synchronised", extra={"created": len(report.created), "updated": len(report.updated),
                                                      "deleted": len(report.deleted), "kept": report.kept})
    return report
