"""An app of its own for each security test module, with its settings; each test gets fresh rate-limit counters."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from api.db import get_session
from api.main import create_app
from api.ratelimit import RateLimiter
from tests.conftest import make_settings


def build_app(database_url: str, **overrides):
    """Building an app's OpenAPI document costs seconds: tests share one per module."""
    return create_app(make_settings(database_url, **overrides))


@asynccontextmanager
async def client_for(app, session, *, address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app from this address, on the test's rolled-back session."""
    app.dependency_overrides[get_session] = lambda: session
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        app.dependency_overrides.pop(get_session, None)


def reset_limits(app) -> None:
    app.state.rate_limiter = RateLimiter(app.state.settings)


def assert_problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    return body
