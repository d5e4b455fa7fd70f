"""Every write (POST, PUT, PATCH, DELETE) refuses a query parameter it does not take, or one given twice, as the lists,
exports and imports do: POST /stakeholders?dry_run=true wrote for real, unsaid. The refusal comes once the caller's
role is admitted (a role that may not write gets its 403) and before anything is written."""

import httpx
import pytest

from api.models import AuditEvent, Stakeholder
from tests import factories
from tests.conftest import ROLES
from tests.imports.support import count
from tests.specworld import ANONYMOUS, BodyGenerator, build_request, is_problem, operations, send

STAKEHOLDERS = "/api/v1/stakeholders"
UNKNOWN = "dryrun"  # no write takes it; the imports' dry_run misspelt
# Writes that keep ignoring what they do not know, and why. The token grant: RFC 6749 § 3.2 has a token endpoint
# ignore the parameters it does not recognise (it checks no role, so api.query_params never sees it).
EXEMPT = {("post", "/api/v1/auth/token")}
WRITES = [op for op in operations() if op.method in ("post", "put", "patch", "delete")]


def _documented(op) -> list[dict]:
    return [p for p in op.spec.get("parameters", []) if p["in"] == "query"]


def _request(op, query: str, generator: BodyGenerator):
    """A request an allowed caller could send (a valid body, random path ids), with `query` added."""
    request = build_request(op, {}, generator)
    request.url += ("&" if "?" in request.url else "?") + query
    return request


def test_the_writes_are_found():
    assert len(WRITES) >= 60


async def test_every_write_refuses_an_unknown_parameter_and_writes_nothing(client, session, a):
    events, people = await count(session, a.tenant, AuditEvent), await count(session, a.tenant, Stakeholder)
    generator = BodyGenerator({}, "writes")
    for op in WRITES:
        if (op.method, op.path) in EXEMPT:
            continue
        r = await send(client, _request(op, f"{UNKNOWN}=true", generator), a["admin"])
        where = f"{op.method.upper()} {op.path}: {r.status_code} {r.text[:300]}"
        assert is_problem(r, 422), where
        assert r.json()["errors"] == [
            {"loc": ["query", UNKNOWN], "msg": "Unknown query parameter", "type": "extra_forbidden"}
        ], where
        for param in _documented(op):  # only the imports take any
            name = param["name"]
            given = httpx.QueryParams({name: generator.value(param.get("schema", {}), name)})
            r = await send(client, _request(op, f"{given}&{given}", generator), a["admin"])
            assert is_problem(r, 422) and r.json()["errors"] == [
                {"loc": ["query", name], "type": "repeated", "msg": "Repeated query parameter"}
            ], where
    assert await count(session, a.tenant, AuditEvent) == events  # every write appends to the audit trail
    assert await count(session, a.tenant, Stakeholder) == people
    sign_in = {"grant_type": "password", "username": a.users["admin"].email, "password": factories.PASSWORD}
    r = await client.post(f"/api/v1/auth/token?{UNKNOWN}=true", data=sign_in)
    assert r.status_code == 200 and r.json()["access_token"], r.text  # exempt (EXEMPT)


async def test_the_refusal_comes_after_the_sign_in_and_the_role_check(client, a):
    generator = BodyGenerator({}, "writes")
    for op in WRITES:
        if ANONYMOUS in op.roles:
            continue
        request = _request(op, f"{UNKNOWN}=true", generator)
        assert is_problem(await send(client, request, {}), 401), op.id
        denied = next((role for role in ROLES if role not in op.roles), None)
        if denied is not None:  # verifying an evidence pack is every role's
            assert is_problem(await send(client, request, a[denied]), 403), (op.id, denied)
        allowed = next(role for role in ROLES if role in op.roles)
        assert is_problem(await send(client, request, a[allowed]), 422), (op.id, allowed)


async def test_a_stakeholder_created_with_an_unknown_dry_run_is_not_created(client, session, a):
    r = await client.post(f"{STAKEHOLDERS}?dry_run=true", headers=a["lead"], json={"name": "Margaret Carer"})
    assert r.status_code == 422 and "dry_run" in r.json()["detail"], r.text
    assert await count(session, a.tenant, Stakeholder) == 0


@pytest.mark.parametrize("query", ["dry_run=true", "name=Changed", "dry_run=true&dry_run=true"])
async def test_a_stakeholder_updated_or_archived_with_a_stray_parameter_is_left_as_it_was(client, session, a, query):
    person = await factories.stakeholder(session, a.tenant, name="Margaret Carer")
    await session.commit()
    read = await client.get(f"{STAKEHOLDERS}/{person.id}", headers=a["lead"])
    if_match = {**a["lead"], "If-Match": read.headers["etag"]}
    r = await client.patch(f"{STAKEHOLDERS}/{person.id}?{query}", headers=if_match, json={"name": "Changed"})
    assert is_problem(r, 422) and r.json()["errors"][0]["loc"][0] == "query", r.text
    r = await client.delete(f"{STAKEHOLDERS}/{person.id}?{query}", headers=if_match)
    assert is_problem(r, 422), r.text
    again = await client.get(f"{STAKEHOLDERS}/{person.id}", headers=a["lead"])
    assert again.status_code == 200 and again.json() == read.json(), again.text
