"""Tenants and their first users are made by the platform operator from the command line."""

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Role
from api.models import Tenant, User
from api.models.user import email_is
from api.security import hash_password

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
JURISDICTIONS = ("england", "wales")
MIN_PASSWORD = 12


class OperatorError(ValueError):
    """Bad input from the operator; the message is one line, shown as is."""


async def create_tenant(session: AsyncSession, *, slug: str, name: str, jurisdiction: str = "england") -> Tenant:
    if not SLUG.match(slug):
        raise OperatorError(f"slug '{slug}' must be lowercase letters, digits and hyphens (at most 63)")
    if not name.strip():
        raise OperatorError("name must not be empty")
    if jurisdiction not in JURISDICTIONS:
        raise OperatorError(f"jurisdiction must be one of {', '.join(JURISDICTIONS)}")
    if await find_tenant(session, slug):
        raise OperatorError(f"tenant '{slug}' already exists")
    tenant = Tenant(slug=slug, name=name.strip(), jurisdiction=jurisdiction, settings={})
    session.add(tenant)
    await session.flush()
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="create", resource_type="tenant",
                       resource_id=tenant.id, changes=audit.diff(None, {"slug": slug, "name": tenant.name,
                                                                          "jurisdiction": jurisdiction}))
    return tenant


async def find_tenant(session: AsyncSession, slug: str) -> Tenant | None:
    return (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()


async def create_user(session: AsyncSession, *, tenant: Tenant, email: str, password: str, role: str,
                      full_name: str | None = None) -> User:
    if role not in set(Role):
        raise OperatorError(f"role must be one of {', '.join(r.value for r in Role)}")
    if not EMAIL.match(email):
        raise OperatorError("email is not a valid address")
    if len(password) < MIN_PASSWORD:
        raise OperatorError(f"password must be at least {MIN_PASSWORD} characters")
    taken = await session.execute(select(User.id).where(email_is(email)))
    if taken.first():
        raise OperatorError("a user with this email already exists")
    user = User(tenant_id=tenant.id, email=email, full_name=full_name or email.split("@")[0],
                password_hash=hash_password(password), role=role, is_active=True)
    session.add(user)
    await session.flush()
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="create", resource_type="user",
                       resource_id=user.id, changes=audit.diff(None, {"email": email, "role": role},
                                                               personal=frozenset({"email"})))
    return user
