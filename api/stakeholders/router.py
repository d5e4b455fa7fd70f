import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from api.activities.engagement import IsoDate
from api.assessments.filters import ScoreFilters
from api.assessments.quadrants import Quadrant
from api.auth.principal import Principal
from api.concurrency import IfMatch, etag, set_etag
from api.deps import Admin, Editor, PageDep, Reader, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep
from api.pagination import PageResult
from api.responses import json_response
from api.stakeholders import erasure, service
from api.stakeholders.schemas import (
    StakeholderCategory,
    StakeholderCreate,
    StakeholderKind,
    StakeholderPage,
    StakeholderRead,
    StakeholderUpdate,
    read_rows,
    read_values,
    to_read,
)

router = APIRouter(prefix="/stakeholders", tags=["stakeholders"])


class StakeholderListQuery(BaseModel):
    """The stakeholder list's query filters, validated as one model: FastAPI re-examines every separately declared
    query parameter on each request, which for these 19 cost more than the model's one validation. The spec lists
    them as the same query parameters either way."""

    category: StakeholderCategory | None = Field(None, description="Only those in this category")
    tag: str | None = Field(None, max_length=50, description="Only those carrying this tag")
    kind: StakeholderKind | None = Field(None, description="Only this kind")
    organisation_id: uuid.UUID | None = Field(None, description="Only those belonging to this organisation")
    owner_id: uuid.UUID | None = Field(None, description="Only those this user looks after")
    champion: bool | None = Field(None, description="Only champions (true) or only the others (false)")
    public_representative: bool | None = Field(None, description="Only patient or public representatives, "
                                                                  "or only the others")
    contact_consent: bool | None = Field(None, description="Only those who may (true) or may not be contacted")
    external_id: str | None = Field(None, max_length=200, description="Only the one with this external id")
    email: str | None = Field(None, min_length=1, max_length=320,
                              description="Only the one with this email, whatever its case (not for the viewer "
                                          "role: 403)")
    q: str | None = Field(None, min_length=1, max_length=200,
                          description="Search name, organisation name and email (the viewer role's search "
                                      "leaves out email)")
    archived: bool = Field(False, description="Archived (and erased) stakeholders instead of active ones")
    not_engaged_since: IsoDate | None = Field(None, description="Only those who attended no activity that was "
                                                                 "done and started on or after this UK date")
    quadrant: Quadrant | None = Field(None, description="Only those in this quadrant by their latest assessment "
                                                        "(general, or for plan_id)")
    plan_id: uuid.UUID | None = Field(None, description="Score filters use the latest assessment for this plan; "
                                                        "only stakeholders assessed for it are included")
    min_interest: int | None = Field(None, ge=1, le=5, description="Only those whose latest interest is at least this")
    max_interest: int | None = Field(None, ge=1, le=5, description="Only those whose latest interest is at most this")
    min_influence: int | None = Field(None, ge=1, le=5, description="Only those whose latest influence is at least "
                                                                    "this")
    max_influence: int | None = Field(None, ge=1, le=5, description="Only those whose latest influence is at most "
                                                                    "this")


async def list_filters(query: Annotated[StakeholderListQuery, Query()]) -> service.StakeholderFilters:
    """The stakeholder list's query filters, shared with GET /exports/stakeholders."""
    return service.StakeholderFilters(
        category=query.category, tag=query.tag, kind=query.kind, organisation_id=query.organisation_id,
        owner_id=query.owner_id, champion=query.champion, public_representative=query.public_representative,
        contact_consent=query.contact_consent, external_id=query.external_id, email=query.email, q=query.q,
        archived=query.archived, not_engaged_since=query.not_engaged_since,
        scores=ScoreFilters(quadrant=query.quadrant, plan_id=query.plan_id, min_interest=query.min_interest,
                            max_interest=query.max_interest, min_influence=query.min_influence,
                            max_influence=query.max_influence))


StakeholderFiltersDep = Annotated[service.StakeholderFilters, Depends(list_filters)]


@router.get("", response_model=StakeholderPage, summary="List stakeholders")
async def list_stakeholders(session: SessionDep, caller: Reader, filters: StakeholderFiltersDep,
                            page: PageDep) -> Response:
    """Stakeholders of your tenant, a page at a time; sortable by name, created_at, updated_at."""
    result = await service.list_stakeholders(session=session, caller=caller, filters=filters, page=page)
    return page_response(result, caller)


def page_response(result: PageResult, caller: Principal) -> Response:
    """A StakeholderPage as this caller may see it (here and in the hot reads)."""
    return json_response({"items": read_rows(result.items, caller), "next_cursor": result.next_cursor,
                          "total": result.total})


def read_response(values: Mapping[str, Any], caller: Principal) -> Response:
    """A StakeholderRead as this caller may see it, with its ETag (here and in the hot reads)."""
    return json_response(read_values(values, caller), headers={"ETag": etag(values["version"])})


@router.post("", response_model=StakeholderRead, status_code=status.HTTP_201_CREATED,
             summary="Create a stakeholder", responses=problems(409))
async def create_stakeholder(data: StakeholderCreate, session: SessionDep, caller: Editor,
                             idempotency: IdempotencyDep) -> Response:
    """Create a stakeholder. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.create(session=session, caller=caller, data=data)
    response = await idempotency.created(to_read(row, caller), location=service.location(row.id), version=row.version)
    await session.commit()
    return response


# `:uuid` keeps /stakeholders/grid (a sibling route) from being taken for an id.
@router.get("/{stakeholder_id:uuid}", response_model=StakeholderRead, summary="Get a stakeholder",
            responses=problems(404))
async def get_stakeholder(stakeholder_id: uuid.UUID, session: SessionDep, caller: Reader) -> Response:
    """One stakeholder, with its ETag; contact details are masked for the viewer role. A restricted one is
    shown to admins only, and each such read is audited."""
    values = await service.get_values(session=session, caller=caller, stakeholder_id=stakeholder_id)
    if values["restricted_at"] is not None:
        await service.audit_restricted_read(session, caller, stakeholder_id)
        await session.commit()
    return read_response(values, caller)


@router.patch("/{stakeholder_id:uuid}", response_model=StakeholderRead, summary="Update a stakeholder",
              responses=problems(404, 409, 412))
async def update_stakeholder(stakeholder_id: uuid.UUID, data: StakeholderUpdate, session: SessionDep,
                             caller: Editor, response: Response, if_match: IfMatch = None) -> StakeholderRead:
    """Change the fields given. Send If-Match with the ETag you read to avoid overwriting others' edits."""
    row = await service.update(session=session, caller=caller, stakeholder_id=stakeholder_id, data=data,
                               if_match=if_match)
    await session.commit()
    set_etag(response, row.version)
    return to_read(row, caller)


@router.delete("/{stakeholder_id:uuid}", status_code=status.HTTP_204_NO_CONTENT, summary="Archive a stakeholder",
               responses=problems(404, 412))
async def delete_stakeholder(stakeholder_id: uuid.UUID, session: SessionDep, caller: Editor,
                             if_match: IfMatch = None) -> Response:
    """Archive (soft-delete) a stakeholder; its history stays. Restore undoes it."""
    await service.set_archived(session=session, caller=caller, stakeholder_id=stakeholder_id, archived=True,
                               if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{stakeholder_id}/restore", response_model=StakeholderRead, summary="Restore a stakeholder",
             responses=problems(404, 409))
async def restore_stakeholder(stakeholder_id: uuid.UUID, session: SessionDep, caller: Editor,
                              idempotency: IdempotencyDep) -> Response:
    """Bring an archived stakeholder back into the lists; an erased one cannot come back (409).
    Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    row = await service.set_archived(session=session, caller=caller, stakeholder_id=stakeholder_id, archived=False)
    response = await idempotency.ok(to_read(row, caller), version=row.version)
    await session.commit()
    return response


@router.post("/{stakeholder_id}/erase", response_model=StakeholderRead, summary="Erase a stakeholder's personal data",
             responses=problems(404, 409))
async def erase_stakeholder(stakeholder_id: uuid.UUID, session: SessionDep, caller: Admin,
                            idempotency: IdempotencyDep) -> Response:
    """UK GDPR erasure (admin only): wipe personal fields, keep the record, its links and counts; irreversible.
    Honours Idempotency-Key: a retry gets the first answer, not 409 for an erasure already done."""
    if replay := await idempotency.replay():
        return replay
    row = await erasure.erase(session=session, caller=caller, stakeholder_id=stakeholder_id)
    # The stored body is the record as erased, personal fields already wiped: the key keeps none of their data.
    response = await idempotency.ok(to_read(row, caller), version=row.version)
    await session.commit()
    return response
