import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from api.auth.principal import Role
from api.pagination import Page
from api.schemas import ONE_LINE, ReadModel, RequestModel

# No control characters: PostgreSQL refuses NUL in text, which would otherwise be a 500.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                        pattern=ONE_LINE)]
NO_NUL = r"^[^\x00]+$"  # for query parameters, for the same reason


class ServiceAccountCreate(RequestModel):
    name: Name = Field(description="A label saying which system uses it, e.g. 'Intranet calendar'")
    role: Role = Field(description="What the account may do in your tenant")


class ServiceAccountUpdate(RequestModel):
    """Only the fields present change."""

    name: Name = Field(None, description="A label saying which system uses it")
    role: Role = Field(None, description="What the account may do in your tenant")
    is_active: bool = Field(None, description="false revokes the account (like DELETE); true restores it, without "
                                              "its old secret or tokens: rotate its secret to use it again")


class ServiceAccountRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    name: str = Field(description="Label")
    client_id: str = Field(description="The client_id of the client-credentials grant (not a secret)")
    role: Role = Field(description="Role in the tenant")
    is_active: bool = Field(description="false once revoked: its tokens and secret stop working")
    created_at: datetime = Field(description="When it was created")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who created it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")


class ServiceAccountCredentials(ServiceAccountRead):
    client_secret: str | None = Field(
        description="The secret, shown only in this response and stored hashed: keep it now. "
                    "null when an Idempotency-Key replays the response; rotate the secret if you lost it")


class ServiceAccountPage(Page[ServiceAccountRead]):
    pass
