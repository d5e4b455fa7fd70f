"""The import options, the report, and one row of each importable resource.

A row type is a TypedDict built from the same field types as the single-record API (so the same
rules apply: email, postcode, phone, enums, lengths, no control characters). Keys absent from a row
stay absent after validation: on update they leave the stored value alone."""

import re
import uuid
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from pydantic import ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic.networks import validate_email
from typing_extensions import TypedDict

from api.activities.schemas import (
    ActivityChannel,
    ActivityMethod,
    ActivityStatus,
    DutyLimb,
    Formats,
    Headcount,
    InvolvementLevel,
    Languages,
    PersonName,
    Place,
    Role,
)
from api.activities.schemas import Count as Reach
from api.activities.schemas import D as ACTIVITY
from api.activities.schemas import Pence as Cost
from api.errors import FieldError, Problem
from api.feedback.schemas import D as FEEDBACK
from api.feedback.schemas import FeedbackChannel, FeedbackType
from api.organisations.schemas import OrganisationCreate, OrganisationKind
from api.schemas import (
    ExternalIdStr,
    Instant,
    LongText,
    OptionalLongText,
    Phone,
    Postcode,
    ResponseModel,
    Tags,
    Text,
    Url,
)
from api.stakeholders.schemas import (
    Categories,
    Channels,
    ConsentBasis,
    D,
    JobTitle,
    Language,
    Needs,
    StakeholderKind,
)


class Match(StrEnum):
    external_id = "external_id"
    email = "email"
    activity_and_stakeholder = "activity_and_stakeholder"  # an attendance line


class OnConflict(StrEnum):
    update = "update"
    skip = "skip"
    error = "error"


class OnError(StrEnum):
    abort = "abort"
    skip = "skip"


# --- email at import speed -------------------------------------------------------------------------
# pydantic's EmailStr costs ~90 µs an address (email-validator re-checks the domain every time),
# which alone would cap an import at ~10,000 rows/s. Plain ASCII addresses take a shortcut that gives
# the same answer: the local part is a dot-atom (valid and kept as written), the domain is checked by
# the full validator once and cached. Anything else goes through the full validator, with its messages.
_ATEXT = r"[A-Za-z0-9_!#$%&'*+\-/=?^`{|}~]"
_PLAIN_EMAIL = re.compile(rf"({_ATEXT}+(?:\.{_ATEXT}+)*)@([A-Za-z0-9.-]+)\Z")
_SPECIAL_LOCAL_PARTS = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)  # the validator lowercases these


@lru_cache(maxsize=8192)
def _normalised_domain(domain: str) -> str | None:
    try:
        return validate_email(f"x@{domain}")[1][2:]
    except ValueError:
        return None


def import_email(value: object) -> str:
    """EmailStr's result for `value` (its normalised address), or its error."""
    if isinstance(value, str) and len(value) <= 254 and (m := _PLAIN_EMAIL.match(value)):
        local, domain = m.groups()
        if local.lower() not in _SPECIAL_LOCAL_PARTS and (normalised := _normalised_domain(domain)) is not None:
            return f"{local}@{normalised}"
    if not isinstance(value, str):
        raise ValueError("Input should be a valid string")
    return validate_email(value)[1]


Email = Annotated[str, PlainValidator(import_email), WithJsonSchema({"type": "string", "format": "email"})]

_ROW_CONFIG = ConfigDict(extra="forbid", use_enum_values=True)
# The organisation API's field descriptions (that module keeps no D table like the others).
ORGANISATION = {name: f.description for name, f in OrganisationCreate.model_fields.items()}
# Every row type but attendance's starts with the record's own id, so that export -> import finds records that
# have no external_id (never stored: it only says which record a row is for).
RecordId = Annotated[uuid.UUID | None, Field(
    description="Involve's id of the record, as exported: the row updates (or skips) that record, whatever match= "
                "says; leave it empty to create or to match by match=")]


class StakeholderRow(TypedDict, total=False):
    """One stakeholder to create or update. A key left out leaves the stored value alone on update and
    takes its default on create; null clears an optional field."""

    __pydantic_config__ = _ROW_CONFIG

    id: RecordId
    external_id: Annotated[ExternalIdStr | None, Field(description=D["external_id"] + "; matches with "
                                                                                     "match=external_id")]
    name: Annotated[Text, Field(description=D["name"] + "; required to create")]
    kind: Annotated[StakeholderKind, Field(description=D["kind"] + " (default person)")]
    categories: Annotated[Categories, Field(description=D["categories"])]
    organisation_external_id: Annotated[ExternalIdStr | None, Field(
        description="The external_id of one of your tenant's organisations (wins over organisation_name)")]
    organisation_name: Annotated[Text | None, Field(
        description="The name of one of your tenant's organisations, whatever its case; refused when several "
                    "share it")]
    organisation_id: Annotated[uuid.UUID | None, Field(
        description="The id of one of your tenant's organisations, as exported; the other organisation columns "
                    "given must name the same organisation (wins over organisation_name when they agree)")]
    job_title: Annotated[JobTitle | None, Field(description=D["job_title"])]
    email: Annotated[Email | None, Field(description=D["email"] + "; matches with match=email")]
    phone: Annotated[Phone | None, Field(description=D["phone"])]
    address: Annotated[OptionalLongText, Field(description=D["address"])]
    postcode: Annotated[Postcode | None, Field(description=D["postcode"])]
    preferred_channels: Annotated[Channels, Field(description=D["preferred_channels"])]
    communication_needs: Annotated[Needs, Field(description=D["communication_needs"])]
    interpreter_language: Annotated[Language | None, Field(description=D["interpreter_language"])]
    contact_consent: Annotated[bool, Field(description=D["contact_consent"])]
    consent_basis: Annotated[ConsentBasis | None, Field(description=D["consent_basis"])]
    consent_recorded_at: Annotated[Instant | None, Field(description=D["consent_recorded_at"])]
    is_champion: Annotated[bool, Field(description=D["is_champion"])]
    is_public_representative: Annotated[bool, Field(description=D["is_public_representative"])]
    tags: Annotated[Tags, Field(description=D["tags"])]
    owner_id: Annotated[uuid.UUID | None, Field(description=D["owner_id"])]
    notes: Annotated[OptionalLongText, Field(description=D["notes"])]


class OrganisationRow(TypedDict, total=False):
    """One organisation to create or update (the same key rules as a stakeholder row)."""

    __pydantic_config__ = _ROW_CONFIG

    id: RecordId
    external_id: Annotated[ExternalIdStr | None, Field(description=ORGANISATION["external_id"] + "; matches with "
                                                                                                "match=external_id")]
    name: Annotated[Text, Field(description=ORGANISATION["name"] + "; required to create")]
    kind: Annotated[OrganisationKind, Field(description=ORGANISATION["kind"] + " (default other)")]
    email: Annotated[Email | None, Field(description=ORGANISATION["email"])]
    phone: Annotated[Phone | None, Field(description=ORGANISATION["phone"])]
    website: Annotated[Url | None, Field(description=ORGANISATION["website"])]
    address: Annotated[OptionalLongText, Field(description=ORGANISATION["address"])]
    postcode: Annotated[Postcode | None, Field(description=ORGANISATION["postcode"])]
    notes: Annotated[OptionalLongText, Field(description=ORGANISATION["notes"])]
    tags: Annotated[Tags, Field(description=ORGANISATION["tags"])]


class ActivityRow(TypedDict, total=False):
    """One activity to create or update (the same key rules as a stakeholder row)."""

    __pydantic_config__ = _ROW_CONFIG

    id: RecordId
    external_id: Annotated[ExternalIdStr | None, Field(description=ACTIVITY["external_id"] + "; matches with "
                                                                                           "match=external_id")]
    title: Annotated[Text, Field(description=ACTIVITY["title"] + "; required to create")]
    description: Annotated[OptionalLongText, Field(description=ACTIVITY["description"])]
    method: Annotated[ActivityMethod, Field(description=ACTIVITY["method"] + "; required to create")]
    level: Annotated[InvolvementLevel, Field(description=ACTIVITY["level"] + " (default inform)")]
    audience_categories: Annotated[Categories, Field(description=ACTIVITY["audience_categories"])]
    plan_external_id: Annotated[ExternalIdStr | None, Field(
        description="The external_id of one of your tenant's plans: the plan it belongs to")]
    plan_id: Annotated[uuid.UUID | None, Field(
        description="The id of one of your tenant's plans, as exported; plan_external_id, when given, must name "
                    "the same plan")]
    duty_limb: Annotated[DutyLimb | None, Field(description=ACTIVITY["duty_limb"])]
    status: Annotated[ActivityStatus, Field(description=ACTIVITY["status"] + " (default planned)")]
    starts_at: Annotated[Instant, Field(description=ACTIVITY["starts_at"] + "; required to create")]
    ends_at: Annotated[Instant | None, Field(description=ACTIVITY["ends_at"])]
    location: Annotated[Place | None, Field(description=ACTIVITY["location"])]
    online_url: Annotated[Url | None, Field(description=ACTIVITY["online_url"])]
    channel: Annotated[ActivityChannel | None, Field(description=ACTIVITY["channel"])]
    led_by: Annotated[uuid.UUID | None, Field(description=ACTIVITY["led_by"])]
    led_by_name: Annotated[PersonName | None, Field(description=ACTIVITY["led_by_name"])]
    cost_pence: Annotated[Cost | None, Field(description=ACTIVITY["cost_pence"])]
    unnamed_attendees: Annotated[Headcount, Field(description=ACTIVITY["unnamed_attendees"] + " (default 0)")]
    impressions: Annotated[Reach | None, Field(description=ACTIVITY["impressions"])]
    recipients: Annotated[Reach | None, Field(description=ACTIVITY["recipients"])]
    accessible_formats: Annotated[Formats, Field(description=ACTIVITY["accessible_formats"])]
    translation_languages: Annotated[Languages, Field(description=ACTIVITY["translation_languages"])]
    outcome_summary: Annotated[OptionalLongText, Field(description=ACTIVITY["outcome_summary"])]


class FeedbackRow(TypedDict, total=False):
    """One piece of feedback to create or update (the same key rules as a stakeholder row). The workflow
    (acknowledged, considered, the response) is not imported: it moves through the feedback endpoints."""

    __pydantic_config__ = _ROW_CONFIG

    id: RecordId
    external_id: Annotated[ExternalIdStr | None, Field(description=FEEDBACK["external_id"] + "; matches with "
                                                                                           "match=external_id")]
    received_at: Annotated[Instant, Field(description=FEEDBACK["received_at"] + " (sets the response due date)")]
    channel: Annotated[FeedbackChannel, Field(description=FEEDBACK["channel"] + " (default other)")]
    type: Annotated[FeedbackType, Field(description=FEEDBACK["type"] + " (default comment)")]
    text: Annotated[LongText, Field(min_length=1, description=FEEDBACK["text"] + "; required to create")]
    stakeholder_external_id: Annotated[ExternalIdStr | None, Field(
        description="Who said it: the external_id of one of your tenant's stakeholders (wins over "
                    "stakeholder_email); empty for anonymous feedback")]
    stakeholder_email: Annotated[Email | None, Field(
        description="Who said it: the email of one of your tenant's stakeholders, whatever its case")]
    stakeholder_id: Annotated[uuid.UUID | None, Field(
        description="Who said it: the id of one of your tenant's stakeholders, as exported; the other stakeholder "
                    "columns given must name the same stakeholder (wins over stakeholder_email when they agree)")]
    activity_external_id: Annotated[ExternalIdStr | None, Field(
        description="The external_id of the activity it came from (one of your tenant's)")]
    activity_id: Annotated[uuid.UUID | None, Field(
        description="The id of the activity it came from (one of your tenant's), as exported; "
                    "activity_external_id, when given, must name the same activity")]
    plan_external_id: Annotated[ExternalIdStr | None, Field(
        description="The external_id of the plan it is about (taken from the activity when absent on create)")]
    plan_id: Annotated[uuid.UUID | None, Field(
        description="The id of the plan it is about (one of your tenant's), as exported; plan_external_id, when "
                    "given, must name the same plan")]
    themes: Annotated[Tags, Field(description=FEEDBACK["themes"])]
    publishable_summary: Annotated[OptionalLongText, Field(description=FEEDBACK["publishable_summary"])]
    publishable: Annotated[bool, Field(description=FEEDBACK["publishable"] + "; needs publishable_summary in the "
                                                                             "same row")]


class AttendanceRow(TypedDict, total=False):
    """One stakeholder's line on an activity's attendance log, created or updated by activity and stakeholder:
    the fields given change, the others stay (false on a new line)."""

    __pydantic_config__ = _ROW_CONFIG

    activity_external_id: Annotated[ExternalIdStr | None, Field(
        description="The external_id of one of your tenant's activities; this or activity_id is required")]
    activity_id: Annotated[uuid.UUID | None, Field(
        description="The id of one of your tenant's activities, as exported; activity_external_id, when given, "
                    "must name the same activity")]
    stakeholder_external_id: Annotated[ExternalIdStr | None, Field(
        description="The external_id of one of your tenant's stakeholders (wins over stakeholder_email); this, "
                    "stakeholder_email or stakeholder_id is required")]
    stakeholder_email: Annotated[Email | None, Field(
        description="The email of one of your tenant's stakeholders, whatever its case")]
    stakeholder_id: Annotated[uuid.UUID | None, Field(
        description="The id of one of your tenant's stakeholders, as exported; the other stakeholder columns given "
                    "must name the same stakeholder")]
    invited: Annotated[bool, Field(description="Invited (false when absent on a new line)")]
    attended: Annotated[bool, Field(description="Attended (false when absent on a new line); a walk-in attends "
                                                "without being invited")]
    role: Annotated[Role | None, Field(description="Their part in it, e.g. speaker, chair, observer")]


class ImportRowError(ResponseModel):
    row: int = Field(description="The 1-based data row (the CSV header is row 0; a JSON array's first element "
                                 "and an NDJSON body's first line are row 1)")
    field: str | None = Field(description="The column or key at fault; null when the whole row is")
    message: str = Field(description="What is wrong (the value itself is never echoed)")


class ImportReport(ResponseModel):
    resource: str = Field(description="What was imported")
    format: str = Field(description="csv, json or ndjson")
    dry_run: bool = Field(description="True when nothing was written and the counts say what would happen")
    rows: int = Field(description="Data rows read (blank lines are not rows)")
    created: int = Field(description="Rows that created a record")
    updated: int = Field(description="Rows that matched a record and brought it up to date (unchanged records "
                                     "included; only those that really change get a new version)")
    skipped: int = Field(description="Rows that matched a record and were left alone (on_conflict=skip)")
    failed: int = Field(description="Rows with at least one error; not written")
    errors: list[ImportRowError] = Field(description="Every error of every failed row")
    body_sha256: str = Field(description="SHA-256 of the request body, as recorded in the audit trail")


class ImportFieldError(FieldError):
    row: int | None = Field(default=None, description="The 1-based data row (CSV header: 0)")
    field: str | None = Field(default=None, description="The column or key at fault")
    message: str | None = Field(default=None, description="What is wrong (the same as msg)")


class ImportProblem(Problem):
    """A refused import: nothing was written. `errors` lists every error with its row."""

    errors: list[ImportFieldError] | None = Field(default=None, description="Every error; import errors carry "
                                                                            "row, field and message")
    created: int | None = Field(default=None, description="Rows that would have created a record")
    updated: int | None = Field(default=None, description="Rows that would have updated a record")
    skipped: int | None = Field(default=None, description="Rows that would have been skipped")
    failed: int | None = Field(default=None, description="Rows with at least one error")
