"""Security headers on every response; CORS only for the configured origins."""

import pytest

from tests.security.support import build_app, client_for

LISTED = "https://involve.trust.nhs.example"
UNLISTED = "https://evil.example"


def assert_common(r):
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("path,role", [("/api/v1/me", "viewer"), ("/api/v1/stakeholders", "lead"),
                                       ("/api/v1/stakeholders", None), ("/api/v1/no-such-thing", "lead")])
async def test_api_responses_are_nosniff_and_never_cached(client, a, path, role):
    r = await client.get(path, headers=a[role] if role else {})
    assert_common(r)
    assert r.headers["cache-control"] == "no-store"


async def test_errors_and_probes_carry_the_headers_too(client):
    for r in (await client.get("/healthz"), await client.get("/nowhere"), await client.request("TRACE", "/")):
        assert_common(r)


async def test_the_calendar_feed_keeps_its_own_cache_policy(client, a):
    r = await client.get("/api/v1/calendar.ics", headers=a["viewer"])
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, max-age=300"
    assert_common(r)


async def test_pages_get_a_strict_csp_without_inline_script(client):
    r = await client.get("/nowhere")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert "font-src 'self' https://assets.nhs.uk;" in csp  # the NHS.UK stylesheet's Frutiger, and no other host


async def test_the_api_docs_may_load_their_cdn_but_never_be_framed(client):
    r = await client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert_common(r)
    assert "cdn.jsdelivr.net" in r.headers["content-security-policy"]


@pytest.fixture(scope="module")
def cors_app(database_url):
    app = build_app(database_url, cors_origins=LISTED)

    @app.get("/api/v1/boom", include_in_schema=False)
    async def boom():
        raise RuntimeError("a bug")

    return app


async def test_an_unhandled_errors_500_carries_the_headers_too(cors_app, session):
    async with client_for(cors_app, session) as client:
        r = await client.get("/api/v1/boom", headers={"Origin": LISTED, "X-Request-ID": "trace-the-500"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert_common(r)
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-request-id"] == r.json()["request_id"] == "trace-the-500"
    assert r.headers["access-control-allow-origin"] == LISTED  # so the web client can read which request failed


async def test_listed_origin_gets_cors_headers(cors_app, session, a):
    async with client_for(cors_app, session) as client:
        r = await client.get("/api/v1/me", headers={**a["viewer"], "Origin": LISTED})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == LISTED
        assert "access-control-allow-credentials" not in r.headers
        preflight = await client.options("/api/v1/stakeholders", headers={
            "Origin": LISTED, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == LISTED
        assert "POST" in preflight.headers["access-control-allow-methods"]


async def test_unlisted_origin_gets_no_cors_headers(cors_app, session, a):
    async with client_for(cors_app, session) as client:
        r = await client.get("/api/v1/me", headers={**a["viewer"], "Origin": UNLISTED})
        assert "access-control-allow-origin" not in r.headers
        preflight = await client.options("/api/v1/stakeholders", headers={
            "Origin": UNLISTED, "Access-Control-Request-Method": "DELETE"})
        assert preflight.status_code >= 400 and "access-control-allow-origin" not in preflight.headers
        assert_common(preflight)


@pytest.mark.parametrize("origin,method", [(UNLISTED, "DELETE"), (LISTED, "TRACE")], ids=["origin", "method"])
async def test_refused_preflight_is_problem_json_without_any_cors_header(cors_app, session, a, origin, method):
    async with client_for(cors_app, session) as client:
        preflight = await client.options("/api/v1/stakeholders", headers={
            "Origin": origin, "Access-Control-Request-Method": method})
        assert preflight.status_code == 400
        assert preflight.headers["content-type"] == "application/problem+json"
        assert preflight.json()["type"].endswith("/cors-refused")
        assert not [name for name in preflight.headers if name.startswith("access-control-")]
        assert_common(preflight)


async def test_no_cors_at_all_without_configured_origins(client, a):
    r = await client.get("/api/v1/me", headers={**a["viewer"], "Origin": LISTED})
    assert "access-control-allow-origin" not in r.headers
