"""The `involve` command: serve, migrate, and the platform operator's tasks."""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError

from api.config import get_settings

app = typer.Typer(help="Involve: stakeholder engagement and the duty to involve, for NHS bodies.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
T = TypeVar("T")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _settings():
    try:
        return get_settings()
    except ValidationError as exc:
        _fail("invalid settings: " + "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()))


def _in_transaction(work: Callable[..., Awaitable[T]]) -> T:
    """Run `work(session)` in one committed transaction; an operator error is one line, exit 1."""
    from api.db import Database
    from api.tenants import OperatorError

    async def run():
        db = Database(_settings())
        try:
            async with db.write_sessions() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except OperatorError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot reach the database: {exc}")


@app.command()
def serve(host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 8000,
          workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = _settings()
    uvicorn.run("api.main:app_factory", factory=True, host=host, port=port, workers=workers,
                log_level=settings.log_level.lower(), access_log=False, proxy_headers=True)


@app.command()
def migrate() -> None:
    """Upgrade the database to the latest schema."""
    from api.migrate import upgrade

    settings = _settings()
    try:
        upgrade(settings.database_url)
    except OSError as exc:
        _fail(f"cannot reach the database: {exc}")
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
                password: Annotated[str, typer.Option(help="At least 12 characters")],
                role: Annotated[str, typer.Option(help="admin, lead, contributor, viewer or auditor")],
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
    _fail(f"broken at event {report.first_broken_seq} ({report.first_broken_id}): {report.reason}")


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


if __name__ == "__main__":
    app()
