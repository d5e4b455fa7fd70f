"""Field types and base models shared by every feature's schemas."""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def _postcode(value: str) -> str:
    match = _UK_POSTCODE.match(value.strip().upper())
    if not match:
        raise ValueError("not a UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


# PostgreSQL cannot store NUL in text, and control characters have no place in a name.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300,
                                        pattern=r"^[^\x00-\x1f\x7f]+$")]
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
                                                 pattern=r"^[^\x00-\x1f]+$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=30,
                                         pattern=r"^\+?[0-9][0-9 ()\-]{4,28}[0-9]$")]
Postcode = Annotated[str, StringConstraints(max_length=10), AfterValidator(_postcode)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500,
                                       pattern=r"^https?://[^\s\x00-\x1f\x7f]+$")]
# No ',' or ';': a CSV cell separates a list's items with ';' (imports, exports), so every tag travels through CSV.
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50,
                                       pattern=r"^[^\x00-\x1f,;]+$")]
Tags = Annotated[list[Tag], Field(max_length=50), AfterValidator(_unique)]


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields (so `tenant_id`, `id`, `created_by` are 422):
    the spec says additionalProperties: false."""

    model_config = ConfigDict(extra="forbid")


class ResponseModel(BaseModel):
    """Response bodies are closed (the spec says additionalProperties: false), so a field that leaks into
    an answer without being declared fails schemathesis instead of reaching a client."""

    model_config = ConfigDict(extra="forbid")


class ReadModel(ResponseModel):
    model_config = ConfigDict(from_attributes=True)  # extra="forbid" is inherited
