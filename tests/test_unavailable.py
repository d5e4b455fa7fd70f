"""A database that cannot be reached is a 503 problem+json with Retry-After, quickly, never a 500."""

import time
import uuid

import httpx

from api.main import create_app
from tests.conftest import free_port, make_settings


async def test_an_unreachable_database_answers_503_with_retry_after():
    app = create_app(make_settings(f"postgresql://postgres@127.0.0.1:{free_port()}/involve",
                                   db_connect_timeout=1))
    token, _ = app.state.tokens.issue(subject_id=uuid.uuid4(), subject_kind="user",
                                      tenant_id=uuid.uuid4(), role="admin")
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        started = time.monotonic()
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        ready = await client.get("/readyz")
    await app.state.db.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "2"
    assert response.json()["title"] == "Service unavailable"
    assert time.monotonic() - started < 5
    assert ready.status_code == 503
