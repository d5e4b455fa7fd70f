import csv
import io
from datetime import UTC, datetime

import pytest

from tests import factories
from tests.duty_report.support import ROLES, green_plan

URL = "/api/v1/reports/duty"


async def year_of_work(session, tenant):
    """The green plan (activities and feedback in 2026), a plan never assessed with one 2026 activity, and
    activity outside the year or outside any plan that must not count."""
    world = await green_plan(session, tenant)
    person = await factories.stakeholder(session, tenant)
    await factories.attendance(session, world.activities["planning"], person, attended=False)
    world.activities["decision"].unnamed_attendees = 40
    world.activities["decision"].recipients = 1200
    unassessed = await factories.plan(session, tenant, title="Dermatology pathway")
    await factories.activity(session, tenant, plan_id=unassessed.id, status="planned", duty_limb=None)
    await factories.activity(session, tenant, plan_id=unassessed.id, starts_at=datetime(2025, 12, 31, 23, 30,
                                                                                        tzinfo=UTC))
    await factories.activity(session, tenant)  # belongs to no plan
    await factories.feedback(session, tenant, plan_id=unassessed.id, received_at=datetime(2026, 6, 1, tzinfo=UTC))
    await factories.plan(session, tenant, title="Closed long ago", start_date=datetime(2024, 1, 1).date(),
                         end_date=datetime(2024, 12, 31).date())
    await session.commit()
    return world, unassessed


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_the_year(client, session, a, b, role):
    world, unassessed = await year_of_work(session, a.tenant)
    await year_of_work(session, b.tenant)  # never counted for A
    r = await client.get(URL, params={"year": 2026}, headers=a[role])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["year"] == 2026 and got["plans"] == 2
    limbs = {c["limb"]: c for c in got["activities_by_limb"]}
    assert limbs["planning"] == {"limb": "planning", "total": 1, "planned": 0, "done": 1, "cancelled": 0}
    assert limbs["decision"]["done"] == 1 and limbs["proposals"]["total"] == 1
    assert limbs["none"] == {"limb": "none", "total": 1, "planned": 1, "done": 0, "cancelled": 0}
    assert got["reach"] == {"activities_done": 3, "invited": 2, "attended": 1, "unnamed": 40, "recipients": 1200,
                            "impressions": 0}
    assert got["feedback"] == {"received": 2, "responded": 1, "closed": 1}
    assert got["plans_with_red_items"] == [{"plan_id": str(unassessed.id), "title": "Dermatology pathway",
                                            "red_items": 1}]


async def test_the_years_plans_are_those_its_figures_count_archived_since_or_not(client, session, a):
    # An archived plan's 2026 activity is in the figures, so the plan is one of the year's; a plan dated only by its
    # end in the year overlaps it; an archived plan dated in the year but with no work in it is not counted.
    archived = await factories.plan(session, a.tenant, title="Archived since", archived_at=datetime(2026, 11, 1,
                                                                                                 tzinfo=UTC))
    await factories.activity(session, a.tenant, plan_id=archived.id, starts_at=datetime(2026, 3, 1, tzinfo=UTC),
                             duty_limb="planning")
    await factories.plan(session, a.tenant, title="Ends in the year", end_date=datetime(2026, 2, 1).date())
    await factories.plan(session, a.tenant, title="Dated, archived, idle", start_date=datetime(2026, 1, 1).date(),
                         archived_at=datetime(2026, 1, 2, tzinfo=UTC))
    await session.commit()
    got = (await client.get(URL, params={"year": 2026}, headers=a["lead"])).json()
    assert got["plans"] == 2 and {c["limb"]: c["total"] for c in got["activities_by_limb"]}["planning"] == 1
    assert [p["title"] for p in got["plans_with_red_items"]] == ["Ends in the year"]  # not the archived one


async def test_another_year_counts_its_own(client, session, a):
    await year_of_work(session, a.tenant)
    got = (await client.get(URL, params={"year": 2025}, headers=a["lead"])).json()
    limbs = {c["limb"]: c["total"] for c in got["activities_by_limb"]}
    assert limbs == {"planning": 0, "proposals": 0, "decision": 0, "none": 1}
    assert got["plans"] == 1 and got["feedback"]["received"] == 0


async def test_csv(client, session, a):
    await year_of_work(session, a.tenant)
    r = await client.get(URL, params={"year": 2026, "format": "csv"}, headers=a["auditor"])
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="duty-2026.csv"'
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["section", "key", "metric", "value"]
    assert ["activities", "planning", "done", "1"] in rows and ["feedback", "", "closed", "1"] in rows
    assert [row for row in rows if row[0] == "plan_red_items"][0][1:] and rows[-1][1] == "Dermatology pathway"


async def test_csv_neutralises_formulas_in_titles(client, session, a):
    plan = await factories.plan(session, a.tenant, title="=HYPERLINK(\"x\")")
    await factories.activity(session, a.tenant, plan_id=plan.id)
    await session.commit()
    r = await client.get(URL, params={"year": 2026, "format": "csv"}, headers=a["lead"])
    assert "'=HYPERLINK" in r.text


async def test_the_year_defaults_to_this_year(client, a):
    got = (await client.get(URL, headers=a["viewer"])).json()
    assert got["year"] == datetime.now(UTC).year and got["plans"] == 0


@pytest.mark.parametrize("params", [{"year": 1899}, {"year": 2201}, {"year": "twenty"},
                                    {"year": 2026, "format": "pdf"}])
async def test_bad_input_is_422(client, a, params):
    r = await client.get(URL, params=params, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("query", ["yaer=2020", "year=2020&year=2026"])
async def test_an_unknown_or_repeated_query_parameter_is_422(client, a, query):
    """As lists and exports: a misspelt ?yaer=2020 would report this year, unsaid."""
    r = await client.get(f"{URL}?{query}", headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text


async def test_needs_a_token(client):
    assert (await client.get(URL)).status_code == 401


async def test_the_plans_duty_reports_take_a_fixed_number_of_queries(app, client, session, a):
    from sqlalchemy import event

    await year_of_work(session, a.tenant)
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(app.state.db.engine.sync_engine, "before_cursor_execute", listener)
    try:
        one = (await client.get(URL, params={"year": 2026}, headers=a["lead"])).json()
        few = len(statements)
        for n in range(3):  # three more plans with red items, three green ones
            await factories.plan(session, a.tenant, title=f"Unassessed {n}", start_date=datetime(2026, 1, 1).date())
            await green_plan(session, a.tenant)
        await session.commit()
        statements.clear()
        many = (await client.get(URL, params={"year": 2026}, headers=a["lead"])).json()
    finally:
        event.remove(app.state.db.engine.sync_engine, "before_cursor_execute", listener)
    assert (one["plans"], many["plans"]) == (2, 8) and len(many["plans_with_red_items"]) == 4
    assert len(statements) == few


@pytest.mark.parametrize("year", [1900, 2200])
async def test_the_first_and_last_supported_years_are_reported(client, a, year):
    # The years the parameter admits (1900-2200); 2200 was a 422 "Dates must fall between 1900 and 2200".
    r = await client.get(URL, params={"year": year}, headers=a["viewer"])
    assert r.status_code == 200, r.text
    assert r.json()["year"] == year and r.json()["plans"] == 0
