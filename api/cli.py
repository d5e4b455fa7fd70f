"""The `involve` command: serve, migrate, and the platform operator's tasks."""

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Annotated, Literal, NoReturn, TypeVar

import typer
from involve_client.client import Format, Resource
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from api.config import get_settings

app = typer.Typer(help="Involve: stakeholder engagement and the duty to involve, for NHS bodies.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
T = TypeVar("T")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _settings():
    try:
        return get_settings()
    except ValidationError as exc:
        _fail("invalid settings: " + "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()))


def _database_problem(exc: Exception) -> str:
    """What the database said, in one line for the operator, with what to do when the schema is missing."""
    from api.errors import database_fault

    orig = getattr(exc, "orig", None) or exc
    said = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    states = {getattr(e, "sqlstate", None) for e in (orig, getattr(orig, "__cause__", None)) if e is not None}
    # PostgreSQL's undefined_table and undefined_column; SQLite's words for them.
    if states & {"42P01", "42703"} or "no such table" in said or "no such column" in said:
        return "the database has no Involve schema (or an older one): run `involve migrate` first"
    # Connection exceptions (08), refused credentials (28), no such database (3D), or SQLite's file out of reach.
    if database_fault(exc) == "connection" or any(s and s[:2] in ("08", "28", "3D") for s in states) \
            or "unable to open database file" in said:
        return f"cannot reach the database: {said}"
    return f"database error: {said}"


def _in_transaction(work: Callable[..., Awaitable[T]]) -> T:
    """Run `work(session)` in one committed transaction; an operator error is one line, exit 1."""
    from api.db import Database

    async def run():
        db = Database(_settings(), trusted=True)  # operator commands cross tenants
        try:
            async with db.write_sessions() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await db.dispose()

    with _operator_errors():
        return asyncio.run(run())


@contextlib.contextmanager
def _operator_errors() -> Iterator[None]:
    """The operator's mistake, or a database that cannot be reached or is not migrated: one line, exit 1."""
    from api.tenants import OperatorError

    try:
        yield
    except OperatorError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot reach the database: {exc}")
    except DBAPIError as exc:
        _fail(_database_problem(exc))


@app.command()
def serve(host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 8000,
          workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
          forwarded_allow_ips: Annotated[str | None, typer.Option(
              envvar="INVOLVE_FORWARDED_ALLOW_IPS",
              help="The proxies whose X-Forwarded-For names the client (comma-separated addresses or networks, or *); "
                   "default 127.0.0.1. Behind a load balancer on another host, name it: otherwise every client is "
                   "the balancer, and shares one rate limit")] = None) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = _settings()
    uvicorn.run("api.main:app_factory", factory=True, host=host, port=port, workers=workers,
                log_level=settings.log_level.lower(), access_log=False, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips,
                server_header=False,  # no "server: uvicorn": nothing to gain from naming the server
                timeout_graceful_shutdown=settings.shutdown_timeout)


@app.command()
def migrate() -> None:
    """Upgrade the database to the latest schema."""
    from api.migrate import upgrade

    settings = _settings()
    with _operator_errors():
        upgrade(settings.database_url)
    typer.echo("database is at the latest schema")


@app.command("create-tenant")
def create_tenant(slug: Annotated[str, typer.Argument(help="Short name: lowercase, digits, hyphens")],
                  name: Annotated[str, typer.Option(help="The NHS body's name")],
                  jurisdiction: Annotated[str, typer.Option(help="england or wales")] = "england") -> None:
    """Create a tenant (an NHS body)."""
    from api import tenants

    tenant = _in_transaction(lambda s: tenants.create_tenant(s, slug=slug, name=name, jurisdiction=jurisdiction))
    typer.echo(f"created tenant {tenant.slug} ({tenant.id})")


@app.command("create-user")
def create_user(tenant: Annotated[str, typer.Option(help="The tenant's slug")],
                email: Annotated[str, typer.Option(help="Sign-in email, unique across the deployment")],
                role: Annotated[str, typer.Option(help="admin, lead, contributor, viewer or auditor")],
                # Asked for, not echoed, when not given: a command line is in the shell's history and in `ps`
                password: Annotated[str, typer.Option(
                    prompt=True, hide_input=True, confirmation_prompt=True,
                    help="At least 12 characters; asked for when not given")],
                name: Annotated[str | None, typer.Option(help="Full name")] = None) -> None:
    """Create a user in a tenant."""
    from api import tenants

    async def work(session):
        found = await tenants.find_tenant(session, tenant)
        if found is None:
            raise tenants.OperatorError(f"no tenant '{tenant}'")
        return await tenants.create_user(session, tenant=found, email=email, password=password, role=role,
                                         full_name=name)

    user = _in_transaction(work)
    typer.echo(f"created {user.role} user {user.id}")


@app.command("set-password")
def set_password(email: Annotated[str, typer.Option(help="The user's sign-in email")],
                 password: Annotated[str, typer.Option(
                     prompt=True, hide_input=True, confirmation_prompt=True,
                     help="At least 12 characters; asked for when not given")]) -> None:
    """Set a user's password (an admin's, when no other admin may): their tokens stop working; audited."""
    from api import tenants

    user = _in_transaction(lambda s: tenants.set_password(s, email=email, password=password))
    typer.echo(f"password set for user {user.id}")


@app.command("verify-audit")
def verify_audit(tenant: Annotated[str, typer.Option(help="The tenant's slug")]) -> None:
    """Check the tenant's audit chain; exit 1 and name the first broken event if it is not intact."""
    from api import audit, tenants

    async def work(session):
        found = await tenants.find_tenant(session, tenant)
        if found is None:
            raise tenants.OperatorError(f"no tenant '{tenant}'")
        return await audit.verify(session, found.id)

    report = _in_transaction(work)
    if report.intact:
        typer.echo(f"intact: {report.events_checked} events, head {report.head_hash}")
        return
    event = f" ({report.first_broken_id})" if report.first_broken_id else ""
    _fail(f"broken at event {report.first_broken_seq}{event}: {report.reason}")


@app.command("verify-pack")
def verify_pack(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                                   help="An evidence pack as GET /plans/{id}/evidence-pack gave it")]
                ) -> None:
    """Check an evidence pack: recompute its digest and find its audit head and sealing event in the audit trail
    of the tenant it names (INVOLVE_DATABASE_URL). Exit 0 when valid, 1 when not."""
    from api.evidence_pack import seal

    try:
        pack = seal.loads(file.read_bytes())
    except seal.NotAPack as exc:
        _fail(f"not valid: {exc}")
    tenant_id = seal.pack_tenant(pack)
    if tenant_id is None:
        _fail("not valid: the pack names no tenant")
    result = _in_transaction(lambda s: seal.verify(s, tenant_id, pack))
    if not result.valid:
        for reason in result.reasons:
            typer.echo(f"  {reason}", err=True)
        _fail("not valid: the pack does not match what was sealed")
    typer.echo(f"valid: digest {pack['digest']}, sealed after audit event {pack['audit_head']['seq']}")


@app.command()
def openapi(output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout")] = None) -> None:
    """Print (or write) the OpenAPI spec generated from the code."""
    from api.openapi import render

    text = render()
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)


@app.command()
def demo() -> None:
    """Create the demo tenant, its admin and a few organisations and stakeholders (once)."""
    from api.demo import create_demo

    settings = _settings()
    result = _in_transaction(lambda s: create_demo(s, admin_email=settings.admin_email,
                                                   admin_password=settings.admin_password))
    if result is None:
        typer.echo("demo tenant exists already; its data is kept")
        return
    tenant, email, generated = result
    typer.echo(f"created demo tenant '{tenant.slug}' with admin {email}")
    if generated:
        typer.echo(f"admin password (shown once): {generated}")


# --- bulk import and export over HTTP, with the Python client (clients/python) -------------------------
def _http_url(url: str) -> str:
    """An address without http:// or https:// can never be reached: a usage error, not a minute of retries."""
    scheme, sep, rest = url.partition("://")
    if not (sep and scheme.lower() in ("http", "https") and rest.strip("/")):
        raise typer.BadParameter(f"an http:// or https:// address, not '{url}'")
    return url


def _header_value(what: str) -> Callable[[str | None], str | None]:
    """A value sent in a header (a token, an Idempotency-Key): visible ASCII only, else a usage error that never shows
    it. A token file saved with Windows line ends leaves a \r that $(cat …) keeps: httpx refused it with an error that
    quotes the whole header, token included, and the client retried it as a connection error."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value or len(value) > 4096 or not all("!" <= ch <= "~" for ch in value):
            raise typer.BadParameter(f"the {what} must be visible ASCII characters, without spaces (not shown here)")
        return value

    return check


URL_OPTION = typer.Option(envvar="INVOLVE_URL", callback=_http_url,
                          help="The API's base address, e.g. https://involve.example.nhs.uk")
TOKEN_OPTION = typer.Option(envvar="INVOLVE_TOKEN", callback=_header_value("token"),
                            help="A bearer token (better from INVOLVE_TOKEN: a command line is visible to other "
                                 "users of the machine)")
# The options' values are Literals: one the API would refuse is Click's usage error (exit 2), before anything is sent.
RESOURCE_OPTION = typer.Option(help="What to import or export")


def _progress():
    """A progress bar on standard error (standard output may be the export itself)."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    return Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=Console(stderr=True), transient=True)


def _retry_hint(key: str | None) -> str:
    """How to send an import again without importing it twice, should the server have taken it and the answer been
    lost: the key is the only way to replay it, and a generated one exists nowhere else."""
    return f" (to send it again safely: --idempotency-key {key})" if key else ""


@contextlib.contextmanager
def _client_errors(url: str, *, retry_with: str | None = None) -> Iterator[None]:
    """A refusal by the server, or a failure still there after the client's retries: one line, exit 1, and with
    `retry_with` (an import's Idempotency-Key) how to send it again without importing twice, should the server have
    taken it and the answer been lost. A transport error is named by its class: its text can quote a header."""
    import httpx
    from involve_client import ImportRefused, InvolveError

    hint = _retry_hint(retry_with)
    try:
        yield
    except ImportRefused:
        raise  # the import command reports its rows
    except InvolveError as exc:
        _fail(f"{exc}{hint}")
    except httpx.HTTPError as exc:
        _fail(f"cannot reach {url}: {type(exc).__name__}{hint}")


def _echo_row_errors(errors) -> None:
    for error in errors:
        typer.echo(f"  row {error.row}{f', {error.field}' if error.field else ''}: {error.message}", err=True)


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .csv, .json or .ndjson file")],
            resource: Annotated[Resource, RESOURCE_OPTION],
            url: Annotated[str, URL_OPTION], token: Annotated[str, TOKEN_OPTION],
            dry_run: Annotated[bool, typer.Option(help="Validate and report; write nothing")] = False,
            match: Annotated[str | None, typer.Option(help="external_id, or email (stakeholders); the server checks "
                                                           "it against the resource")] = None,
            on_conflict: Annotated[Literal["update", "skip", "error"] | None,
                                   typer.Option(help="What a row matching a record does (default: error)")] = None,
            on_error: Annotated[Literal["abort", "skip"] | None, typer.Option(help="abort (the default) or skip")]
            = None,
            format: Annotated[Format | None, typer.Option(help="The file's format (default: from its extension)")]
            = None,
            idempotency_key: Annotated[str | None, typer.Option(
                callback=_header_value("Idempotency-Key"),
                help="Reuse a key to retry an earlier run safely (a failed run prints its own)")] = None) -> None:
    """Import a file through the API, with a progress bar and the per-row error report. Transient failures are
    retried with the same Idempotency-Key. Exit 0: every row imported; 3: rows failed and were skipped
    (on_error=skip; all of them, if the counts say so); 1: refused, nothing was written, or the server out of reach
    or the command interrupted (Ctrl-C, SIGTERM), with the key that sends it again safely; 2: a usage error
    (Click's), before anything was sent."""
    from involve_client import Client, ImportRefused

    key = idempotency_key or str(uuid.uuid4())
    # SIGTERM as Ctrl-C, as for an export: either way the key is printed, not lost with the process.
    with _terminate_as_interrupt():
        try:
            with _client_errors(url, retry_with=key), Client(url, token) as client, _progress() as bar:
                task = bar.add_task("uploading", total=file.stat().st_size)
                report = client.import_file(resource, file, format=format, dry_run=dry_run, match=match,
                                            on_conflict=on_conflict, on_error=on_error, idempotency_key=key,
                                            progress=lambda done, total: bar.update(task, completed=done))
        except ImportRefused as exc:
            typer.echo(f"refused, nothing was written: {exc.problem.get('detail') or exc.problem.get('title')}",
                       err=True)
            _echo_row_errors(exc.errors)
            raise typer.Exit(code=1)
        except KeyboardInterrupt:
            # The body may have been sent: the server then commits the import though nobody waits for its answer,
            # and a run again without this key (a generated one is printed nowhere else) imports every row twice.
            _fail("interrupted; a dry run wrote nothing" if dry_run
                  else f"interrupted; the server may still have imported it{_retry_hint(key)}")
    prefix = "dry run: would have " if report.dry_run else ""
    typer.echo(f"{prefix}created {report.created}, updated {report.updated}, skipped {report.skipped}, "
               f"failed {report.failed} of {report.rows} rows{' (replayed)' if report.replayed else ''}")
    _echo_row_errors(report.errors)
    if report.failed:
        raise typer.Exit(code=3)  # not 2, which is Click's usage error


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (`kill`, a service stopping) raised as Ctrl-C is: Python's default ends the process at once, with no
    `finally` run, and left a partial export's temporary file behind."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _in_a_folder(output: Path | None) -> Path | None:
    if output is not None and not output.parent.is_dir():
        raise typer.BadParameter(f"no folder {output.parent}")
    return output


def _name_values(items: list[str] | None) -> list[str] | None:
    for item in items or []:
        name, sep, _ = item.partition("=")
        if not (name and sep):
            raise typer.BadParameter(f"a filter is name=value, not '{item}'")
        if name == "format":
            raise typer.BadParameter("the format is --format, not a filter")
    return items


@app.command("export")
def export_(resource: Annotated[Resource, RESOURCE_OPTION],
            url: Annotated[str, URL_OPTION], token: Annotated[str, TOKEN_OPTION],
            format: Annotated[Literal["csv", "ndjson"], typer.Option(help="csv or ndjson")] = "csv",
            output: Annotated[Path | None, typer.Option(dir_okay=False, callback=_in_a_folder,
                                                        help="Write here instead of standard output (its folder "
                                                             "must exist)")] = None,
            filter: Annotated[list[str] | None, typer.Option(  # noqa: A002 - the option's name
                callback=_name_values,
                help="A list filter as name=value (repeatable), e.g. --filter category=carer")] = None) -> None:
    """Stream an export to a file (or standard output) with a progress bar."""
    # As pairs, a name given twice included: the server refuses that (422) rather than exporting by the last alone
    filters = [tuple(item.split("=", 1)) for item in filter or []]
    # A file is written beside its name and renamed once complete: a refused or broken export leaves no empty or
    # partial file behind, and a file already there as it was.
    with _terminate_as_interrupt():
        written = _export_to(output, resource=resource, url=url, token=token, format=format, filters=filters)
    if output:
        typer.echo(f"wrote {written} bytes to {output}", err=True)


def _export_to(output: Path | None, *, resource: Resource, url: str, token: str, format: Literal["csv", "ndjson"],
               filters: list[tuple[str, str]]) -> int:
    from involve_client import Client

    target = tempfile.NamedTemporaryFile("wb", dir=output.parent, prefix=f".{output.name}.", delete=False) \
        if output else sys.stdout.buffer
    complete = False
    try:
        with _client_errors(url), Client(url, token) as client, _progress() as bar:
            task = bar.add_task("downloading", total=None)
            written = client.export(resource, target, format=format, filters=filters,
                                    progress=lambda done, total: bar.update(task, completed=done, total=total))
        complete = True
        return written
    except KeyboardInterrupt:
        _fail(f"interrupted; {f'{output} is as it was' if output else 'the export is incomplete'}")
    finally:
        if output:
            target.close()
            if complete:
                # The temporary file is the owner's alone (0600): the export takes the mode of the file it replaces,
                # or what the umask gives a new one, as a plain write would.
                os.chmod(target.name, output.stat().st_mode & 0o777 if output.exists() else 0o666 & ~_umask())
                os.replace(target.name, output)
            else:
                os.unlink(target.name)


if __name__ == "__main__":
    app()
