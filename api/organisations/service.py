"""Organisations: every query scoped to the caller's tenant; services flush, routers commit."""

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import (
    apply,
    archive_or_restore,
    ensure_external_id_free,
    get_owned,
    json_array_contains,
    text_search,
)
from api.models import Organisation
from api.organisations.schemas import OrganisationCreate, OrganisationUpdate
from api.pagination import PageParams, PageResult, paginate

SORTABLE = {"id": Organisation.id, "name": Organisation.name, "created_at": Organisation.created_at,
            "updated_at": Organisation.updated_at}


@dataclass(frozen=True)
class OrganisationFilters:
    kind: str | None = None
    tag: str | None = None
    external_id: str | None = None
    q: str | None = None
    archived: bool = False


def filtered_query(*, session: AsyncSession, caller: Principal, filters: OrganisationFilters) -> Select:
    """The tenant's organisations matching the filters, as a statement (the list pages it, the export streams it)."""
    stmt = select(Organisation).where(Organisation.tenant_id == caller.tenant_id)
    stmt = stmt.where(Organisation.archived_at.is_not(None) if filters.archived else Organisation.archived_at.is_(None))
    if filters.kind:
        stmt = stmt.where(Organisation.kind == filters.kind)
    if filters.external_id:
        stmt = stmt.where(Organisation.external_id == filters.external_id)
    if filters.tag:
        stmt = stmt.where(json_array_contains(session, Organisation.tags, filters.tag))
    if filters.q:
        # A viewer's search leaves email out, as a stakeholder search does, so it cannot be used to probe addresses.
        searched = (Organisation.name, Organisation.email) if caller.sees_contact_details else (Organisation.name,)
        stmt = stmt.where(text_search(filters.q, *searched))
    return stmt


async def list_organisations(*, session: AsyncSession, caller: Principal, filters: OrganisationFilters,
                             page: PageParams) -> PageResult:
    """A page of the tenant's organisations matching the filters."""
    stmt = filtered_query(session=session, caller=caller, filters=filters)
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="name")


async def get(*, session: AsyncSession, caller: Principal, organisation_id: uuid.UUID) -> Organisation:
    """One organisation of the caller's tenant (404 otherwise)."""
    return await get_owned(session, Organisation, tenant_id=caller.tenant_id, id=organisation_id,
                           label="organisation")


# An organisation's contact details and notes can be a person's (a sole practitioner, an elected member), and the
# hash-chained audit trail outlives any correction or erasure: it records that they changed, never their values.
PERSONAL_FIELDS = frozenset({"email", "phone", "address", "postcode", "notes"})


async def create(*, session: AsyncSession, caller: Principal, data: OrganisationCreate) -> Organisation:
    """Create an organisation and audit it."""
    await ensure_external_id_free(session, Organisation, tenant_id=caller.tenant_id, external_id=data.external_id)
    values = data.model_dump()
    org = Organisation(tenant_id=caller.tenant_id, created_by=caller.id, updated_by=caller.id, **values)
    session.add(org)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type="organisation", resource_id=org.id,
                       changes=audit.diff(None, values, personal=PERSONAL_FIELDS))
    return org


async def update(*, session: AsyncSession, caller: Principal, organisation_id: uuid.UUID,
                 data: OrganisationUpdate, if_match: str | None) -> Organisation:
    """Change the fields given; 412 when If-Match is stale."""
    org = await get(session=session, caller=caller, organisation_id=organisation_id)
    check_if_match(if_match, org.version)
    changes = data.model_dump(exclude_unset=True)
    if "external_id" in changes:
        await ensure_external_id_free(session, Organisation, tenant_id=caller.tenant_id,
                                      external_id=changes["external_id"], exclude_id=org.id)
    before, after = apply(org, changes)
    if after:
        org.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type="organisation", resource_id=org.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return org


async def set_archived(*, session: AsyncSession, caller: Principal, organisation_id: uuid.UUID,
                       archived: bool, if_match: str | None = None) -> Organisation:
    """Archive (soft delete) or restore an organisation."""
    org = await get(session=session, caller=caller, organisation_id=organisation_id)
    return await archive_or_restore(session, caller, org, archived=archived, if_match=if_match,
                                    resource_type="organisation")