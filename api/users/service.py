"""Users: every query scoped to the caller's tenant (emails are unique across the deployment);
services flush, routers commit. Passwords are hashed here and never reach the audit trail."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal, Role
from api.concurrency import check_if_match
from api.crud import apply, get_owned, text_search
from api.db import utcnow
from api.errors import Conflict, Forbidden
from api.models import User
from api.models.user import email_is
from api.pagination import PageParams, PageResult, paginate
from api.security import hash_password
from api.users.schemas import UserCreate, UserUpdate

SORTABLE = {"id": User.id, "name": User.full_name, "email": User.email, "created_at": User.created_at}
PERSONAL = frozenset({"email", "full_name"})


@dataclass(frozen=True)
class UserFilters:
    role: str | None = None
    is_active: bool | None = None
    q: str | None = None


async def list_users(*, session: AsyncSession, caller: Principal, filters: UserFilters,
                     page: PageParams) -> PageResult:
    """A page of the tenant's users matching the filters."""
    stmt = select(User).where(User.tenant_id == caller.tenant_id)
    if filters.role:
        stmt = stmt.where(User.role == filters.role)
    if filters.is_active is not None:
        stmt = stmt.where(User.is_active.is_(filters.is_active))
    if filters.q:
        stmt = stmt.where(text_search(filters.q, User.full_name, User.email))
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="name")


async def get(*, session: AsyncSession, caller: Principal, user_id: uuid.UUID) -> User:
    """One user of the caller's tenant (404 otherwise)."""
    return await get_owned(session, User, tenant_id=caller.tenant_id, id=user_id, label="user")


async def _ensure_email_free(session: AsyncSession, email: str) -> None:
    taken = (await session.execute(
        select(User.id).where(email_is(email)).limit(1))).first()
    if taken is not None:
        raise Conflict("A user with this email already exists")


async def create(*, session: AsyncSession, caller: Principal, data: UserCreate) -> User:
    """Create a user in the caller's tenant and audit it; 409 when the email is taken anywhere."""
    await _ensure_email_free(session, data.email)
    values = data.model_dump(exclude={"password"})
    user = User(tenant_id=caller.tenant_id, password_hash=hash_password(data.password.get_secret_value()),
                is_active=True, created_by=caller.id, updated_by=caller.id, **values)
    try:
        async with session.begin_nested():  # a concurrent create of the same email loses cleanly
            session.add(user)
            await session.flush()
    except IntegrityError:
        raise Conflict("A user with this email already exists")
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type="user", resource_id=user.id,
                       changes=audit.diff(None, {**values, "is_active": True}, personal=PERSONAL))
    return user


def _refuse_self_lockout(caller: Principal, user: User, changes: dict[str, Any]) -> None:
    """The caller is an admin: demoting or deactivating themselves could leave nobody in charge."""
    if caller.kind != "user" or caller.id != user.id:
        return
    if changes.get("is_active") is False:
        raise Conflict("You cannot deactivate yourself; ask another admin")
    if changes.get("role", Role.admin) != Role.admin:
        raise Conflict("You cannot change your own role; ask another admin")


def _refuse_setting_another_admins_password(caller: Principal, user: User, password: Any, role: str) -> None:
    """One admin setting another's password could then sign in as them, and act under their name in the audit
    trail. An admin sets their own; a locked-out admin's is set by the operator (`involve set-password`). `role` is
    the one the request leaves the user with: promoting a user and setting their password in one request is setting
    an admin's password."""
    if password is not None and Role.admin in (user.role, role) and (caller.kind != "user" or caller.id != user.id):
        raise Forbidden("An admin's password is set by that admin, or by the operator (involve set-password)")


async def _refuse_removing_the_last_admin(session: AsyncSession, user: User, changes: dict[str, Any]) -> None:
    """A user cannot demote themselves, but an admin service account could demote the last active admin user and
    leave the tenant with nobody to manage it. Every active admin's row is locked, in one order, so two admins
    demoting each other at once neither deadlock nor both pass: the second sees the first's change."""
    losing = (changes.get("is_active") is False or changes.get("role", Role.admin) != Role.admin)
    if not losing or user.role != Role.admin or not user.is_active:
        return
    admins = (await session.execute(
        select(User.id).where(User.tenant_id == user.tenant_id, User.role == Role.admin.value,
                              User.is_active.is_(True)).order_by(User.id).with_for_update())).scalars().all()
    if not any(admin != user.id for admin in admins):
        raise Conflict("This is the tenant's last active admin; make another user admin first")


async def update(*, session: AsyncSession, caller: Principal, user_id: uuid.UUID, data: UserUpdate,
                 if_match: str | None) -> User:
    """Change the fields given; 412 when If-Match is stale, 409 on self-demotion or self-deactivation."""
    user = await get(session=session, caller=caller, user_id=user_id)
    check_if_match(if_match, user.version)
    changes = data.model_dump(exclude_unset=True, exclude={"password"})
    password = data.password if "password" in data.model_fields_set else None
    _refuse_self_lockout(caller, user, changes)
    _refuse_setting_another_admins_password(caller, user, password, changes.get("role", user.role))
    await _refuse_removing_the_last_admin(session, user, changes)
    before, after = apply(user, changes)
    if password is not None:
        user.password_hash = hash_password(password.get_secret_value())
        user.password_version += 1  # the tokens issued before it stop working (api.auth.principal.principal_of)
    if after.get("is_active") is False:
        # Deactivating signs the user out for good: reactivating must not bring back a token issued before (a stolen
        # laptop's session), as revoking a service account retires its tokens; an SSO token by when it was issued.
        user.password_version += 1
        user.sessions_valid_after = utcnow()
    if not after and password is None:
        return user
    user.updated_by = caller.id
    await session.flush()
    await _audit_update(session, caller=caller, user=user, before=before, after=after,
                        password_changed=password is not None)
    return user


async def _audit_update(session: AsyncSession, *, caller: Principal, user: User, before: dict[str, Any],
                        after: dict[str, Any], password_changed: bool) -> None:
    """One event per kind of change, so role changes and deactivations can be filtered by action."""

    async def append(action: str, changes: dict[str, Any]) -> None:
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action=action,
                           resource_type="user", resource_id=user.id, changes=changes)

    plain = [name for name in after if name not in ("role", "is_active")]
    if plain or password_changed:
        changes = audit.diff({n: before[n] for n in plain}, {n: after[n] for n in plain}, personal=PERSONAL)
        if password_changed:
            changes["password"] = "changed"  # that it changed, never the value
        await append("update", changes)
    if "role" in after:
        await append("role_change", audit.diff({"role": before["role"]}, {"role": after["role"]}))
    if "is_active" in after:
        await append("reactivate" if after["is_active"] else "deactivate",
                     audit.diff({"is_active": before["is_active"]}, {"is_active": after["is_active"]}))
