"""The built-in catalogue in the database matches api/duties/catalogue.py after every migration."""

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.config import to_async_url
from api.duties.catalogue import CATALOGUE
from api.duties.sync import sync_catalogue
from api.migrate import upgrade
from api.models import Duty, DutyRequirement
from tests import factories
from tests.dbtools import scratch_database_url
from tests.duties.support import assessment_version, builtin, count, evidence, requirement


async def catalogue_rows(session) -> dict:
    """{(jurisdiction, code): (title, citation, summary, position, [(code, title, description, rule, position)])}"""
    out = {}
    for duty in (await session.execute(select(Duty).where(Duty.tenant_id.is_(None)))).scalars():
        reqs = (await session.execute(select(DutyRequirement).where(DutyRequirement.duty_id == duty.id)
                                      .order_by(DutyRequirement.position))).scalars()
        out[(duty.jurisdiction, duty.code)] = (duty.title, duty.citation, duty.summary, duty.position,
                                               [(r.code, r.title, r.description, r.rule, r.position) for r in reqs])
    return out


def expected() -> dict:
    return {(j, d["code"]): (d["title"], d["citation"], d["summary"], i,
                             [(r["code"], r["title"], r["description"], r["rule"], k)
                              for k, r in enumerate(d["requirements"])])
            for j, duties in CATALOGUE.items() for i, d in enumerate(duties)}


async def test_the_migrated_database_holds_exactly_the_catalogue(session):
    assert await catalogue_rows(session) == expected()


async def test_syncing_again_changes_nothing(session):
    ids = {(d.jurisdiction, d.code): (d.id, d.version) for d in
           (await session.execute(select(Duty).where(Duty.tenant_id.is_(None)))).scalars()}
    report = await sync_catalogue(session)
    assert not report.changed and not report.kept
    after = {(d.jurisdiction, d.code): (d.id, d.version) for d in
             (await session.execute(select(Duty).where(Duty.tenant_id.is_(None)))).scalars()}
    assert after == ids


async def test_a_drifted_row_is_put_back_and_keeps_its_id(session):
    duty = await builtin(session, "gunning", "wales")
    req = await requirement(session, "gunning", "gunning-3", "wales")
    duty.title, req.rule, req.position = "Edited by hand", None, 9
    await session.flush()
    report = await sync_catalogue(session)
    assert report.updated == ["wales/gunning", "wales/gunning/gunning-3"] and not report.created
    await session.refresh(duty), await session.refresh(req)
    assert duty.title == "Formal consultation: the Gunning principles"
    assert (req.rule, req.position) == ("gunning_time", 2)
    assert await catalogue_rows(session) == expected()


async def test_missing_rows_are_added_and_stale_unreferenced_rows_removed(session):
    duty = await builtin(session, "equality-act-s149")
    await session.delete(await requirement(session, "equality-act-s149", "due-regard"))
    session.add(DutyRequirement(duty_id=duty.id, code="retired", title="Retired", position=5))
    session.add(Duty(tenant_id=None, jurisdiction="wales", code="repealed", title="Repealed", position=9))
    await session.flush()
    report = await sync_catalogue(session)
    assert report.created == ["england/equality-act-s149/due-regard"]
    assert sorted(report.deleted) == ["england/equality-act-s149/retired", "wales/repealed"]
    assert await catalogue_rows(session) == expected()


async def test_stale_rows_still_referred_to_are_kept(session):
    tenant = await factories.tenant(session)
    plan = await factories.plan(session, tenant)
    duty = await builtin(session, "health-scrutiny-reg23")
    retired = DutyRequirement(duty_id=duty.id, code="retired", title="Retired", position=5)
    repealed = Duty(tenant_id=None, jurisdiction="england", code="repealed", title="Repealed", position=9)
    session.add_all([retired, repealed])
    await session.flush()
    await evidence(session, plan, retired)
    await assessment_version(session, plan, [{"duty_id": repealed.id, "applies": False, "reasons": "n/a",
                                              "level": None}])
    report = await sync_catalogue(session)
    assert sorted(report.kept) == ["england/health-scrutiny-reg23/retired", "england/repealed"]
    assert not report.deleted
    assert await count(session, DutyRequirement, id=retired.id) == 1 and await count(session, Duty, id=repealed.id)


def test_upgrade_runs_the_sync_and_a_second_upgrade_changes_nothing():
    url = scratch_database_url("dutysync")
    upgrade(url)

    async def snapshot():
        engine = create_async_engine(to_async_url(url))
        async with AsyncSession(engine) as session:
            rows = await catalogue_rows(session)
            versions = sorted((d.code, d.jurisdiction, str(d.id), d.version) for d in (await session.execute(
                select(Duty))).scalars())
        await engine.dispose()
        return rows, versions

    first = asyncio.run(snapshot())
    assert first[0] == expected()
    upgrade(url)
    assert asyncio.run(snapshot()) == first
