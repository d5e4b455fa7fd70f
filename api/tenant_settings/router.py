from fastapi import APIRouter, Response

from api.concurrency import IfMatch, set_etag
from api.deps import Admin, Reader, SessionDep
from api.errors import problems
from api.models import Tenant
from api.tenant_settings import service
from api.tenant_settings.schemas import TenantRead, TenantSettings, TenantSettingsUpdate, effective

router = APIRouter(tags=["tenant"])


def to_read(tenant: Tenant) -> TenantRead:
    return TenantRead(id=tenant.id, slug=tenant.slug, name=tenant.name, jurisdiction=tenant.jurisdiction,
                      settings=TenantSettings(**effective(tenant.settings)), version=tenant.version)


@router.get("/tenant", response_model=TenantRead, summary="Get your tenant", responses=problems(404))
async def get_tenant(session: SessionDep, caller: Reader, response: Response) -> TenantRead:
    """Your tenant (the NHS body) and its settings, with the ETag that PATCH /tenant/settings takes as If-Match."""
    tenant = await service.get(session=session, caller=caller)
    set_etag(response, tenant.version)
    return to_read(tenant)


@router.patch("/tenant/settings", response_model=TenantRead, summary="Update tenant settings",
              responses=problems(404, 412))
async def update_tenant_settings(data: TenantSettingsUpdate, session: SessionDep, caller: Admin, response: Response,
                                 if_match: IfMatch = None) -> TenantRead:
    """Change the settings given (admin only): grid_threshold, feedback_response_days, jurisdiction.
    Send If-Match with the ETag of GET /tenant so as not to overwrite another admin's change (412). Audited."""
    tenant = await service.update_settings(session=session, caller=caller, data=data, if_match=if_match)
    await session.commit()
    set_etag(response, tenant.version)
    return to_read(tenant)
