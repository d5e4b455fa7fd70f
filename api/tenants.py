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
MIN_PASSWORD, MAX_PASSWORD = 12, 1024  # as POST /users: the upper bound only stops a hashing denial of service
MAX_NAME, MAX_EMAIL = 200, 320  # the columns' lengths (PostgreSQL refuses longer; SQLite would keep them)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # no place in a name or an address, as the API's schemas say


class OperatorError(ValueError):
    """Bad input from the operator; the message is one line, shown as is."""


async def create_tenant(session: AsyncSession, *, slug: str, name: str, jurisdiction: str = "england") -> Tenant:
    if not SLUG.match(slug):
        raise OperatorError(f"slug '{slug}' must be lowercase letters, digits and hyphens (at most 63)")
    if not name.strip():
        raise OperatorError("name must not be empty")
    _check_name("name", name)
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


def _check_name(label: str, value: str) -> None:
    if len(value.strip()) > MAX_NAME or CONTROL.search(value):
        raise OperatorError(f"{label} must be at most {MAX_NAME} characters, without control characters")


async def find_tenant(session: AsyncSession, slug: str) -> Tenant | None:
    return (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()


async def create_user(session: AsyncSession, *, tenant: Tenant, email: str, password: str, role: str,
                      full_name: str | None = None) -> User:
    if role not in set(Role):
        raise OperatorError(f"role must be one of {', '.join(r.value for r in Role)}")
    if not EMAIL.match(email) or len(email) > MAX_EMAIL or CONTROL.search(email):
        raise OperatorError("email is not a valid address")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise OperatorError(f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if full_name is not None:
        if not full_name.strip():
            raise OperatorError("name must not be empty")
        _check_name("name", full_name)
        full_name = full_name.strip()
    taken = await session.execute(select(User.id).where(email_is(email)))
    if taken.first():
        raise OperatorError("a user with this email already exists")
    user = User(tenant_id=tenant.id, email=email, full_name=full_name or email.split("@")[0][:MAX_NAME],
                password_hash=hash_password(password), role=role, is_active=True)
    session.add(user)
    await session.flush()
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="create", resource_type="user",
                       resource_id=user.id, changes=audit.diff(None, {"email": email, "role": role},
                                                               personal=frozenset({"email"})))
    return user
