"""Cursor pages through rows that tie on the sort field: a bulk import gives thousands of stakeholders one
created_at and updated_at, so the id tie-breaker (one row comparison in the cursor's WHERE) must carry
the pages. Every page size gives the same rows, in the same order, as one page of everything."""

from datetime import UTC, datetime

import pytest

from tests import factories
from tests.stakeholders.support import URL

SAME_MOMENT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 5, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
async def imported(session, a, b):
    """Nine carers and three others stamped as one import would stamp them; two touched a day later; one
    archived and one restricted (never listed); tenant B's carers as decoys."""
    rows = []
    for i in range(12):
        row = await factories.stakeholder(session, a.tenant, name=f"Person {i % 4}",
                                          categories=["carer"] if i < 9 else ["staff"],
                                          created_at=SAME_MOMENT, updated_at=LATER if i in (3, 7) else SAME_MOMENT)
        await factories.assessment(session, row, interest=3, influence=4 if i % 3 else 2)
        rows.append(row)
    rows[5].archived_at = LATER
    rows[6].restricted_at = LATER
    for _ in range(3):
        decoy = await factories.stakeholder(session, b.tenant, categories=["carer"], created_at=SAME_MOMENT,
                                            updated_at=SAME_MOMENT)
        await factories.assessment(session, decoy, interest=3, influence=5)
    await session.flush()
    return rows


async def pages(client, headers, limit: int, **params) -> list[str]:
    ids, cursor = [], None
    for _ in range(50):
        r = await client.get(URL, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})},
                             headers=headers)
        assert r.status_code == 200, r.text
        ids += [item["id"] for item in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("the cursor never ran out")


@pytest.mark.parametrize("params", [
    {"sort": "-updated_at"},
    {"sort": "updated_at"},
    {"sort": "-created_at"},
    {"sort": "created_at"},
    {"sort": "name,-updated_at"},  # mixed directions
    {"sort": "-updated_at", "category": "carer", "min_influence": "4"},  # the benchmark's list
    {"sort": "-created_at", "category": "carer", "min_influence": "4"},
], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
async def test_pages_of_tied_rows_add_up_to_one_page_of_everything(client, a, imported, params):
    everything = await pages(client, a["viewer"], 500, **params)
    for limit in (1, 2, 5):
        assert await pages(client, a["viewer"], limit, **params) == everything


async def test_tied_rows_are_ordered_by_id_in_the_direction_of_the_sort(client, a, imported):
    listed = await pages(client, a["viewer"], 500, sort="-updated_at", category="carer", min_influence="4")
    # Carers with influence 4 are 1, 2, 4, 5, 7 and 8; 5 is archived; 7 was touched later (3 was too, but has
    # influence 2), so it comes first.
    rest = sorted((str(imported[i].id) for i in (1, 2, 4, 8)), reverse=True)
    assert listed == [str(imported[7].id), *rest]


async def test_a_list_statement_built_for_one_request_keeps_none_of_its_values(client, a, b, imported):
    """Each shape of filters is compiled once (api.pagination.ListQueries) and run with every later request's
    own values: another tenant, category, score, cursor or page size with the same shape gets its own rows."""
    async def listed(headers, **params):
        r = await client.get(URL, params={"include_total": "true", **params}, headers=headers)
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]], r.json()["total"]

    carers = {str(imported[i].id) for i in (1, 2, 4, 7, 8)}  # influence 4, active, unrestricted
    ids, total = await listed(a["viewer"], category="carer", min_influence="4")
    assert set(ids) == carers and total == 5
    ids, total = await listed(b["viewer"], category="carer", min_influence="4")
    assert len(ids) == 3 and total == 3 and not set(ids) & carers  # tenant B's decoys only
    ids, total = await listed(a["viewer"], category="staff", min_influence="4")
    assert set(ids) == {str(imported[i].id) for i in (10, 11)} and total == 2
    ids, total = await listed(a["viewer"], category="carer", min_influence="5")
    assert ids == [] and total == 0
    first, _ = await listed(a["viewer"], category="carer", min_influence="4", sort="-updated_at", limit="2")
    r = await client.get(URL, params={"category": "carer", "min_influence": "4", "sort": "-updated_at", "limit": "2"},
                         headers=a["viewer"])
    second = await client.get(URL, params={"category": "carer", "min_influence": "4", "sort": "-updated_at",
                                           "limit": "3", "cursor": r.json()["next_cursor"]}, headers=a["viewer"])
    assert len(second.json()["items"]) == 3
    assert not {item["id"] for item in second.json()["items"]} & set(first)
