"""HEAD is answered wherever GET is (RFC 9110 § 9.3.2): the GET's status and headers (the server sends no body)."""

import logging

import httpx
from fastapi.responses import StreamingResponse

from api.main import create_app
from tests import factories
from tests.conftest import make_settings

STAKEHOLDERS = "/api/v1/stakeholders"


async def test_head_of_a_stakeholder_has_the_get_headers(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Ann Example", email="ann@example.org")
    await session.commit()
    for role in ("admin", "lead", "contributor", "viewer", "auditor"):
        got = await client.get(f"{STAKEHOLDERS}/{person.id}", headers=a[role])
        head = await client.head(f"{STAKEHOLDERS}/{person.id}", headers=a[role])
        assert head.status_code == 200, role
        for name in ("etag", "content-type", "content-length", "cache-control"):
            assert head.headers[name] == got.headers[name], (role, name)


async def test_head_of_lists_exports_and_probes_is_200(client, session, a):
    await factories.stakeholder(session, a.tenant, name="Ann Example")
    await session.commit()
    for path in (STAKEHOLDERS, f"{STAKEHOLDERS}?limit=1", "/api/v1/exports/stakeholders?format=csv", "/healthz"):
        r = await client.head(path, headers=a["lead"])
        assert r.status_code == 200, path
    assert (await client.head("/api/v1/exports/stakeholders?format=csv", headers=a["lead"])) \
        .headers["content-type"].startswith("text/csv")


async def test_head_keeps_the_get_rules(client, session, a, b):
    theirs = await factories.stakeholder(session, b.tenant, name="Bo Other")
    await session.commit()
    r = await client.head(f"{STAKEHOLDERS}/{theirs.id}", headers=a["admin"])
    assert r.status_code == 404
    assert (await client.head(STAKEHOLDERS)).status_code == 401
    assert (await client.head("/api/v1/exports/stakeholders", headers=a["viewer"])).status_code == 403
    assert (await client.head(f"{STAKEHOLDERS}?limit=501", headers=a["lead"])).status_code == 422


async def test_head_of_an_operation_without_get_is_405(client, a):
    r = await client.head("/api/v1/auth/token")
    assert r.status_code == 405 and r.headers["allow"] == "POST"


async def test_the_access_log_and_metrics_name_head(client, a, caplog):
    with caplog.at_level(logging.INFO, logger="api.access"):
        await client.head(STAKEHOLDERS, headers=a["viewer"])
    assert [(r.method, r.path, r.status) for r in caplog.records if r.name == "api.access"] == [
        ("HEAD", STAKEHOLDERS, 200)]
    text = (await client.get("/metrics")).text
    assert f'http_requests_total{{handler="{STAKEHOLDERS}",method="HEAD",status="2xx"}}' in text


async def test_a_trailing_slash_is_redirected_relative_to_the_host_asked(client, a):
    r = await client.get("/api/v1/stakeholders/?limit=1", headers={**a["lead"], "Host": "evil.example"})
    assert r.status_code == 307 and r.headers["location"] == "/api/v1/stakeholders?limit=1"
    r = await client.post("/api/v1/organisations/", json={"name": "X"}, headers=a["lead"])
    assert r.status_code == 307 and r.headers["location"] == "/api/v1/organisations"
    assert (await client.get("/healthz/")).headers["location"] == "/healthz"
    for path in ("/api/v1/no-such-thing/", "//evil.example/", "/api/v1/stakeholders//x/"):
        r = await client.get(path, headers=a["lead"])  # 404, or the web client's page where it is built
        assert r.status_code in (200, 404) and "location" not in r.headers, path


async def test_a_head_of_a_streamed_answer_stops_its_producer_after_the_headers(database_url, session):
    """A HEAD of an export would otherwise run the whole export for a body the server drops."""
    app = create_app(make_settings(database_url))
    produced: list[int] = []

    async def chunks():
        for n in range(3):
            produced.append(n)
            yield b"row\n"

    @app.get("/streamed", summary="A streamed answer", tags=["test"])
    async def streamed():
        return StreamingResponse(chunks(), media_type="text/csv", headers={"X-Rows": "3"})

    app.openapi_schema = app.state.route_table = None  # the guard's routes come from the spec: made again with it
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        head = await c.head("/streamed")
        assert (head.status_code, head.headers["x-rows"], head.content, produced) == (200, "3", b"", [0])
        got = await c.get("/streamed")
        assert (got.content, produced) == (b"row\n" * 3, [0, 0, 1, 2])
