import pytest

from tests import factories
from tests.plans.support import URL


async def titles(client, headers, **params) -> list[str]:
    r = await client.get(URL, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [p["title"] for p in r.json()["items"]]


@pytest.fixture
async def plans(session, a, b):
    rows = {
        "Antenatal care": dict(stage="design", status="draft", programme="Maternity", lead_id=a.users["lead"].id),
        "Bridport UTC": dict(stage="deploy", status="active", delivery_group="West Dorset cluster"),
        "Community beds": dict(stage="deliver", status="closed", programme="Frailty", external_id="P-9"),
        "Diabetes pathway": dict(stage="design", status="approved", lead_id=a.users["admin"].id),
    }
    out = {t: await factories.plan(session, a.tenant, title=t, **v) for t, v in rows.items()}
    await factories.plan(session, b.tenant, title="Another Maternity plan", programme="Maternity")
    return out


async def test_default_sort_is_by_title(client, a, plans):
    assert await titles(client, a["viewer"]) == ["Antenatal care", "Bridport UTC", "Community beds",
                                                 "Diabetes pathway"]


@pytest.mark.parametrize("params,expected", [
    ({"stage": "design"}, ["Antenatal care", "Diabetes pathway"]),
    ({"status": "active"}, ["Bridport UTC"]),
    ({"status": "approved", "stage": "design"}, ["Diabetes pathway"]),
    ({"q": "maternity"}, ["Antenatal care"]),
    ({"q": "DORSET"}, ["Bridport UTC"]),
    ({"q": "beds"}, ["Community beds"]),
    ({"q": "%"}, []),
    ({"external_id": "P-9"}, ["Community beds"]),
])
async def test_filter(client, a, plans, params, expected):
    assert await titles(client, a["viewer"], **params) == expected


async def test_filter_by_lead(client, a, plans):
    assert await titles(client, a["viewer"], lead_id=str(a.users["lead"].id)) == ["Antenatal care"]


async def test_sort_and_page_with_total(client, a, plans):
    params = {"sort": "-title", "limit": 3, "include_total": "true"}
    first = (await client.get(URL, params=params, headers=a["viewer"])).json()
    assert [p["title"] for p in first["items"]] == ["Diabetes pathway", "Community beds", "Bridport UTC"]
    second = (await client.get(URL, params={**params, "cursor": first["next_cursor"]}, headers=a["viewer"])).json()
    assert [p["title"] for p in second["items"]] == ["Antenatal care"] and second["total"] == 4


@pytest.mark.parametrize("sort", ["created_at", "-updated_at"])
async def test_pages_by_timestamps(client, a, plans, sort):
    seen, cursor = [], None
    while True:
        params = {"sort": sort, "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(URL, params=params, headers=a["viewer"]))
        assert page.status_code == 200, page.text
        seen += [p["title"] for p in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(plans) and len(seen) == 4


@pytest.mark.parametrize("params", [{"sort": "status"}, {"cursor": "x"}, {"stage": "launch"}, {"status": "done"},
                                    {"lead_id": "x"}, {"q": ""}, {"limit": 0}])
async def test_bad_list_parameters_are_4xx_problems(client, a, params):
    r = await client.get(URL, params=params, headers=a["lead"])
    assert r.status_code in (400, 422) and r.headers["content-type"] == "application/problem+json"
