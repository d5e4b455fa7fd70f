"""Free text of only spaces is no text, through the API as through a CSV import (where a cell of spaces is empty),
and a list item may not hold the CSV list separator: what the API stores, an export → import keeps."""

import pytest

from tests import factories
from tests.imports.support import parse_csv, post_import


async def test_optional_text_of_spaces_is_stored_as_null_and_round_trips(client, session, a):
    r = await client.post("/api/v1/activities", headers=a["lead"], json={
        "title": "Drop-in", "method": "survey", "starts_at": "2026-01-01T10:00:00Z",
        "outcome_summary": "   ", "description": ""})
    assert r.status_code == 201, r.text
    activity = r.json()
    assert (activity["outcome_summary"], activity["description"]) == (None, None)
    person = await factories.stakeholder(session, a.tenant, email=None)
    await session.commit()
    r = await client.patch(f"/api/v1/stakeholders/{person.id}", json={"notes": " \n\t "}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["notes"] is None, r.text
    export = (await client.get("/api/v1/exports/activities", headers=a["lead"])).text
    assert [row["outcome_summary"] for row in parse_csv(export)] == [""]
    again = await post_import(client, "activities", a["lead"], export, "?on_conflict=update")
    assert again.status_code == 200 and again.json()["updated"] == 1, again.text
    assert (await client.get(f"/api/v1/activities/{activity['id']}", headers=a["lead"])).json()["version"] == 1


@pytest.mark.parametrize("body", [
    {"text": "   "},
    {"text": "Fine", "publishable": True, "publishable_summary": "  "},
])
async def test_required_text_of_spaces_is_refused(client, a, body):
    r = await client.post("/api/v1/feedback", json=body, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text


@pytest.mark.parametrize("url,body", [
    ("/api/v1/stakeholders", {"name": "Ann", "tags": ["west;east"]}),
    ("/api/v1/feedback", {"text": "Buses", "themes": ["access;transport"]}),
    ("/api/v1/organisations", {"name": "Surgery", "tags": ["a;b"]}),
])
async def test_a_list_item_may_not_hold_the_csv_separator(client, a, url, body):
    r = await client.post(url, json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    field = next(iter(set(body) - {"name", "text"}))
    assert r.json()["errors"][0]["loc"][:2] == ["body", field]


async def test_a_json_import_follows_the_same_rules(client, session, a):
    body = '[{"name": "Ann", "notes": "   ", "tags": ["west"]}, {"name": "Bob", "tags": ["a;b"]}]'
    r = await post_import(client, "stakeholders", a["lead"], body, "?on_error=skip",
                          {"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["failed"]) == (1, 1)
    assert r.json()["errors"][0]["field"] == "tags"
    [ann] = (await client.get("/api/v1/stakeholders", params={"q": "Ann"}, headers=a["lead"])).json()["items"]
    assert ann["notes"] is None
