from fastapi import APIRouter

from api.deps import Admin, Reader, SessionDep
from api.errors import problems
from api.models import Tenant
from api.tenant_settings import service
from api.tenant_settings.schemas import TenantRead, TenantSettings, TenantSettingsUpdate, effective

router = APIRouter(tags=["tenant"])


def to_read(tenant: Tenant) -> TenantRead:
    return TenantRead(id=tenant.id, slug=tenant.slug, name=tenant.name, jurisdiction=tenant.jurisdiction,
                      settings=TenantSettings(**effective(tenant.settings)))


@router.get("/tenant", response_model=TenantRead, summary="Get your tenant", responses=problems(404))
async def get_tenant(session: SessionDep, caller: Reader) -> TenantRead:
    """Your tenant (the NHS body) and its settings."""
    return to_read(await service.get(session=session, caller=caller))


@router.patch("/tenant/settings", response_model=TenantRead, summary="Update tenant settings",
              responses=problems(404))
async def update_tenant_settings(data: TenantSettingsUpdate, session: SessionDep, caller: Admin) -> TenantRead:
    """Change the settings given (admin only): grid_threshold, feedback_response_days, jurisdiction.
    Audited."""
    tenant = await service.update_settings(session=session, caller=caller, data=data)
    await session.commit()
    return to_read(tenant)
