import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from api.activities.engagement import IsoDate
from api.pagination import Page
from api.schemas import ExternalIdStr, LongText, OptionalLongText, ReadModel, RequestModel


def _unique(values: list[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(values))


Ids = Annotated[list[uuid.UUID], Field(max_length=500), AfterValidator(_unique)]
Summary = Annotated[LongText, Field(min_length=1)]

D = {
    "requirement_id": "The duty requirement this shows was met: a requirement of a duty your tenant can see",
    "summary": "How the linked records meet the requirement",
    "activity_ids": "Activities of your tenant that show it (duplicates are dropped)",
    "feedback_ids": "Feedback of your tenant, with its responses, that shows it (duplicates are dropped)",
    "document_ids": "Documents of this plan that show it (duplicates are dropped)",
    "decision": "The decision this evidences, as recorded (who decided what)",
    "decision_date": "When the decision was taken",
    "consultation_id": "The consultation of this plan the decision is about. Null: the decision is the plan's, and the "
                       "duty report reads it against each of the plan's consultations (Gunning 1 and 4)",
    "external_id": "Your system's id; unique in the tenant",
}


class EvidenceCreate(RequestModel):
    requirement_id: uuid.UUID = Field(description=D["requirement_id"])
    summary: Summary = Field(description=D["summary"])
    activity_ids: Ids = Field(default_factory=list, description=D["activity_ids"])
    feedback_ids: Ids = Field(default_factory=list, description=D["feedback_ids"])
    document_ids: Ids = Field(default_factory=list, description=D["document_ids"])
    decision: OptionalLongText = Field(None, description=D["decision"])
    decision_date: IsoDate | None = Field(None, description=D["decision_date"])
    consultation_id: uuid.UUID | None = Field(None, description=D["consultation_id"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class EvidenceUpdate(RequestModel):
    """Only the fields present change; a list replaces the current one; null clears an optional field."""

    requirement_id: uuid.UUID = Field(None, description=D["requirement_id"])
    summary: Summary = Field(None, description=D["summary"])
    activity_ids: Ids = Field(None, description=D["activity_ids"])
    feedback_ids: Ids = Field(None, description=D["feedback_ids"])
    document_ids: Ids = Field(None, description=D["document_ids"])
    decision: OptionalLongText = Field(None, description=D["decision"])
    decision_date: IsoDate | None = Field(None, description=D["decision_date"])
    consultation_id: uuid.UUID | None = Field(None, description=D["consultation_id"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class LinkedActivity(ReadModel):
    id: uuid.UUID = Field(description="The activity")
    title: str = Field(description="Its title")
    starts_at: datetime = Field(description="When it took place")
    duty_limb: str | None = Field(description="The limb of the duty it serves")


class LinkedFeedback(ReadModel):
    id: uuid.UUID = Field(description="The feedback (its text is personal and not repeated here)")
    status: str = Field(description="Where it is in the workflow")
    responded_at: datetime | None = Field(description="When the response was recorded")
    told_at: datetime | None = Field(description="When the stakeholder was told of the response")


class LinkedDocument(ReadModel):
    id: uuid.UUID = Field(description="The document")
    title: str = Field(description="Its title")
    kind: str = Field(description="What kind of document it is")
    sha256: str = Field(description="The SHA-256 of its content")


class EvidenceRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    plan_id: uuid.UUID = Field(description="The plan")
    requirement_id: uuid.UUID = Field(description=D["requirement_id"])
    requirement_code: str = Field(description="The requirement's code")
    duty_id: uuid.UUID = Field(description="The duty the requirement belongs to")
    duty_code: str = Field(description="The duty's code")
    summary: str = Field(description=D["summary"])
    activity_ids: list[uuid.UUID] = Field(description=D["activity_ids"])
    feedback_ids: list[uuid.UUID] = Field(description=D["feedback_ids"])
    document_ids: list[uuid.UUID] = Field(description=D["document_ids"])
    activities: list[LinkedActivity] = Field(description="The linked activities, briefly (those that still exist)")
    feedback: list[LinkedFeedback] = Field(description="The linked feedback, briefly, without personal text")
    documents: list[LinkedDocument] = Field(description="The linked documents, briefly")
    decision: str | None = Field(description=D["decision"])
    decision_date: date | None = Field(description=D["decision_date"])
    consultation_id: uuid.UUID | None = Field(description=D["consultation_id"])
    external_id: str | None = Field(description=D["external_id"])
    archived_at: datetime | None = Field(description="When it was archived (deleted); null while active")
    created_at: datetime = Field(description="When it was recorded")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who recorded it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")


class EvidencePage(Page[EvidenceRead]):
    pass
