"""Who is calling: the bearer token checked, its user or service account loaded, its role required."""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import rls
from api.audit import Actor
from api.auth.oidc import Identity, OidcVerifier
from api.db import StaticQuery, get_session
from api.errors import Forbidden, Unauthorized
from api.models import ServiceAccount, Tenant, User
from api.models.user import email_is
from api.query_params import refuse_unknown_on_write
from api.security import InvalidToken, TokenClaims, TokenCodec


class Role(StrEnum):
    admin = "admin"
    lead = "lead"
    contributor = "contributor"
    viewer = "viewer"
    auditor = "auditor"


ALL_ROLES = frozenset(Role)
# Who may do what, as DESIGN.md's role table says.
EDITORS = frozenset({Role.admin, Role.lead})
LOGGERS = frozenset({Role.admin, Role.lead, Role.contributor})
ADMINS = frozenset({Role.admin})
AUDIT_READERS = frozenset({Role.admin, Role.auditor})


@dataclass(frozen=True)
class Principal:
    id: uuid.UUID
    kind: str  # "user" or "service_account"
    tenant_id: uuid.UUID
    role: Role

    @property
    def actor(self) -> Actor:
        return Actor(self.kind, self.id)

    @property
    def sees_contact_details(self) -> bool:
        return self.role != Role.viewer


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False, scheme_name="OAuth2")
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="BearerJWT",
                           description="An access token from POST /api/v1/auth/token")


# The account behind a token, looked up on every request (so deactivation and role changes take effect at once).
ACCOUNT_MODELS = {"user": User, "service_account": ServiceAccount}  # by the token's subject kind


def account_columns(model) -> tuple:
    """What a request needs of its caller's account, labelled apart from any other table's columns. A service
    account's version counts its revocations, not its secrets: a rotated secret leaves the tokens already issued to
    run out (so a partner can switch secrets without a gap), while a token from before a revocation stays refused
    after the account is reactivated."""
    password_version = model.password_version if model is User else model.token_version
    return (model.role.label("account_role"), model.is_active.label("account_active"),
            password_version.label("account_password_version"))


def principal_of(claims: TokenClaims, account: Mapping[str, Any] | None) -> Principal | None:
    """The caller of a verified token, given its account's account_columns(); None when the account is unknown or
    deactivated, or its password has changed since the token was issued (whoever learnt the old password may hold
    a token from it)."""
    if account is None or not account["account_active"] \
            or account["account_password_version"] != claims.password_version:
        return None
    return Principal(claims.subject_id, claims.subject_kind, claims.tenant_id, Role(account["account_role"]))


ACCOUNTS = {kind: StaticQuery(select(*account_columns(model)).where(model.id == bindparam("id"),
                                                                    model.tenant_id == bindparam("tenant_id")))
            for kind, model in ACCOUNT_MODELS.items()}


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header, read as the two security schemes below read it."""
    scheme, token = get_authorization_scheme_param(authorization)
    return token if authorization and scheme.lower() == "bearer" and token else None


async def current_principal(
    request: Request,
    session: AsyncSession = Depends(get_session),
    oauth_token: str | None = Depends(oauth2_scheme),
    bearer: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> Principal:
    """Verify the token, then load its subject: a deactivated or unknown account is refused even
    while its token is unexpired, and the role is the account's current one."""
    token = oauth_token or (bearer.credentials if bearer else None)
    if not token:
        raise Unauthorized("A bearer token is required")
    oidc: OidcVerifier | None = request.app.state.oidc
    if oidc is not None and oidc.owns(token):
        try:
            identity = await oidc.verify(token)
        except InvalidToken:
            raise Unauthorized("The token is invalid or has expired")
        principal = await _sso_principal(session, identity, request.app.state.settings.oidc_role_map)
        request.state.principal_id = str(principal.id)
        return principal
    codec: TokenCodec = request.app.state.tokens
    try:
        claims = codec.verify(token)
    except InvalidToken:
        raise Unauthorized("The token is invalid or has expired")
    # The token's signature is verified, so its tenant scopes the session (row-level security) from here on.
    await rls.scope(session, claims.tenant_id)
    principal = principal_of(claims, await ACCOUNTS[claims.subject_kind].one(session, id=claims.subject_id,
                                                                             tenant_id=claims.tenant_id))
    if principal is None:
        raise Unauthorized("The account is unknown or deactivated, or its password has changed since the token was "
                           "issued")
    request.state.principal_id = str(principal.id)
    return principal


def _sso_role(value: object, role_map: dict[str, str]) -> Role | None:
    """The token's role claim (a name, or a list of names) as one Involve role: an IdP name is mapped
    first; a list must map to exactly one role, so an ambiguous token is refused, never guessed."""
    names = value if isinstance(value, list) else [value]
    roles = {role_map.get(n, n) for n in names if isinstance(n, str)} & {r.value for r in Role}
    return Role(roles.pop()) if len(roles) == 1 else None


async def _sso_principal(session: AsyncSession, identity: Identity, role_map: dict[str, str]) -> Principal:
    """An SSO bearer is the tenant's active user with the token's email, acting in the token's role:
    the provider decides the role, Involve decides whether the account exists and is active."""
    role = _sso_role(identity.role, role_map)
    if not identity.tenant_slug or role is None or not identity.email:
        raise Forbidden("The single sign-on token names no known tenant, role or verified email")
    # The tenant is known only once its slug is looked up: under row-level security the lookup must cross tenants
    # (as token issuance's does), and the request is then scoped to the tenant found, as a local token's is.
    await rls.bypass(session)
    row = (await session.execute(
        select(User.id, User.tenant_id, User.sessions_valid_after)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(Tenant.slug == identity.tenant_slug, email_is(identity.email),
               User.is_active.is_(True))
    )).first()
    if row is None:
        raise Forbidden("No active Involve account in that tenant matches the single sign-on token")
    if row.sessions_valid_after is not None and identity.issued_at < row.sessions_valid_after.timestamp():
        # Issued before the user was deactivated: reactivation does not bring it back (a stolen laptop's session).
        raise Unauthorized("The single sign-on token was issued before the account was deactivated; sign in again")
    await rls.scope(session, row.tenant_id)
    return Principal(row.id, "user", row.tenant_id, role)


def require(roles: frozenset[Role]) -> Callable:
    """A dependency admitting only the given roles (403 for the others); a write it admits refuses a query parameter
    it does not take (422), before anything is written."""

    async def dependency(request: Request, principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"The {principal.role.value} role may not do this")
        refuse_unknown_on_write(request)
        return principal

    dependency.roles = roles  # read by mark_roles() to publish x-roles in the spec
    return dependency


# `x-roles` on every operation says who may call it: the role names, plus "anonymous" when no token is
# needed. The role-matrix test reads it, so an operation without one fails there instead of going unchecked.
ROLES_EXTENSION = "x-roles"
ANONYMOUS = "anonymous"


def roles_marker(roles: frozenset[Role], *, anonymous: bool = False) -> dict[str, list[str]]:
    """`openapi_extra=` for an operation that checks its caller itself (not through require())."""
    names = [r.value for r in Role if r in roles]
    return {ROLES_EXTENSION: ([ANONYMOUS] if anonymous else []) + names}


PUBLIC = roles_marker(ALL_ROLES, anonymous=True)


def _dependency_calls(dependant) -> list[Callable]:
    calls = []
    for sub in dependant.dependencies:
        calls.append(sub.call)
        calls.extend(_dependency_calls(sub))
    return calls


def _roles_of(dependant) -> frozenset[Role] | None:
    calls = _dependency_calls(dependant)
    required = [call.roles for call in calls if hasattr(call, "roles")]
    if required:
        return frozenset.intersection(*required)  # every require() must admit the caller
    if current_principal in calls:
        return ALL_ROLES  # any valid token
    return None


def mark_roles(app) -> None:
    """Publish `x-roles` on each operation of app.openapi(), read from its require() dependencies, or all
    roles when it only needs a valid token. An operation with neither and no explicit marker
    (roles_marker/PUBLIC in openapi_extra) stays unmarked, and the role-matrix test refuses it."""
    from fastapi.routing import APIRoute, iter_route_contexts

    render = app.openapi
    marked: set[int] = set()

    def openapi() -> dict:
        schema = render()
        if id(schema) in marked:
            return schema
        for ctx in iter_route_contexts(app.routes):
            if not isinstance(ctx.original_route, APIRoute) or not ctx.include_in_schema:
                continue
            for method in ctx.methods or ():
                operation = schema["paths"].get(ctx.path_format, {}).get(method.lower())
                if operation is None or ROLES_EXTENSION in operation:
                    continue
                roles = _roles_of(ctx.dependant)
                if roles is not None:
                    operation.update(roles_marker(roles))
        marked.add(id(schema))
        return schema

    app.openapi = openapi
