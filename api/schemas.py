"""Field types and base models shared by every feature's schemas."""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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
LongText = Annotated[str, StringConstraints(max_length=20_000, pattern=r"^[^\x00]*$")]
ExternalIdStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                                 pattern=r"^[^\x00-\x1f]+$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=30,
                                         pattern=r"^\+?[0-9][0-9 ()\-]{4,28}[0-9]$")]
Postcode = Annotated[str, StringConstraints(max_length=10), AfterValidator(_postcode)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500,
                                       pattern=r"^https?://[^\s\x00-\x1f\x7f]+$")]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50,
                                       pattern=r"^[^\x00-\x1f,]+$")]
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
