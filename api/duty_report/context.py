"""What the duty-report rules read: everything about one plan, loaded once by the service."""

import uuid
from dataclasses import dataclass, field
from datetime import date

from api.activities.engagement import uk_day, uk_today
from api.models import (
    Activity,
    Consultation,
    Document,
    Evidence,
    Feedback,
    Plan,
    Scrutiny,
    ScrutinyCorrespondence,
)


@dataclass(frozen=True)
class AttendanceLine:
    """One line of an activity's attendance log, with the stakeholder's categories and tags."""

    activity_id: uuid.UUID
    stakeholder_id: uuid.UUID
    invited: bool
    attended: bool
    categories: tuple[str, ...]


@dataclass(frozen=True)
class AudienceMember:
    """A seldom-heard stakeholder named in the plan's audience (directly or through an organisation)."""

    id: uuid.UUID
    name: str


@dataclass
class Context:
    plan: Plan
    consultations: list[Consultation] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    scrutiny: Scrutiny | None = None
    correspondence: list[ScrutinyCorrespondence] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    attendance: list[AttendanceLine] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    seldom_heard: list[AudienceMember] = field(default_factory=list)
    # The decision dates the plan's evidence items record, whatever requirement they are linked to (Gunning 1)
    evidence_decisions: list[date] = field(default_factory=list)
    today: date = field(default_factory=uk_today)  # what is already due, and what is published yet, is judged on it

    def decisions(self) -> list[date]:
        """The decision dates the plan's consultations record, earliest first."""
        return sorted(c.decision_date for c in self.consultations if c.decision_date is not None)

    def published(self, document: Document) -> date | None:
        """The UK day a document was published, if that day has come (a date ahead is a plan, not a publication)."""
        if document.published_at is None or (when := uk_day(document.published_at)) > self.today:
            return None
        return when

    def live_activities(self) -> list[Activity]:
        """The plan's activities that count as involvement: not cancelled (planned ones are commitments)."""
        return [a for a in self.activities if a.status != "cancelled"]

    def documents_for(self, consultation: Consultation, kind: str) -> list[Document]:
        """Documents of a kind for this consultation, or for the plan as a whole."""
        return [d for d in self.documents if d.kind == kind and d.consultation_id in (consultation.id, None)]


@dataclass
class RuleInput:
    """What one rule sees: the plan's context and the evidence items linked to the requirement."""

    context: Context
    evidence: list[Evidence]
