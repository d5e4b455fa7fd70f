"""Stakeholder list filters on the latest assessment (quadrant, plan, score ranges), applied by the database
(api.stakeholders.service)."""

import uuid
from dataclasses import dataclass

from api.assessments.quadrants import Quadrant
from api.errors import Unprocessable


@dataclass(frozen=True)
class ScoreFilters:
    quadrant: Quadrant | None = None
    plan_id: uuid.UUID | None = None
    min_interest: int | None = None
    max_interest: int | None = None
    min_influence: int | None = None
    max_influence: int | None = None

    def __post_init__(self) -> None:
        # A range no score can fall in is a mistake (two values swapped), not a question whose answer is "nobody":
        # refused wherever these filters are taken (the list, its hot read, the export), naming both parameters.
        swapped = [score for score in ("interest", "influence")
                   if None not in (low := getattr(self, f"min_{score}"), high := getattr(self, f"max_{score}"))
                   and low > high]
        if swapped:
            raise Unprocessable("; ".join(f"min_{s} is above max_{s}" for s in swapped), errors=[
                error for s in swapped for error in (
                    {"loc": ["query", f"min_{s}"], "msg": f"must not be above max_{s}", "type": "score_range"},
                    {"loc": ["query", f"max_{s}"], "msg": f"must not be below min_{s}", "type": "score_range"})])
