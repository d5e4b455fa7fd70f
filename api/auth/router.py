import base64
import binascii
from typing import Annotated, Literal
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request
from sqlalchemy import select

from api.auth import service
from api.auth.principal import PUBLIC
from api.auth.schemas import MeResponse, TenantSummary, TokenResponse
from api.deps import Reader, SessionDep
from api.errors import BadRequest, Unauthorized, problems
from api.models import ServiceAccount, Tenant, User
from api.ratelimit import client_address

router = APIRouter(tags=["auth"])


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """client_id and client_secret from `Authorization: Basic` (RFC 6749 §2.3.1), if sent."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
        client_id, _, secret = raw.partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise BadRequest("Malformed Basic authorization header")
    return unquote(client_id), unquote(secret)


@router.post("/auth/token", response_model=TokenResponse, summary="Get an access token",
             responses=problems(400, 401, 422, 429, 500), openapi_extra=PUBLIC)
async def issue_token(
    request: Request,
    session: SessionDep,
    grant_type: Annotated[Literal["password", "client_credentials"], Form(
        description="password (users) or client_credentials (service accounts)")],
    username: Annotated[str | None, Form(max_length=320, description="The user's email (password grant)")] = None,
    password: Annotated[str | None, Form(max_length=1024, description="The user's password (password grant)")] = None,
    scope: Annotated[str, Form(max_length=1000, description="Ignored; roles come from the account")] = "",
    client_id: Annotated[str | None, Form(max_length=64, description="Service account id (or HTTP Basic)")] = None,
    client_secret: Annotated[str | None, Form(max_length=256, description="Service account secret")] = None,
) -> TokenResponse:
    """OAuth2 token endpoint (form-encoded): the password grant for users, the client-credentials
    grant for service accounts. Wrong credentials are 401 and audited; a burst of attempts is 429."""
    codec = request.app.state.tokens
    limiter = request.app.state.rate_limiter
    address = client_address(request)
    await limiter.check("token-address", address)
    # The account's limit counts its attempts from this address only: counted across addresses, anyone who knew a
    # colleague's email could keep them out with wrong passwords (README, Limits).
    if grant_type == "password":
        if not username or not password:
            raise BadRequest("The password grant needs username and password")

        async def limit(account: str) -> None:
            await limiter.check("token-account", limiter.account_key("user", account, address))

        issued = await service.password_grant(session=session, codec=codec, email=username, password=password,
                                              limit=limit)
    else:
        basic = _basic_credentials(request)
        cid, secret = basic if basic else (client_id, client_secret)
        if not cid or not secret:
            raise BadRequest("The client_credentials grant needs client_id and client_secret")
        await limiter.check("token-account", limiter.account_key("client", cid, address))
        issued = await service.client_credentials_grant(session=session, codec=codec, client_id=cid,
                                                        client_secret=secret)
    await session.commit()  # the audit of a failed attempt stays, too
    if issued is None:
        raise Unauthorized("Invalid credentials")
    token, expires_in = issued
    return TokenResponse(access_token=token, expires_in=expires_in)


@router.get("/me", response_model=MeResponse, summary="Who am I", responses=problems(401, 500))
async def get_me(session: SessionDep, caller: Reader) -> MeResponse:
    """The caller, its role and its tenant."""
    tenant = await session.get(Tenant, caller.tenant_id)
    if caller.kind == "user":
        user = await session.get(User, caller.id)
        name, email = user.full_name, user.email
    else:
        name = (await session.execute(select(ServiceAccount.name).where(ServiceAccount.id == caller.id))).scalar_one()
        email = None
    return MeResponse(id=caller.id, kind=caller.kind, name=name, email=email, role=caller.role,
                      tenant=TenantSummary(id=tenant.id, slug=tenant.slug, name=tenant.name,
                                           jurisdiction=tenant.jurisdiction))
