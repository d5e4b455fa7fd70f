"""Liveness, readiness, metrics, and logs that hold no personal data."""

import asyncio
import logging
import re

import httpx
import pytest
from prometheus_client import generate_latest
from sqlalchemy import text

from api.main import create_app
from api.observability import QUIET_LOGGERS, configure_logging
from tests.conftest import make_settings
from tests.race import POSTGRES_ONLY


async def test_healthz(client):
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_readyz_when_the_database_answers(client):
    assert (await client.get("/readyz")).status_code == 200


async def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(make_settings(f"sqlite:///{tmp_path}/missing-dir/nope/x.db"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        r = await c.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"


async def test_metrics_count_requests_by_route_template(client, session, a):
    await client.get("/api/v1/organisations", params={"q": "someone@example.org"}, headers=a["viewer"])
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert 'handler="/api/v1/organisations"' in r.text
    assert "someone@example.org" not in r.text


async def test_access_log_has_no_query_string_or_body(client, a, caplog):
    with caplog.at_level(logging.INFO, logger="api.access"):
        await client.get("/api/v1/organisations", params={"q": "jane.doe@example.org"}, headers=a["viewer"])
        await client.post("/api/v1/organisations", json={"name": "Jane Doe's Group", "email": "jane.doe@example.org"},
                          headers=a["lead"])
    records = [r for r in caplog.records if r.name == "api.access"]
    assert len(records) == 2
    assert records[0].path == "/api/v1/organisations" and records[0].status == 200
    everything = " ".join(str(vars(r)) for r in caplog.records)
    assert "jane.doe" not in everything and "Jane Doe" not in everything


@pytest.fixture
def debug_logging(caplog):
    """Logging as INVOLVE_LOG_LEVEL=DEBUG sets it up at start (api.main.app_factory), its records caught by caplog;
    the root logger and every level and switch it sets are put back after."""
    root, names = logging.getLogger(), ("api", "uvicorn", *QUIET_LOGGERS)
    switches = ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing")
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in names},
             {switch: getattr(logging, switch) for switch in switches}, logging.getLogger("uvicorn.access").disabled)
    configure_logging("DEBUG")
    root.addHandler(caplog.handler)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)
    for switch, value in saved[3].items():
        setattr(logging, switch, value)
    logging.getLogger("uvicorn.access").disabled = saved[4]


async def test_debug_turns_on_the_apps_loggers_never_a_librarys_that_logs_the_values(client, a, caplog,
                                                                                     debug_logging):
    """At DEBUG aiosqlite logs every statement with its bound values (and httpx every URL with its query): those
    stay at WARNING, so an email written to the register never reaches the log; the app's own loggers do go down
    to DEBUG."""
    r = await client.post("/api/v1/stakeholders", json={"name": "Percival Undershaw", "email": "percival@example.org"},
                          headers=a["lead"])
    assert r.status_code == 201, r.text
    assert logging.getLogger("api.db").isEnabledFor(logging.DEBUG)
    assert any(record.name == "api.access" for record in caplog.records)
    logged = " ".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records).lower()
    assert "percival" not in logged


async def test_access_log_names_the_route_template_never_the_ids(client, a, caplog):
    some_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    with caplog.at_level(logging.INFO, logger="api.access"):
        await client.get(f"/api/v1/organisations/{some_id}", headers=a["viewer"])
        await client.patch(f"/api/v1/organisations/{some_id}", json={"name": "X"},
                           headers={**a["lead"], "If-Match": '"1"'})
        await client.get("/api/v1/no-such-thing", headers=a["viewer"])
    records = [r for r in caplog.records if r.name == "api.access"]
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/api/v1/organisations/{organisation_id}", 404),
        ("PATCH", "/api/v1/organisations/{organisation_id}", 404),
        ("GET", "<unmatched>", 404)]


async def test_metrics_labels_never_carry_raw_paths_or_made_up_verbs(client, a):
    some_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    await client.get(f"/api/v1/no-such-thing/{some_id}", headers=a["viewer"])
    await client.request("BREW", f"/api/v1/stakeholders/{some_id}", headers=a["viewer"])
    text = (await client.get("/metrics")).text
    assert 'http_requests_total{handler="<unmatched>",method="GET",status="4xx"}' in text
    assert 'http_requests_total{handler="/api/v1/stakeholders/{stakeholder_id}",method="other",status="4xx"}' in text
    assert some_id not in text and "BREW" not in text


async def test_access_log_names_the_template_of_every_path(app, client, a, caplog):
    """Every path of the spec, its parameters filled with an id, is logged under its own template (the table behind
    the log is indexed by segments); a literal segment wins over a parameter in its place."""
    some_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    expected = {re.sub(r"\{[^}]+\}", some_id, template): template for template in app.openapi()["paths"]}
    expected |= {"/api/v1/stakeholders/grid": "/api/v1/stakeholders/grid", f"/api/v1/nope/{some_id}": "<unmatched>",
                 f"/api/v1/stakeholders/{some_id}/nope": "<unmatched>", "/api/v1": "<unmatched>"}
    assert len(expected) > 80
    with caplog.at_level(logging.INFO, logger="api.access"):
        for path in expected:
            await client.request("OPTIONS", path, headers=a["viewer"])
    logged = [r.path for r in caplog.records if r.name == "api.access"]
    assert logged == list(expected.values())


async def test_a_client_gone_before_any_answer_is_logged_499_not_500(app, caplog):
    """A client that disconnects mid-body is answered nothing: the log and the metrics say so (nginx's 499), where a
    500 would count it as a server error."""
    messages = [{"type": "http.request", "body": b'{"name": "Half', "more_body": True}, {"type": "http.disconnect"}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/v1/organisations", "raw_path": b"/api/v1/organisations", "query_string": b"",
             "root_path": "", "headers": [(b"host", b"test"), (b"content-type", b"application/json")],
             "client": ("127.0.0.1", 50000), "server": ("test", 80)}
    with caplog.at_level(logging.INFO, logger="api.access"):
        await app(scope, receive, send)
    assert sent == []
    record = [r for r in caplog.records if r.name == "api.access"][-1]
    assert (record.method, record.path, record.status) == ("POST", "/api/v1/organisations", 499)
    metrics = generate_latest(app.state.metrics_registry).decode()
    assert 'handler="/api/v1/organisations",method="POST",status="5xx"' not in metrics


async def test_metrics_need_the_scrape_token_when_one_is_set(database_url):
    app = create_app(make_settings(database_url, metrics_token="scrape-secret-0123456789"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        refused = [await c.get("/metrics", headers=headers) for headers in (
            {}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic scrape-secret-0123456789"},
            {"Authorization": "Bearer scrape-secret-0123456789x"},
            {"Authorization": "Bearer caf\u00e9".encode("latin-1")})]  # a non-ASCII header is a 401, not a 500
        allowed = await c.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"})
    assert [r.status_code for r in refused] == [401] * 5
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    assert all("http_requests_total" not in r.text for r in refused)
    assert allowed.status_code == 200 and "http_request_duration_seconds" in allowed.text


@POSTGRES_ONLY
async def test_readyz_answers_503_in_time_when_every_connection_is_busy(database_url):
    """The probe's two seconds include taking a connection: a saturated pool is 503 before the pool's own timeout
    (60 s here; an orchestrator's probe would have given up), and the connection it waited for is not kept."""
    app = create_app(make_settings(database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=60))
    engine = app.state.db.engine
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            r = await asyncio.wait_for(c.get("/readyz"), timeout=20)  # not a speed check: the old probe hung 60 s
            assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
        assert (await c.get("/readyz")).status_code == 200
        assert engine.pool.checkedout() == 0
    await app.state.db.dispose()
