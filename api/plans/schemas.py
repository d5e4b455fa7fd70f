import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, computed_field

from api.activities.engagement import IsoDate
from api.pagination import Page
from api.schemas import ExternalIdStr, OptionalLongText, ReadModel, RequestModel, Text
from api.stakeholders.schemas import Categories, StakeholderCategory


class PlanStage(StrEnum):
    design = "design"
    develop = "develop"
    deploy = "deploy"
    deliver = "deliver"


class PlanStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    active = "active"
    closed = "closed"


class ObjectiveStatus(StrEnum):
    planned = "planned"
    on_track = "on_track"
    at_risk = "at_risk"
    achieved = "achieved"
    dropped = "dropped"


class MessageApproval(StrEnum):
    draft = "draft"
    approved = "approved"
    withdrawn = "withdrawn"




def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


def _unique_ids(items: list) -> list:
    ids = [i.id for i in items if i.id is not None]
    if len(ids) != len(set(ids)):
        raise ValueError("two items share an id")
    return items


Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000,
                                            pattern=r"^[^\x00]+$")]
ITEM_ID = "The item's id; leave it out on a new item and the server assigns one"


class Objective(RequestModel):
    id: uuid.UUID | None = Field(None, description=ITEM_ID)
    statement: Sentence = Field(description="The SMART objective")
    measure: Text | None = Field(None, description="How progress is measured")
    target: Text | None = Field(None, description="The target to reach")
    due_date: IsoDate | None = Field(None, description="When it should be met")
    status: ObjectiveStatus = Field(ObjectiveStatus.planned, description="Progress; may change once approved")


class KeyMessage(RequestModel):
    id: uuid.UUID | None = Field(None, description=ITEM_ID)
    text: Sentence = Field(description="The message")
    approval_status: MessageApproval = Field(MessageApproval.draft, description="Whether it is approved for use; may "
                                                                            "change once the plan is approved")


class BudgetLine(RequestModel):
    id: uuid.UUID | None = Field(None, description=ITEM_ID)
    item: Text = Field(description="What the money is for (venue hire, printing, translation…)")
    amount_pence: int = Field(ge=0, le=100_000_000_000, description="The cost in pence")
    funded_from: Text | None = Field(None, description="The budget that pays for it")


class EvaluationMeasure(RequestModel):
    id: uuid.UUID | None = Field(None, description=ITEM_ID)
    name: Text = Field(description="What is measured (attendance, reach, responses…)")
    target: Text | None = Field(None, description="The target")
    actual: Text | None = Field(None, description="What was achieved")


Objectives = Annotated[list[Objective], Field(max_length=100), AfterValidator(_unique_ids)]
KeyMessages = Annotated[list[KeyMessage], Field(max_length=100), AfterValidator(_unique_ids)]
BudgetLines = Annotated[list[BudgetLine], Field(max_length=500), AfterValidator(_unique_ids)]
Measures = Annotated[list[EvaluationMeasure], Field(max_length=100), AfterValidator(_unique_ids)]
Channels = Annotated[list[Text], Field(max_length=100), AfterValidator(_unique)]
StakeholderIds = Annotated[list[uuid.UUID], Field(max_length=5000), AfterValidator(_unique)]
OrganisationIds = Annotated[list[uuid.UUID], Field(max_length=2000), AfterValidator(_unique)]

D = {
    "title": "The plan's title",
    "programme": "The improvement project or programme it serves",
    "delivery_group": "The delivery group or cluster that owns it",
    "lead_id": "The user of your tenant who leads the communication and engagement",
    "stage": "Lifecycle stage of the project: design, develop, deploy, deliver",
    "purpose": "Why communicate and engage (locked while approved, active, closed or on legal hold)",
    "situation_analysis": "What has already happened and is in place",
    "approach": "How: the range of methods and activities",
    "start_date": "When the plan starts",
    "end_date": "When the plan ends (not before start_date)",
    "objectives": "SMART objectives. While the plan is approved, active, closed or on legal hold only their status "
                  "may change: which there are, in order (matched by id), and their statement, measure, target and "
                  "due date are locked",
    "key_messages": "Key messages. While the plan is approved, active, closed or on legal hold only their "
                    "approval_status may change: which there are, in order (matched by id), and their text are locked",
    "channels": "Where: the channels used (staff newsletter, Healthwatch newsletter, website…)",
    "budget_lines": "Resources and costs",
    "evaluation_measures": "How success is measured",
    "audience_categories": "Stakeholder categories in the audience: stakeholders in any of them are on the grid",
    "audience_stakeholder_ids": "Stakeholders of your tenant named in the audience; nobody whose processing is "
                                "restricted (UK GDPR Art. 18) joins it, and to anyone but an admin such a person's id "
                                "is unknown",
    "audience_organisation_ids": "Organisations of your tenant in the audience: their stakeholders are on the grid",
    "external_id": "Your system's id; unique in the tenant",
}


class PlanCreate(RequestModel):
    """A new plan starts as a draft; POST /plans/{id}/approve approves it."""

    title: Text = Field(description=D["title"])
    programme: Text | None = Field(None, description=D["programme"])
    delivery_group: Text | None = Field(None, description=D["delivery_group"])
    lead_id: uuid.UUID | None = Field(None, description=D["lead_id"])
    stage: PlanStage = Field(PlanStage.design, description=D["stage"])
    purpose: OptionalLongText = Field(None, description=D["purpose"])
    situation_analysis: OptionalLongText = Field(None, description=D["situation_analysis"])
    approach: OptionalLongText = Field(None, description=D["approach"])
    start_date: IsoDate | None = Field(None, description=D["start_date"])
    end_date: IsoDate | None = Field(None, description=D["end_date"])
    objectives: Objectives = Field(default_factory=list, description=D["objectives"])
    key_messages: KeyMessages = Field(default_factory=list, description=D["key_messages"])
    channels: Channels = Field(default_factory=list, description=D["channels"])
    budget_lines: BudgetLines = Field(default_factory=list, description=D["budget_lines"])
    evaluation_measures: Measures = Field(default_factory=list, description=D["evaluation_measures"])
    audience_categories: Categories = Field(default_factory=list, description=D["audience_categories"])
    audience_stakeholder_ids: StakeholderIds = Field(default_factory=list, description=D["audience_stakeholder_ids"])
    audience_organisation_ids: OrganisationIds = Field(default_factory=list,
                                                       description=D["audience_organisation_ids"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


REPLACES = " (replaces the list)"
ITEMS_SENT = ("; an item sent without its id is new, unless it says the same as the item in the same place, whose id "
              "it takes")
KEEPS_HIDDEN = "; those named whom you cannot see (audience_withheld) stay"


class PlanUpdate(RequestModel):
    """Only the fields present change; lists are replaced wholesale. status moves along the workflow:
    approved → active → closed, and approved or active → draft (which clears the approval)."""

    title: Text = Field(None, description=D["title"])
    programme: Text | None = Field(None, description=D["programme"])
    delivery_group: Text | None = Field(None, description=D["delivery_group"])
    lead_id: uuid.UUID | None = Field(None, description=D["lead_id"])
    stage: PlanStage = Field(None, description=D["stage"])
    status: PlanStatus = Field(None, description="The next status: active, closed, or draft to return an "
                                                 "approved or active plan to draft (approve with POST …/approve); "
                                                 "none while the plan is on legal hold")
    purpose: OptionalLongText = Field(None, description=D["purpose"])
    situation_analysis: OptionalLongText = Field(None, description=D["situation_analysis"])
    approach: OptionalLongText = Field(None, description=D["approach"])
    start_date: IsoDate | None = Field(None, description=D["start_date"])
    end_date: IsoDate | None = Field(None, description=D["end_date"])
    objectives: Objectives = Field(None, description=D["objectives"] + REPLACES + ITEMS_SENT)
    key_messages: KeyMessages = Field(None, description=D["key_messages"] + REPLACES + ITEMS_SENT)
    channels: Channels = Field(None, description=D["channels"] + REPLACES)
    budget_lines: BudgetLines = Field(None, description=D["budget_lines"] + REPLACES)
    evaluation_measures: Measures = Field(None, description=D["evaluation_measures"] + REPLACES)
    audience_categories: Categories = Field(None, description=D["audience_categories"] + REPLACES)
    audience_stakeholder_ids: StakeholderIds = Field(None, description=D["audience_stakeholder_ids"] + REPLACES
                                                     + KEEPS_HIDDEN)
    audience_organisation_ids: OrganisationIds = Field(None, description=D["audience_organisation_ids"] + REPLACES)
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class ObjectiveRead(ReadModel):
    id: uuid.UUID = Field(description="The objective's id")
    statement: str = Field(description="The SMART objective")
    measure: str | None = Field(description="How progress is measured")
    target: str | None = Field(description="The target to reach")
    due_date: date | None = Field(description="When it should be met")
    status: ObjectiveStatus = Field(description="Progress")


class KeyMessageRead(ReadModel):
    id: uuid.UUID = Field(description="The message's id")
    text: str = Field(description="The message")
    approval_status: MessageApproval = Field(description="Whether it is approved for use")


class BudgetLineRead(ReadModel):
    id: uuid.UUID = Field(description="The line's id")
    item: str = Field(description="What the money is for")
    amount_pence: int = Field(description="The cost in pence")
    funded_from: str | None = Field(description="The budget that pays for it")


class EvaluationMeasureRead(ReadModel):
    id: uuid.UUID = Field(description="The measure's id")
    name: str = Field(description="What is measured")
    target: str | None = Field(description="The target")
    actual: str | None = Field(description="What was achieved")


class PlanRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    external_id: str | None = Field(description="Your system's id")
    title: str = Field(description=D["title"])
    programme: str | None = Field(description=D["programme"])
    delivery_group: str | None = Field(description=D["delivery_group"])
    lead_id: uuid.UUID | None = Field(description=D["lead_id"])
    stage: PlanStage = Field(description=D["stage"])
    status: PlanStatus = Field(description="draft → approved → active → closed")
    purpose: str | None = Field(description=D["purpose"])
    situation_analysis: str | None = Field(description=D["situation_analysis"])
    approach: str | None = Field(description=D["approach"])
    start_date: date | None = Field(description=D["start_date"])
    end_date: date | None = Field(description=D["end_date"])
    objectives: list[ObjectiveRead] = Field(description=D["objectives"])
    key_messages: list[KeyMessageRead] = Field(description=D["key_messages"])
    channels: list[str] = Field(description=D["channels"])
    budget_lines: list[BudgetLineRead] = Field(description=D["budget_lines"])
    evaluation_measures: list[EvaluationMeasureRead] = Field(description=D["evaluation_measures"])
    audience_categories: list[StakeholderCategory] = Field(description=D["audience_categories"])
    audience_stakeholder_ids: list[uuid.UUID] = Field(description=D["audience_stakeholder_ids"])
    audience_withheld: bool = Field(description="True when the audience names people left out of "
                                                "audience_stakeholder_ids because their processing is restricted "
                                                "(UK GDPR Art. 18): only an admin sees them")
    audience_organisation_ids: list[uuid.UUID] = Field(description=D["audience_organisation_ids"])
    approved_by: uuid.UUID | None = Field(description="Who approved it; null unless approved, active or closed")
    approved_at: datetime | None = Field(description="When it was approved; null unless approved, active or closed")
    archived_at: datetime | None = Field(description="When it was archived; null while active")
    legal_hold_at: datetime | None = Field(description="When a legal hold was put on the plan: while it holds, the "
                                                       "plan cannot be archived, its status, purpose, objectives and "
                                                       "key messages (but for their progress) cannot change, its "
                                                       "evidence and documents cannot be deleted and the people it "
                                                       "names cannot be erased; null when not on hold")
    legal_hold_reason: str | None = Field(description="Why the plan is on legal hold")
    legal_hold_by: uuid.UUID | None = Field(description="Who put the hold on (an admin)")
    created_at: datetime = Field(description="When it was created")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who created it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")

    @computed_field(description="The sum of the budget lines, in pence")
    @property
    def budget_total_pence(self) -> int:
        return sum(line.amount_pence for line in self.budget_lines)


class PlanPage(Page[PlanRead]):
    pass
