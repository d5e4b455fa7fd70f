import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, Field

from api.auth.principal import Principal
from api.pagination import Page
from api.schemas import (
    CONTACT_MASKED_FLAG,
    CONTACT_MASKED_NOTE,
    ExternalIdStr,
    OptionalLongText,
    Phone,
    Postcode,
    ReadModel,
    RequestModel,
    Tags,
    Text,
    Url,
    mask_contact_details,
)


class OrganisationKind(StrEnum):
    gp_practice = "gp_practice"
    primary_care_network = "primary_care_network"
    nhs_trust = "nhs_trust"
    integrated_care_board = "integrated_care_board"
    health_board = "health_board"
    local_authority = "local_authority"
    healthwatch = "healthwatch"
    llais = "llais"
    voluntary_group = "voluntary_group"
    community_group = "community_group"
    patient_group = "patient_group"
    mp_office = "mp_office"
    elected_member = "elected_member"
    media = "media"
    education = "education"
    professional_body = "professional_body"
    regulator = "regulator"
    business = "business"
    other = "other"


class OrganisationCreate(RequestModel):
    name: Text = Field(description="The organisation's name")
    kind: OrganisationKind = Field(OrganisationKind.other, description="What sort of body it is")
    external_id: ExternalIdStr | None = Field(None, description="Your system's id; unique in the tenant")
    email: EmailStr | None = Field(None, description="General contact email")
    phone: Phone | None = Field(None, description="General contact phone")
    website: Url | None = Field(None, description="Web address (http or https)")
    address: OptionalLongText = Field(None, description="Postal address")
    postcode: Postcode | None = Field(None, description="UK postcode")
    notes: OptionalLongText = Field(None, description="Free-text notes")
    tags: Tags = Field(default_factory=list, description="Labels for filtering")


class OrganisationUpdate(RequestModel):
    """Only the fields present change; null clears an optional field."""

    name: Text = Field(None, description="The organisation's name")
    kind: OrganisationKind = Field(None, description="What sort of body it is")
    external_id: ExternalIdStr | None = Field(None, description="Your system's id; unique in the tenant")
    email: EmailStr | None = Field(None, description="General contact email")
    phone: Phone | None = Field(None, description="General contact phone")
    website: Url | None = Field(None, description="Web address (http or https)")
    address: OptionalLongText = Field(None, description="Postal address")
    postcode: Postcode | None = Field(None, description="UK postcode")
    notes: OptionalLongText = Field(None, description="Free-text notes")
    tags: Tags = Field(None, description="Labels for filtering (replaces the list)")


class OrganisationRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    external_id: str | None = Field(description="Your system's id")
    name: str = Field(description="Name")
    kind: OrganisationKind = Field(description="What sort of body it is")
    email: str | None = Field(description="General contact email" + CONTACT_MASKED_NOTE)
    phone: str | None = Field(description="General contact phone" + CONTACT_MASKED_NOTE)
    website: str | None = Field(description="Web address")
    address: str | None = Field(description="Postal address" + CONTACT_MASKED_NOTE)
    postcode: str | None = Field(description="UK postcode" + CONTACT_MASKED_NOTE)
    contact_details_masked: bool = Field(description=CONTACT_MASKED_FLAG)
    notes: str | None = Field(description="Free-text notes")
    tags: list[str] = Field(description="Labels")
    archived_at: datetime | None = Field(description="When it was archived; null while active")
    created_at: datetime = Field(description="When it was created")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who created it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")


class OrganisationPage(Page[OrganisationRead]):
    pass


_STORED = tuple(name for name in OrganisationRead.model_fields if name != "contact_details_masked")


def read_all(rows, caller: Principal) -> list[OrganisationRead]:
    """The organisations as this caller may see them: contact details masked for the viewer role, as a
    stakeholder's are (api.schemas.mask_contact_details)."""
    items = [{name: getattr(row, name) for name in _STORED} for row in rows]
    mask_contact_details(items, not caller.sees_contact_details)
    return [OrganisationRead.model_validate(values) for values in items]


def to_read(row, caller: Principal) -> OrganisationRead:
    """One organisation as this caller may see it (read_all)."""
    return read_all([row], caller)[0]
