"""A request body's numbers and booleans are JSON's own: `true` is not the score 1, `"yes"` not true, `"5"` not 5.
Each refusal is a 422 naming the field, and changes nothing."""

import pytest

from tests import factories


@pytest.mark.parametrize("influence", [True, "5", 4.0])
async def test_a_score_must_be_a_json_number(client, session, a, influence):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    r = await client.post(f"/api/v1/stakeholders/{person.id}/assessments", headers=a["lead"],
                          json={"influence": influence, "interest": 3})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert [(e["loc"], e["type"]) for e in r.json()["errors"]] == [(["body", "influence"], "int_type")]
    listed = await client.get(f"/api/v1/stakeholders/{person.id}/assessments", headers=a["lead"])
    assert listed.json()["items"] == []


async def test_a_json_number_is_taken(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    r = await client.post(f"/api/v1/stakeholders/{person.id}/assessments", headers=a["lead"],
                          json={"influence": 4, "interest": 3, "attitude": None})
    assert r.status_code == 201, r.text
    assert (r.json()["influence"], r.json()["interest"]) == (4, 3)


@pytest.mark.parametrize("flag", ["yes", "true", 1, 0])
async def test_a_flag_must_be_a_json_boolean(client, session, a, flag):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    r = await client.patch(f"/api/v1/stakeholders/{person.id}", headers={**a["lead"], "If-Match": '"1"'},
                           json={"is_champion": flag})
    assert r.status_code == 422, r.text
    assert [(e["loc"], e["type"]) for e in r.json()["errors"]] == [(["body", "is_champion"], "bool_type")]
    read = (await client.get(f"/api/v1/stakeholders/{person.id}", headers=a["lead"])).json()
    assert (read["is_champion"], read["version"]) == (False, 1)


async def test_a_nested_number_is_checked_too(client, a):
    r = await client.post("/api/v1/plans", headers=a["lead"], json={
        "title": "Stroke services review", "budget_lines": [{"item": "Venue hire", "amount_pence": "1500"}]})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"][-1] == "amount_pence"
    assert (await client.get("/api/v1/plans", headers=a["lead"])).json()["items"] == []
