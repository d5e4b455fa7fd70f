import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, SecretStr, StringConstraints

from api.auth.principal import Role
from api.pagination import Page
from api.schemas import ONE_LINE, ReadModel, RequestModel

# No control characters: PostgreSQL refuses NUL in text, which would otherwise be a 500.
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                            pattern=ONE_LINE)]
NO_NUL = r"^[^\x00]+$"  # for query parameters, for the same reason
# SecretStr keeps the value out of reprs and logs; the upper bound only stops a hashing denial of service.
Password = Annotated[str, StringConstraints(min_length=12, max_length=1024), AfterValidator(SecretStr),
                     Field(json_schema_extra={"format": "password", "writeOnly": True})]


class UserCreate(RequestModel):
    email: EmailStr = Field(description="Sign-in email; unique across the whole deployment, whatever its case")
    full_name: FullName = Field(description="The person's full name")
    role: Role = Field(description="What the user may do in your tenant")
    password: Password = Field(description="Initial password, 12 to 1024 characters; stored hashed, never returned")


class UserUpdate(RequestModel):
    """Only the fields present change. Deactivate with is_active=false: users are never deleted."""

    full_name: FullName = Field(None, description="The person's full name")
    role: Role = Field(None, description="What the user may do in your tenant; you cannot demote yourself")
    is_active: bool = Field(None, description="false signs the user out everywhere, for good: reactivating (true) "
                                              "brings back none of the tokens issued before; you cannot deactivate "
                                              "yourself")
    password: Password = Field(None, description="A new password, 12 to 1024 characters. The tokens "
                                 "issued to the user before the change are refused from then on (401)")


class UserRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    email: str = Field(description="Sign-in email")
    full_name: str = Field(description="Full name")
    role: Role = Field(description="Role in the tenant")
    is_active: bool = Field(description="false once deactivated: the user can no longer sign in")
    last_login_at: datetime | None = Field(description="Last successful sign-in; null if never")
    created_at: datetime = Field(description="When it was created")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who created it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")


class UserPage(Page[UserRead]):
    pass
