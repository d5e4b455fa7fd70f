"""Risk score and RAG rating, derived from likelihood × impact on the NHS 5×5 risk matrix (NPSA):
scores 1–3 low and 4–6 moderate are green, 8–12 high is amber, 15–25 extreme is red (7, 11, 13 and
14 cannot occur). The same bands in Python (one row) and in SQL (filters and sorting)."""

from enum import StrEnum

from sqlalchemy import ColumnElement, and_

from api.models import PlanRisk

GREEN_MAX = 6
AMBER_MAX = 12


class Rag(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


# The score as a SQL expression, labelled like the model's `score` property so pagination can page by it.
SCORE = (PlanRisk.likelihood * PlanRisk.impact).label("score")


def rag_of(score: int) -> Rag:
    if score <= GREEN_MAX:
        return Rag.green
    return Rag.amber if score <= AMBER_MAX else Rag.red


def rag_condition(rag: Rag, score: ColumnElement = SCORE) -> ColumnElement[bool]:
    return {
        Rag.green: score <= GREEN_MAX,
        Rag.amber: and_(score > GREEN_MAX, score <= AMBER_MAX),
        Rag.red: score > AMBER_MAX,
    }[rag]
