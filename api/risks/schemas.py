import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field, computed_field

from api.actions.schemas import OwnerName
from api.activities.engagement import IsoDate
from api.pagination import Page
from api.plans.schemas import Sentence
from api.risks.scoring import Rag, rag_of
from api.schemas import OptionalLongText, ReadModel, RequestModel


class RiskKind(StrEnum):
    risk = "risk"
    issue = "issue"


class RiskStatus(StrEnum):
    open = "open"
    managed = "managed"
    closed = "closed"


D = {
    "kind": "risk (may happen) or issue (has happened)",
    "description": "What could go wrong, or has",
    "likelihood": "How likely: 1 rare, 2 unlikely, 3 possible, 4 likely, 5 almost certain",
    "impact": "How severe: 1 negligible, 2 minor, 3 moderate, 4 major, 5 catastrophic",
    "owner_id": "The user of your tenant who owns it",
    "owner_name": "Who owns it, when that is not a user of Involve",
    "mitigation": "What is being done about it",
    "status": "open, managed (mitigations in place and watched) or closed",
    "review_date": "When it is next reviewed",
}
RAG = "Derived from the score on the NHS 5×5 matrix: green 1–6, amber 8–12, red 15–25"


class RiskCreate(RequestModel):
    kind: RiskKind = Field(RiskKind.risk, description=D["kind"])
    description: Sentence = Field(description=D["description"])
    likelihood: int = Field(ge=1, le=5, description=D["likelihood"])
    impact: int = Field(ge=1, le=5, description=D["impact"])
    owner_id: uuid.UUID | None = Field(None, description=D["owner_id"])
    owner_name: OwnerName | None = Field(None, description=D["owner_name"])
    mitigation: OptionalLongText = Field(None, description=D["mitigation"])
    status: RiskStatus = Field(RiskStatus.open, description=D["status"])
    review_date: IsoDate | None = Field(None, description=D["review_date"])


class RiskUpdate(RequestModel):
    """Only the fields present change; null clears an optional field and is refused for the others."""

    kind: RiskKind = Field(None, description=D["kind"])
    description: Sentence = Field(None, description=D["description"])
    likelihood: int = Field(None, ge=1, le=5, description=D["likelihood"])
    impact: int = Field(None, ge=1, le=5, description=D["impact"])
    owner_id: uuid.UUID | None = Field(None, description=D["owner_id"])
    owner_name: OwnerName | None = Field(None, description=D["owner_name"])
    mitigation: OptionalLongText = Field(None, description=D["mitigation"])
    status: RiskStatus = Field(None, description=D["status"])
    review_date: IsoDate | None = Field(None, description=D["review_date"])


class RiskRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    plan_id: uuid.UUID = Field(description="The plan it belongs to")
    kind: RiskKind = Field(description=D["kind"])
    description: str = Field(description=D["description"])
    likelihood: int = Field(description=D["likelihood"])
    impact: int = Field(description=D["impact"])
    score: int = Field(description="likelihood × impact (1–25), derived")
    owner_id: uuid.UUID | None = Field(description=D["owner_id"])
    owner_name: str | None = Field(description=D["owner_name"])
    mitigation: str | None = Field(description=D["mitigation"])
    status: RiskStatus = Field(description=D["status"])
    review_date: date | None = Field(description=D["review_date"])
    created_at: datetime = Field(description="When it was created")
    updated_at: datetime = Field(description="When it last changed")
    created_by: uuid.UUID | None = Field(description="Who created it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change; the ETag")

    @computed_field(description=RAG)
    @property
    def rag(self) -> Rag:
        return rag_of(self.score)


class RiskPage(Page[RiskRead]):
    pass
