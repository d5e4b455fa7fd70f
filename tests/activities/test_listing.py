from datetime import UTC, datetime

import pytest

from tests import factories
from tests.activities.support import URL, audit_events, plan


async def titles(client, headers, **params) -> list[str]:
    r = await client.get(URL, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [i["title"] for i in r.json()["items"]]


@pytest.fixture
async def record(session, a, b):
    """A season of activities in A (sorted by start: Jan, Feb, Mar, Apr) and a decoy in B."""
    review = await plan(session, a.tenant, title="Review")
    ann = await factories.stakeholder(session, a.tenant, name="Ann")
    rows = {
        "Jan survey": dict(method="survey", level="consult", duty_limb="planning", plan_id=review.id,
                           starts_at=datetime(2026, 1, 15, 9, tzinfo=UTC), led_by=a.users["lead"].id),
        "Feb focus group": dict(method="focus_group", level="involve", duty_limb="proposals", plan_id=review.id,
                                starts_at=datetime(2026, 2, 10, 18, tzinfo=UTC), location="Bridport library",
                                audience_categories=["carer"]),
        "Mar public meeting": dict(method="public_meeting", level="consult", status="cancelled",
                                   starts_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC)),  # 1 April in the UK
        "Apr newsletter": dict(method="newsletter_article", level="inform", status="planned",
                               starts_at=datetime(2026, 4, 20, 8, tzinfo=UTC), led_by_name="Comms team"),
    }
    made = {title: await factories.activity(session, a.tenant, title=title, **values)
            for title, values in rows.items()}
    await factories.attendance(session, made["Feb focus group"], ann)
    await factories.attendance(session, made["Jan survey"], ann, attended=False)
    await factories.activity(session, b.tenant, title="Their survey", method="survey")
    return {"plan": review, "ann": ann, **made}


async def test_default_sort_is_newest_first(client, a, record):
    assert await titles(client, a["viewer"]) == ["Apr newsletter", "Mar public meeting", "Feb focus group",
                                                 "Jan survey"]


@pytest.mark.parametrize("params,expected", [
    ({"method": "survey"}, ["Jan survey"]),
    ({"level": "consult"}, ["Mar public meeting", "Jan survey"]),
    ({"duty_limb": "proposals"}, ["Feb focus group"]),
    ({"status": "cancelled"}, ["Mar public meeting"]),
    ({"status": "planned"}, ["Apr newsletter"]),
    ({"starts_from": "2026-02-01", "starts_to": "2026-03-31"}, ["Feb focus group"]),
    ({"starts_from": "2026-04-01"}, ["Apr newsletter", "Mar public meeting"]),
    ({"q": "library"}, ["Feb focus group"]),
    ({"q": "comms"}, ["Apr newsletter"]),
    ({"audience_category": "carer"}, ["Feb focus group"]),
    ({"sort": "title"}, ["Apr newsletter", "Feb focus group", "Jan survey", "Mar public meeting"]),
], ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None)
async def test_filter(client, a, record, params, expected):
    assert await titles(client, a["viewer"], **params) == expected


async def test_filter_by_plan_leader_and_attendee(client, a, record):
    assert await titles(client, a["viewer"], plan_id=str(record["plan"].id)) == ["Feb focus group", "Jan survey"]
    assert await titles(client, a["viewer"], led_by=str(a.users["lead"].id)) == ["Jan survey"]
    # invited but not attended does not count
    assert await titles(client, a["viewer"], stakeholder_id=str(record["ann"].id)) == ["Feb focus group"]


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_a_restricted_persons_attendance_is_listed_by_their_id_to_admins_only(client, session, a, record, role):
    # GET /stakeholders/{id}/activities is a 404 for a restricted person to anyone but an admin; filtering the
    # activities by their id must not tell the same thing (what they attended).
    record["ann"].restricted_at = datetime(2026, 5, 1, tzinfo=UTC)
    await session.flush()
    assert await titles(client, a[role], stakeholder_id=str(record["ann"].id)) == []
    assert await titles(client, a["admin"], stakeholder_id=str(record["ann"].id)) == ["Feb focus group"]


async def test_cursor_paging_with_total(client, a, record):
    first = (await client.get(URL, params={"limit": 3, "include_total": "true", "sort": "starts_at"},
                              headers=a["viewer"])).json()
    assert [i["title"] for i in first["items"]] == ["Jan survey", "Feb focus group", "Mar public meeting"]
    assert first["total"] == 4
    rest = (await client.get(URL, params={"limit": 3, "sort": "starts_at", "cursor": first["next_cursor"]},
                             headers=a["viewer"])).json()
    assert [i["title"] for i in rest["items"]] == ["Apr newsletter"] and rest["next_cursor"] is None


@pytest.mark.parametrize("params", [
    {"sort": "cost_pence"}, {"method": "pigeon"}, {"starts_from": "yesterday"}, {"starts_from": "0001-01-01"},
    {"starts_from": "2026-05-01", "starts_to": "2026-04-01"}, {"plan_id": "nope"}, {"q": ""},
])
async def test_bad_list_parameters_are_4xx_problems(client, a, params):
    r = await client.get(URL, params=params, headers=a["viewer"])
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"


async def test_an_admins_read_of_what_a_restricted_person_attended_is_audited(client, session, a, record):
    # As GET /stakeholders/{id}/activities is: the filter shows what they attended.
    ann = record["ann"]
    ann.restricted_at = datetime(2026, 5, 1, tzinfo=UTC)
    await session.flush()
    assert await titles(client, a["lead"], stakeholder_id=str(ann.id)) == []
    assert [e.action for e in await audit_events(session, ann.id)] == []
    assert await titles(client, a["admin"], stakeholder_id=str(ann.id)) == ["Feb focus group"]
    logged = await audit_events(session, ann.id)
    assert [(e.action, e.actor_id) for e in logged] == [("read_restricted", a.users["admin"].id)]
    # a read of an unrestricted person's is not one
    bob = await factories.stakeholder(session, a.tenant, name="Bob")
    assert await titles(client, a["admin"], stakeholder_id=str(bob.id)) == []
    assert await audit_events(session, bob.id) == []
