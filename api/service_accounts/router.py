import uuid

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from api.auth.principal import Role
from api.concurrency import IfMatch, etag, set_etag
from api.deps import Admin, PageDep, SessionDep
from api.errors import problems
from api.idempotency import Idempotency, IdempotencyDep
from api.models import ServiceAccount
from api.service_accounts import service
from api.service_accounts.schemas import (
    NO_NUL,
    ServiceAccountCreate,
    ServiceAccountCredentials,
    ServiceAccountPage,
    ServiceAccountRead,
    ServiceAccountUpdate,
)

router = APIRouter(prefix="/service-accounts", tags=["service-accounts"])


async def _respond_once(idempotency: Idempotency, account: ServiceAccount, secret: str, *,
                        created: bool) -> Response:
    """The credentials response. The Idempotency-Key record keeps it without the secret, so the secret
    is never written to the database in clear; a replay answers client_secret=null."""
    status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    headers = {"ETag": etag(account.version)}
    if created:
        headers["Location"] = f"/api/v1/service-accounts/{account.id}"
    read = ServiceAccountRead.model_validate(account)
    await idempotency.respond(ServiceAccountCredentials(**read.model_dump(), client_secret=None),
                              status_code=status_code, headers=headers)
    body = ServiceAccountCredentials(**read.model_dump(), client_secret=secret)
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


@router.get("", response_model=ServiceAccountPage, summary="List service accounts")
async def list_service_accounts(
    session: SessionDep, caller: Admin, page: PageDep,
    role: Role | None = Query(None, description="Only accounts with this role"),
    is_active: bool | None = Query(None, description="Only active (true) or revoked (false) accounts"),
    q: str | None = Query(None, min_length=1, max_length=200, pattern=NO_NUL, description="Search name and client_id"),
) -> ServiceAccountPage:
    """Service accounts of your tenant, a page at a time; sortable by name, created_at."""
    filters = service.ServiceAccountFilters(role=role, is_active=is_active, q=q)
    result = await service.list_service_accounts(session=session, caller=caller, filters=filters, page=page)
    return ServiceAccountPage(items=[ServiceAccountRead.model_validate(s) for s in result.items],
                              next_cursor=result.next_cursor, total=result.total)


@router.post("", response_model=ServiceAccountCredentials, status_code=status.HTTP_201_CREATED,
             summary="Create a service account")
async def create_service_account(data: ServiceAccountCreate, session: SessionDep, caller: Admin,
                                 idempotency: IdempotencyDep) -> Response:
    """Create a machine client; the response carries its client_id and client_secret, shown only this once."""
    if replay := await idempotency.replay():
        return replay
    account, secret = await service.create(session=session, caller=caller, data=data)
    response = await _respond_once(idempotency, account, secret, created=True)
    await session.commit()
    return response


@router.get("/{account_id}", response_model=ServiceAccountRead, summary="Get a service account",
            responses=problems(404))
async def get_service_account(account_id: uuid.UUID, session: SessionDep, caller: Admin,
                              response: Response) -> ServiceAccountRead:
    """One service account (never its secret), with its ETag."""
    account = await service.get(session=session, caller=caller, account_id=account_id)
    set_etag(response, account.version)
    return ServiceAccountRead.model_validate(account)


@router.patch("/{account_id}", response_model=ServiceAccountRead, summary="Update a service account",
              responses=problems(404, 412))
async def update_service_account(account_id: uuid.UUID, data: ServiceAccountUpdate, session: SessionDep,
                                 caller: Admin, response: Response, if_match: IfMatch = None) -> ServiceAccountRead:
    """Rename it, change its role, or revoke or restore it with is_active. Send If-Match."""
    account = await service.update(session=session, caller=caller, account_id=account_id, data=data,
                                   if_match=if_match)
    await session.commit()
    set_etag(response, account.version)
    return ServiceAccountRead.model_validate(account)


@router.post("/{account_id}/rotate-secret", response_model=ServiceAccountCredentials,
             summary="Rotate a service account's secret", responses=problems(404, 409, 412))
async def rotate_service_account_secret(account_id: uuid.UUID, session: SessionDep, caller: Admin,
                                        idempotency: IdempotencyDep, if_match: IfMatch = None) -> Response:
    """Issue a new secret, shown only in this response; the old one stops working at once."""
    if replay := await idempotency.replay():
        return replay
    account, secret = await service.rotate_secret(session=session, caller=caller, account_id=account_id,
                                                  if_match=if_match)
    response = await _respond_once(idempotency, account, secret, created=False)
    await session.commit()
    return response


@router.delete("/{account_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke a service account",
               responses=problems(404, 412))
async def delete_service_account(account_id: uuid.UUID, session: SessionDep, caller: Admin,
                                 if_match: IfMatch = None) -> Response:
    """Revoke the account: its tokens and secret stop working for good; the row is kept for the audit trail."""
    await service.revoke(session=session, caller=caller, account_id=account_id, if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
