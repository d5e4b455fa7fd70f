import uuid
from datetime import date, datetime

from pydantic import Field

from api.activities.engagement import IsoDate
from api.documents.schemas import DocumentKind
from api.pagination import Page
from api.schemas import ExternalIdStr, OptionalLongText, ReadModel, RequestModel, Text

D = {
    "title": "The consultation's title",
    "opened_date": "The day it opened",
    "closed_date": "The day it closed (not before opened_date)",
    "minimum_days": "The minimum duration in days the plan set for it (Gunning 3: adequate time)",
    "shorter_reason": "Why it ran for less than the minimum, when it did",
    "decision_date": "The day the decision was taken",
    "decision_maker": "Who took the decision (a governing body, a committee, an officer's role)",
    "decision_summary": "What was decided",
    "external_id": "Your system's id; unique in the tenant",
}


class ConsultationCreate(RequestModel):
    title: Text = Field(description=D["title"])
    opened_date: IsoDate | None = Field(None, description=D["opened_date"])
    closed_date: IsoDate | None = Field(None, description=D["closed_date"])
    minimum_days: int | None = Field(None, ge=1, le=3650, description=D["minimum_days"])
    shorter_reason: OptionalLongText = Field(None, description=D["shorter_reason"])
    decision_date: IsoDate | None = Field(None, description=D["decision_date"])
    decision_maker: Text | None = Field(None, description=D["decision_maker"])
    decision_summary: OptionalLongText = Field(None, description=D["decision_summary"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class ConsultationUpdate(RequestModel):
    """Only the fields present change; null clears an optional field and is refused for title."""

    title: Text = Field(None, description=D["title"])
    opened_date: IsoDate | None = Field(None, description=D["opened_date"])
    closed_date: IsoDate | None = Field(None, description=D["closed_date"])
    minimum_days: int | None = Field(None, ge=1, le=3650, description=D["minimum_days"])
    shorter_reason: OptionalLongText = Field(None, description=D["shorter_reason"])
    decision_date: IsoDate | None = Field(None, description=D["decision_date"])
    decision_maker: Text | None = Field(None, description=D["decision_maker"])
    decision_summary: OptionalLongText = Field(None, description=D["decision_summary"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class ConsultationDocument(ReadModel):
    id: uuid.UUID = Field(description="The document's id")
    kind: DocumentKind = Field(description="What the document is")
    title: str = Field(description="The document's title")
    sha256: str = Field(description="SHA-256 of its bytes, lowercase hex")
    size_bytes: int = Field(description="Its size in bytes")
    media_type: str = Field(description="Its media type")
    published_at: datetime | None = Field(description="When it was published")
    published_at_launch: bool = Field(description="Published on or before the day the consultation opened (UK date)")


class ConsultationRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    plan_id: uuid.UUID = Field(description="The plan it belongs to")
    external_id: str | None = Field(description=D["external_id"])
    title: str = Field(description=D["title"])
    opened_date: date | None = Field(description=D["opened_date"])
    closed_date: date | None = Field(description=D["closed_date"])
    minimum_days: int | None = Field(description=D["minimum_days"])
    shorter_reason: str | None = Field(description=D["shorter_reason"])
    decision_date: date | None = Field(description=D["decision_date"])
    decision_maker: str | None = Field(description=D["decision_maker"])
    decision_summary: str | None = Field(description=D["decision_summary"])
    duration_days: int | None = Field(description="Days the window ran, opened_date and closed_date both counted (5 "
                                           "January to 29 March is 84 days, 12 weeks); null until both are set")
    shorter_than_minimum: bool | None = Field(description="duration_days is below minimum_days; null unless all "
                                                          "three are known")
    documents: list[ConsultationDocument] = Field(description="The documents published for it, oldest upload first")
    archived_at: datetime | None = Field(description="When it was archived; null while live")
    created_at: datetime = Field(description="When it was created")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who created it")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")


class ConsultationPage(Page[ConsultationRead]):
    pass
