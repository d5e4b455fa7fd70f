"""Stakeholder list filters on the latest assessment (quadrant, plan, score ranges), applied by the database
(api.stakeholders.service)."""

import uuid
from dataclasses import dataclass

from api.assessments.quadrants import Quadrant


@dataclass(frozen=True)
class ScoreFilters:
    quadrant: Quadrant | None = None
    plan_id: uuid.UUID | None = None
    min_interest: int | None = None
    max_interest: int | None = None
    min_influence: int | None = None
    max_influence: int | None = None
