"""Service accounts: every query scoped to the caller's tenant; services flush, routers commit.
Secrets are generated here, returned once and stored only as a hash; the audit never sees them."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import apply, get_owned, snapshot, text_search
from api.errors import Conflict
from api.models import ServiceAccount
from api.pagination import PageParams, PageResult, paginate
from api.security import hash_password, new_client_id, new_client_secret
from api.service_accounts.schemas import ServiceAccountCreate, ServiceAccountUpdate

SORTABLE = {"id": ServiceAccount.id, "name": ServiceAccount.name, "created_at": ServiceAccount.created_at}


@dataclass(frozen=True)
class ServiceAccountFilters:
    role: str | None = None
    is_active: bool | None = None
    q: str | None = None


async def list_service_accounts(*, session: AsyncSession, caller: Principal, filters: ServiceAccountFilters,
                                page: PageParams) -> PageResult:
    """A page of the tenant's service accounts matching the filters."""
    stmt = select(ServiceAccount).where(ServiceAccount.tenant_id == caller.tenant_id)
    if filters.role:
        stmt = stmt.where(ServiceAccount.role == filters.role)
    if filters.is_active is not None:
        stmt = stmt.where(ServiceAccount.is_active.is_(filters.is_active))
    if filters.q:
        stmt = stmt.where(text_search(filters.q, ServiceAccount.name, ServiceAccount.client_id))
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="name")


async def get(*, session: AsyncSession, caller: Principal, account_id: uuid.UUID) -> ServiceAccount:
    """One service account of the caller's tenant (404 otherwise)."""
    return await get_owned(session, ServiceAccount, tenant_id=caller.tenant_id, id=account_id,
                           label="service account")


async def _append(session: AsyncSession, caller: Principal, account: ServiceAccount, action: str,
                  changes: dict[str, Any]) -> None:
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action=action,
                       resource_type="service_account", resource_id=account.id, changes=changes)


async def create(*, session: AsyncSession, caller: Principal,
                 data: ServiceAccountCreate) -> tuple[ServiceAccount, str]:
    """Create a service account and audit it; returns it with its one-time secret."""
    secret = new_client_secret()
    values = {**data.model_dump(), "client_id": new_client_id(), "is_active": True}
    account = ServiceAccount(tenant_id=caller.tenant_id, secret_hash=hash_password(secret), created_by=caller.id,
                             updated_by=caller.id, **values)
    session.add(account)
    await session.flush()
    await _append(session, caller, account, "create", audit.diff(None, values))
    return account, secret


def _cut_off(account: ServiceAccount) -> None:
    """Revoking retires the secret and every token issued so far, for good: reactivating the account brings neither
    back, so it signs in again only once its secret is rotated."""
    account.token_version += 1
    account.secret_hash = hash_password(new_client_secret())  # a secret nobody is ever shown


async def update(*, session: AsyncSession, caller: Principal, account_id: uuid.UUID, data: ServiceAccountUpdate,
                 if_match: str | None) -> ServiceAccount:
    """Change the fields given; 412 when If-Match is stale."""
    account = await get(session=session, caller=caller, account_id=account_id)
    check_if_match(if_match, account.version)
    before, after = apply(account, data.model_dump(exclude_unset=True))
    if not after:
        return account
    if after.get("is_active") is False:
        _cut_off(account)
    account.updated_by = caller.id
    await session.flush()
    # One event per kind of change, so role changes and revocations can be filtered by action.
    if "name" in after:
        await _append(session, caller, account, "update", audit.diff({"name": before["name"]}, {"name": after["name"]}))
    if "role" in after:
        await _append(session, caller, account, "role_change",
                      audit.diff({"role": before["role"]}, {"role": after["role"]}))
    if "is_active" in after:
        await _append(session, caller, account, "reactivate" if after["is_active"] else "revoke",
                      audit.diff({"is_active": before["is_active"]}, {"is_active": after["is_active"]}))
    return account


async def revoke(*, session: AsyncSession, caller: Principal, account_id: uuid.UUID,
                 if_match: str | None) -> ServiceAccount:
    """Revoke (deactivate) an account; the row stays for the audit trail. Repeating it changes nothing."""
    account = await get(session=session, caller=caller, account_id=account_id)
    check_if_match(if_match, account.version)
    if not account.is_active:
        return account
    before = snapshot(account, ["is_active"])
    account.is_active = False
    _cut_off(account)
    account.updated_by = caller.id
    await session.flush()
    await _append(session, caller, account, "revoke", audit.diff(before, snapshot(account, ["is_active"])))
    return account


async def rotate_secret(*, session: AsyncSession, caller: Principal, account_id: uuid.UUID,
                        if_match: str | None) -> tuple[ServiceAccount, str]:
    """Replace the secret (the old one stops working at once); 409 for a revoked account."""
    account = await get(session=session, caller=caller, account_id=account_id)
    check_if_match(if_match, account.version)
    if not account.is_active:
        raise Conflict("The service account is revoked; reactivate it before rotating its secret")
    secret = new_client_secret()
    account.secret_hash = hash_password(secret)
    account.updated_by = caller.id
    await session.flush()
    await _append(session, caller, account, "rotate_secret", {"client_secret": "rotated"})
    return account, secret
