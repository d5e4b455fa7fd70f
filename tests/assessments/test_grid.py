"""The power/interest grid: a plan's audience (or everyone), latest scores, counts and movement."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from api.assessments.quadrants import quadrant_of
from api.models import Assessment, Stakeholder
from tests import factories
from tests.assessments.support import NIL, ROLES

GENERAL = "/api/v1/stakeholders/grid"
NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=60)
LAST_MONTH = NOW - timedelta(days=30)


def plan_url(plan) -> str:
    return f"/api/v1/plans/{plan.id}/grid"


def by_name(grid) -> dict[str, dict]:
    return {s["name"]: s for s in grid["stakeholders"]}


@pytest.fixture
async def world(session, a, b):
    """A plan whose audience is carers (by category), one named person and the people of one organisation."""
    forum = await factories.organisation(session, a.tenant, name="Carers' Forum")
    other_org = await factories.organisation(session, a.tenant, name="Elsewhere")
    s = {}
    for name, values in [
        ("Carer Cathy", dict(categories=["carer"])),
        ("Carer Colin", dict(categories=["carer", "public"])),
        ("Named Nia", dict(categories=["staff"])),
        ("Forum Fred", dict(organisation_id=forum.id)),
        ("Outsider Olga", dict(categories=["staff"], organisation_id=other_org.id)),
        ("Archived Arthur", dict(categories=["carer"], archived_at=NOW)),
    ]:
        s[name] = await factories.stakeholder(session, a.tenant, name=name, **values)
    plan = await factories.plan(session, a.tenant, audience_categories=["carer"],
                                audience_stakeholders=[s["Named Nia"]], audience_organisations=[forum])
    their_carer = await factories.stakeholder(session, b.tenant, name="Their Carer", categories=["carer"])
    await factories.assessment(session, their_carer, interest=5, influence=5)
    return {"plan": plan, "forum": forum, **s}


async def test_the_audience_is_categories_named_people_and_organisations(client, a, world):
    grid = (await client.get(plan_url(world["plan"]), headers=a["viewer"])).json()
    assert [s["name"] for s in grid["stakeholders"]] == ["Carer Cathy", "Carer Colin", "Forum Fred", "Named Nia"]
    assert grid["plan_id"] == str(world["plan"].id) and grid["threshold"] == 3
    assert grid["counts"] == {"manage_closely": 0, "keep_satisfied": 0, "keep_informed": 0, "monitor": 0,
                              "unassessed": 4}
    nia = by_name(grid)["Named Nia"]
    assert nia == {"id": str(world["Named Nia"].id), "name": "Named Nia", "kind": "person", "categories": ["staff"],
                   "organisation_id": None, "interest": None, "influence": None, "attitude": None, "quadrant": None,
                   "source": None, "assessed_at": None}
    assert grid["since"] is None and grid["moved"] is None and grid["newly_assessed"] is None


async def test_grid_shows_no_contact_details(client, a, world):
    grid = (await client.get(plan_url(world["plan"]), headers=a["lead"])).json()
    assert set(grid["stakeholders"][0]) == {"id", "name", "kind", "categories", "organisation_id", "interest",
                                            "influence", "attitude", "quadrant", "source", "assessed_at"}


async def test_plan_scores_win_and_general_scores_fill_in(client, session, a, world):
    plan = world["plan"]
    await factories.assessment(session, world["Carer Cathy"], interest=1, influence=1)
    await factories.assessment(session, world["Carer Cathy"], interest=5, influence=5, attitude=2, plan=plan)
    await factories.assessment(session, world["Carer Colin"], interest=2, influence=4, attitude=-1)
    await factories.assessment(session, world["Forum Fred"], interest=4, influence=1, plan=plan)
    await factories.assessment(session, world["Outsider Olga"], interest=5, influence=5, plan=plan)
    other_plan = await factories.plan(session, a.tenant)
    await factories.assessment(session, world["Named Nia"], interest=5, influence=5, plan=other_plan)
    grid = by_name((await client.get(plan_url(plan), headers=a["viewer"])).json())
    assert {n: (g["interest"], g["influence"], g["attitude"], g["quadrant"], g["source"]) for n, g in grid.items()} == {
        "Carer Cathy": (5, 5, 2, "manage_closely", "plan"),
        "Carer Colin": (2, 4, -1, "keep_satisfied", "general"),
        "Forum Fred": (4, 1, None, "keep_informed", "plan"),
        "Named Nia": (None, None, None, None, None),  # scored only for another plan
    }


async def test_a_plan_assessment_without_attitude_does_not_borrow_the_general_one(client, session, a, world):
    await factories.assessment(session, world["Carer Cathy"], interest=1, influence=1, attitude=2)
    await factories.assessment(session, world["Carer Cathy"], interest=4, influence=4, plan=world["plan"])
    cathy = by_name((await client.get(plan_url(world["plan"]), headers=a["viewer"])).json())["Carer Cathy"]
    assert (cathy["interest"], cathy["attitude"], cathy["source"]) == (4, None, "plan")


async def test_counts_cover_every_quadrant_and_the_unassessed(client, session, a, world):
    plan = world["plan"]
    for name, scores in [("Carer Cathy", (5, 5)), ("Carer Colin", (1, 5)), ("Forum Fred", (5, 1))]:
        await factories.assessment(session, world[name], interest=scores[0], influence=scores[1], plan=plan)
    grid = (await client.get(plan_url(plan), headers=a["viewer"])).json()
    assert grid["counts"] == {"manage_closely": 1, "keep_satisfied": 1, "keep_informed": 1, "monitor": 0,
                              "unassessed": 1}
    await factories.assessment(session, world["Named Nia"], interest=2, influence=2)
    grid = (await client.get(plan_url(plan), headers=a["viewer"])).json()
    assert grid["counts"]["monitor"] == 1 and grid["counts"]["unassessed"] == 0


async def test_assessing_through_the_api_moves_the_grid(client, session, a, world):
    url = f"/api/v1/stakeholders/{world['Carer Cathy'].id}/assessments"
    await client.post(url, json={"interest": 1, "influence": 1, "plan_id": str(world["plan"].id)}, headers=a["lead"])
    assert by_name((await client.get(plan_url(world["plan"]), headers=a["viewer"])).json())[
        "Carer Cathy"]["quadrant"] == "monitor"
    await client.post(url, json={"interest": 5, "influence": 1, "plan_id": str(world["plan"].id)}, headers=a["lead"])
    assert by_name((await client.get(plan_url(world["plan"]), headers=a["viewer"])).json())[
        "Carer Cathy"]["quadrant"] == "keep_informed"


async def test_movement_since_a_date(client, session, a, world):
    plan = world["plan"]
    # Cathy: plan scores moved monitor → manage closely. Colin: general scores moved, then got plan scores
    # in the same quadrant. Fred: re-assessed, same quadrant. Nia: first assessed after `since`.
    await factories.assessment(session, world["Carer Cathy"], interest=1, influence=1, plan=plan, assessed_at=LONG_AGO)
    await factories.assessment(session, world["Carer Cathy"], interest=5, influence=5, plan=plan)
    await factories.assessment(session, world["Carer Colin"], interest=4, influence=1, assessed_at=LONG_AGO)
    await factories.assessment(session, world["Carer Colin"], interest=1, influence=4, plan=plan)
    await factories.assessment(session, world["Forum Fred"], interest=2, influence=2, plan=plan, assessed_at=LONG_AGO)
    await factories.assessment(session, world["Forum Fred"], interest=1, influence=1, plan=plan)
    await factories.assessment(session, world["Named Nia"], interest=3, influence=3, plan=plan)
    since = LAST_MONTH.date().isoformat()
    grid = (await client.get(plan_url(plan), params={"since": since}, headers=a["viewer"])).json()
    ids = {str(world[n].id): n for n in world if n not in ("plan", "forum")}
    assert {(ids[m["stakeholder_id"]], m["from"], m["to"]) for m in grid["moved"]} == {
        ("Carer Cathy", "monitor", "manage_closely"),
        ("Carer Colin", "keep_informed", "keep_satisfied"),
    }
    assert [ids[i] for i in grid["newly_assessed"]] == ["Named Nia"]
    assert datetime.fromisoformat(grid["since"]) == datetime.combine(LAST_MONTH.date(), datetime.max.time(), UTC)
    # Before anything was assessed nobody had a quadrant; after the last assessment nobody has moved.
    early = (await client.get(plan_url(plan), params={"since": "2000-01-01"}, headers=a["viewer"])).json()
    assert early["moved"] == [] and len(early["newly_assessed"]) == 4
    late = (await client.get(plan_url(plan), params={"since": NOW.date().isoformat()}, headers=a["viewer"])).json()
    assert late["moved"] == [] and late["newly_assessed"] == []


async def test_since_takes_a_datetime_with_offset(client, session, a, world):
    plan = world["plan"]
    await factories.assessment(session, world["Carer Cathy"], interest=1, influence=1, plan=plan,
                               assessed_at=NOW - timedelta(hours=3))
    await factories.assessment(session, world["Carer Cathy"], interest=5, influence=1, plan=plan,
                               assessed_at=NOW - timedelta(hours=1))
    moment = (NOW - timedelta(hours=2)).isoformat()
    grid = (await client.get(plan_url(plan), params={"since": moment}, headers=a["viewer"])).json()
    assert [(m["from"], m["to"]) for m in grid["moved"]] == [("monitor", "keep_informed")]
    assert grid["moved"][0]["name"] == "Carer Cathy"


@pytest.mark.parametrize("since", ["yesterday", "2025-13-01", "1700000000", "2025-01-01T10:00:00",
                                   "2025-01-01T00:00:00", "0.5"])
async def test_a_bad_since_is_422(client, a, world, since):
    r = await client.get(plan_url(world["plan"]), params={"since": since}, headers=a["viewer"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("since", ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00",
                                   "9999-12-31T23:59:59-14:00"])
async def test_extreme_since_values_are_fine(client, a, world, since):
    r = await client.get(plan_url(world["plan"]), params={"since": since}, headers=a["viewer"])
    assert r.status_code == 200, r.text


async def test_the_general_grid_covers_every_active_stakeholder_with_general_scores_only(client, session, a, world):
    await factories.assessment(session, world["Outsider Olga"], interest=2, influence=5, assessed_at=LONG_AGO)
    await factories.assessment(session, world["Outsider Olga"], interest=5, influence=5)
    await factories.assessment(session, world["Carer Cathy"], interest=5, influence=5, plan=world["plan"])
    grid = (await client.get(GENERAL, params={"since": LAST_MONTH.date().isoformat()}, headers=a["viewer"])).json()
    assert grid["plan_id"] is None
    assert [s["name"] for s in grid["stakeholders"]] == ["Carer Cathy", "Carer Colin", "Forum Fred", "Named Nia",
                                                         "Outsider Olga"]
    assert by_name(grid)["Carer Cathy"]["quadrant"] is None  # plan scores do not count on the general map
    assert by_name(grid)["Outsider Olga"]["source"] == "general"
    assert grid["counts"] == {"manage_closely": 1, "keep_satisfied": 0, "keep_informed": 0, "monitor": 0,
                              "unassessed": 4}
    assert [(m["name"], m["from"], m["to"]) for m in grid["moved"]] == [
        ("Outsider Olga", "keep_satisfied", "manage_closely")]


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_both_grids(client, a, world, role):
    assert (await client.get(plan_url(world["plan"]), headers=a[role])).status_code == 200
    assert (await client.get(GENERAL, headers=a[role])).status_code == 200


async def test_another_tenants_plan_grid_is_404_and_their_people_never_show(client, session, a, b, world):
    theirs = await factories.plan(session, b.tenant, audience_categories=["carer"])
    assert (await client.get(plan_url(theirs), headers=a["admin"])).status_code == 404
    assert (await client.get(f"/api/v1/plans/{NIL}/grid", headers=a["admin"])).status_code == 404
    general = (await client.get(GENERAL, headers=a["admin"])).json()
    assert "Their Carer" not in by_name(general)
    theirs_general = (await client.get(GENERAL, headers=b["admin"])).json()
    assert list(by_name(theirs_general)) == ["Their Carer"]


async def test_grid_is_not_taken_for_a_stakeholder_id(client, a):
    r = await client.get(GENERAL, headers=a["viewer"])
    assert r.status_code == 200 and "counts" in r.json()


async def _populate(session, tenant, plan, n: int) -> None:
    """n stakeholders in the plan's audience category, each assessed twice in general and once for the plan."""
    ids = [uuid.uuid4() for _ in range(n)]
    await session.execute(insert(Stakeholder), [
        {"id": i, "tenant_id": tenant.id, "name": f"Bulk {k:04d}", "kind": "person", "categories": ["patient"],
         "preferred_channels": [], "communication_needs": [], "tags": []} for k, i in enumerate(ids)])
    rows = []
    for k, i in enumerate(ids):
        rows.append({"id": uuid.uuid4(), "tenant_id": tenant.id, "stakeholder_id": i, "plan_id": None,
                     "interest": 1, "influence": 1, "assessed_at": LONG_AGO, "is_latest": False})
        rows.append({"id": uuid.uuid4(), "tenant_id": tenant.id, "stakeholder_id": i, "plan_id": None,
                     "interest": k % 5 + 1, "influence": k % 3 + 1, "assessed_at": LAST_MONTH, "is_latest": True})
        rows.append({"id": uuid.uuid4(), "tenant_id": tenant.id, "stakeholder_id": i, "plan_id": plan.id,
                     "interest": (k + 2) % 5 + 1, "influence": k % 5 + 1, "assessed_at": NOW, "is_latest": True})
    await session.execute(insert(Assessment), rows)


def _count_statements(engine):
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    return statements, lambda: event.remove(engine.sync_engine, "before_cursor_execute", listener)


async def test_a_thousand_stakeholders_in_one_request_and_a_fixed_number_of_queries(app, client, session, a):
    plan = await factories.plan(session, a.tenant, audience_categories=["patient"])
    await _populate(session, a.tenant, plan, 10)
    statements, stop = _count_statements(app.state.db.engine)
    try:
        small = await client.get(plan_url(plan), params={"since": LAST_MONTH.isoformat()}, headers=a["viewer"])
        few = len(statements)
        await _populate(session, a.tenant, plan, 990)
        statements.clear()
        started = time.perf_counter()
        big = await client.get(plan_url(plan), params={"since": LAST_MONTH.isoformat()}, headers=a["viewer"])
        elapsed = time.perf_counter() - started
    finally:
        stop()
    assert small.status_code == big.status_code == 200
    assert len(statements) == few <= 6
    grid = big.json()
    assert len(grid["stakeholders"]) == 1000
    assert sum(grid["counts"].values()) == 1000 and grid["counts"]["unassessed"] == 0
    # At `since` each had only its general scores; now its plan scores count.
    expected = sum(1 for k in range(1000) if quadrant_of(k % 5 + 1, k % 3 + 1, 3)
                   != quadrant_of((k + 2) % 5 + 1, k % 5 + 1, 3))
    assert len(grid["moved"]) == expected > 0
    assert elapsed < 5, elapsed
