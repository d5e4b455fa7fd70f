"""Field types and base models shared by every feature's schemas."""

import re
import typing
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def _postcode(value: str) -> str:
    match = _UK_POSTCODE.match(value.strip().upper())
    if not match:
        raise ValueError("not a UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def in_utc(value: datetime) -> datetime:
    """The moment in UTC; one too near year 1 or 9999 to convert (year 1 at +01:00) is refused, not a 500."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date is out of range")


def _plausible(value: datetime) -> datetime:
    """Refuse moments no record of ours is about (year 1 at +00:00 would be stored, then fail when read back)."""
    utc = in_utc(value)
    if not 1900 <= utc.year <= 2200:
        raise ValueError("the year must be between 1900 and 2200")
    return utc


# A moment a client gives for a record: with its offset, in years a record can be about; stored in UTC.
Instant = Annotated[AwareDatetime, AfterValidator(_plausible)]
# A bound of a filter (since, until): any moment that has a time in UTC.
UtcBound = Annotated[AwareDatetime, AfterValidator(in_utc)]


# What a line of text (a name, a title, an id) may not hold: control characters (PostgreSQL cannot store NUL, and
# none has a place in a name), nor the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069) that make a name display as another in an export, an audit trail or an email.
NOT_IN_A_LINE = r"\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069"
ONE_LINE = rf"^[^{NOT_IN_A_LINE}]+$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=ONE_LINE)]


def storable_text(value: object) -> bool:
    """Text either database can be asked about: a string without NUL (PostgreSQL refuses it in text) nor a lone
    surrogate ("\\ud800", which JSON's \\u escapes allow; it has no UTF-8 and fails to encode on its way to either
    database). A value that is neither, sent in a statement, was a 500."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _not_blank(value: str) -> str:
    if value and not value.strip():
        raise ValueError("must not be only spaces")
    return value


def _blank_is_null(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


# Free text. Text of only spaces is refused where text is required; where it is optional, it (and "") is no text:
# stored as null, so a value reads the same through JSON and CSV, where a cell of spaces is empty.
LongText = Annotated[str, StringConstraints(max_length=20_000, pattern=r"^[^\x00]*$"), AfterValidator(_not_blank)]
OptionalLongText = Annotated[LongText | None, BeforeValidator(_blank_is_null)]
ExternalIdStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                                 pattern=ONE_LINE)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=30,
                                         pattern=r"^\+?[0-9][0-9 ()\-]{4,28}[0-9]$")]
Postcode = Annotated[str, StringConstraints(max_length=10), AfterValidator(_postcode)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500,
                                       pattern=r"^https?://[^\s\x00-\x1f\x7f]+$")]
# No ',' or ';': a CSV cell separates a list's items with ';' (imports, exports), so every tag travels through CSV.
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50,
                                       pattern=rf"^[^{NOT_IN_A_LINE},;]+$")]
Tags = Annotated[list[Tag], Field(max_length=50), AfterValidator(_unique)]


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields (so `tenant_id`, `id`, `created_by` are 422):
    the spec says additionalProperties: false."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Numbers and booleans are taken only as JSON's own types: pydantic's lax mode would read `true` as the
        score 1, `"no"` as false and `"5"` as 5, so a partner's bug would be stored instead of refused (422
        `int_type`, `bool_type`). Other types keep lax mode, which is how JSON's strings become ids, dates and enums.
        Import rows are not request models: a CSV cell is text, and their own types read it."""
        super().__pydantic_init_subclass__(**kwargs)
        made_strict = False
        for field in cls.model_fields.values():
            if _is_scalar(field.annotation) and not any(isinstance(m, Strict) for m in field.metadata):
                field.metadata.append(Strict())
                made_strict = True
        if made_strict:
            cls.model_rebuild(force=True)


def _is_scalar(annotation: Any) -> bool:
    """int, float or bool, optional or not."""
    return any(arg in (int, float, bool) for arg in typing.get_args(annotation) or (annotation,))


class ResponseModel(BaseModel):
    """Response bodies are closed (the spec says additionalProperties: false), so a field that leaks into
    an answer without being declared fails schemathesis instead of reaching a client."""

    model_config = ConfigDict(extra="forbid")


class ReadModel(ResponseModel):
    model_config = ConfigDict(from_attributes=True)  # extra="forbid" is inherited


# The viewer role reads "everything but personal contact details" (DESIGN.md, roles): a stakeholder's, and an
# organisation's, which can be a person's too (a sole practitioner, an elected member). One placeholder, one set of
# fields, one function, for every read that returns either.
MASK = "***"
CONTACT_FIELDS = ("email", "phone", "address", "postcode")
CONTACT_MASKED_NOTE = '; "***" when your role may not see contact details'
CONTACT_MASKED_FLAG = "True when email, phone, address and postcode are masked for your role (viewer)"


def mask_contact_details(items: list[dict[str, Any]], masked: bool, *, also: tuple[str, ...] = ()) -> None:
    """Set each item's contact_details_masked and, when `masked`, put MASK in place of every contact detail it has
    (and of the fields `also` names); a missing one stays null, so a viewer still sees that there is none."""
    fields = (*CONTACT_FIELDS, *also)
    for values in items:
        if masked:
            values.update({name: MASK for name in fields if values[name] is not None})
        values["contact_details_masked"] = masked
