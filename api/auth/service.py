"""Sign-in: password grant for users, client credentials for service accounts."""

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, rls
from api.db import utcnow
from api.models import ServiceAccount, User
from api.models.user import email_is, email_key
from api.security import TokenCodec, verify_password

log = logging.getLogger("api.auth")


async def password_grant(*, session: AsyncSession, codec: TokenCodec, email: str, password: str,
                         limit: Callable[[str], Awaitable[None]]) -> tuple[str, int] | None:
    """A token for the user, or None. Success and failure are both audited (and committed by the
    caller), except for an unknown email, which belongs to no tenant and is only counted in the log.
    `limit` counts the attempt against the account (429 past its allowance) before the password is checked."""
    await rls.bypass(session)  # the email is unique across tenants: the one lookup that crosses them
    stmt = select(User).where(email_is(email))
    # No address holds a NUL, and PostgreSQL refuses one in text (a 500): such an email is simply unknown.
    user = None if "\x00" in email else (await session.execute(stmt)).scalar_one_or_none()
    # Keyed on the account found, not on the text typed: every spelling the lookup folds to it (padding, case, a
    # decomposed é) shares one allowance; an unknown address by its key, as the lookup folded it.
    await limit(str(user.id) if user is not None else email_key(email))
    if user is not None:
        await rls.scope(session, user.tenant_id)
    ok = verify_password(password, user.password_hash if user else None)
    if user is None:
        log.info("sign-in refused: unknown account")
        return None
    if not ok or not user.is_active:
        await audit.append(session, tenant_id=user.tenant_id, actor=audit.ANONYMOUS, action="login_failed",
                           resource_type="user", resource_id=user.id,
                           changes={"reason": "wrong password" if not ok else "account deactivated"})
        return None
    # Not through the ORM, which checks and moves the version: sign-ins at once, or one beside an admin's PATCH (a
    # deactivation), then failed each other with 412 on PostgreSQL. When the user last signed in is no edit of it, so
    # updated_at keeps its value: left out, the column's onupdate would move it on every sign-in.
    await session.execute(update(User).where(User.id == user.id).values(last_login_at=utcnow(),
                                                                        updated_at=User.updated_at)
                          .execution_options(synchronize_session=False))
    await audit.append(session, tenant_id=user.tenant_id, actor=audit.Actor("user", user.id), action="login",
                       resource_type="user", resource_id=user.id)
    return codec.issue(subject_id=user.id, subject_kind="user", tenant_id=user.tenant_id, role=user.role,
                       password_version=user.password_version)


async def client_credentials_grant(*, session: AsyncSession, codec: TokenCodec, client_id: str,
                                   client_secret: str) -> tuple[str, int] | None:
    """A token for the service account, or None (failures audited like a user's)."""
    await rls.bypass(session)
    account = None if "\x00" in client_id else (await session.execute(  # as for an email's NUL
        select(ServiceAccount).where(ServiceAccount.client_id == client_id))).scalar_one_or_none()
    if account is not None:
        await rls.scope(session, account.tenant_id)
    ok = verify_password(client_secret, account.secret_hash if account else None)
    if account is None:
        log.info("client-credentials refused: unknown client")
        return None
    if not ok or not account.is_active:
        await audit.append(session, tenant_id=account.tenant_id, actor=audit.ANONYMOUS, action="login_failed",
                           resource_type="service_account", resource_id=account.id,
                           # Revoking retires the secret too, so a revoked account's old secret is a revoked account.
                           changes={"reason": "account revoked" if not account.is_active else "wrong secret"})
        return None
    await audit.append(session, tenant_id=account.tenant_id, actor=audit.Actor("service_account", account.id),
                       action="login", resource_type="service_account", resource_id=account.id)
    return codec.issue(subject_id=account.id, subject_kind="service_account", tenant_id=account.tenant_id,
                       role=account.role, password_version=account.token_version)
