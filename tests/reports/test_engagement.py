import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories
from tests.activities.support import ROLES, assess, plan

URL = "/api/v1/reports/engagement"
PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}
T = datetime(2026, 2, 2, 10, tzinfo=UTC)  # a Monday


@pytest.fixture
async def world(session, a, b):
    """Four people in A across the grid, one unassessed; activities in and out of the period; feedback."""
    review = await plan(session, a.tenant, audience_categories=["patient", "media"])  # all but "satisfied"
    s = {n: await factories.stakeholder(session, a.tenant, name=n, categories=c) for n, c in [
        ("close", ["patient", "carer"]), ("satisfied", ["partner"]), ("informed", ["patient"]),
        ("monitor", ["media"]), ("unassessed", ["patient"])]}
    for name, (interest, influence) in {"close": (4, 4), "satisfied": (2, 5), "informed": (5, 1),
                                        "monitor": (1, 1)}.items():
        await assess(session, a.tenant, s[name], interest=interest, influence=influence)
    await assess(session, a.tenant, s["monitor"], interest=5, influence=5, plan_id=review.id)
    await factories.stakeholder(session, a.tenant, name="archived", categories=["patient"], archived_at=T)
    focus = await factories.activity(session, a.tenant, method="focus_group", level="involve", duty_limb="proposals",
                                     starts_at=T, plan_id=review.id, cost_pence=5000, unnamed_attendees=3)
    brief = await factories.activity(session, a.tenant, method="briefing", level="inform", starts_at=T,
                                     cost_pence=1000, impressions=200, recipients=50)
    await factories.activity(session, a.tenant, method="survey", level="consult", status="planned", starts_at=T,
                             cost_pence=99999)
    await factories.activity(session, a.tenant, method="survey", level="consult", status="cancelled", starts_at=T)
    before = await factories.activity(session, a.tenant, method="workshop", starts_at=datetime(2025, 12, 1, tzinfo=UTC))
    await factories.activity(session, a.tenant, method="workshop", starts_at=T, archived_at=T)
    await factories.attendance(session, focus, s["close"])
    await factories.attendance(session, focus, s["informed"], attended=False)
    await factories.attendance(session, brief, s["satisfied"])
    await factories.attendance(session, brief, s["informed"], attended=False)
    await factories.attendance(session, before, s["monitor"])
    for days, status in [(1, "responded"), (3, "closed"), (10, "closed")]:
        await factories.feedback(session, a.tenant, type="concern", status=status, plan_id=review.id,
                                 received_at=T, responded_at=T + timedelta(days=days))
    await factories.feedback(session, a.tenant, type="complaint", received_at=T, response_due_at=T + timedelta(days=1))
    await factories.feedback(session, a.tenant, received_at=T, response_due_at=datetime(2099, 1, 1, tzinfo=UTC))
    await factories.feedback(session, a.tenant, received_at=datetime(2025, 6, 1, tzinfo=UTC))
    # B's data must never be counted
    theirs = await factories.stakeholder(session, b.tenant, categories=["patient"])
    their_act = await factories.activity(session, b.tenant, starts_at=T, cost_pence=7)
    await factories.attendance(session, their_act, theirs)
    await factories.feedback(session, b.tenant, received_at=T)
    return review, s


def by_key(items):
    return {i["key"]: i for i in items}


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_the_report(client, a, world, role):
    assert (await client.get(URL, params=PERIOD, headers=a[role])).status_code == 200


async def test_figures(client, a, world):
    r = await client.get(URL, params=PERIOD, headers=a["viewer"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["stakeholders"] == {"key": "all", "stakeholders": 5, "engaged": 2, "share": 0.4}
    quadrants = by_key(body["quadrants"])
    assert [q["key"] for q in body["quadrants"]] == ["manage_closely", "keep_satisfied", "keep_informed", "monitor",
                                                     "unassessed"]
    assert (quadrants["manage_closely"]["engaged"], quadrants["manage_closely"]["share"]) == (1, 1.0)
    assert (quadrants["keep_satisfied"]["engaged"], quadrants["keep_informed"]["engaged"]) == (1, 0)
    assert quadrants["monitor"] == {"key": "monitor", "stakeholders": 1, "engaged": 0, "share": 0.0}
    assert quadrants["unassessed"]["stakeholders"] == 1
    categories = by_key(body["categories"])
    assert categories["patient"] == {"key": "patient", "stakeholders": 3, "engaged": 1, "share": 0.3333}
    assert categories["partner"]["engaged"] == 1 and "media" in categories
    assert body["activities"] == {"key": "all", "total": 4, "planned": 1, "done": 2, "cancelled": 1}
    methods = by_key(body["by_method"])
    assert methods["survey"] == {"key": "survey", "total": 2, "planned": 1, "done": 0, "cancelled": 1}
    assert "workshop" not in methods
    assert by_key(body["by_level"])["involve"]["done"] == 1
    limbs = by_key(body["by_duty_limb"])
    assert limbs["proposals"]["total"] == 1 and limbs[None]["total"] == 3
    assert body["reach"] == {"activities_done": 2, "invited": 4, "attended_named": 2, "unnamed_attendees": 3,
                             "attended": 5, "impressions": 200, "recipients": 50, "cost_pence": 6000}
    feedback = body["feedback"]
    assert (feedback["received"], feedback["responded"], feedback["closed"], feedback["overdue"]) == (5, 3, 2, 1)
    assert feedback["median_days_to_respond"] == 3.0
    assert by_key(feedback["by_type"]) == {"comment": {"key": "comment", "count": 1},
                                           "complaint": {"key": "complaint", "count": 1},
                                           "concern": {"key": "concern", "count": 3}}


async def test_an_even_number_of_responses_averages_the_middle_two(client, session, a):
    for days in (1, 2, 4, 30):
        await factories.feedback(session, a.tenant, status="responded", received_at=T,
                                 responded_at=T + timedelta(days=days))
    body = (await client.get(URL, params=PERIOD, headers=a["viewer"])).json()
    assert body["feedback"]["median_days_to_respond"] == 3.0


async def test_a_plan_report_uses_the_plans_audience_grid_activities_and_feedback(client, a, world):
    review, _ = world
    body = (await client.get(URL, params={**PERIOD, "plan_id": str(review.id)}, headers=a["viewer"])).json()
    # The plan's audience (patients and media: not "satisfied"), of whom only "close" went to the plan's focus group
    assert body["stakeholders"] == {"key": "all", "stakeholders": 4, "engaged": 1, "share": 0.25}
    quadrants = by_key(body["quadrants"])
    # As the plan's grid places them: "monitor" by its plan assessment, the others by their general one
    grid = (await client.get(f"/api/v1/plans/{review.id}/grid", headers=a["viewer"])).json()["counts"]
    assert {key: q["stakeholders"] for key, q in quadrants.items()} == grid == {
        "manage_closely": 2, "keep_satisfied": 0, "keep_informed": 1, "monitor": 0, "unassessed": 1}
    assert (quadrants["manage_closely"]["engaged"], quadrants["keep_informed"]["engaged"]) == (1, 0)
    assert body["activities"]["total"] == 1 and body["feedback"]["received"] == 3
    assert body["reach"]["cost_pence"] == 5000


async def test_csv_for_spreadsheets(client, session, a, world):
    await factories.stakeholder(session, a.tenant, name="x", categories=["=HYPERLINK(\"evil\")"])
    await factories.stakeholder(session, a.tenant, name="y", categories=["'=1+1"])  # as the exports: after apostrophes
    r = await client.get(URL, params={**PERIOD, "format": "csv"}, headers=a["viewer"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["section", "key", "metric", "value"]
    assert ["stakeholders", "all", "engaged", "2"] in rows
    assert ["reach", "", "cost_pence", "6000"] in rows
    assert ["feedback", "", "median_days_to_respond", "3.0"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(row[1] == "'=HYPERLINK(\"evil\")" for row in rows)
    assert any(row[1] == "''=1+1" for row in rows)


@pytest.mark.parametrize("params,status", [
    ({"from": "2026-04-01", "to": "2026-03-01"}, 422), ({"from": "soon"}, 422), ({"to": "9999-12-31"}, 422),
    ({"format": "xlsx"}, 422), ({"plan_id": "00000000-0000-0000-0000-000000000000"}, 404),
])
async def test_bad_parameters_are_problems(client, a, params, status):
    r = await client.get(URL, params=params, headers=a["viewer"])
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("query,loc", [("planid={plan}", "planid"), ("plan_id={plan}&plan_id={plan}", "plan_id"),
                                       ("format=json&format=csv", "format")])
async def test_an_unknown_or_repeated_query_parameter_is_422(client, session, a, query, loc):
    """As lists and exports: a misspelt ?planid= would count the whole tenant, unsaid."""
    review = await plan(session, a.tenant)
    await session.commit()
    r = await client.get(f"{URL}?{query.format(plan=review.id)}", headers=a["viewer"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["query", loc]]
    assert (await client.get(f"{URL}?{query.format(plan=review.id)}")).status_code == 401


async def test_another_tenants_plan_is_404(client, session, a, b):
    theirs = await plan(session, b.tenant)
    assert (await client.get(URL, params={"plan_id": str(theirs.id)}, headers=a["viewer"])).status_code == 404


@pytest.mark.parametrize("params,period", [
    ({"from": "2200-12-01", "to": "2200-12-31"}, ("2200-12-01", "2200-12-31")),
    ({"to": "1900-03-01"}, ("1900-01-01", "1900-03-01")),
])
async def test_periods_at_the_edges_of_the_supported_years_are_reported(client, a, params, period):
    # The last day of 2200 was refused (its end is the first instant of 2201), and a `to` early in 1900 was
    # refused for the default `from` a year before it, though the caller gave no date out of range.
    r = await client.get(URL, params=params, headers=a["viewer"])
    assert r.status_code == 200, r.text
    assert (r.json()["period_from"], r.json()["period_to"]) == period


@pytest.mark.parametrize("to,first", [("2024-12-31", "2024-01-01"), ("2026-12-31", "2026-01-01"),
                                      ("2024-02-29", "2023-03-01"), ("2026-06-10", "2025-06-11")])
async def test_the_default_period_is_the_year_ending_on_to(client, a, to, first):
    # 364 days back dropped 1 January in a leap year
    r = await client.get(URL, params={"to": to}, headers=a["viewer"])
    assert r.status_code == 200 and (r.json()["period_from"], r.json()["period_to"]) == (first, to), r.text
