import uuid

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.deps import Editor, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep
from api.organisations import service
from api.organisations.schemas import (
    OrganisationCreate,
    OrganisationKind,
    OrganisationPage,
    OrganisationRead,
    OrganisationUpdate,
    read_all,
    to_read,
)

router = APIRouter(prefix="/organisations", tags=["organisations"])

@router.get("", response_model=OrganisationPage, summary="List organisations")
async def list_organisations(
    session: SessionDep, caller: Reader, page: PageDep,
    kind: OrganisationKind | None = Query(None, description="Only this kind"),
    tag: str | None = Query(None, max_length=50, description="Only those carrying this tag"),
    external_id: str | None = Query(None, max_length=200, description="Only the one with this external id"),
    q: str | None = Query(None, min_length=1, max_length=200,
                         description="Search name and email (the viewer role's search leaves out email)"),
    archived: bool = Query(False, description="List archived organisations instead of active ones"),
) -> OrganisationPage:
    """Organisations of your tenant, a page at a time; sortable by name, created_at, updated_at."""
    filters = service.OrganisationFilters(kind=kind, tag=tag, external_id=external_id, q=q, archived=archived)
    result = await service.list_organisations(session=session, caller=caller, filters=filters, page=page)
    return OrganisationPage(items=read_all(result.items, caller),
                            next_cursor=result.next_cursor, total=result.total)


@router.post("", response_model=OrganisationRead, status_code=status.HTTP_201_CREATED,
             summary="Create an organisation", responses=problems(409))
async def create_organisation(data: OrganisationCreate, session: SessionDep, caller: Editor,
                              idempotency: IdempotencyDep) -> Response:
    """Create an organisation. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    org = await service.create(session=session, caller=caller, data=data)
    response = await idempotency.created(to_read(org, caller),
                                         location=f"/api/v1/organisations/{org.id}", version=org.version)
    await session.commit()
    return response


@router.get("/{organisation_id}", response_model=OrganisationRead, summary="Get an organisation",
            responses=problems(404))
async def get_organisation(organisation_id: uuid.UUID, session: SessionDep, caller: Reader,
                           response: Response) -> OrganisationRead:
    """One organisation, with its ETag."""
    org = await service.get(session=session, caller=caller, organisation_id=organisation_id)
    set_etag(response, org.version)
    return to_read(org, caller)


@router.patch("/{organisation_id}", response_model=OrganisationRead, summary="Update an organisation",
              responses=problems(404, 409, 412))
async def update_organisation(organisation_id: uuid.UUID, data: OrganisationUpdate, session: SessionDep,
                              caller: Editor, response: Response, if_match: IfMatch = None) -> OrganisationRead:
    """Change the fields given. Send If-Match with the ETag you read to avoid overwriting others' edits."""
    org = await service.update(session=session, caller=caller, organisation_id=organisation_id, data=data,
                               if_match=if_match)
    await session.commit()
    set_etag(response, org.version)
    return to_read(org, caller)


@router.delete("/{organisation_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Archive an organisation",
               responses=problems(404, 412))
async def delete_organisation(organisation_id: uuid.UUID, session: SessionDep, caller: Editor,
                              if_match: IfMatch = None) -> Response:
    """Archive (soft-delete) an organisation; its stakeholders keep their link, and nobody new may join it (409).
    Restore undoes it."""
    await service.set_archived(session=session, caller=caller, organisation_id=organisation_id, archived=True,
                               if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{organisation_id}/restore", response_model=OrganisationRead, summary="Restore an organisation",
             responses=problems(404))
async def restore_organisation(organisation_id: uuid.UUID, session: SessionDep, caller: Editor,
                               idempotency: IdempotencyDep) -> Response:
    """Bring an archived organisation back into the lists. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    org = await service.set_archived(session=session, caller=caller, organisation_id=organisation_id,
                                     archived=False)
    response = await idempotency.ok(to_read(org, caller), version=org.version)
    await session.commit()
    return response
