"""Builders for rows the tests need, written straight to the test's session."""

import itertools
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Organisation, Stakeholder, Tenant, User
from api.security import hash_password

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@lru_cache
def password_hash() -> str:
    """Hashed once per run: argon2 is slow on purpose."""
    return hash_password(PASSWORD)


async def tenant(session: AsyncSession, *, slug: str | None = None, name: str | None = None,
                 jurisdiction: str = "england") -> Tenant:
    n = next(_counter)
    row = Tenant(slug=slug or f"tenant-{n}", name=name or f"Test Health Board {n}", jurisdiction=jurisdiction,
                 settings={})
    session.add(row)
    await session.flush()
    return row


async def user(session: AsyncSession, tenant: Tenant, *, role: str = "lead", email: str | None = None,
               is_active: bool = True) -> User:
    n = next(_counter)
    row = User(tenant_id=tenant.id, email=email or f"{role}{n}@{tenant.slug}.nhs.test", full_name=f"{role.title()} {n}",
               password_hash=password_hash(), role=role, is_active=is_active)
    session.add(row)
    await session.flush()
    return row


def auth_headers(app, account, *, kind: str = "user") -> dict[str, str]:
    token, _ = app.state.tokens.issue(subject_id=account.id, subject_kind=kind, tenant_id=account.tenant_id,
                                      role=account.role)
    return {"Authorization": f"Bearer {token}"}


async def organisation(session: AsyncSession, tenant: Tenant, **values) -> Organisation:
    n = next(_counter)
    values.setdefault("name", f"Organisation {n}")
    values.setdefault("kind", "gp_practice")
    values.setdefault("tags", [])
    row = Organisation(tenant_id=tenant.id, **values)
    session.add(row)
    await session.flush()
    return row


async def stakeholder(session: AsyncSession, tenant: Tenant, **values) -> Stakeholder:
    n = next(_counter)
    values.setdefault("name", f"Stakeholder {n}")
    values.setdefault("email", f"person{n}@example.test")
    for name in ("categories", "tags", "preferred_channels", "communication_needs"):
        values.setdefault(name, [])
    row = Stakeholder(tenant_id=tenant.id, **values)
    session.add(row)
    await session.flush()
    return row
