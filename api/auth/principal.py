"""Who is calling: the bearer token checked, its user or service account loaded, its role required."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import rls
from api.audit import Actor
from api.db import get_session
from api.errors import Forbidden, Unauthorized
from api.models import ServiceAccount, User
from api.security import InvalidToken, TokenCodec


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
    codec: TokenCodec = request.app.state.tokens
    try:
        claims = codec.verify(token)
    except InvalidToken:
        raise Unauthorized("The token is invalid or has expired")
    # The token's signature is verified, so its tenant scopes the session (row-level security) from here on.
    await rls.scope(session, claims.tenant_id)
    model = ServiceAccount if claims.subject_kind == "service_account" else User
    row = (await session.execute(
        select(model.role, model.is_active).where(model.id == claims.subject_id,
                                                  model.tenant_id == claims.tenant_id)
    )).first()
    if row is None or not row.is_active:
        raise Unauthorized("The account is unknown or deactivated")
    principal = Principal(claims.subject_id, claims.subject_kind, claims.tenant_id, Role(row.role))
    request.state.principal_id = str(principal.id)
    return principal


def require(roles: frozenset[Role]) -> Callable:
    """A dependency admitting only the given roles (403 for the others)."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"The {principal.role.value} role may not do this")
        return principal

    return dependency
