"""Tenants and their first users are made by the platform operator from the command line."""

import re

from email_validator import EmailNotValidError, validate_email
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Role
from api.models import Tenant, User
from api.models.user import email_is
from api.schemas import NOT_IN_A_LINE
from api.security import hash_password
from api.users.schemas import FullName, Password

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")  # whole (fullmatch): "$" would let a final newline by
JURISDICTIONS = ("england", "wales")
MAX_EMAIL = 320  # the column's length (PostgreSQL refuses longer; SQLite would keep it)
CONTROL = re.compile(f"[{NOT_IN_A_LINE}]")  # no place in an address, as in a name (api.schemas)
# The API's own rules for a name and a password (POST /users), so the operator's commands take what the API takes.
NAME, PASSWORD = TypeAdapter(FullName), TypeAdapter(Password)


class OperatorError(ValueError):
    """Bad input from the operator; the message is one line, shown as is."""


async def create_tenant(session: AsyncSession, *, slug: str, name: str, jurisdiction: str = "england") -> Tenant:
    if not SLUG.fullmatch(slug):
        raise OperatorError(f"slug {slug!r} must be lowercase letters, digits and hyphens (at most 63)")
    name = _name(name)
    if jurisdiction not in JURISDICTIONS:
        raise OperatorError(f"jurisdiction must be one of {', '.join(JURISDICTIONS)}")
    if await find_tenant(session, slug):
        raise OperatorError(f"tenant '{slug}' already exists")
    tenant = Tenant(slug=slug, name=name, jurisdiction=jurisdiction, settings={})
    session.add(tenant)
    await session.flush()
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="create", resource_type="tenant",
                       resource_id=tenant.id, changes=audit.diff(None, {"slug": slug, "name": tenant.name,
                                                                          "jurisdiction": jurisdiction}))
    return tenant


def _name(value: str) -> str:
    """The name as the API would store it (trimmed), or an OperatorError saying what a name must be."""
    try:
        return NAME.validate_python(value)
    except ValidationError:
        raise OperatorError("name must be 1 to at most 200 characters, without control characters") from None


async def find_tenant(session: AsyncSession, slug: str) -> Tenant | None:
    return (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()


async def create_user(session: AsyncSession, *, tenant: Tenant, email: str, password: str, role: str,
                      full_name: str | None = None) -> User:
    if role not in set(Role):
        raise OperatorError(f"role must be one of {', '.join(r.value for r in Role)}")
    if len(email) > MAX_EMAIL or CONTROL.search(email):
        raise OperatorError("email is not a valid address")
    # What POST /users takes (EmailStr), in the form it stores (NFC: an é typed as e + U+0301), so sign-in finds it
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise OperatorError("email is not a valid address") from None
    _checked_password(password)
    if full_name is not None:
        full_name = _name(full_name)
    taken = await session.execute(select(User.id).where(email_is(email)))
    if taken.first():
        raise OperatorError("a user with this email already exists")
    full_name = full_name or email.split("@")[0][:200]  # a name is at most 200 characters
    user = User(tenant_id=tenant.id, email=email, full_name=full_name,
                password_hash=hash_password(password), role=role, is_active=True)
    session.add(user)
    await session.flush()
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="create", resource_type="user",
                       resource_id=user.id, changes=audit.diff(None, {"email": email, "role": role},
                                                               personal=frozenset({"email"})))
    return user


def _checked_password(password: str) -> str:
    try:
        return PASSWORD.validate_python(password)
    except ValidationError:
        raise OperatorError("password must be 12 to 1024 characters") from None


async def set_password(session: AsyncSession, *, email: str, password: str) -> User:
    """The operator's way back in for a user (an admin locked out, whose password no other admin may set): the new
    password retires the user's tokens, and the change is audited as the system's, without the value."""
    _checked_password(password)
    user = (await session.execute(select(User).where(email_is(email)))).scalar_one_or_none()
    if user is None:
        raise OperatorError("no user with this email")
    user.password_hash = hash_password(password)
    user.password_version += 1  # the tokens issued before it stop working (api.auth.principal.principal_of)
    await session.flush()
    await audit.append(session, tenant_id=user.tenant_id, actor=audit.SYSTEM, action="update", resource_type="user",
                       resource_id=user.id, changes={"password": "changed"})
    return user

