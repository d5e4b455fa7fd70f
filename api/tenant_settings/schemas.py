import uuid

from pydantic import Field

from api.assessments.quadrants import DEFAULT_THRESHOLD
from api.duties.schemas import Jurisdiction
from api.schemas import ReadModel, RequestModel

DEFAULT_FEEDBACK_RESPONSE_DAYS = 20
DEFAULTS = {"grid_threshold": DEFAULT_THRESHOLD, "feedback_response_days": DEFAULT_FEEDBACK_RESPONSE_DAYS}

GRID_THRESHOLD = ("The score (1–5) from which interest or influence counts as high on the power/interest grid; "
                  "3 unless changed")
JURISDICTION = ("england or wales: which built-in duties to involve apply (GET /api/v1/duties lists this "
                "jurisdiction's unless asked for the other)")
RESPONSE_DAYS = "Working days within which feedback should have a response (1–365); 20 unless changed"


class TenantSettings(ReadModel):
    grid_threshold: int = Field(description=GRID_THRESHOLD)
    feedback_response_days: int = Field(description=RESPONSE_DAYS)


class TenantSettingsUpdate(RequestModel):
    """Only the settings present change; unknown settings are refused (422)."""

    grid_threshold: int = Field(None, ge=1, le=5, description=GRID_THRESHOLD)
    feedback_response_days: int = Field(None, ge=1, le=365, description=RESPONSE_DAYS)
    jurisdiction: Jurisdiction = Field(None, description=JURISDICTION + "; the tenant's own duties keep the "
                                                                        "jurisdiction they were added in")


class TenantRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    slug: str = Field(description="Short name used in URLs and on the command line")
    name: str = Field(description="The NHS body's name")
    jurisdiction: Jurisdiction = Field(description=JURISDICTION)
    settings: TenantSettings = Field(description="The tenant's settings, defaults filled in")
    version: int = Field(description="Increases with every change of the tenant or its settings; the ETag")


def effective(settings: dict | None) -> dict:
    """The stored settings over the defaults."""
    return {**DEFAULTS, **{k: v for k, v in (settings or {}).items() if k in DEFAULTS}}
