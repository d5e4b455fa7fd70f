"""The committed contract matches the code, and every operation is documented as partners need."""

import json
import uuid
from pathlib import Path

import pytest

from api.guards import is_json
from api.openapi import render

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
SPEC = json.loads(render())
OPERATIONS = [(path, method, op) for path, item in SPEC["paths"].items() for method, op in item.items()]


def test_committed_spec_matches_the_code():
    assert SPEC_PATH.read_text() == render(), "openapi/openapi.json is stale: run `make openapi`"


@pytest.mark.parametrize("path,method,op", OPERATIONS, ids=[f"{m.upper()} {p}" for p, m, _ in OPERATIONS])
def test_operation_is_fully_documented(path, method, op):
    assert op.get("summary"), "summary"
    assert op.get("tags"), "tags"
    assert op["operationId"].startswith(op["tags"][0] + "-")
    assert op.get("description"), "description (the handler's docstring)"
    if path.startswith("/api/v1/"):
        problems = [code for code, resp in op["responses"].items()
                    if code.startswith(("4", "5")) and "application/problem+json" in resp.get("content", {})]
        assert {"400", "401", "403", "422", "500"} <= set(problems) or path == "/api/v1/auth/token"
    if "requestBody" in op:
        content = op["requestBody"]["content"]
        schema = next(iter(content.values()))["schema"]
        if "$ref" in schema:
            schema = SPEC["components"]["schemas"][schema["$ref"].split("/")[-1]]
        assert schema.get("additionalProperties") is False or "application/x-www-form-urlencoded" in content


def test_security_schemes_declare_bearer_and_oauth2():
    schemes = SPEC["components"]["securitySchemes"]
    assert schemes["BearerJWT"]["scheme"] == "bearer"
    assert schemes["OAuth2"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"


def test_every_schema_property_is_described():
    missing = [f"{name}.{prop}" for name, schema in SPEC["components"]["schemas"].items()
               if not name.startswith(("HTTPValidationError", "ValidationError", "Body_"))
               for prop, spec in schema.get("properties", {}).items() if "description" not in spec]
    assert missing == []


def test_every_201_documents_its_location_but_the_calendar_tokens():
    """idempotency.created() (and the scrutiny record's PUT) send Location with each 201; a calendar token has no URL
    of its own, so its 201 sends none and must declare none (README, "Where the API departs ...")."""
    assert "Location" in SPEC["components"]["headers"]
    without = {f"{method.upper()} {path}" for path, method, op in OPERATIONS
               if "201" in op["responses"] and "Location" not in op["responses"]["201"].get("headers", {})}
    assert without == {"POST /api/v1/calendar-tokens"}


async def test_a_201_sends_location_exactly_when_it_declares_one(client, a):
    for path, body in (("/api/v1/organisations", {"name": "Bridport Medical Centre", "kind": "gp_practice"}),
                       ("/api/v1/calendar-tokens", {"label": "Intranet events page"})):
        r = await client.post(path, json=body, headers=a["lead"])
        assert r.status_code == 201, r.text
        declared = "Location" in SPEC["paths"][path]["post"]["responses"]["201"].get("headers", {})
        assert ("location" in r.headers) == declared, path


def test_413_and_415_are_declared_only_where_a_body_can_be_refused():
    """The request guard caps the body of every POST, PUT, PATCH and DELETE (413), whether or not it declares one, and
    refuses a non-JSON body only where a JSON one is declared (415); a GET's body is never read. Imports and uploads
    cap and type their own bodies and declare both themselves."""
    wrong = []
    for path, method, op in OPERATIONS:
        if not path.startswith("/api/v1/"):
            continue
        responses, body = op["responses"], op.get("requestBody", {}).get("content", {})
        if ("413" in responses) != (method in ("post", "put", "patch", "delete")):
            wrong.append(f"413 {method.upper()} {path}")
        if ("415" in responses and not body) or (body and all(is_json(t) for t in body) and "415" not in responses):
            wrong.append(f"415 {method.upper()} {path}")
    assert wrong == []


async def test_a_get_ignores_a_body_that_a_delete_refuses(client, a):
    # What the test above assumes of the guard: a body over the cap is no matter to a GET, but is to a DELETE.
    big = {"content": b"x" * (2 * 1024 * 1024), "headers": {**a["admin"], "Content-Type": "text/plain"}}
    assert (await client.request("GET", "/api/v1/stakeholders", **big)).status_code == 200
    assert (await client.request("DELETE", f"/api/v1/plans/{uuid.uuid4()}", **big)).status_code == 413
