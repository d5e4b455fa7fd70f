"""The role × operation matrix, generated from the spec: every operation, called by every role of tenant A
and without a token, with a request an allowed caller could send. The expected answer comes from the
operation's `x-roles` (published from its role dependency): denied roles get 403 problem+json, no token
gets 401, and an allowed role is never refused (any other status, 404 or 409 or 422, is its business). A success
carries an ETag exactly when the spec documents one for it."""

import pytest

from tests.conftest import ROLES
from tests.specworld import ANONYMOUS, build_request, is_problem, make_world, operations, send

CALLERS = (*ROLES, ANONYMOUS)
OPERATIONS = operations()


@pytest.fixture(scope="module")
async def world():
    async for w in make_world("matrix"):
        yield w


def test_every_operation_says_who_may_call_it():
    unmarked = [op.id for op in OPERATIONS if not op.roles]
    assert not unmarked, (f"no x-roles on {unmarked}: depend on api.deps' role aliases (require()), or declare "
                          "openapi_extra=roles_marker(...)/PUBLIC when the operation checks its caller itself")


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
async def test_role_gets_the_answer_its_x_roles_promise(world, op, caller):
    if not op.roles:
        pytest.fail(f"{op.id} has no x-roles")
    headers = {} if caller == ANONYMOUS else world.headers["a"][caller]
    response = await send(world.client, build_request(op, world.ids, world.generator()), headers)
    where = f"{op.method.upper()} {op.path} as {caller}: {response.status_code} {response.text[:300]}"
    if caller in op.roles:
        assert response.status_code not in (401, 403), where
        assert response.status_code < 500, where
        if 200 <= response.status_code < 300:
            documented = "ETag" in op.spec["responses"].get(str(response.status_code), {}).get("headers", {})
            assert ("etag" in response.headers) == documented, f"ETag sent and documented disagree: {where}"
    elif caller == ANONYMOUS:
        assert is_problem(response, 401), where
    else:
        assert is_problem(response, 403), where
