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
from pydantic import AwareDatetime, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic.networks import validate_email
from typing_extensions import TypedDict

from api.errors import FieldError, Problem
from api.organisations.schemas import OrganisationKind
from api.schemas import ExternalIdStr, LongText, Phone, Postcode, ResponseModel, Tags, Text, Url
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


class StakeholderRow(TypedDict, total=False):
    """One stakeholder to create or update. A key left out leaves the stored value alone on update and
    takes its default on create; null clears an optional field."""

    __pydantic_config__ = _ROW_CONFIG

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
    job_title: Annotated[JobTitle | None, Field(description=D["job_title"])]
    email: Annotated[Email | None, Field(description=D["email"] + "; matches with match=email")]
    phone: Annotated[Phone | None, Field(description=D["phone"])]
    address: Annotated[LongText | None, Field(description=D["address"])]
    postcode: Annotated[Postcode | None, Field(description=D["postcode"])]
    preferred_channels: Annotated[Channels, Field(description=D["preferred_channels"])]
    communication_needs: Annotated[Needs, Field(description=D["communication_needs"])]
    interpreter_language: Annotated[Language | None, Field(description=D["interpreter_language"])]
    contact_consent: Annotated[bool, Field(description=D["contact_consent"])]
    consent_basis: Annotated[ConsentBasis | None, Field(description=D["consent_basis"])]
    consent_recorded_at: Annotated[AwareDatetime | None, Field(description=D["consent_recorded_at"])]
    is_champion: Annotated[bool, Field(description=D["is_champion"])]
    is_public_representative: Annotated[bool, Field(description=D["is_public_representative"])]
    tags: Annotated[Tags, Field(description=D["tags"])]
    owner_id: Annotated[uuid.UUID | None, Field(description=D["owner_id"])]
    notes: Annotated[LongText | None, Field(description=D["notes"])]


class OrganisationRow(TypedDict, total=False):
    """One organisation to create or update (the same key rules as a stakeholder row)."""

    __pydantic_config__ = _ROW_CONFIG

    external_id: Annotated[ExternalIdStr | None, Field(description="Your system's id; unique in the tenant; "
                                                                   "matches with match=external_id")]
    name: Annotated[Text, Field(description="The organisation's name; required to create")]
    kind: Annotated[OrganisationKind, Field(description="What sort of body it is (default other)")]
    email: Annotated[Email | None, Field(description="General contact email")]
    phone: Annotated[Phone | None, Field(description="General contact phone")]
    website: Annotated[Url | None, Field(description="Web address (http or https)")]
    address: Annotated[LongText | None, Field(description="Postal address")]
    postcode: Annotated[Postcode | None, Field(description="UK postcode")]
    notes: Annotated[LongText | None, Field(description="Free-text notes")]
    tags: Annotated[Tags, Field(description="Labels for filtering")]


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
