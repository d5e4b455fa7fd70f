"""The Python client's retries, and `involve import` / `involve export` against a live server on a random port
(its own scratch database: the server commits for real)."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from involve_client import Client, ImportRefused
from typer.testing import CliRunner

from api.cli import app as cli
from api.db import Database
from api.main import create_app
from api.migrate import upgrade
from tests import factories
from tests.conftest import free_port, make_settings
from tests.dbtools import scratch_database_url

runner = CliRunner()
CSV_BODY = "external_id,name,email,tags\nCRM-1,Margaret Okafor,margaret@example.org,=west;carers\nCRM-2,Tom Hardy,,\n"


def _report(created=2, failed=0, errors=()):
    return {"resource": "stakeholders", "format": "csv", "dry_run": False, "rows": 2, "created": created,
            "updated": 0, "skipped": 0, "failed": failed, "errors": list(errors), "body_sha256": "0" * 64}


def test_the_client_retries_transient_failures_with_the_same_key(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CSV_BODY)
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers["idempotency-key"], request.read()))
        if len(seen) == 1:
            raise httpx.ConnectError("connection refused")
        if len(seen) == 2:
            return httpx.Response(503, json={"title": "Unavailable"})
        if len(seen) == 3:
            return httpx.Response(429, headers={"Retry-After": "0"}, json={"title": "Too many"})
        return httpx.Response(200, json=_report(), headers={"Idempotent-Replayed": "true"})

    with Client("http://involve.test", "t", backoff=0, transport=httpx.MockTransport(handler)) as client:
        report = client.import_file("stakeholders", path, on_conflict="update")
    assert report.created == 2 and report.replayed
    assert len(seen) == 4 and len({key for key, _ in seen}) == 1
    assert all(body == CSV_BODY.encode() for _, body in seen)  # the whole file again on every attempt


def test_the_client_gives_up_after_its_retries_and_does_not_retry_a_refusal(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CSV_BODY)
    calls = []

    def refuse(request):
        calls.append(1)
        return httpx.Response(422, json={"title": "Rows failed", "errors": [
            {"loc": ["body", 2, "email"], "msg": "bad", "row": 2, "field": "email", "message": "bad"}]})

    with Client("http://involve.test", "t", backoff=0, transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(ImportRefused) as refused:
            client.import_file("stakeholders", path)
    assert len(calls) == 1 and refused.value.errors[0].row == 2

    def down(request):
        raise httpx.ConnectError("down")

    with Client("http://involve.test", "t", retries=2, backoff=0, transport=httpx.MockTransport(down)) as client:
        with pytest.raises(httpx.ConnectError):
            client.import_file("stakeholders", path)


@contextlib.contextmanager
def _serving(app):
    """`app` on uvicorn, in a thread, on a free port: its address."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_app():
    """The app on a scratch database, and a lead's token."""
    url = scratch_database_url("bulk_cli")
    upgrade(url)
    settings = make_settings(url, db_null_pool=True)
    app = create_app(settings)

    async def seed():
        db = Database(settings)
        async with db.write_sessions() as session:
            tenant = await factories.tenant(session, slug="cli-bulk")
            user = await factories.user(session, tenant, role="lead")
            await session.commit()
        await db.dispose()
        return user

    user = asyncio.run(seed())
    return app, factories.auth_headers(app, user)["Authorization"].removeprefix("Bearer ")


@pytest.fixture(scope="module")
def live(live_app):
    """A real server on that database and the lead's token."""
    app, token = live_app
    with _serving(app) as url:
        yield url, token


def test_involve_import_and_export_round_trip(live, tmp_path):
    url, token = live
    source = tmp_path / "people.csv"
    source.write_text(CSV_BODY)
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--token", token,
                            "--dry-run"])
    assert r.exit_code == 0 and "dry run: would have created 2" in r.output, r.output
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--token", token,
                            "--idempotency-key", "cli-run-1"])
    assert r.exit_code == 0 and "created 2, updated 0" in r.output, r.output
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--token", token,
                            "--idempotency-key", "cli-run-1"])
    assert r.exit_code == 0 and "(replayed)" in r.output
    exported = tmp_path / "out.csv"
    r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", token,
                            "--output", str(exported)], env={"INVOLVE_TOKEN": token})
    assert r.exit_code == 0, r.output
    lines = exported.read_text().splitlines()
    assert len(lines) == 3 and "'=west;carers" in lines[1]
    r = runner.invoke(cli, ["import", str(exported), "--resource", "stakeholders", "--url", url,
                            "--on-conflict", "update"], env={"INVOLVE_TOKEN": token})
    assert r.exit_code == 0 and "updated 2" in r.output, r.output
    r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", token, "--format",
                            "ndjson", "--filter", "q=Margaret"])
    assert r.exit_code == 0 and r.stdout.count("\n") == 1 and '"Margaret Okafor"' in r.stdout


def test_involve_import_prints_the_row_errors_and_exits_non_zero(live, tmp_path):
    url, token = live
    source = tmp_path / "broken.csv"
    source.write_text("name,email\nGood Person,good@example.org\nBad Person,not-an-email\n")
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--token", token])
    assert r.exit_code == 1
    assert "refused, nothing was written" in r.output and "row 2, email:" in r.output
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--token", token,
                            "--on-error", "skip"])
    assert r.exit_code == 3 and "created 1" in r.output and "row 2, email:" in r.output
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--token", "bad"])
    assert r.exit_code == 1 and "401" in r.output
    r = runner.invoke(cli, ["import", str(source), "--url", url, "--token", token])  # no --resource
    assert r.exit_code == 2 and "--resource" in r.output  # a usage error, told apart from skipped rows (3)


def test_involve_export_reports_a_refusal_in_one_line(live, tmp_path):
    url, token = live
    r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", "bad",
                            "--output", str(tmp_path / "out.csv")])
    assert r.exit_code == 1 and "error: 401" in r.output, repr(r.output)
    assert list(tmp_path.iterdir()) == []  # no empty out.csv left behind
    kept = tmp_path / "kept.csv"
    kept.write_text("an earlier export\n")
    r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", "bad",
                            "--output", str(kept)])
    assert r.exit_code == 1 and kept.read_text() == "an earlier export\n"
    assert list(tmp_path.iterdir()) == [kept]
    r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", token,
                            "--filter", "catgory=carer", "--output", str(tmp_path / "typo.csv")])
    assert r.exit_code == 1 and "422" in r.output and "catgory" in r.output, repr(r.output)
    assert list(tmp_path.iterdir()) == [kept]
    r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", "t", "--filter", "q"])
    assert r.exit_code == 2 and "a filter is name=value" in r.output  # a usage error, before anything is sent


@pytest.mark.parametrize("args", [
    ["import", "{file}", "--resource", "organisation"],           # a resource that is not one
    ["import", "{file}", "--resource", "stakeholders", "--on-conflict", "bogus"],
    ["import", "{file}", "--resource", "stakeholders", "--on-error", "later"],
    ["import", "{file}", "--resource", "stakeholders", "--format", "xml"],  # was a KeyError's traceback
    ["export", "--resource", "stakeholders", "--format", "json"],
    ["export", "--resource", "stakeholders", "--filter", "kind"],  # no '='
    ["export", "--resource", "stakeholders", "--filter", "=person"],
    ["export", "--resource", "stakeholders", "--output", "{missing}/out.csv"],  # was a FileNotFoundError's traceback
])
def test_a_value_the_api_would_refuse_is_a_usage_error_before_anything_is_sent(tmp_path, args):
    source = tmp_path / "people.csv"
    source.write_text(CSV_BODY)
    args = [a.format(file=source, missing=tmp_path / "no-such-folder") for a in args]
    # Port 9 (discard) on this machine: were anything sent, the command would fail to connect, exit 1.
    r = runner.invoke(cli, [*args, "--url", "http://127.0.0.1:9", "--token", "t"])
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output and "cannot reach" not in r.output
    assert not (tmp_path / "no-such-folder").exists()


def test_the_url_may_end_in_a_slash_or_name_the_api_itself(live, tmp_path):
    url, token = live
    for given in (f"{url}/", f"{url}/api/v1", f"{url}/api/v1/"):
        r = runner.invoke(cli, ["export", "--resource", "organisations", "--url", given, "--token", token])
        assert r.exit_code == 0 and r.stdout.startswith("id,external_id,name"), (given, r.output)


@pytest.mark.parametrize("url", ["127.0.0.1:9", "ftp://127.0.0.1:9", "http://"])
@pytest.mark.parametrize("command", [["export"], ["import", "{file}"]])
def test_an_address_that_is_not_http_is_a_usage_error_not_a_run_of_retries(tmp_path, url, command):
    source = tmp_path / "people.csv"
    source.write_text(CSV_BODY)
    args = [a.format(file=source) for a in command]
    # It was retried as a connection error (about 15 s of back-off), then "cannot reach", exit 1.
    r = runner.invoke(cli, [*args, "--resource", "stakeholders", "--url", url, "--token", "t"])
    assert r.exit_code == 2 and "http:// or https://" in r.output, r.output
    assert "cannot reach" not in r.output


def test_a_token_with_a_stray_line_end_or_a_key_not_ascii_is_a_usage_error_that_never_shows_the_token(live, tmp_path):
    # A token file saved with Windows line ends: $(cat token.txt) keeps its \r. httpx refused the header with an error
    # quoting it (the token printed), after five retries as a connection error.
    url, token = live
    source = tmp_path / "people.csv"
    source.write_text("name\nStray Line End\n")
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--dry-run"],
                      env={"INVOLVE_TOKEN": token + "\r"})  # surrounding whitespace is only trimmed
    assert r.exit_code == 0, r.output
    for bad in (token[:20] + "\r" + token[20:], token + "…"):
        r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url], env={"INVOLVE_TOKEN": bad})
        assert r.exit_code == 2 and "visible ASCII" in r.output and token[:20] not in r.output, r.output
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--token", token,
                            "--idempotency-key", "nightly-café"])
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output


def test_a_failed_import_tells_the_key_that_retries_it_safely(live, tmp_path):
    # Had the server taken the rows and the answer been lost, a rerun with a new key would import them twice.
    url, _ = live
    source = tmp_path / "people.csv"
    source.write_text(CSV_BODY)
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", "http://127.0.0.1:9",
                            "--token", "t", "--idempotency-key", "nightly-1"], env={"INVOLVE_TOKEN": ""})
    assert r.exit_code == 1 and "--idempotency-key nightly-1" in r.output, r.output
    r = runner.invoke(cli, ["import", str(source), "--resource", "stakeholders", "--url", url, "--token", "bad"])
    assert r.exit_code == 1 and "401" in r.output and "--idempotency-key " in r.output, r.output


def test_a_filter_given_twice_is_refused_by_the_server_not_narrowed_to_the_last(live, tmp_path):
    url, token = live
    r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", token,
                            "--filter", "category=carer", "--filter", "category=patient"])
    assert r.exit_code == 1 and "422" in r.output, r.output
    r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", token,
                            "--filter", "format=ndjson"])
    assert r.exit_code == 2 and "--format" in r.output, r.output


def test_an_export_file_gets_the_mode_a_plain_write_would(live, tmp_path):
    url, token = live
    fresh, kept = tmp_path / "fresh.csv", tmp_path / "kept.csv"
    kept.write_text("an earlier export\n")
    kept.chmod(0o640)
    umask = os.umask(0o022)
    try:
        for output in (fresh, kept):
            r = runner.invoke(cli, ["export", "--resource", "stakeholders", "--url", url, "--token", token,
                                    "--output", str(output)])
            assert r.exit_code == 0, r.output
    finally:
        os.umask(umask)
    assert (fresh.stat().st_mode & 0o777, kept.stat().st_mode & 0o777) == (0o644, 0o640)


class _StallAfterFirstBytes:
    """The app, with an export's body held after its first bytes until `resume` is set: an export in flight."""

    def __init__(self, app):
        self.app, self.stalled, self.resume = app, threading.Event(), threading.Event()

    async def __call__(self, scope, receive, send):
        async def held(message):
            if message["type"] != "http.response.body" or self.stalled.is_set():
                return await send(message)
            await send({**message, "more_body": True})
            self.stalled.set()
            await asyncio.to_thread(self.resume.wait)
            if not message.get("more_body"):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app(scope, receive, held if scope["path"].startswith("/api/v1/exports/") else send)


@contextlib.contextmanager
def _interruptible():
    """A child started here takes Ctrl-C as from a terminal: a test run started in the background of a script (as CI
    may be) ignores SIGINT, and an ignored signal is inherited across exec, while a handled one is reset to default."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_export_leaves_the_file_as_it_was_and_no_partial_one(live_app, tmp_path, signum):
    # SIGTERM ended the process with no cleanup: the partial export's temporary file stayed beside the output.
    app, token = live_app
    kept = tmp_path / "kept.csv"
    kept.write_text("an earlier export\n")
    stall = _StallAfterFirstBytes(create_app(app.state.settings))
    with _serving(stall) as url:
        try:
            with _interruptible():
                export = subprocess.Popen(
                    [sys.executable, "-m", "api.cli", "export", "--resource", "stakeholders", "--url", url,
                     "--output", str(kept)], cwd=Path(__file__).parents[2], env={**os.environ, "INVOLVE_TOKEN": token},
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert stall.stalled.wait(60), export.communicate()
            assert len(list(tmp_path.iterdir())) == 2  # the temporary file, beside the one it would replace
            export.send_signal(signum)
            _, stderr = export.communicate(timeout=60)
        finally:
            stall.resume.set()
    assert export.returncode == 1 and f"error: interrupted; {kept} is as it was" in stderr, stderr
    assert list(tmp_path.iterdir()) == [kept] and kept.read_text() == "an earlier export\n"


class _CountImports:
    """The app, setting arrived[0] and arrived[1] as the first and second import requests come in."""

    def __init__(self, app):
        self.app, self.arrived = app, [threading.Event(), threading.Event()]

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/api/v1/imports/"):
            next((e for e in self.arrived if not e.is_set()), threading.Event()).set()
        await self.app(scope, receive, send)


def test_a_retry_while_the_first_attempt_runs_waits_for_it_and_replays_it(live_app, tmp_path):
    # The server never answers 409 to a key still in use (the retry waits: an advisory lock on PostgreSQL, a single
    # writer on SQLite), so the client has no such 409 to retry.
    app, token = live_app
    path = tmp_path / "people.csv"
    path.write_text(CSV_BODY.replace("CRM-", "RETRY-").replace("margaret@", "margaret.retry@"))
    body = path.read_bytes()
    counter = _CountImports(create_app(app.state.settings))

    def held_body():
        yield body[:20]
        assert counter.arrived[1].wait(60)
        yield body[20:]

    with _serving(counter) as url:
        first = threading.Thread(target=lambda: httpx.post(
            f"{url}/api/v1/imports/stakeholders", content=held_body(), timeout=60,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv", "Idempotency-Key": "held-1",
                     "Content-Length": str(len(body))}))
        first.start()
        assert counter.arrived[0].wait(60)
        with Client(url, token) as client:
            report = client.import_file("stakeholders", path, idempotency_key="held-1")
        first.join()
    assert report.replayed and report.created == 2
