"""Every error is problem+json; an unexpected one says nothing but its request id."""

import errno
import logging

import httpx
import pytest
from sqlalchemy.exc import DBAPIError

from api.db import get_session
from api.errors import database_fault
from api.main import create_app
from tests.conftest import make_settings


async def test_unknown_route_is_404_problem(client):
    r = await client.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 404 and r.json()["instance"] == "/api/v1/no-such-thing"


async def test_wrong_method_is_405_problem_with_allow(client, a):
    r = await client.put("/api/v1/organisations", json={}, headers=a["admin"])
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    assert set(r.headers["allow"].split(", ")) >= {"GET", "POST"}


async def test_allow_names_the_literal_path_not_a_parameter_in_its_place(client, a):
    """/stakeholders/grid is the grid's (GET only), though /stakeholders/{stakeholder_id} is listed before it."""
    r = await client.request("OPTIONS", "/api/v1/stakeholders/grid", headers=a["admin"])
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    r = await client.request("OPTIONS", f"/api/v1/stakeholders/{a.users['admin'].id}", headers=a["admin"])
    assert r.status_code == 405 and r.headers["allow"] == "DELETE, GET, HEAD, PATCH"


async def test_allow_names_the_methods_of_pages_outside_the_spec(client):
    for path in ("/docs", "/redoc", "/openapi.json"):
        r = await client.post(path)
        assert r.status_code == 405 and "GET" in r.headers["allow"].split(", "), path


async def test_validation_problem_lists_field_errors_without_echoing_input(client, a):
    r = await client.post("/api/v1/organisations", json={"name": "x", "email": "secret-value"}, headers=a["lead"])
    body = r.json()
    assert r.status_code == 422 and body["type"].endswith("/validation")
    assert body["errors"][0]["loc"] == ["body", "email"]
    assert "secret-value" not in r.text


async def test_request_id_is_returned_and_a_safe_incoming_one_kept(client):
    r = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert r.headers["x-request-id"] != "bad id\twith spaces" and len(r.headers["x-request-id"]) == 32


@pytest.fixture
async def crashing_client(database_url, session):
    app = create_app(make_settings(database_url))
    app.dependency_overrides[get_session] = lambda: session

    @app.get("/boom", include_in_schema=False)
    async def boom():
        raise RuntimeError("internal detail: password=hunter2")

    @app.get("/disk-full", include_in_schema=False)
    async def disk_full():
        raise OSError(errno.ENOSPC, "No space left on device")

    @app.get("/bad-value", include_in_schema=False)
    async def bad_value():  # as asyncpg words a value it cannot bind, inside SQLAlchemy's wrapper
        orig = _Adapted("invalid input for query argument $2: 'ann.example@nhs.net' (expected str, got bytes)")
        orig.sqlstate = "22000"
        raise DBAPIError("SELECT * FROM stakeholder WHERE email = $2", ("ann.example@nhs.net",), orig)

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_an_os_error_not_the_databases_is_a_500_not_database_unreachable(crashing_client, caplog):
    """A full disk (say, spooling an upload) is the server's fault: a 503 "database unreachable" would send the
    operators to the database and tell the client a retry will do."""
    with caplog.at_level(logging.WARNING, logger="api.errors"):
        r = await crashing_client.get("/disk-full")
    assert r.status_code == 500 and r.json()["title"] == "Internal server error", r.text
    assert "retry-after" not in r.headers
    assert [rec.getMessage() for rec in caplog.records if rec.name == "api.errors"] == ["unhandled error"]


async def test_unexpected_error_is_500_with_request_id_and_no_leak(crashing_client, caplog):
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        r = await crashing_client.get("/boom", headers={"X-Request-ID": "trace-me"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["request_id"] == "trace-me"
    assert "hunter2" not in r.text and "Traceback" not in r.text
    logged = [rec for rec in caplog.records if rec.name == "api.errors"]
    assert logged and logged[0].request_id == "trace-me" and logged[0].exc_info is not None


async def test_a_database_error_is_logged_without_the_value_the_driver_quotes(crashing_client, caplog):
    # The driver puts the value it could not bind in its message, and a traceback would carry it to the log.
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        r = await crashing_client.get("/bad-value", headers={"X-Request-ID": "db-error"})
    assert r.status_code == 500 and r.json()["request_id"] == "db-error", r.text
    [logged] = [rec for rec in caplog.records if rec.name == "api.errors"]
    assert logged.getMessage() == "database error _Adapted (SQLSTATE 22000) at ?"  # raised outside api/ here
    assert logged.exc_info is None and "ann.example" not in caplog.text


@pytest.mark.parametrize("path", ["/api/v1/organisations?q=a%00b", "/api/v1/stakeholders?tag=%00"])
async def test_nul_in_the_query_string_is_400(client, a, path):
    for headers in (a["viewer"], {}):  # refused before anything else looks at the request, token or not
        r = await client.get(path, headers=headers)
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["detail"] == "The query string contains a NUL character"


async def test_nul_in_a_body_text_is_422(client, a):
    r = await client.post("/api/v1/organisations", json={"name": "a\u0000b"}, headers=a["lead"])
    assert r.status_code == 422


@pytest.mark.parametrize("url,body", [
    ("/api/v1/stakeholders", {"name": "X", "job_title": "a\u0000b"}),
    ("/api/v1/stakeholders", {"name": "X", "interpreter_language": "Urdu\u0000"}),
    ("/api/v1/organisations", {"name": "X", "website": "https://a\u0000b.example"}),
])
async def test_nul_in_any_text_field_is_422(client, a, url, body):
    r = await client.post(url, json=body, headers=a["lead"])
    assert r.status_code == 422, r.text


class _Adapted(Exception):
    """Stands for the DB-API adapter's error, wrapping the driver's as its cause (as asyncpg's adapter does)."""


class ConnectionDoesNotExistError(Exception):  # asyncpg's name, matched by name
    pass


class _Cancelled(Exception):
    sqlstate = "57014"


def _wrapped(cause: BaseException | None) -> DBAPIError:
    orig = _Adapted("driver error")
    orig.__cause__ = cause
    return DBAPIError("SELECT 1", {}, orig)


@pytest.mark.parametrize("cause,fault", [
    (ConnectionDoesNotExistError(), "connection"),
    (ConnectionResetError(), "connection"),
    (_Cancelled(), "timeout"),
    (ValueError("a refused statement"), None),
    (None, None),
])
def test_a_driver_error_is_classified_from_the_error_it_wraps(cause, fault):
    assert database_fault(_wrapped(cause)) == fault


def test_an_invalidated_connection_is_a_connection_fault():
    assert database_fault(DBAPIError("SELECT 1", {}, _Adapted(), connection_invalidated=True)) == "connection"
