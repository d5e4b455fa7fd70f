import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from api.pagination import Page
from api.schemas import OptionalLongText, ReadModel, RequestModel


class Level(StrEnum):
    inform = "inform"
    engage = "engage"
    consult = "consult"


Reasons = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000,
                                           pattern=r"^[^\x00]*$")]

D = {
    "duty_id": "A duty you can see: built-in (either jurisdiction) or your tenant's own",
    "applies": "Whether the duty applies to this plan",
    "reasons": "Why it applies, or why not (required)",
    "level": "How people are involved where it applies: inform, engage or consult; null where it does not",
    "note": "A note on this version as a whole (what changed, who was consulted)",
}


class EntryWrite(RequestModel):
    duty_id: uuid.UUID = Field(description=D["duty_id"])
    applies: bool = Field(description=D["applies"])
    reasons: Reasons = Field(description=D["reasons"])
    # Checked on level itself (validate_default: also when left out), so the 422 names it, entry by entry
    level: Level | None = Field(None, validate_default=True,
                                description=D["level"] + " (required when applies is true, refused when false)")

    @field_validator("level")
    @classmethod
    def _level(cls, value: Level | None, info: ValidationInfo) -> Level | None:
        applies = info.data.get("applies")
        if applies is True and value is None:
            raise ValueError("level is required when the duty applies")
        if applies is False and value is not None:
            raise ValueError("level must be null when the duty does not apply")
        return value


class DutyAssessmentWrite(RequestModel):
    """The whole record: it becomes a new version; earlier versions stay readable."""

    entries: list[EntryWrite] = Field(min_length=1, max_length=200,
                                      description="One entry per duty considered; each duty at most once")
    note: OptionalLongText = Field(None, description=D["note"])

    @field_validator("entries")
    @classmethod
    def _unique(cls, entries: list[EntryWrite]) -> list[EntryWrite]:
        ids = [e.duty_id for e in entries]
        if len(set(ids)) != len(ids):
            raise ValueError("each duty may appear only once")
        return entries


class EntryRead(ReadModel):
    duty_id: uuid.UUID = Field(description="The duty")
    duty_code: str | None = Field(description="The duty's code when this version was written (a version written "
                                  "before codes were kept: the code now, null if the duty no longer exists)")
    duty_title: str | None = Field(description="The duty's title when this version was written (a version written "
                                   "before titles were kept: the title now, null if the duty no longer exists)")
    applies: bool = Field(description=D["applies"])
    reasons: str = Field(description=D["reasons"])
    level: Level | None = Field(description=D["level"])


class DutyAssessmentRead(ReadModel):
    plan_id: uuid.UUID = Field(description="The plan")
    number: int = Field(description="The version number (1, 2, …); the ETag")
    entries: list[EntryRead] = Field(description="Each duty considered: whether it applies, why, at what level")
    note: str | None = Field(description=D["note"])
    created_at: datetime = Field(description="When this version was written")
    created_by: uuid.UUID | None = Field(description="Who wrote it (user or service account id)")
    signed_off_at: datetime | None = Field(description="When a lead or admin signed this version off; null until")
    signed_off_by: uuid.UUID | None = Field(description="Who signed it off")
    current: bool = Field(description="Whether this is the latest version")
    version: int = Field(description="The same as number: the ETag, under the name every resource gives it")


class DutyAssessmentPage(Page[DutyAssessmentRead]):
    pass
