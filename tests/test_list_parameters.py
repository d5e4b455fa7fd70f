"""Every list refuses a query parameter it does not take, or one given twice, as the exports and imports do: a
misspelt filter would otherwise list everyone, and a repeated one would be taken at its last value, both unsaid."""

import re
import uuid

import pytest

from tests import factories

STAKEHOLDERS = "/api/v1/stakeholders"


def _lists(app) -> list[tuple[str, list[str]]]:
    """Every list operation (it pages by cursor) with its documented query parameters, path ids filled in."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        get = operations.get("get")
        names = [p["name"] for p in (get or {}).get("parameters", []) if p["in"] == "query"]
        if "cursor" in names:
            found.append((re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path), names))
    return found


def test_the_lists_are_found(app):
    assert len(_lists(app)) >= 15


async def test_every_list_refuses_an_unknown_parameter(client, app, a):
    for path, _ in _lists(app):
        r = await client.get(path, params={"catgory": "carer"}, headers=a["admin"])
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", (path, r.text)
        assert r.json()["errors"] == [{"loc": ["query", "catgory"], "msg": "Unknown query parameter",
                                       "type": "extra_forbidden"}], path


async def test_every_parameter_a_list_documents_is_known(client, app, a):
    for path, names in _lists(app):
        r = await client.get(path, params={name: "x" for name in names}, headers=a["admin"])
        assert not [e for e in r.json().get("errors", []) if e.get("type") in ("extra_forbidden", "repeated")], path


@pytest.mark.parametrize("query", ["category=carer&category=patient", "limit=1&limit=2", "sort=name&sort=-name"])
async def test_a_parameter_given_twice_is_refused_not_taken_at_its_last_value(client, session, a, query):
    await factories.stakeholder(session, a.tenant, name="Margaret Carer", categories=["carer"])
    await factories.stakeholder(session, a.tenant, name="Peter Patient", categories=["patient"])
    await session.commit()
    r = await client.get(f"{STAKEHOLDERS}?{query}", headers=a["lead"])
    assert r.status_code == 422 and "Repeated query parameter" in r.json()["detail"], r.text
    assert "Margaret" not in r.text and "Peter" not in r.text


async def test_the_refusal_comes_after_the_sign_in(client, a):
    r = await client.get(f"{STAKEHOLDERS}?catgory=carer")
    assert r.status_code == 401


async def test_a_list_with_its_own_parameters_still_answers(client, session, a):
    await factories.stakeholder(session, a.tenant, name="Margaret Carer", categories=["carer"])
    await session.commit()
    r = await client.get(STAKEHOLDERS, params={"category": "carer", "limit": 5, "sort": "name"}, headers=a["lead"])
    assert r.status_code == 200 and [s["name"] for s in r.json()["items"]] == ["Margaret Carer"], r.text
