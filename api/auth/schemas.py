import uuid
from typing import Literal

from pydantic import Field

from api.auth.principal import Role
from api.schemas import ResponseModel


class TokenResponse(ResponseModel):
    access_token: str = Field(description="A JWT to send as `Authorization: Bearer …`")
    token_type: Literal["bearer"] = Field("bearer", description="Always bearer")
    expires_in: int = Field(description="Seconds until the token expires")


class TenantSummary(ResponseModel):
    id: uuid.UUID = Field(description="Tenant id")
    slug: str = Field(description="Short name")
    name: str = Field(description="The NHS body's name")
    jurisdiction: str = Field(description="england or wales: which duties apply")


class MeResponse(ResponseModel):
    id: uuid.UUID = Field(description="Your user or service account id")
    kind: Literal["user", "service_account"] = Field(description="What signed in")
    name: str = Field(description="Your name (a service account's label)")
    email: str | None = Field(description="Your email (users only)")
    role: Role = Field(description="Your role in the tenant")
    tenant: TenantSummary = Field(description="The tenant you act in")
