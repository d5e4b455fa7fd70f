"""The operator's command line: each command works, and bad input exits 1 with a one-line reason."""

import asyncio
import json
import signal

import httpx
import involve_client
import pytest
from typer.testing import CliRunner

from api.cli import app
from api.config import get_settings
from api.main import create_app
from api.migrate import upgrade
from tests.conftest import make_settings

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("INVOLVE_DATABASE_URL", url)
    monkeypatch.delenv("INVOLVE_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("INVOLVE_ADMIN_PASSWORD", raising=False)
    get_settings.cache_clear()
    upgrade(url)
    yield url
    get_settings.cache_clear()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_create_tenant_user_and_verify_audit(cli_db):
    assert run("create-tenant", "dorset", "--name", "NHS Dorset").exit_code == 0
    r = run("create-user", "--tenant", "dorset", "--email", "lead@dorset.nhs.uk", "--password", "long enough pw",
            "--role", "lead")
    assert r.exit_code == 0 and "created lead user" in r.output
    r = run("verify-audit", "--tenant", "dorset")
    assert r.exit_code == 0 and r.output.startswith("intact: 2 events")


@pytest.mark.parametrize("args,reason", [
    (("create-tenant", "Bad Slug", "--name", "X"), "slug"),
    (("create-tenant", "ok", "--name", "X", "--jurisdiction", "scotland"), "jurisdiction"),
    (("create-user", "--tenant", "nope", "--email", "a@b.nhs.uk", "--password", "long enough pw", "--role", "lead"),
     "no tenant"),
    (("create-user", "--tenant", "t", "--email", "a@b.nhs.uk", "--password", "short", "--role", "lead"), "password"),
    (("create-user", "--tenant", "t", "--email", "a@b.nhs.uk", "--password", "long enough pw", "--role", "king"),
     "role"),
    (("create-user", "--tenant", "t", "--email", "not-an-email", "--password", "long enough pw", "--role", "lead"),
     "email"),
    (("verify-audit", "--tenant", "nope"), "no tenant"),
    # What the API refuses (control characters, over-long values), and PostgreSQL's columns would: SQLite kept them.
    (("create-tenant", "ok", "--name", "NHS\nDorset"), "control characters"),
    (("create-tenant", "ok", "--name", "N" * 201), "at most 200"),
    (("create-user", "--tenant", "t", "--email", "a@b.nhs.uk", "--password", "long enough pw", "--role", "lead",
      "--name", "Jane\x01Doe"), "control characters"),
    (("create-user", "--tenant", "t", "--email", "a@b.nhs.uk", "--password", "long enough pw", "--role", "lead",
      "--name", "J" * 201), "at most 200"),
    (("create-user", "--tenant", "t", "--email", "a@b.nhs.uk", "--password", "long enough pw", "--role", "lead",
      "--name", "Jane \u202eeoD"), "control characters"),
    (("create-user", "--tenant", "t", "--email", "a\u2066b@b.nhs.uk", "--password", "long enough pw", "--role",
      "lead"), "email"),
    (("create-user", "--tenant", "t", "--email", "a@b.nhs.uk", "--password", "long enough pw", "--role", "lead",
      "--name", "  "), "name"),
    (("create-user", "--tenant", "t", "--email", "a" * 320 + "@b.nhs.uk", "--password", "long enough pw", "--role",
      "lead"), "email"),
    (("create-user", "--tenant", "t", "--email", "a@b.nhs.uk", "--password", "p" * 1025, "--role", "lead"),
     "password"),
    # "$" let a final newline by: the tenant was then found by no other command, nor by a sign-on claim
    (("create-tenant", "dorset\n", "--name", "X"), "slug"),
    # What POST /users refuses (422) the command took: the address only had to look like one
    *((("create-user", "--tenant", "t", "--email", email, "--password", "long enough pw", "--role", "lead"), "email")
      for email in ("a..b@example.org", ".a@example.org", "a@exa_mple.org")),
])
def test_bad_input_exits_1_with_one_line(cli_db, args, reason):
    run("create-tenant", "t", "--name", "T")
    r = run(*args)
    assert r.exit_code == 1
    assert reason in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_create_user_asks_for_the_password_when_it_is_not_given(cli_db):
    # A password on the command line is in the shell's history and in `ps`: asked for twice, not echoed
    run("create-tenant", "t", "--name", "T")
    r = runner.invoke(app, ["create-user", "--tenant", "t", "--email", "asked@t.nhs.uk", "--role", "lead"],
                      input="an asked passphrase\n" * 2)
    assert r.exit_code == 0 and "created lead user" in r.output and "an asked passphrase" not in r.output, r.output
    assert asyncio.run(_sign_ins(cli_db, "asked@t.nhs.uk", ["an asked passphrase"])) == [200]


def test_set_password_lets_the_operator_back_into_an_admins_account(cli_db):
    """No admin may set another admin's password through the API: a locked-out admin's is set here."""
    run("create-tenant", "t", "--name", "T")
    assert run("create-user", "--tenant", "t", "--email", "boss@t.nhs.uk", "--password", "forgotten passphrase",
               "--role", "admin").exit_code == 0
    r = runner.invoke(app, ["set-password", "--email", "BOSS@t.nhs.uk"], input="a new passphrase\n" * 2)
    assert r.exit_code == 0 and "password set for user" in r.output
    assert asyncio.run(_sign_ins(cli_db, "boss@t.nhs.uk", ["forgotten passphrase", "a new passphrase"])) == [401, 200]
    r = run("verify-audit", "--tenant", "t")
    assert r.exit_code == 0 and r.output.startswith("intact: 5 events")  # tenant, user, password, two sign-ins
    assert run("set-password", "--email", "nobody@t.nhs.uk", "--password", "long enough pw").exit_code == 1
    r = run("set-password", "--email", "boss@t.nhs.uk", "--password", "short")
    assert r.exit_code == 1 and "password" in r.output


def test_an_email_typed_decomposed_is_stored_as_the_api_stores_it_so_sign_in_finds_it(cli_db):
    # "é" typed as e + U+0301 (NFD), as some keyboards and terminals send it: the API and sign-in take its NFC form.
    decomposed, composed = "e\u0301lodie@t.nhs.uk", "\u00e9lodie@t.nhs.uk"
    run("create-tenant", "t", "--name", "T")
    assert run("create-user", "--tenant", "t", "--email", decomposed, "--password", "forgotten passphrase",
               "--role", "lead").exit_code == 0
    r = run("create-user", "--tenant", "t", "--email", composed, "--password", "long enough pw", "--role", "lead")
    assert r.exit_code == 1 and "already exists" in r.output
    assert run("set-password", "--email", composed, "--password", "a new passphrase").exit_code == 0
    assert asyncio.run(_sign_ins(cli_db, decomposed, ["a new passphrase"])) == [200]
    assert asyncio.run(_sign_ins(cli_db, composed, ["a new passphrase"])) == [200]


async def _sign_ins(url: str, email: str, passwords: list[str]) -> list[int]:
    api = create_app(make_settings(url))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        statuses = [(await client.post("/api/v1/auth/token", data={
            "grant_type": "password", "username": email, "password": password})).status_code for password in passwords]
    await api.state.db.dispose()
    return statuses


def test_duplicate_tenant_and_email_are_refused(cli_db):
    run("create-tenant", "t", "--name", "T")
    assert run("create-tenant", "t", "--name", "T").exit_code == 1
    args = ("create-user", "--tenant", "t", "--email", "x@b.nhs.uk", "--password", "long enough pw", "--role", "lead")
    assert run(*args).exit_code == 0
    r = run(*[a if a != "x@b.nhs.uk" else "X@B.nhs.uk" for a in args])
    assert r.exit_code == 1 and "already exists" in r.output


def test_demo_prints_a_generated_password_once_and_keeps_data(cli_db):
    first = run("demo")
    assert first.exit_code == 0 and "admin password (shown once)" in first.output
    second = run("demo")
    assert second.exit_code == 0 and "exists already" in second.output and "password" not in second.output
    # The seeded records (the duty record included) are audited once, in one intact chain.
    r = run("verify-audit", "--tenant", "demo")
    assert r.exit_code == 0 and r.output.startswith("intact:")


def test_demo_uses_the_admin_from_the_environment(cli_db, monkeypatch):
    monkeypatch.setenv("INVOLVE_ADMIN_EMAIL", "me@trust.nhs.uk")
    monkeypatch.setenv("INVOLVE_ADMIN_PASSWORD", "my own password")
    get_settings.cache_clear()
    r = run("demo")
    assert r.exit_code == 0 and "me@trust.nhs.uk" in r.output and "shown once" not in r.output


def test_openapi_prints_the_spec(cli_db, tmp_path):
    r = run("openapi")
    assert r.exit_code == 0 and json.loads(r.output)["info"]["title"] == "Involve API"
    out = tmp_path / "spec.json"
    assert run("openapi", "--output", str(out)).exit_code == 0 and out.exists()


def test_bad_settings_exit_1(monkeypatch):
    monkeypatch.setenv("INVOLVE_ENV", "production")
    monkeypatch.delenv("INVOLVE_JWT_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        r = run("migrate")
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 1 and "default INVOLVE_JWT_SECRET" in r.output


def _run_on(monkeypatch, url: str, *args: str):
    """`involve ARGS` against the database at `url` (the settings are cached: read afresh, then forgotten)."""
    monkeypatch.setenv("INVOLVE_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return run(*args)
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("args", [("create-tenant", "t", "--name", "T"), ("verify-audit", "--tenant", "t"), ("demo",),
                                  ("create-user", "--tenant", "t", "--email", "a@b.nhs.uk", "--password",
                                   "long enough pw", "--role", "lead")])
def test_a_database_never_migrated_is_one_line_saying_so(tmp_path, monkeypatch, args):
    r = _run_on(monkeypatch, f"sqlite:///{tmp_path}/empty.db", *args)
    assert r.exit_code == 1
    assert r.output.strip() == ("error: the database has no Involve schema (or an older one): "
                                "run `involve migrate` first")


@pytest.mark.parametrize("args", [("migrate",), ("create-tenant", "t", "--name", "T")])
def test_a_database_out_of_reach_is_one_line_saying_so(tmp_path, monkeypatch, args):
    r = _run_on(monkeypatch, f"sqlite:///{tmp_path}/no-such-folder/x.db", *args)
    assert r.exit_code == 1
    assert r.output.strip() == "error: cannot reach the database: unable to open database file"


@pytest.mark.parametrize("content", [b"not json", b"[1]", b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
                                     b"[" * 100_000 + b"]" * 100_000])
def test_verify_pack_of_a_file_that_is_no_pack_is_one_line(cli_db, tmp_path, content):
    path = tmp_path / "pack.json"
    path.write_bytes(content)
    r = run("verify-pack", str(path))
    assert r.exit_code == 1 and r.output.startswith("error: not valid:")
    assert len(r.output.strip().splitlines()) == 1


# --- `involve import` interrupted: the Idempotency-Key is printed, as for every other failure -------------------------
class _Terminated(Exception):
    """What SIGTERM raises in these tests unless the command handles it: Python's default would end the test run."""


@pytest.fixture
def sigterm_guard():
    def terminated(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield terminated
    finally:
        signal.signal(signal.SIGTERM, previous)


def _import_interrupted_by(monkeypatch, tmp_path, interrupt, *args: str):
    """`involve import` with the request cut off by `interrupt()` once the client has the body: the server may then
    commit it though nobody hears its answer. Returns the result and the key the client was given."""
    source = tmp_path / "people.csv"
    source.write_text("external_id,name\nCRM-1,Ann Lee\n")
    given = {}

    def import_file(self, *_, idempotency_key, **__):
        given["key"] = idempotency_key
        interrupt()
        raise AssertionError("not interrupted")

    monkeypatch.setattr(involve_client.Client, "import_file", import_file)
    r = run("import", str(source), "--resource", "stakeholders", "--url", "http://127.0.0.1:9", "--token", "t", *args)
    return r, given.get("key")


def _ctrl_c():
    raise KeyboardInterrupt  # what Python's SIGINT handler raises


@pytest.mark.parametrize("args", [("--idempotency-key", "nightly-2"), ()])
def test_an_import_interrupted_by_ctrl_c_tells_the_key_that_retries_it_safely(monkeypatch, tmp_path, args):
    # Ctrl-C fell through to Click ("Aborted!"): a generated key, the only way to replay the import, was lost, and a
    # run again imported every row twice should the server have committed the first.
    r, key = _import_interrupted_by(monkeypatch, tmp_path, _ctrl_c, *args)
    assert key and (not args or key == args[1])
    assert r.exit_code == 1, r.output
    assert (f"error: interrupted; the server may still have imported it (to send it again safely: --idempotency-key "
            f"{key})") in r.output, r.output


def test_an_import_stopped_by_sigterm_tells_the_key_that_retries_it_safely(monkeypatch, tmp_path, sigterm_guard):
    # `kill`, or a service stopping, as Ctrl-C: SIGTERM ended the process at once, with no word of the key.
    r, key = _import_interrupted_by(monkeypatch, tmp_path, lambda: signal.raise_signal(signal.SIGTERM))
    assert r.exit_code == 1 and f"--idempotency-key {key}" in r.output, (r.output, r.exception)
    assert signal.getsignal(signal.SIGTERM) is sigterm_guard  # the handler before the command is back


def test_an_interrupted_dry_run_says_it_wrote_nothing(monkeypatch, tmp_path):
    r, _ = _import_interrupted_by(monkeypatch, tmp_path, _ctrl_c, "--dry-run")
    assert r.exit_code == 1 and r.output.strip().endswith("error: interrupted; a dry run wrote nothing"), r.output
