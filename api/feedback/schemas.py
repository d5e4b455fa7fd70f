import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from api.pagination import Page
from api.schemas import ExternalIdStr, Instant, LongText, OptionalLongText, ReadModel, RequestModel, Tags


class FeedbackType(StrEnum):
    comment = "comment"
    information_request = "information_request"
    advice = "advice"
    complaint = "complaint"
    compliment = "compliment"
    suggestion = "suggestion"
    concern = "concern"


class FeedbackChannel(StrEnum):
    email = "email"
    letter = "letter"
    phone = "phone"
    face_to_face = "face_to_face"
    event = "event"
    survey = "survey"
    online_form = "online_form"
    social_media = "social_media"
    pals = "pals"
    other = "other"


class FeedbackStatus(StrEnum):
    received = "received"
    acknowledged = "acknowledged"
    considered = "considered"
    responded = "responded"
    closed = "closed"


class Outcome(StrEnum):
    changed = "changed"
    partly_changed = "partly_changed"
    no_change_possible = "no_change_possible"
    already_in_place = "already_in_place"
    information_given = "information_given"
    under_review = "under_review"


class ToldHow(StrEnum):
    email = "email"
    letter = "letter"
    phone = "phone"
    meeting = "meeting"
    newsletter = "newsletter"
    website = "website"
    social_media = "social_media"
    published = "published"
    other = "other"


D = {
    "received_at": "When it was received (not in the future); now when absent",
    "channel": "How it reached you",
    "type": "What kind of feedback it is",
    "text": "What was said, as received (personal: never published, never written to the audit trail)",
    "stakeholder_id": "Who said it: one of your tenant's stakeholders; null for anonymous feedback",
    "activity_id": "The activity it came from; one of your tenant's activities",
    "plan_id": "The plan it is about; one of your tenant's plans (taken from the activity when absent)",
    "themes": "Themes (tags) it raises; published with counts in 'you said, we did'",
    "publishable_summary": "A paraphrase with no personal data, for 'you said, we did'",
    "publishable": "The lead's mark that the summary and response may be published (lead or admin only)",
    "told_how": "How the stakeholder was told of the response",
    "told_at": "When the stakeholder was told",
    "external_id": "Your system's id; unique in the tenant",
    "status": "Workflow: received → acknowledged → considered → responded → closed. PATCH may move it on to "
              "acknowledged, considered or closed; responded only comes from POST …/response",
}


class FeedbackCreate(RequestModel):
    received_at: Instant | None = Field(None, description=D["received_at"])
    channel: FeedbackChannel = Field(FeedbackChannel.other, description=D["channel"])
    type: FeedbackType = Field(FeedbackType.comment, description=D["type"])
    text: LongText = Field(min_length=1, description=D["text"])
    stakeholder_id: uuid.UUID | None = Field(None, description=D["stakeholder_id"])
    activity_id: uuid.UUID | None = Field(None, description=D["activity_id"])
    plan_id: uuid.UUID | None = Field(None, description=D["plan_id"])
    themes: Tags = Field(default_factory=list, description=D["themes"])
    publishable_summary: OptionalLongText = Field(None, min_length=1, description=D["publishable_summary"])
    publishable: bool = Field(False, description=D["publishable"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class FeedbackUpdate(RequestModel):
    """Only the fields present change; null clears an optional field and is refused for the others."""

    received_at: Instant = Field(None, description=D["received_at"] + " (moves the response due date)")
    channel: FeedbackChannel = Field(None, description=D["channel"])
    type: FeedbackType = Field(None, description=D["type"])
    text: LongText = Field(None, min_length=1, description=D["text"])
    stakeholder_id: uuid.UUID | None = Field(None, description=D["stakeholder_id"])
    activity_id: uuid.UUID | None = Field(None, description=D["activity_id"])
    plan_id: uuid.UUID | None = Field(None, description=D["plan_id"])
    themes: Tags = Field(None, description=D["themes"] + " (replaces the list)")
    publishable_summary: OptionalLongText = Field(None, min_length=1, description=D["publishable_summary"])
    publishable: bool = Field(None, description=D["publishable"])
    status: FeedbackStatus = Field(None, description=D["status"])
    told_how: ToldHow = Field(None, description=D["told_how"] + " (once responded)")
    told_at: Instant = Field(None, description=D["told_at"] + " (once responded; now when told_how is given "
                                                              "without it)")
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class FeedbackResponseCreate(RequestModel):
    """"We did": the response, what changed or why nothing could, and how the stakeholder was told."""

    # An example satisfying the cross-field rule below (tests and fuzzers build bodies from it).
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "response_text": "We have moved the Tuesday clinic to the evening.", "outcome": "changed",
        "action_taken": "Evening clinic added from April"}]})

    response_text: LongText = Field(min_length=1, description="The response ('we did'); published in 'you said, "
                                                              "we did' when the feedback is marked publishable")
    outcome: Outcome = Field(description="What came of it")
    # The rules between fields are checked on the field they ask for (validate_default: also when it is left out), so
    # a 422 names that field (loc ["body", "action_taken"]) and a form can show the message beside it.
    action_taken: OptionalLongText = Field(None, min_length=1, validate_default=True,
                                          description="What was done (required when the outcome is changed or "
                                                      "partly_changed)")
    reason_no_change: OptionalLongText = Field(None, min_length=1, validate_default=True,
                                              description="Why no change was possible (required when the outcome "
                                                          "is no_change_possible)")
    told_how: ToldHow | None = Field(None, description=D["told_how"] + "; the loop closes only once it is known")
    told_at: Instant | None = Field(None, validate_default=True,
                                    description=D["told_at"] + "; now when told_how is given without it")

    @field_validator("action_taken")
    @classmethod
    def _action_taken(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("outcome") in (Outcome.changed, Outcome.partly_changed) and not value:
            raise ValueError("action_taken is required when the outcome is changed or partly_changed")
        return value

    @field_validator("reason_no_change")
    @classmethod
    def _reason_no_change(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("outcome") == Outcome.no_change_possible and not value:
            raise ValueError("reason_no_change is required when the outcome is no_change_possible")
        return value

    @field_validator("told_at")
    @classmethod
    def _told_at(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is not None and info.data.get("told_how") is None:
            raise ValueError("told_at needs told_how")
        return value


class FeedbackRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    external_id: str | None = Field(description="Your system's id")
    received_at: datetime = Field(description="When it was received")
    channel: FeedbackChannel = Field(description=D["channel"])
    type: FeedbackType = Field(description=D["type"])
    text: str = Field(description=D["text"])
    stakeholder_id: uuid.UUID | None = Field(description="Who said it; null when anonymous, and to anyone but an "
                                                 "admin when the person's processing is restricted (UK GDPR Art. 18)")
    stakeholder_withheld: bool = Field(description="True when stakeholder_id is null because the person's processing "
                                                   "is restricted, not because the feedback is anonymous")
    activity_id: uuid.UUID | None = Field(description="The activity it came from")
    plan_id: uuid.UUID | None = Field(description="The plan it is about")
    themes: list[str] = Field(description=D["themes"])
    status: FeedbackStatus = Field(description=D["status"])
    publishable_summary: str | None = Field(description=D["publishable_summary"])
    publishable: bool = Field(description=D["publishable"])
    response_due_at: datetime = Field(description="When a response is due: the end of the tenant's target number "
                                                  "of UK working days (Mon–Fri; default 20) after receipt")
    overdue: bool = Field(description="No response yet and response_due_at has passed")
    acknowledged_at: datetime | None = Field(description="When it was acknowledged")
    considered_at: datetime | None = Field(description="When it was marked considered")
    responded_at: datetime | None = Field(description="When the response was first recorded")
    closed_at: datetime | None = Field(description="When the loop was closed")
    response_text: str | None = Field(description="The response ('we did')")
    outcome: Outcome | None = Field(description="What came of it")
    action_taken: str | None = Field(description="What was done")
    reason_no_change: str | None = Field(description="Why no change was possible")
    responded_by: uuid.UUID | None = Field(description="Who recorded the response")
    told_how: ToldHow | None = Field(description=D["told_how"])
    told_at: datetime | None = Field(description=D["told_at"])
    archived_at: datetime | None = Field(description="When it was archived (deleted); null while active")
    created_at: datetime = Field(description="When it was recorded")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who recorded it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")


class FeedbackPage(Page[FeedbackRead]):
    pass


class ThemeCount(ReadModel):
    theme: str = Field(description="A theme (tag)")
    count: int = Field(description="How many pieces of the plan's feedback raise it")


class YouSaidWeDidItem(ReadModel):
    themes: list[str] = Field(description="Its themes")
    you_said: str = Field(description="The paraphrase the lead marked publishable")
    we_did: str = Field(description="The response")
    outcome: Outcome = Field(description="What came of it")


class YouSaidWeDid(ReadModel):
    plan_id: uuid.UUID = Field(description="The plan")
    plan_title: str = Field(description="The plan's title")
    feedback_received: int = Field(description="Pieces of feedback about the plan")
    feedback_responded: int = Field(description="Of those, how many have a response")
    themes: list[ThemeCount] = Field(description="Themes with counts, most raised first")
    items: list[YouSaidWeDidItem] = Field(description="The publishable pieces with their response, oldest first")
