"""What the duty-report rules read: everything about one plan, loaded once by the service."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

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


@dataclass(frozen=True)
class Decision:
    """A decision the plan records: a consultation's own `decision_date`, or one an evidence item records (it binds
    the consultation the item names, or each of the plan's when it names none: a board minute deciding the plan).
    Reasons say which, to be honest about the source."""

    day: date
    consultation: Consultation | None = None  # None: recorded in the evidence


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
    evidence: list[Evidence] = field(default_factory=list)  # the plan's live evidence items, whatever requirement
    today: date = field(default_factory=uk_today)  # what is already due, and what is published yet, is judged on it
    # decisions_for's answers by its arguments: Gunning 4 asks once per piece of feedback, mostly for the same windows
    _decisions: dict[tuple, tuple[Decision, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    # Every rule that reads a decision reads it from decisions_for or first_decision, so that none can see a decision
    # another misses: a board minute filed as evidence (under any requirement: limb (c), decisions, as likely as
    # Gunning) is as much a decision as the consultation's own date.

    def decisions_for(self, *consultations: Consultation, since_opening: bool = False) -> tuple[Decision, ...]:
        """The decisions that bind these consultations, earliest first: their own, and those the plan's evidence
        records that name one of them or no consultation (an item naming another consultation decides that one, not
        these; one naming an archived consultation binds none, as its own decision no longer counts). On the same
        day the consultation's own is first, as the firmer record. `since_opening`: only the evidence's decisions
        dated once one of them that it binds had opened (or has no opening date): what answers a consultation's
        feedback (Gunning 4) is a decision taken after it opened, not an earlier one of the plan's (a minute deciding
        the plan before it). Gunning 1 reads them all: a decision before a consultation opened is what it must flag.
        Worked out once per arguments: the context is read, never changed, once the rules run."""
        key = (consultations, since_opening)
        if key not in self._decisions:
            found = [Decision(c.decision_date, c) for c in consultations if c.decision_date is not None]
            found += [Decision(e.decision_date) for e in self.evidence
                      if e.decision_date is not None and self._binds(e, consultations, since_opening)]
            self._decisions[key] = tuple(sorted(found, key=lambda d: (d.day, d.consultation is None)))
        return self._decisions[key]

    @staticmethod
    def _binds(item: Evidence, consultations: tuple[Consultation, ...], since_opening: bool) -> bool:
        """Whether the item's decision binds one of these consultations: the one it names, or any when it names none;
        with `since_opening`, one that had opened by the decision's date (or has no opening date)."""
        bound = [c for c in consultations if item.consultation_id in (None, c.id)]
        if item.consultation_id is not None and not bound:
            return False
        return not since_opening or any(c.opened_date is None or item.decision_date >= c.opened_date for c in bound)

    @cached_property
    def first_decision(self) -> Decision | None:
        """The plan's first decision: the earliest any of its consultations or evidence items records (an item naming
        an archived consultation aside, as decisions_for)."""
        return next(iter(self.decisions_for(*self.consultations)), None)

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
