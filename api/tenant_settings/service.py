"""The caller's tenant and its settings (grid threshold, feedback response time)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.errors import NotFound
from api.models import Tenant
from api.tenant_settings.schemas import TenantSettingsUpdate, effective


async def get(*, session: AsyncSession, caller: Principal, lock: bool = False) -> Tenant:
    """The caller's tenant; locked for update when about to change it."""
    stmt = select(Tenant).where(Tenant.id == caller.tenant_id)
    if lock:
        stmt = stmt.with_for_update()
    tenant = (await session.execute(stmt)).scalar_one_or_none()
    if tenant is None:  # a token for a tenant that has since gone
        raise NotFound("Your tenant no longer exists")
    return tenant


async def update_settings(*, session: AsyncSession, caller: Principal, data: TenantSettingsUpdate,
                          if_match: str | None) -> Tenant:
    """Change the settings given, under a row lock so two admins' edits of different keys both stick; 412 when
    If-Match is stale (checked under the lock, so two edits sent with the same ETag cannot both pass)."""
    tenant = await get(session=session, caller=caller, lock=True)
    check_if_match(if_match, tenant.version)
    current = {**effective(tenant.settings), "jurisdiction": tenant.jurisdiction}
    changes = {k: v for k, v in data.model_dump(mode="json", exclude_unset=True).items() if current[k] != v}
    if changes:
        settings = {k: v for k, v in changes.items() if k != "jurisdiction"}
        # A new dict, so the JSON column is seen to change.
        tenant.settings = {**(tenant.settings or {}), **settings}
        if "jurisdiction" in changes:  # a column of its own: the duty catalogue is chosen by it
            tenant.jurisdiction = changes["jurisdiction"]
        await session.flush()
        await audit.append(session, tenant_id=tenant.id, actor=caller.actor, action="update_settings",
                           resource_type="tenant", resource_id=tenant.id,
                           changes=audit.diff({k: current[k] for k in changes}, changes))
    return tenant
