"""Row-level security on PostgreSQL: defence in depth under the tenant filters every query already has.

Migration 0005_gdpr puts a policy on every tenant-owned table that admits only rows of the tenant named
by the transaction setting `app.tenant_id`, or every row while `app.bypass_rls` is 'on'. The app connects
as the table owner and switches to the unprivileged role INVOLVE_DB_APP_ROLE (see `Database`), which the
policies bind. The setting is transaction-local (`set_config(..., true)`), so a pooled connection never
carries one request's tenant into the next: the session remembers the tenant in `session.info` and
re-issues it at the start of every transaction it begins.

Who sets what:
- `scope(session, tenant_id)`: once the caller is known (api.auth.principal, a calendar token's tenant,
  a signed-in account's tenant); it also turns any bypass off.
- `bypass(session)`: only for lookups that must cross tenants before a tenant is known: token issuance
  (users by email, service accounts by client id) and the calendar token lookup. The CLI and migrations
  run with the bypass for their whole connection (`Database(trusted=True)`, migrations/env.py).
On SQLite all of this is a no-op."""

import uuid

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

TENANT_KEY = "rls_tenant_id"
BYPASS_KEY = "rls_bypass"
SET_TENANT = text("SELECT set_config('app.tenant_id', :tenant, true), set_config('app.bypass_rls', :bypass, true)")


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _params(info: dict) -> dict[str, str]:
    return {"tenant": info.get(TENANT_KEY, ""), "bypass": "on" if info.get(BYPASS_KEY) else "off"}


async def _apply(session: AsyncSession) -> None:
    # A transaction already under way has run its after_begin hook: set it here too.
    if _is_postgres(session) and session.in_transaction():
        await session.execute(SET_TENANT, _params(session.info))


async def scope(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """From now on this session sees (and may write) only rows of this tenant."""
    session.info[TENANT_KEY] = str(tenant_id)
    session.info[BYPASS_KEY] = False
    await _apply(session)


async def bypass(session: AsyncSession) -> None:
    """Let this session see every tenant's rows until `scope` is called: cross-tenant lookups only."""
    session.info[BYPASS_KEY] = True
    await _apply(session)


@event.listens_for(Session, "after_begin")
def _after_begin(session: Session, _transaction, connection) -> None:
    """Every transaction a scoped session begins starts scoped (a request may commit more than once)."""
    if connection.dialect.name == "postgresql" and (TENANT_KEY in session.info or BYPASS_KEY in session.info):
        connection.execute(SET_TENANT, _params(session.info))


def connection_setup(*, role: str | None, trusted: bool) -> list[str]:
    """The statements each new PostgreSQL connection runs: switch to the app role; a trusted process
    (CLI, migrations) bypasses the policies for the whole connection instead."""
    statements = []
    if role and not trusted:
        statements.append(f'SET ROLE "{role}"')
    if trusted:
        statements.append("SET app.bypass_rls = 'on'")
    return statements
