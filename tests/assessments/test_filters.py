"""Stakeholder list filters that work from the latest assessment."""

import pytest

from tests import factories

URL = "/api/v1/stakeholders"


async def names(client, headers, **params) -> list[str]:
    r = await client.get(URL, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [s["name"] for s in r.json()["items"]]


@pytest.fixture
async def mapped(session, a, b):
    """Four stakeholders, one per quadrant by their latest general scores (older scores said otherwise),
    one never assessed, and a plan with scores of its own for two of them."""
    plan = await factories.plan(session, a.tenant, title="Stroke services")
    people = {}
    for name, old, new in [("Ann", (1, 1), (5, 5)), ("Bob", (5, 5), (2, 4)), ("Cat", None, (4, 2)),
                           ("Dan", (4, 4), (1, 2))]:
        people[name] = person = await factories.stakeholder(session, a.tenant, name=name)
        if old:
            await factories.assessment(session, person, interest=old[0], influence=old[1])
        await factories.assessment(session, person, interest=new[0], influence=new[1])
    people["Eve"] = await factories.stakeholder(session, a.tenant, name="Eve")
    await factories.assessment(session, people["Ann"], interest=1, influence=1, plan=plan)
    await factories.assessment(session, people["Eve"], interest=5, influence=5, plan=plan)
    their = await factories.stakeholder(session, b.tenant, name="Zed")
    await factories.assessment(session, their, interest=5, influence=5)
    return {"plan": plan, **people}


@pytest.mark.parametrize("params,expected", [
    ({"quadrant": "manage_closely"}, ["Ann"]),
    ({"quadrant": "keep_satisfied"}, ["Bob"]),
    ({"quadrant": "keep_informed"}, ["Cat"]),
    ({"quadrant": "monitor"}, ["Dan"]),
    ({"min_interest": 4}, ["Ann", "Cat"]),
    ({"max_interest": 2}, ["Bob", "Dan"]),
    ({"min_influence": 4}, ["Ann", "Bob"]),
    ({"max_influence": 2}, ["Cat", "Dan"]),
    ({"min_interest": 2, "max_interest": 4}, ["Bob", "Cat"]),
    ({"min_influence": 3, "max_interest": 3}, ["Bob"]),
    ({"min_interest": 1}, ["Ann", "Bob", "Cat", "Dan"]),  # any score filter leaves out the never-assessed
    ({"quadrant": "monitor", "min_interest": 2}, []),
], ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None)
async def test_score_filters_use_the_latest_general_assessment(client, a, mapped, params, expected):
    assert await names(client, a["viewer"], **params) == expected


async def test_without_score_filters_everyone_is_listed(client, a, mapped):
    assert await names(client, a["viewer"]) == ["Ann", "Bob", "Cat", "Dan", "Eve"]


async def test_plan_id_lists_those_assessed_for_the_plan_by_those_scores(client, a, mapped):
    plan_id = str(mapped["plan"].id)
    assert await names(client, a["viewer"], plan_id=plan_id) == ["Ann", "Eve"]
    assert await names(client, a["viewer"], plan_id=plan_id, quadrant="monitor") == ["Ann"]
    assert await names(client, a["viewer"], plan_id=plan_id, quadrant="manage_closely") == ["Eve"]
    assert await names(client, a["viewer"], plan_id=plan_id, min_influence=2) == ["Eve"]


async def test_quadrant_filter_follows_the_tenant_threshold(client, session, a, mapped):
    a.tenant.settings = {"grid_threshold": 2}
    await session.flush()
    assert await names(client, a["viewer"], quadrant="manage_closely") == ["Ann", "Bob", "Cat"]
    assert await names(client, a["viewer"], quadrant="monitor") == []


async def test_score_filters_combine_with_the_others_and_count_right(client, session, a, mapped):
    await client.patch(f"{URL}/{mapped['Bob'].id}", json={"categories": ["carer"]}, headers=a["lead"])
    assert await names(client, a["viewer"], category="carer", min_influence=4) == ["Bob"]
    page = (await client.get(URL, params={"min_interest": 1, "limit": 2, "include_total": "true"},
                             headers=a["viewer"])).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    rest = (await client.get(URL, params={"min_interest": 1, "limit": 2, "cursor": page["next_cursor"]},
                             headers=a["viewer"])).json()
    assert [s["name"] for s in page["items"] + rest["items"]] == ["Ann", "Bob", "Cat", "Dan"]


async def test_another_tenants_plan_matches_nothing(client, session, a, b, mapped):
    theirs = await factories.plan(session, b.tenant)
    zed = await factories.stakeholder(session, b.tenant)
    await factories.assessment(session, zed, interest=5, influence=5, plan=theirs)
    assert await names(client, a["viewer"], plan_id=str(theirs.id)) == []


async def test_the_stakeholder_read_model_is_unchanged(client, a, mapped):
    item = (await client.get(URL, params={"quadrant": "manage_closely"}, headers=a["viewer"])).json()["items"][0]
    assert "quadrant" not in item and "interest" not in item


@pytest.mark.parametrize("params", [{"quadrant": "top"}, {"min_interest": 0}, {"max_interest": 6},
                                    {"min_influence": "x"}, {"plan_id": "nope"}])
async def test_bad_score_filters_are_422(client, a, params):
    r = await client.get(URL, params=params, headers=a["viewer"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("score", ["interest", "influence"])
@pytest.mark.parametrize("path", [URL, "/api/v1/exports/stakeholders"])
async def test_a_minimum_above_the_maximum_is_422_naming_both(client, session, a, mapped, score, path):
    """Not an empty page (or an empty export): the values were swapped. Equal bounds are a range."""
    r = await client.get(path, params={f"min_{score}": 4, f"max_{score}": 2}, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in r.json()["errors"]] == [["query", f"min_{score}"], ["query", f"max_{score}"]]
    assert f"min_{score}" in r.json()["detail"] and f"max_{score}" in r.json()["detail"]
    same = await client.get(path, params={f"min_{score}": 2, f"max_{score}": 2}, headers=a["lead"])
    assert same.status_code == 200
