import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from api.activities.engagement import IsoDate
from api.pagination import Page
from api.schemas import OptionalLongText, ReadModel, RequestModel, Text


class ScrutinyBody(StrEnum):
    osc = "osc"
    llais = "llais"


class Direction(StrEnum):
    sent = "sent"
    received = "received"
    meeting = "meeting"


D = {
    "body": "The scrutiny body: osc (the local authority's Overview & Scrutiny Committee) or llais (Wales); "
            "defaults from the tenant's jurisdiction",
    "committee_name": "The committee's name",
    "substantial_variation": "Whether the change is a substantial development or variation of services (Health "
                             "Scrutiny Regulations 2013 reg 23); null while not yet assessed",
    "substantial_variation_reason": "Why it is, or is not, a substantial variation (required once assessed)",
    "committee_view": "The committee's view",
    "committee_view_date": "When the committee gave its view",
    "sos_notification_required": "Whether the reconfiguration is notifiable to the Secretary of State (since 31 "
                                 "January 2024); null while not yet known",
    "sos_notified_date": "When the Secretary of State was notified",
    "direction": "sent (to the body), received (from it) or meeting",
    "correspondence_date": "The day of the letter, email or meeting",
    "summary": "What it said or what was discussed",
    "document_id": "The document of the same plan that holds it (letter, minutes)",
}
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000,
                                           pattern=r"^[^\x00]+$")]


class ScrutinyPut(RequestModel):
    """The whole record: fields left out become null (body becomes the jurisdiction's default)."""

    body: ScrutinyBody | None = Field(None, description=D["body"])
    committee_name: Text | None = Field(None, description=D["committee_name"])
    substantial_variation: bool | None = Field(None, description=D["substantial_variation"])
    substantial_variation_reason: OptionalLongText = Field(None, description=D["substantial_variation_reason"])
    committee_view: OptionalLongText = Field(None, description=D["committee_view"])
    committee_view_date: IsoDate | None = Field(None, description=D["committee_view_date"])
    sos_notification_required: bool | None = Field(None, description=D["sos_notification_required"])
    sos_notified_date: IsoDate | None = Field(None, description=D["sos_notified_date"])


class CorrespondenceCreate(RequestModel):
    direction: Direction = Field(description=D["direction"])
    correspondence_date: IsoDate = Field(description=D["correspondence_date"])
    summary: Summary = Field(description=D["summary"])
    document_id: uuid.UUID | None = Field(None, description=D["document_id"])


class CorrespondenceUpdate(RequestModel):
    """Only the fields present change; null clears document_id and is refused for the others."""

    direction: Direction = Field(None, description=D["direction"])
    correspondence_date: IsoDate = Field(None, description=D["correspondence_date"])
    summary: Summary = Field(None, description=D["summary"])
    document_id: uuid.UUID | None = Field(None, description=D["document_id"])


class CorrespondenceRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    plan_id: uuid.UUID = Field(description="The plan it is about")
    direction: Direction = Field(description=D["direction"])
    correspondence_date: date = Field(description=D["correspondence_date"])
    summary: str = Field(description=D["summary"])
    document_id: uuid.UUID | None = Field(description=D["document_id"])
    created_at: datetime = Field(description="When it was recorded")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who recorded it")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")


class CorrespondencePage(Page[CorrespondenceRead]):
    pass


class ScrutinyRead(ReadModel):
    recorded: bool = Field(description="false until the record is first PUT: the fields are then their defaults")
    id: uuid.UUID | None = Field(description="Identifier; null until recorded")
    plan_id: uuid.UUID = Field(description="The plan")
    body: ScrutinyBody = Field(description=D["body"])
    committee_name: str | None = Field(description=D["committee_name"])
    substantial_variation: bool | None = Field(description=D["substantial_variation"])
    substantial_variation_reason: str | None = Field(description=D["substantial_variation_reason"])
    committee_view: str | None = Field(description=D["committee_view"])
    committee_view_date: date | None = Field(description=D["committee_view_date"])
    sos_notification_required: bool | None = Field(description=D["sos_notification_required"])
    sos_notified_date: date | None = Field(description=D["sos_notified_date"])
    correspondence: list[CorrespondenceRead] = Field(description="Letters, emails and meetings with the body, "
                                                                 "oldest first")
    created_at: datetime | None = Field(description="When it was first recorded")
    updated_at: datetime | None = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who first recorded it")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="The ETag: 0 until recorded, then increases with every change")
