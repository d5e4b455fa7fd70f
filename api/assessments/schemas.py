import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field

from api.assessments.quadrants import Quadrant
from api.pagination import Page
from api.schemas import OptionalLongText, ReadModel, RequestModel, ResponseModel
from api.stakeholders.schemas import StakeholderCategory, StakeholderKind

INTEREST = "How much the stakeholder cares about the work: 1 (little) to 5 (a great deal)"
INFLUENCE = "How much the stakeholder can affect the work: 1 (little) to 5 (a great deal)"
ATTITUDE = "−2 opposed, −1 sceptical, 0 neutral, 1 supportive, 2 champion; null if not judged"
QUADRANT = ("manage_closely (high influence and interest), keep_satisfied (high influence), keep_informed "
            "(high interest) or monitor; high means at least the tenant's grid_threshold")


class AssessmentCreate(RequestModel):
    interest: int = Field(ge=1, le=5, description=INTEREST)
    influence: int = Field(ge=1, le=5, description=INFLUENCE)
    attitude: int | None = Field(None, ge=-2, le=2, description=ATTITUDE)
    plan_id: uuid.UUID | None = Field(None, description="The plan this assessment is for (one of your tenant's "
                                                        "plans); leave it out for a general assessment")
    rationale: OptionalLongText = Field(None, description="Why these scores")


class AssessmentRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    stakeholder_id: uuid.UUID = Field(description="The stakeholder assessed")
    plan_id: uuid.UUID | None = Field(description="The plan it is for; null for a general assessment")
    interest: int = Field(description=INTEREST)
    influence: int = Field(description=INFLUENCE)
    attitude: int | None = Field(description=ATTITUDE)
    rationale: str | None = Field(description="Why these scores")
    quadrant: Quadrant = Field(description=QUADRANT + " (today's threshold)")
    is_latest: bool = Field(description="True for the newest assessment of the stakeholder for its plan (or in "
                                        "general): the one that places it on the grid")
    assessed_by: uuid.UUID | None = Field(description="Who assessed (user or service account id)")
    assessed_at: datetime = Field(description="When it was recorded")


class AssessmentPage(Page[AssessmentRead]):
    pass


def _date_or_datetime(value: Any) -> Any:
    """A date (YYYY-MM-DD) or an ISO 8601 datetime with offset; nothing else (not a Unix timestamp)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not an ISO 8601 date or datetime") from None
        # A datetime without its offset is refused: at midnight it would pass for its date (the end of that day).
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("a datetime needs its offset (Z or ±hh:mm)")
    return value


Since = Annotated[date | AwareDatetime, BeforeValidator(_date_or_datetime)]
SINCE = ("Report who moved quadrant since then: a date (as it stood at the end of that day, UTC) or a datetime "
         "with offset")


class ScoreSource(StrEnum):
    plan = "plan"
    general = "general"


class GridStakeholder(ResponseModel):
    id: uuid.UUID = Field(description="The stakeholder")
    name: str = Field(description="Name")
    kind: StakeholderKind = Field(description="A person, a group or an organisation")
    categories: list[StakeholderCategory] = Field(description="Stakeholder categories")
    organisation_id: uuid.UUID | None = Field(description="The organisation it belongs to")
    interest: int | None = Field(description=INTEREST + "; null if never assessed")
    influence: int | None = Field(description=INFLUENCE + "; null if never assessed")
    attitude: int | None = Field(description=ATTITUDE)
    quadrant: Quadrant | None = Field(description=QUADRANT + "; null if never assessed")
    source: ScoreSource | None = Field(description="plan: scored for this plan; general: no assessment for the plan "
                                                   "yet, so its latest general one; null: never assessed")
    assessed_at: datetime | None = Field(description="When the scores shown were recorded")


class QuadrantCounts(ResponseModel):
    manage_closely: int = Field(description="Stakeholders to manage closely")
    keep_satisfied: int = Field(description="Stakeholders to keep satisfied")
    keep_informed: int = Field(description="Stakeholders to keep informed")
    monitor: int = Field(description="Stakeholders to monitor")
    unassessed: int = Field(description="Stakeholders in the audience never assessed")


class Movement(ResponseModel):
    model_config = ConfigDict(populate_by_name=True)

    stakeholder_id: uuid.UUID = Field(description="The stakeholder")
    name: str = Field(description="Name")
    from_quadrant: Quadrant = Field(alias="from", description="Its quadrant at `since`")
    to_quadrant: Quadrant = Field(alias="to", description="Its quadrant now")


class Grid(ResponseModel):
    plan_id: uuid.UUID | None = Field(description="The plan; null for the general map")
    threshold: int = Field(description="The score from which interest or influence counts as high")
    counts: QuadrantCounts = Field(description="How many stakeholders of the audience are in each quadrant")
    stakeholders: list[GridStakeholder] = Field(description="Every stakeholder of the audience (archived and "
                                                            "restricted ones left out), by name")
    since: datetime | None = Field(description="The moment movement is measured from; null without ?since=")
    moved: list[Movement] | None = Field(description="Those whose quadrant at `since` differs from today's; null "
                                                     "without ?since=")
    newly_assessed: list[uuid.UUID] | None = Field(description="Those with no scores at `since` and some now; null "
                                                               "without ?since=")
