from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from api.models import CalendarToken
from tests import factories
from tests.activities.support import plan

FEED = "/api/v1/calendar.ics"
NIL = "00000000-0000-0000-0000-000000000000"
TOKENS = "/api/v1/calendar-tokens"
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)


def events(response) -> dict[str, dict]:
    cal = Calendar.from_ical(response.content)
    return {str(e.get("summary")): e for e in cal.walk("VEVENT")}


@pytest.fixture
async def season(session, a, b):
    review = await plan(session, a.tenant, title="Urgent care review")
    done = await factories.activity(session, a.tenant, title="Carers' focus group", status="done",
                                    starts_at=SOON - timedelta(days=30), ends_at=SOON - timedelta(days=30, hours=-2),
                                    location="Bridport library", plan_id=review.id, led_by_name="Gwen Morgan",
                                    outcome_summary="Margaret asked for evening sessions")
    ann = await factories.stakeholder(session, a.tenant, name="Ann Attendee")
    await factories.attendance(session, done, ann)
    await factories.activity(session, a.tenant, title="Public meeting", status="cancelled", starts_at=SOON)
    await factories.activity(session, a.tenant, title="Webinar", status="planned", starts_at=SOON,
                             online_url="https://meet.example.org/x")
    await factories.activity(session, a.tenant, title="Archived", starts_at=SOON, archived_at=SOON)
    await factories.activity(session, b.tenant, title="Their event", starts_at=SOON)
    return review


async def token_for(client, headers, **body) -> dict:
    r = await client.post(TOKENS, json={"label": "Intranet", **body}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_bearer_feed_parses_with_a_standard_parser(client, a, season):
    r = await client.get(FEED, headers=a["viewer"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    found = events(r)
    assert set(found) == {"Carers' focus group", "Public meeting", "Webinar"}
    assert str(found["Public meeting"].get("status")) == "CANCELLED"
    assert str(found["Webinar"].get("status")) == "CONFIRMED"
    assert str(found["Webinar"].get("url")) == "https://meet.example.org/x"
    focus = found["Carers' focus group"]
    assert str(focus.get("location")) == "Bridport library"
    assert focus.decoded("dtstart") == SOON - timedelta(days=30)
    assert focus.decoded("dtend") - focus.decoded("dtstart") == timedelta(hours=2)


async def test_the_feed_carries_no_personal_data(client, a, season):
    text = (await client.get(FEED, headers=a["viewer"])).text
    for secret in ("Ann Attendee", "Gwen Morgan", "Margaret"):
        assert secret not in text


async def test_the_people_an_activity_names_are_taken_out_of_its_description_and_location(client, session, a):
    """What staff write for an event is published as written, but for the people its attendance log and feedback
    name: their names, emails and phones (however spaced) go; the venue and the team's own contacts stay."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Attendee", email="ann@example.org",
                                      phone="07700 900123")
    bob = await factories.stakeholder(session, a.tenant, name="Bob Speaker", email="bob@example.org")
    group = await factories.stakeholder(session, a.tenant, name="Bridport Traveller Forum", kind="group")
    visit = await factories.activity(
        session, a.tenant, title="Home visit", starts_at=SOON, location="Ann Attendee's home, DT6 3AJ",
        description="With ann@EXAMPLE.org (07700900123) and Bob's note; Bridport Traveller Forum invited. "
                    "Questions to engage@nhs.example, 01305 123456, Bridport library, DT6 3AJ")
    await factories.attendance(session, visit, ann)
    await factories.attendance(session, visit, group)
    await factories.feedback(session, a.tenant, activity_id=visit.id, stakeholder_id=bob.id)
    await session.commit()
    other = await factories.activity(session, a.tenant, title="Visit to Ann Attendee", starts_at=SOON)
    await factories.attendance(session, other, ann)
    await session.commit()
    published = events(await client.get(FEED, headers=a["viewer"]))
    assert "Visit to [removed] [removed]" in published  # the title names them as the description may
    event = published["Home visit"]
    assert str(event.get("location")) == "[removed] [removed]'s home, DT6 3AJ"
    description = str(event.get("description"))
    assert "With [removed] ([removed]) and [removed]'s note; Bridport Traveller Forum invited. Questions to " \
           "engage@nhs.example, 01305 123456, Bridport library, DT6 3AJ" in description
    for secret in ("Ann", "Attendee", "ann@", "900123", "Bob"):
        assert secret not in description


async def test_filter_by_plan(client, a, season):
    r = await client.get(FEED, params={"plan_id": str(season.id)}, headers=a["viewer"])
    assert set(events(r)) == {"Carers' focus group"}


async def test_a_calendar_token_opens_the_feed_and_revoking_it_gives_401(client, a, season):
    token = await token_for(client, a["lead"])
    assert token["token"].startswith("ical_") and token["feed_path"].endswith(token["token"])
    r = await client.get(FEED, params={"token": token["token"]})
    assert r.status_code == 200 and "Webinar" in events(r)
    assert (await client.delete(f"{TOKENS}/{token['id']}", headers=a["admin"])).status_code == 204
    revoked = await client.get(FEED, params={"token": token["token"]})
    assert revoked.status_code == 401 and revoked.headers["content-type"] == "application/problem+json"
    assert (await client.delete(f"{TOKENS}/{token['id']}", headers=a["admin"])).status_code == 204


async def test_a_plan_token_sees_only_its_plan(client, session, a, season):
    token = await token_for(client, a["lead"], plan_id=str(season.id))
    r = await client.get(FEED, params={"token": token["token"]})
    assert set(events(r)) == {"Carers' focus group"}
    other = await plan(session, a.tenant, title="Other")
    assert (await client.get(FEED, params={"token": token["token"], "plan_id": str(other.id)})).status_code == 403


async def test_a_plan_token_publishes_nothing_once_the_plan_is_archived_until_it_is_restored(client, a, b, season):
    """A subscription to an archived plan's calendar answers as an unknown token does (401), and a token for the
    whole tenant finds the plan as it finds an unknown one (404); the plan restored, both publish it again."""
    scoped = await token_for(client, a["lead"], plan_id=str(season.id))
    wide, theirs = await token_for(client, a["lead"]), await token_for(client, b["lead"])
    assert (await client.delete(f"/api/v1/plans/{season.id}", headers=a["lead"])).status_code == 204
    unknown = await client.get(FEED, params={"token": "ical_guess"})
    r = await client.get(FEED, params={"token": scoped["token"]})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert {**r.json(), "request_id": None} == {**unknown.json(), "request_id": None} and "Carers" not in r.text
    unknown_plan = await client.get(FEED, params={"token": wide["token"], "plan_id": NIL})
    r = await client.get(FEED, params={"token": wide["token"], "plan_id": str(season.id)})
    assert r.status_code == 404 and r.json()["title"] == unknown_plan.json()["title"] and "Carers" not in r.text
    assert (await client.get(FEED, params={"token": theirs["token"], "plan_id": str(season.id)})).status_code == 404
    assert (await client.post(f"/api/v1/plans/{season.id}/restore", headers=a["lead"])).status_code == 200
    for params in ({"token": scoped["token"]}, {"token": wide["token"], "plan_id": str(season.id)}):
        r = await client.get(FEED, params=params)
        assert r.status_code == 200 and set(events(r)) == {"Carers' focus group"}, r.text


async def test_a_tenant_token_publishes_no_activity_of_an_archived_plan_until_it_is_restored(client, a, season):
    # Archiving a plan leaves its activities as they are: the tenant's subscription went on publishing them
    wide = await token_for(client, a["lead"])
    assert (await client.delete(f"/api/v1/plans/{season.id}", headers=a["lead"])).status_code == 204
    r = await client.get(FEED, params={"token": wide["token"], "from": "2000-01-01"})
    assert r.status_code == 200 and set(events(r)) == {"Public meeting", "Webinar"}, r.text
    staff = await client.get(FEED, params={"from": "2000-01-01"}, headers=a["viewer"])
    assert "Carers' focus group" in set(events(staff))
    assert (await client.post(f"/api/v1/plans/{season.id}/restore", headers=a["lead"])).status_code == 200
    r = await client.get(FEED, params={"token": wide["token"], "from": "2000-01-01"})
    assert set(events(r)) == {"Carers' focus group", "Public meeting", "Webinar"}, r.text


async def test_staff_still_read_an_archived_plans_calendar(client, a, season):
    assert (await client.delete(f"/api/v1/plans/{season.id}", headers=a["lead"])).status_code == 204
    r = await client.get(FEED, params={"plan_id": str(season.id)}, headers=a["viewer"])
    assert r.status_code == 200 and set(events(r)) == {"Carers' focus group"}


async def test_tokens_are_per_tenant(client, b, season):
    token = await token_for(client, b["lead"])
    r = await client.get(FEED, params={"token": token["token"]})
    assert set(events(r)) == {"Their event"}


@pytest.mark.parametrize("params,headers", [({"token": "ical_guess"}, {}), ({}, {})])
async def test_no_or_a_wrong_token_is_401(client, season, params, headers):
    r = await client.get(FEED, params=params, headers=headers)
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


async def test_only_the_hash_is_stored_and_listed_tokens_have_no_secret(client, session, a):
    token = await token_for(client, a["lead"])
    row = (await session.execute(select(CalendarToken))).scalar_one()
    assert token["token"] not in (row.token_hash, row.token_hint) and len(row.token_hash) == 64
    listing = await client.get(TOKENS, headers=a["admin"])
    assert listing.status_code == 200
    assert token["token"] not in listing.text and listing.json()["items"][0]["token_hint"] == token["token"][:10]


async def test_an_idempotent_replay_does_not_show_the_secret_again(client, session, a):
    headers = {**a["lead"], "Idempotency-Key": "tok-1"}
    first = await client.post(TOKENS, json={"label": "Intranet"}, headers=headers)
    again = await client.post(TOKENS, json={"label": "Intranet"}, headers=headers)
    assert first.json()["token"] and again.json()["token"] is None and again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("role", ("contributor", "viewer", "auditor"))
async def test_only_admin_and_lead_manage_tokens(client, session, a, role):
    assert (await client.post(TOKENS, json={"label": "x"}, headers=a[role])).status_code == 403
    assert (await client.get(TOKENS, headers=a[role])).status_code == 403
    token = await token_for(client, a["lead"])
    assert (await client.delete(f"{TOKENS}/{token['id']}", headers=a[role])).status_code == 403


async def test_other_tenants_token_or_plan(client, session, a, b):
    theirs = await token_for(client, b["lead"])
    assert (await client.delete(f"{TOKENS}/{theirs['id']}", headers=a["admin"])).status_code == 404
    assert (await client.get(TOKENS, headers=a["admin"])).json()["items"] == []
    their_plan = await plan(session, b.tenant)
    r = await client.post(TOKENS, json={"label": "x", "plan_id": str(their_plan.id)}, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in r.json()["errors"]] == [["body", "plan_id"]]
    assert (await client.get(TOKENS, headers=a["admin"])).json()["items"] == []  # nothing was created
    assert (await client.get(FEED, params={"plan_id": str(their_plan.id)}, headers=a["viewer"])).status_code == 404


async def test_token_writes_are_audited_without_the_secret(client, session, a):
    from tests.activities.support import audit_events

    token = await token_for(client, a["lead"])
    await client.delete(f"{TOKENS}/{token['id']}", headers=a["lead"])
    events_ = await audit_events(session, token["id"])
    assert [e.action for e in events_] == ["create", "revoke"]
    assert token["token"] not in str([e.changes for e in events_])


async def test_the_token_never_reaches_the_logs(client, a, season, caplog):
    token = await token_for(client, a["lead"])
    caplog.set_level("DEBUG")
    assert (await client.get(FEED, params={"token": token["token"]})).status_code == 200
    await client.get(FEED, params={"token": token["token"] + "x"})
    # everything the server logged (httpx's own line is this test client's, not the server's)
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records if not r.name.startswith("httpx"))
    assert "calendar.ics" in logged  # the access log saw the requests…
    assert token["token"] not in logged  # …but never the secret


async def test_a_period_ending_before_it_starts_is_422_not_an_empty_feed(client, a, season):
    r = await client.get(FEED, params={"from": "2026-03-02", "to": "2026-03-01"}, headers=a["viewer"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"] == ["query", "to"]
    same_day = await client.get(FEED, params={"from": "2026-03-01", "to": "2026-03-01"}, headers=a["viewer"])
    assert same_day.status_code == 200


async def test_no_new_token_for_an_archived_plan(client, session, a):
    """As everywhere, nothing new is linked to an archived plan (409, nothing created); restored, it takes one."""
    gone = await plan(session, a.tenant, archived_at=datetime.now(UTC))
    await session.commit()
    r = await client.post(TOKENS, json={"label": "Old plan", "plan_id": str(gone.id)}, headers=a["lead"])
    assert r.status_code == 409 and "archived" in r.json()["detail"], r.text
    assert (await client.get(TOKENS, headers=a["admin"])).json()["items"] == []
    assert (await client.post(f"/api/v1/plans/{gone.id}/restore", headers=a["lead"])).status_code == 200
    await token_for(client, a["lead"], plan_id=str(gone.id))


async def test_a_to_without_from_covers_the_year_ending_on_it(client, session, a):
    # The default start was a year before now, so an older `to` gave an empty feed
    await factories.activity(session, a.tenant, title="Old meeting", starts_at=datetime(2020, 6, 1, 10, tzinfo=UTC))
    await factories.activity(session, a.tenant, title="Older still", starts_at=datetime(2019, 5, 1, 10, tzinfo=UTC))
    await session.commit()
    r = await client.get(FEED, params={"to": "2020-12-31"}, headers=a["viewer"])
    assert r.status_code == 200 and list(events(r)) == ["Old meeting"], r.text
    assert (await client.get(FEED, params={"to": "1900-02-01"}, headers=a["viewer"])).status_code == 200


async def test_the_people_an_activity_names_lose_their_postal_address_and_postcode(client, session, a):
    """A home visit's location is the attendee's home, which a viewer is never shown and a token publishes to anyone
    with the URL: each line of the address with a house number goes, in any case and spacing, and the postcode
    however spaced; the town, which may be anyone's, stays."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Attendee", address="12 Elm Road\nBridport",
                                      postcode="DT6 3AJ")
    visit = await factories.activity(session, a.tenant, title="Home visit", starts_at=SOON,
                                     location="12 elm  road, BRIDPORT, dt63aj",
                                     description="Parking at 112 Elm Road, DT6 3AK; she lives at 12 Elm Road "
                                                 "(DT6  3AJ)")
    await factories.attendance(session, visit, ann)
    await factories.activity(session, a.tenant, title="Drop-in", starts_at=SOON, location="Bridport library, DT6 3AJ")
    await session.commit()
    published = events(await client.get(FEED, headers=a["viewer"]))
    assert str(published["Home visit"].get("location")) == "[removed], BRIDPORT, [removed]"
    assert "Parking at 112 Elm Road, DT6 3AK; she lives at [removed] ([removed])" in \
        str(published["Home visit"].get("description"))
    assert str(published["Drop-in"].get("location")) == "Bridport library, DT6 3AJ"  # she is not named there


async def test_a_public_meetings_venue_stays_when_a_local_attends(client, session, a):
    """A town is never taken out: one attendee from Bridport turned the published venue 'Bridport library' into
    '[removed] library'. Nor is another's 'Flat 1': it is theirs only with the line after it."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Attendee", address="Flat 1\n12 Elm Road\nBridport",
                                      postcode="DT6 3AJ")
    meeting = await factories.activity(session, a.tenant, title="Public meeting", starts_at=SOON,
                                       location="Bridport library", description="Parking at Flat 1, 40 Castle Street")
    await factories.attendance(session, meeting, ann)
    await session.commit()
    published = events(await client.get(FEED, headers=a["viewer"]))["Public meeting"]
    assert str(published.get("location")) == "Bridport library"
    assert str(published.get("description")).endswith("\nParking at Flat 1, 40 Castle Street")


async def test_an_attendees_house_name_goes_from_the_feed(client, session, a):
    """The first line of an address of three lines or more without a digit is their house's name: their home, as a
    house number's line is; the street and town stay."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Attendee",
                                      address="Rose Cottage\nElm Lane\nBridport")
    visit = await factories.activity(session, a.tenant, title="Home visit", starts_at=SOON,
                                     location="Rose Cottage, Elm Lane, Bridport")
    await factories.attendance(session, visit, ann)
    await session.commit()
    published = events(await client.get(FEED, headers=a["viewer"]))["Home visit"]
    assert str(published.get("location")) == "[removed], Elm Lane, Bridport"


async def test_an_activity_ending_within_the_second_it_starts_has_no_dtend(client, session, a):
    """RFC 5545 §3.8.2.2: DTEND is later than DTSTART, in the whole seconds iCalendar writes."""
    start = SOON.replace(microsecond=200000)
    for title, ends_at in (("Instant", start), ("Sub-second", start.replace(microsecond=900000)),
                           ("One second", start + timedelta(seconds=1))):
        await factories.activity(session, a.tenant, title=title, starts_at=start, ends_at=ends_at)
    await session.commit()
    published = events(await client.get(FEED, headers=a["viewer"]))
    assert published["Instant"].get("dtend") is None and published["Sub-second"].get("dtend") is None
    one = published["One second"]
    assert one.decoded("dtend") - one.decoded("dtstart") == timedelta(seconds=1)


async def test_an_empty_feed_is_still_a_valid_calendar(client, a):
    """RFC 5545 §3.6: a VCALENDAR holds at least one component; with no activity it holds the UK's time zone."""
    r = await client.get(FEED, headers=a["viewer"])
    assert r.status_code == 200
    cal = Calendar.from_ical(r.content)
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE"] and str(cal.subcomponents[0]["tzid"]) == \
        "Europe/London"


@pytest.mark.parametrize("query", ["planid={plan}", "plan_id={plan}&plan_id={plan}", "from=2026-01-01&from=2026-02-01"])
async def test_an_unknown_or_repeated_query_parameter_is_422(client, session, a, query):
    """As lists and exports: a misspelt ?planid= would publish every plan's activities, unsaid."""
    review = await plan(session, a.tenant)
    await session.commit()
    token = await token_for(client, a["lead"])
    url = f"{FEED}?{query.format(plan=review.id)}"
    for given, headers in ((url, a["viewer"]), (f"{url}&token={token['token']}", {})):
        r = await client.get(given, headers=headers)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert (await client.get(url)).status_code == 401  # who may not read the feed learns nothing of it
    r = await client.get(FEED, params={"token": token["token"], "plan_id": str(review.id), "from": "2026-01-01"})
    assert r.status_code == 200  # ?token= is a parameter the feed takes


async def test_a_created_token_names_no_location(client, a):
    """A token has no URL of its own to read (the list shows it): no Location, on a replay either."""
    headers = {**a["lead"], "Idempotency-Key": "tok-location"}
    for replayed in (None, "true"):
        r = await client.post(TOKENS, json={"label": "Intranet"}, headers=headers)
        assert r.status_code == 201 and "location" not in r.headers
        assert r.headers.get("idempotent-replayed") == replayed
