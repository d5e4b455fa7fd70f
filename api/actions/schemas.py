import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, computed_field

from api.activities.engagement import IsoDate, uk_today
from api.pagination import Page
from api.plans.schemas import Sentence
from api.schemas import ONE_LINE, OptionalLongText, ReadModel, RequestModel

OwnerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                             pattern=ONE_LINE)]


class ActionStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


OPEN_STATUSES = (ActionStatus.planned, ActionStatus.in_progress)

D = {
    "description": "What is to be done",
    "owner_id": "The user of your tenant who owns it",
    "owner_name": "Who owns it, when that is not a user of Involve (a partner's officer, a team)",
    "due_date": "When it is due",
    "status": "planned, in_progress, done or dropped; completed_at is set when it becomes done",
    "activity_id": "The engagement activity that evidences it: one of this plan's, or of no plan",
    "notes": "Free-text notes",
}


class ActionCreate(RequestModel):
    description: Sentence = Field(description=D["description"])
    owner_id: uuid.UUID | None = Field(None, description=D["owner_id"])
    owner_name: OwnerName | None = Field(None, description=D["owner_name"])
    due_date: IsoDate | None = Field(None, description=D["due_date"])
    status: ActionStatus = Field(ActionStatus.planned, description=D["status"])
    activity_id: uuid.UUID | None = Field(None, description=D["activity_id"])
    notes: OptionalLongText = Field(None, description=D["notes"])


class ActionUpdate(RequestModel):
    """Only the fields present change; null clears an optional field and is refused for the others."""

    description: Sentence = Field(None, description=D["description"])
    owner_id: uuid.UUID | None = Field(None, description=D["owner_id"])
    owner_name: OwnerName | None = Field(None, description=D["owner_name"])
    due_date: IsoDate | None = Field(None, description=D["due_date"])
    status: ActionStatus = Field(None, description=D["status"])
    activity_id: uuid.UUID | None = Field(None, description=D["activity_id"])
    notes: OptionalLongText = Field(None, description=D["notes"])


def today() -> date:
    """Today's UK date: what "overdue" is measured against (a due date is a UK day, as every date here)."""
    return uk_today()


class ActionRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    plan_id: uuid.UUID = Field(description="The plan it belongs to")
    description: str = Field(description=D["description"])
    owner_id: uuid.UUID | None = Field(description=D["owner_id"])
    owner_name: str | None = Field(description=D["owner_name"])
    due_date: date | None = Field(description=D["due_date"])
    status: ActionStatus = Field(description="planned, in_progress, done or dropped")
    completed_at: datetime | None = Field(description="When it became done; null unless done")
    activity_id: uuid.UUID | None = Field(description=D["activity_id"])
    notes: str | None = Field(description=D["notes"])
    created_at: datetime = Field(description="When it was created")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who created it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")

    @computed_field(description="Past its due date (UTC) and neither done nor dropped")
    @property
    def overdue(self) -> bool:
        return self.due_date is not None and self.due_date < today() and self.status in OPEN_STATUSES


class ActionPage(Page[ActionRead]):
    pass
