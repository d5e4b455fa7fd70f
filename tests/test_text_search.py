"""?q= is case-insensitive for every letter, not only ASCII ones: SQLite's lower() and LIKE fold A-Z alone, so a plan
titled "Écoute" was not found by ?q=écoute there, though PostgreSQL's ILIKE found it. Every list's q shares
api.crud.text_match (the stakeholders' list through a statement built once, with q as a bound parameter)."""

import pytest

from tests.feedback.support import COMMENT

LISTS = [  # a list, a record to create in it, and the field its ?q= searches
    pytest.param("/api/v1/plans", {}, "title", id="plans"),
    pytest.param("/api/v1/organisations", {}, "name", id="organisations"),
    pytest.param("/api/v1/stakeholders", {}, "name", id="stakeholders"),
    pytest.param("/api/v1/feedback", {k: v for k, v in COMMENT.items() if k != "external_id"}, "text", id="feedback"),
]


@pytest.mark.parametrize(("url", "body", "field"), LISTS)
@pytest.mark.parametrize(("stored", "q"), [
    pytest.param("Écoute: listening events", "écoute", id="upper-stored"),
    pytest.param("Café Zoë", "ZOË", id="upper-asked"),
    pytest.param("Ωmega Δέλτα", "δέλτα", id="greek"),  # not only Latin letters
])
async def test_q_matches_an_accented_letter_of_either_case(client, a, url, body, field, stored, q):
    for text in (stored, "Ecoute cafe zoe delta"):  # the unaccented spelling is another word: not found
        assert (await client.post(url, json={**body, field: text}, headers=a["lead"])).status_code == 201
    r = await client.get(url, params={"q": q}, headers=a["lead"])
    assert r.status_code == 200
    assert [item[field] for item in r.json()["items"]] == [stored]


async def test_q_keeps_wildcards_literal_and_empty_fields_out(client, a):
    """The folding leaves like_pattern's escapes alone, and a plan without a programme (NULL) is neither found by it
    nor an error."""
    for title in ("100% Écoute", "1000 ÉCOUTES"):
        assert (await client.post("/api/v1/plans", json={"title": title}, headers=a["lead"])).status_code == 201
    r = await client.get("/api/v1/plans", params={"q": "0% é"}, headers=a["viewer"])
    assert [p["title"] for p in r.json()["items"]] == ["100% Écoute"]
    r = await client.get("/api/v1/plans", params={"q": "0_ é"}, headers=a["viewer"])
    assert r.json()["items"] == []
