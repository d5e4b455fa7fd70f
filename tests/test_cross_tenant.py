"""The cross-tenant sweep, generated from the spec: tenant B's admin (who may do anything in B) calls every
operation that names an id with tenant A's ids and a valid body, and gets 404 — never 200, 403, 409 or 422,
which would tell it the row exists; and every list, export and report B can read (the GET operations
without an id) holds none of A's ids, names, emails or its tenant's id."""

import pytest

from tests.specworld import build_request, is_problem, make_world, operations, send

OPERATIONS = operations()
WITH_IDS = [op for op in OPERATIONS if op.path_params and not op.public]
COLLECTIONS = [op for op in OPERATIONS if op.method == "get" and not op.path_params]


@pytest.fixture(scope="module")
async def world():
    async for w in make_world("tenants"):
        yield w


async def test_every_path_id_names_a_row_of_tenant_a(world):
    """Otherwise the 404s below could come from ids that exist nowhere."""
    assert not world.unresolved, f"no row of tenant A could be created or listed for {sorted(world.unresolved)}"
    assert set(world.row_ids().values()) <= world.owned


@pytest.mark.parametrize("op", WITH_IDS, ids=lambda op: op.id)
async def test_another_tenants_ids_are_not_found(world, op):
    request = build_request(op, world.ids, world.generator())
    response = await send(world.client, request, world.headers["b"]["admin"])
    assert is_problem(response, 404), f"{op.method.upper()} {op.path}: {response.status_code} {response.text[:300]}"
    # Nothing in the answer tells B more of A's than the ids it sent.
    assert not [s for s in world.secrets | world.owned if s in response.text and s not in request.url]


@pytest.mark.parametrize("op", COLLECTIONS, ids=lambda op: op.id)
async def test_lists_and_exports_hold_none_of_another_tenants_rows(world, op):
    response = await send(world.client, build_request(op, world.ids, world.generator()), world.headers["b"]["admin"])
    assert response.status_code < 500, response.text[:300]
    leaked = [s for s in world.secrets | world.owned if s in response.text]
    assert not leaked, f"{op.method.upper()} {op.path} shows tenant A's {leaked}"
