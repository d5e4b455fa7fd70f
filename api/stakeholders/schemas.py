import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from typing import Annotated, Any

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from api.auth.principal import Principal
from api.models import Stakeholder
from api.pagination import Page
from api.schemas import (
    CONTACT_MASKED_FLAG,
    CONTACT_MASKED_NOTE,
    ONE_LINE,
    ExternalIdStr,
    Instant,
    OptionalLongText,
    Phone,
    Postcode,
    ReadModel,
    RequestModel,
    Tags,
    Text,
    mask_contact_details,
)


class StakeholderKind(StrEnum):
    person = "person"
    group = "group"
    organisation = "organisation"


class StakeholderCategory(StrEnum):
    patient = "patient"
    carer = "carer"
    public = "public"
    gp_member = "gp_member"
    staff = "staff"
    partner = "partner"
    provider = "provider"
    commissioner = "commissioner"
    influencer = "influencer"
    elected_representative = "elected_representative"
    overview_scrutiny = "overview_scrutiny"
    media = "media"
    voluntary_sector = "voluntary_sector"
    community_group = "community_group"
    professional_body = "professional_body"
    regulator = "regulator"
    seldom_heard = "seldom_heard"
    other = "other"


class Channel(StrEnum):
    email = "email"
    post = "post"
    phone = "phone"
    text = "text"
    face_to_face = "face_to_face"
    online_meeting = "online_meeting"
    newsletter = "newsletter"
    social_media = "social_media"


class CommunicationNeed(StrEnum):
    large_print = "large_print"
    easy_read = "easy_read"
    braille = "braille"
    bsl = "bsl"
    audio = "audio"
    hearing_loop = "hearing_loop"
    interpreter = "interpreter"
    translation = "translation"
    plain_english = "plain_english"
    other = "other"


class ConsentBasis(StrEnum):
    """The UK GDPR Article 6 lawful basis for contacting the stakeholder."""

    consent = "consent"
    contract = "contract"
    legal_obligation = "legal_obligation"
    vital_interests = "vital_interests"
    public_task = "public_task"
    legitimate_interests = "legitimate_interests"


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


Categories = Annotated[list[StakeholderCategory], Field(max_length=len(StakeholderCategory)), AfterValidator(_unique)]
Channels = Annotated[list[Channel], Field(max_length=len(Channel)), AfterValidator(_unique)]
Needs = Annotated[list[CommunicationNeed], Field(max_length=len(CommunicationNeed)), AfterValidator(_unique)]
JobTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                            pattern=ONE_LINE)]
Language = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100,
                                            pattern=ONE_LINE)]

# Descriptions shared by the create and update bodies.
D = {
    "kind": "A person, a group or an organisation",
    "name": "The stakeholder's name",
    "categories": "Which stakeholder groups they belong to (patient, carer, elected_representative…)",
    "organisation_id": "The organisation they belong to; one of your tenant's organisations",
    "job_title": "Job title or role",
    "email": "Email address; unique in the tenant, whatever its case",
    "phone": "Phone number",
    "address": "Postal address",
    "postcode": "UK postcode",
    "preferred_channels": "How they prefer to be contacted",
    "communication_needs": "Accessible formats or support they need",
    "interpreter_language": "The language an interpreter or translation should use",
    "contact_consent": "Whether they may be contacted",
    "consent_basis": "The UK GDPR lawful basis for contacting them",
    "consent_recorded_at": "When consent or its basis was recorded; set to now when contact_consent or "
                           "consent_basis changes without it",
    "is_champion": "A champion of the work",
    "is_public_representative": "A patient or public representative",
    "tags": "Labels for filtering",
    "owner_id": "The user of your tenant who looks after the relationship",
    "notes": "Free-text notes",
    "external_id": "Your system's id; unique in the tenant",
}


class StakeholderCreate(RequestModel):
    kind: StakeholderKind = Field(StakeholderKind.person, description=D["kind"])
    name: Text = Field(description=D["name"])
    categories: Categories = Field(default_factory=list, description=D["categories"])
    organisation_id: uuid.UUID | None = Field(None, description=D["organisation_id"])
    job_title: JobTitle | None = Field(None, description=D["job_title"])
    email: EmailStr | None = Field(None, description=D["email"])
    phone: Phone | None = Field(None, description=D["phone"])
    address: OptionalLongText = Field(None, description=D["address"])
    postcode: Postcode | None = Field(None, description=D["postcode"])
    preferred_channels: Channels = Field(default_factory=list, description=D["preferred_channels"])
    communication_needs: Needs = Field(default_factory=list, description=D["communication_needs"])
    interpreter_language: Language | None = Field(None, description=D["interpreter_language"])
    contact_consent: bool = Field(False, description=D["contact_consent"])
    consent_basis: ConsentBasis | None = Field(None, description=D["consent_basis"])
    consent_recorded_at: Instant | None = Field(None, description=D["consent_recorded_at"])
    is_champion: bool = Field(False, description=D["is_champion"])
    is_public_representative: bool = Field(False, description=D["is_public_representative"])
    tags: Tags = Field(default_factory=list, description=D["tags"])
    owner_id: uuid.UUID | None = Field(None, description=D["owner_id"])
    notes: OptionalLongText = Field(None, description=D["notes"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class StakeholderUpdate(RequestModel):
    """Only the fields present change; null clears an optional field and is refused for the others."""

    kind: StakeholderKind = Field(None, description=D["kind"])
    name: Text = Field(None, description=D["name"])
    categories: Categories = Field(None, description=D["categories"] + " (replaces the list)")
    organisation_id: uuid.UUID | None = Field(None, description=D["organisation_id"])
    job_title: JobTitle | None = Field(None, description=D["job_title"])
    email: EmailStr | None = Field(None, description=D["email"])
    phone: Phone | None = Field(None, description=D["phone"])
    address: OptionalLongText = Field(None, description=D["address"])
    postcode: Postcode | None = Field(None, description=D["postcode"])
    preferred_channels: Channels = Field(None, description=D["preferred_channels"] + " (replaces the list)")
    communication_needs: Needs = Field(None, description=D["communication_needs"] + " (replaces the list)")
    interpreter_language: Language | None = Field(None, description=D["interpreter_language"])
    contact_consent: bool = Field(None, description=D["contact_consent"])
    consent_basis: ConsentBasis | None = Field(None, description=D["consent_basis"])
    consent_recorded_at: Instant | None = Field(None, description=D["consent_recorded_at"])
    is_champion: bool = Field(None, description=D["is_champion"])
    is_public_representative: bool = Field(None, description=D["is_public_representative"])
    tags: Tags = Field(None, description=D["tags"] + " (replaces the list)")
    owner_id: uuid.UUID | None = Field(None, description=D["owner_id"])
    notes: OptionalLongText = Field(None, description=D["notes"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])




class StakeholderRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    external_id: str | None = Field(description="Your system's id")
    kind: StakeholderKind = Field(description=D["kind"])
    name: str = Field(description='Name; "Erased stakeholder" once erased')
    categories: list[StakeholderCategory] = Field(description=D["categories"])
    organisation_id: uuid.UUID | None = Field(description="The organisation they belong to")
    job_title: str | None = Field(description=D["job_title"])
    email: str | None = Field(description="Email address" + CONTACT_MASKED_NOTE)
    phone: str | None = Field(description="Phone number" + CONTACT_MASKED_NOTE)
    address: str | None = Field(description="Postal address" + CONTACT_MASKED_NOTE)
    postcode: str | None = Field(description="UK postcode" + CONTACT_MASKED_NOTE)
    contact_details_masked: bool = Field(description=CONTACT_MASKED_FLAG)
    preferred_channels: list[Channel] = Field(description=D["preferred_channels"])
    communication_needs: list[CommunicationNeed] = Field(description=D["communication_needs"])
    interpreter_language: str | None = Field(description=D["interpreter_language"])
    contact_consent: bool = Field(description=D["contact_consent"])
    consent_basis: ConsentBasis | None = Field(description=D["consent_basis"])
    consent_recorded_at: datetime | None = Field(description="When consent or its basis was recorded")
    is_champion: bool = Field(description=D["is_champion"])
    is_public_representative: bool = Field(description=D["is_public_representative"])
    tags: list[str] = Field(description="Labels")
    owner_id: uuid.UUID | None = Field(description="The user who looks after the relationship")
    notes: str | None = Field(description=D["notes"])
    archived_at: datetime | None = Field(description="When it was archived; null while active")
    erased_at: datetime | None = Field(description="When its personal data was erased (UK GDPR); null otherwise")
    restricted_at: datetime | None = Field(description="When processing was restricted (UK GDPR Art. 18): the person "
                                                       "is kept but left out of lists, exports, grids, audiences "
                                                       "and reports, and only an admin can read them; null otherwise")
    restriction_reason: str | None = Field(description="Why processing is restricted")
    objection_date: date | None = Field(description="When the person last objected to processing (UK GDPR Art. 21)")
    objection_scope: str | None = Field(description="What they objected to: contact (any contact from us) or "
                                                    "processing (all processing on legitimate interests)")
    objection_grounds: str | None = Field(description='Their grounds for objecting; "***" for the viewer role')
    objection_outcome: str | None = Field(description="pending, upheld or not_upheld")
    contact_objection: str | None = Field(description="The outcome of their latest objection to contact (pending, "
                                                      "upheld or not_upheld), kept when a later objection is to "
                                                      "processing: while pending or upheld, contact consent stays "
                                                      "off; null if they never objected to contact")
    created_at: datetime = Field(description="When it was created")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who created it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")


class StakeholderPage(Page[StakeholderRead]):
    pass


# The stored fields of a StakeholderRead, in its order: the stakeholder statements select these columns first, in
# this order (api.stakeholders.service.COLUMNS), so read_rows can take their values by position.
READ_FIELDS = tuple(name for name in StakeholderRead.model_fields if name != "contact_details_masked")


def to_read(row: Stakeholder, caller: Principal) -> StakeholderRead:
    """The stakeholder as this caller may see it, as the response model (writes answer with it)."""
    return StakeholderRead.model_validate(read_values({name: getattr(row, name) for name in READ_FIELDS}, caller))


def read_values(row: Mapping[str, Any], caller: Principal) -> dict[str, Any]:
    """The fields of StakeholderRead from a stored row (an ORM object's attributes or a Core mapping), as this
    caller may see them (read_rows)."""
    return read_rows([row], caller)[0]


def read_rows(rows: Sequence[Mapping[str, Any]], caller: Principal) -> list[dict[str, Any]]:
    """The fields of StakeholderRead from stored rows (mappings of one statement's columns), as this caller may see
    them: the one place contact details are masked. The reads serialise these dicts directly
    (api.responses.json_response): validating rows the database already holds cost a list page ≈ 1 ms.

    The rows' first columns must be READ_FIELDS, in order (api.stakeholders.service.COLUMNS; to_read's dict), so their
    values are taken by position, which the first row's column names confirm: by name, asyncpg's rows cost a list
    page ≈ 0.05-0.1 ms more."""
    if rows and tuple(islice(rows[0].keys(), len(READ_FIELDS))) != READ_FIELDS:
        raise ValueError("read_rows needs rows whose first columns are READ_FIELDS, in order (service.COLUMNS)")
    items = [dict(zip(READ_FIELDS, row.values(), strict=False)) for row in rows]  # to the last read field
    mask_contact_details(items, not caller.sees_contact_details, also=("objection_grounds",))
    return items
