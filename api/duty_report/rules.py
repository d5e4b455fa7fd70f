"""One small pure function per rule name of the catalogue (api/duties/catalogue.py RULES).

Each takes a RuleInput (the plan's loaded context and the requirement's evidence items) and returns a
Finding: red, amber or green, the reason in plain English, the gaps, and the records it found that
show the requirement met ("links"). Adding a rule is adding a function and its entry in REGISTRY."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from api.activities.engagement import uk_day
from api.duty_report.context import AttendanceLine, Context, Decision, RuleInput
from api.models import Activity, Consultation, Feedback


class Status(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


SEVERITY = {Status.green: 0, Status.amber: 1, Status.red: 2}


@dataclass(frozen=True)
class Link:
    kind: str  # activity, document, feedback, consultation, correspondence, attendance
    id: str
    title: str


@dataclass
class Finding:
    status: Status
    reason: str
    gaps: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def worst(statuses) -> Status:
    return max(statuses, key=lambda s: SEVERITY[s], default=Status.green)


def day(value: date | datetime) -> str:
    """3 March 2026 (a datetime as its UK calendar day)."""
    if isinstance(value, datetime):
        value = uk_day(value)
    return f"{value.day} {value:%B %Y}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _every(n: int, word: str, plural: str | None = None) -> str:
    """"All 3 pieces", but "The 1 piece": a finding about everything of a kind reads right for one."""
    return f"{'The' if n == 1 else 'All'} {_plural(n, word, plural)}"


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _named(consultation: Consultation) -> str:
    return f"'{consultation.title}'"


def _the_decision(decision: Decision, *, named: bool = False) -> str:
    """"the decision dated 3 March 2026" (`named`: "the decision on 'Title' dated …"), or "the decision the evidence
    records, dated …": honest about where it was recorded, as Gunning 1 is."""
    if decision.consultation is None:
        return f"the decision the evidence records, dated {day(decision.day)}"
    on = f" on {_named(decision.consultation)}" if named else ""
    return f"the decision{on} dated {day(decision.day)}"


# --- the three limbs ----------------------------------------------------------------------------------

LIMBS = {"planning": "(a), planning", "proposals": "(b), the development and consideration of proposals",
         "decision": "(c), decisions"}


# Involvement dated after the decision cannot have shaped the proposals or the decision itself
BEFORE_DECISION = ("proposals", "decision")


def _titles(activities: list[Activity]) -> str:
    return ", ".join(f"'{a.title}'" for a in activities)


def _involvement(limb: str) -> Callable[[RuleInput], Finding]:
    def rule(given: RuleInput) -> Finding:
        serving = [a for a in given.context.live_activities() if a.duty_limb == limb]
        decided = given.context.first_decision
        late = [a for a in serving
                if limb in BEFORE_DECISION and decided and uk_day(a.starts_at) > decided.day]
        counted = [a for a in serving if a not in late]
        done = [a for a in counted if a.status == "done"]
        links = [Link("activity", str(a.id), a.title) for a in counted]
        if done or given.evidence:
            parts = []
            if counted:
                parts.append(f"{_plural(len(counted), 'activity', 'activities')} of the plan "
                             f"{_verb(len(counted), 'serves', 'serve')} limb {LIMBS[limb]} ({len(done)} done)")
            if given.evidence:
                parts.append(f"{_plural(len(given.evidence), 'evidence item')} linked")
            return Finding(Status.green, "; ".join(parts) + ".", links=links)
        if counted:  # planned ones only: a commitment, not yet involvement
            return Finding(Status.amber, f"Limb {LIMBS[limb]} is served only by "
                                         f"{_verb(len(counted), 'an activity', 'activities')} not done yet: "
                                         f"{_titles(counted)}.",
                           gaps=[f"Record '{a.title}' as done once it has taken place." for a in counted],
                           links=links)
        if late:
            return Finding(Status.red, f"No involvement is recorded for limb {LIMBS[limb]} before "
                                       f"{_the_decision(decided)}: {_titles(late)} "
                                       f"{_verb(len(late), 'is', 'are')} dated after it.",
                           gaps=[f"Involve people in the {limb} limb before the decision, or link evidence to this "
                                 f"requirement."])
        return Finding(Status.red, f"No involvement is recorded for limb {LIMBS[limb]}: no activity of the plan "
                                   f"serves it and no evidence item is linked.",
                       gaps=[f"Record an activity for the {limb} limb, or link evidence to this requirement."])

    rule.__name__ = f"involvement_{limb}"
    return rule


involvement_planning = _involvement("planning")
involvement_proposals = _involvement("proposals")
involvement_decisions = _involvement("decision")


# --- the Gunning principles -----------------------------------------------------------------------------

def _no_consultation(principle: str) -> Finding:
    return Finding(Status.red, f"No formal consultation is recorded for this plan, so {principle} cannot be shown.",
                   gaps=["Record the consultation: its dates, documents and decision."])


def gunning_formative(given: RuleInput) -> Finding:
    """Gunning 1: no decision before the consultation closed."""
    ctx = given.context
    if not ctx.consultations:
        return _no_consultation("consultation at a formative stage (Gunning 1)")
    findings = []
    for c in ctx.consultations:
        link = [Link("consultation", str(c.id), c.title)]
        # A decision the plan's evidence records for it (naming it or no consultation) counts as the consultation's
        # own does: both go through the same checks below, judged on the earliest
        decided = ctx.decisions_for(c)
        if not decided:
            if c.closed_date is None:
                findings.append(Finding(Status.amber, f"The consultation {_named(c)} has no closing date yet.",
                                        gaps=[f"Record when {_named(c)} closes."], links=link))
            else:
                findings.append(Finding(Status.green, f"No decision has been taken; the consultation closed on "
                                                      f"{day(c.closed_date)}.", links=link))
            continue
        first, own = decided[0].day, decided[0].consultation is not None
        said = f"The decision was dated {day(first)}" if own else f"The evidence records a decision dated {day(first)}"
        if c.closed_date is None:
            findings.append(Finding(Status.red, f"{said}, but the consultation {_named(c)} has no closing date "
                                                f"(Gunning 1).", gaps=[f"Record when {_named(c)} closed."],
                                    links=link))
        elif first < c.closed_date:
            findings.append(Finding(Status.red, f"{said}, before the consultation closed on {day(c.closed_date)} "
                                                f"(Gunning 1).",
                                    gaps=[f"The decision on {_named(c)} preceded the end of its consultation." if own
                                          else f"A decision preceded the end of {_named(c)}."], links=link))
        elif first == c.closed_date:
            # Responses arriving on the last day could not have been considered by a decision that same day
            findings.append(Finding(Status.amber, f"{said}, the day the consultation closed (Gunning 1).",
                                    gaps=[f"Show that the responses to {_named(c)} were considered before the "
                                          "decision, or correct its date."], links=link))
        else:
            findings.append(Finding(Status.green, f"{said}, after the consultation closed on {day(c.closed_date)}.",
                                    links=link))
    return _combine(findings)


def _published_at_launch(ctx: Context, c: Consultation, kind: str, label: str) -> Finding:
    documents = ctx.documents_for(c, kind)
    links = [Link("document", str(d.id), d.title) for d in documents]
    published = sorted(when for d in documents if (when := ctx.published(d)) is not None)
    if c.opened_date is None:
        return Finding(Status.amber, f"The consultation {_named(c)} has no opening date, so the {label} cannot be "
                                     f"checked against its launch.", gaps=[f"Record when {_named(c)} opened."],
                       links=links)
    if not published and c.opened_date > ctx.today:  # not due yet
        return Finding(Status.amber, f"The {label} is not published yet; the consultation opens on "
                                     f"{day(c.opened_date)}.",
                       gaps=[f"Publish the {label} for {_named(c)} by {day(c.opened_date)}."], links=links)
    if not published:
        return Finding(Status.red, f"The {label} was not published when the consultation opened on "
                                   f"{day(c.opened_date)}.",
                       gaps=[f"Publish the {label} for {_named(c)} and record its publication date."], links=links)
    first = published[0]
    if first > c.opened_date:
        return Finding(Status.red, f"The {label} was published on {day(first)}, after the consultation opened on "
                                   f"{day(c.opened_date)}.",
                       gaps=[f"The {label} for {_named(c)} was late."], links=links)
    return Finding(Status.green, f"The {label} was published on {day(first)}, by the time the consultation opened "
                                 f"on {day(c.opened_date)}.", links=links)


def gunning_information(given: RuleInput) -> Finding:
    """Gunning 2: the consultation pack and the equality impact assessment published at launch."""
    ctx = given.context
    if not ctx.consultations:
        return _no_consultation("sufficient reasons and information (Gunning 2)")
    findings = []
    for c in ctx.consultations:
        for kind, label in (("consultation_pack", "consultation pack"),
                            ("equality_impact_assessment", "equality impact assessment")):
            findings.append(_published_at_launch(ctx, c, kind, label))
    return _combine(findings, suffix=" (Gunning 2)")


def equality_due_regard(given: RuleInput) -> Finding:
    """Equality Act s149: an equality impact assessment published at launch, and before any decision."""
    ctx = given.context
    if ctx.consultations:
        findings = [_published_at_launch(ctx, c, "equality_impact_assessment", "equality impact assessment")
                    for c in ctx.consultations]
        return _combine(findings, suffix=" (Equality Act 2010 s149)")
    documents = [d for d in ctx.documents if d.kind == "equality_impact_assessment" and ctx.published(d)]
    links = [Link("document", str(d.id), d.title) for d in documents]
    decided = ctx.first_decision  # any evidence item's, not only those linked here, as every rule reads it
    if not documents:
        return Finding(Status.red, "No equality impact assessment is published for this plan (Equality Act 2010 "
                                   "s149).", gaps=["Publish the equality impact assessment before the decision."])
    first = min(ctx.published(d) for d in documents)
    if decided and first > decided.day:
        return Finding(Status.red, f"The equality impact assessment was published on {day(first)}, after "
                                   f"{_the_decision(decided)} (Equality Act 2010 s149).",
                       gaps=["Due regard must be had before the decision."], links=links)
    return Finding(Status.green, f"The equality impact assessment was published on {day(first)}.", links=links)


def gunning_time(given: RuleInput) -> Finding:
    """Gunning 3: the window at least the plan's stated minimum, or the reason for a shorter one recorded."""
    ctx = given.context
    if not ctx.consultations:
        return _no_consultation("adequate time (Gunning 3)")
    findings = []
    for c in ctx.consultations:
        link = [Link("consultation", str(c.id), c.title)]
        if c.opened_date is None or c.closed_date is None:
            findings.append(Finding(Status.amber, f"The consultation {_named(c)} has no opening or closing date, so "
                                                  f"its length cannot be checked.",
                                    gaps=[f"Record when {_named(c)} opened and closed."], links=link))
            continue
        length = c.days_open  # both ends counted, as for the feedback received (_received_in)
        ran = (f"The consultation ran {_plural(length, 'day')} ({day(c.opened_date)} to {day(c.closed_date)}, "
               f"both days counted)")
        if c.minimum_days is None:
            findings.append(Finding(Status.amber, f"{ran}, but no minimum duration was set, so its adequacy cannot "
                                                  f"be checked (Gunning 3).",
                                    gaps=[f"Record the minimum duration set for {_named(c)}."], links=link))
        elif length >= c.minimum_days:
            findings.append(Finding(Status.green, f"{ran}, at least the stated minimum of "
                                                  f"{_plural(c.minimum_days, 'day')}.", links=link))
        elif c.shorter_reason and c.shorter_reason.strip():
            findings.append(Finding(Status.green, f"{ran}, shorter than the stated minimum of "
                                                  f"{_plural(c.minimum_days, 'day')}, for the recorded reason: "
                                                  f"{c.shorter_reason.strip()}", links=link))
        else:
            findings.append(Finding(Status.red, f"{ran}, shorter than the stated minimum of "
                                                f"{_plural(c.minimum_days, 'day')}, and no reason is recorded "
                                                f"(Gunning 3).",
                                    gaps=[f"Record why {_named(c)} was shorter than the minimum."], links=link))
    return _combine(findings)


def _received_in(c: Consultation, f: Feedback) -> bool:
    """Whether feedback arrived in a consultation's window: its UK day from the opening to the closing day (a window
    with no closing date yet runs on)."""
    received = uk_day(f.received_at)
    return (c.opened_date is not None and c.opened_date <= received
            and (c.closed_date is None or received <= c.closed_date))


def _under_way(ctx: Context, c: Consultation) -> bool:
    """Open and undecided (nor a decision in the evidence): a response still to come is work in progress."""
    return not ctx.decisions_for(c, since_opening=True) and (c.closed_date is None or ctx.today <= c.closed_date)


def _label(f: Feedback) -> str:
    return ", ".join(f.themes) or f.type


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]  # not capitalize(): it lowercases themes and titles


Problem = tuple[Status, str, list[str]]  # a clause of a finding's reason, and its gaps


def _unanswered(ctx: Context, product: list[tuple[Feedback, list[Consultation]]]) -> list[Problem]:
    """Feedback of a window without a response: work in progress while its consultation is open and undecided,
    unconsidered once it closed or was decided."""
    unanswered = [(f, windows) for f, windows in product if f.responded_at is None]
    waiting = [f for f, windows in unanswered if all(_under_way(ctx, c) for c in windows)]
    overdue = [f for f, _ in unanswered if f not in waiting]
    problems: list[Problem] = []
    if themes := sorted({t for f in overdue for t in f.themes}):
        problems.append((Status.red, f"{_plural(len(themes), 'theme')} raised in feedback "
                                     f"{_verb(len(themes), 'has', 'have')} no response ({', '.join(themes)})",
                         [f"Theme '{t}' has feedback without a response." for t in themes]))
    if unthemed := sum(1 for f in overdue if not f.themes):
        problems.append((Status.red, f"{_plural(unthemed, 'piece')} of feedback without a theme "
                                     f"{_verb(unthemed, 'has', 'have')} no response",
                         [f"{_plural(unthemed, 'piece')} of unthemed feedback without a response."]))
    if waiting:
        problems.append((Status.amber, f"{_plural(len(waiting), 'piece')} of feedback received while the consultation "
                                       f"is open {_verb(len(waiting), 'awaits', 'await')} a response "
                                       f"({'; '.join(_label(f) for f in waiting)})",
                         [f"Respond to {_plural(len(waiting), 'piece')} of feedback before the decision."]))
    return problems


def _answered_late(ctx: Context, product: list[tuple[Feedback, list[Consultation]]]) -> dict[Decision, list[Feedback]]:
    """{decision: feedback answered after it}, by the first decision binding any of the feedback's windows (its
    consultation's own or one the evidence records): too late to show it was considered."""
    late: dict[Decision, list[Feedback]] = {}
    for f, windows in product:
        first = next(iter(ctx.decisions_for(*windows, since_opening=True)), None)
        if f.responded_at is not None and first and uk_day(f.responded_at) > first.day:
            late.setdefault(first, []).append(f)
    return late


def _late(late: dict[Decision, list[Feedback]]) -> list[Problem]:
    return [(Status.red, f"{_plural(len(answered), 'response was', 'responses were')} made after "
                         f"{_the_decision(d, named=True)}, so {_verb(len(answered), 'it', 'they')} cannot "
                         f"show the feedback was considered ({'; '.join(_label(f) for f in answered)})",
             [f"The feedback '{_label(f)}' was answered on {day(f.responded_at)}, after "
              + (f"the decision on {_named(d.consultation)}." if d.consultation else f"{_the_decision(d)}.")
              for f in answered]) for d, answered in late.items()]


def gunning_consideration(given: RuleInput) -> Finding:
    """Gunning 4: the feedback each consultation received in its window responded to before its decision, and
    every response communicated back. Feedback outside every window belongs to the you-said-we-did loop."""
    ctx = given.context
    if not ctx.consultations:  # as Gunning 1-3: answered feedback is no consultation's product
        return _no_consultation("conscientious consideration (Gunning 4)")
    if not ctx.feedback:
        return Finding(Status.amber, "No feedback is recorded for this plan, so conscientious consideration cannot "
                                     "be shown (Gunning 4).", gaps=["Record the feedback the consultation received."])
    problems: list[Problem] = [
        (Status.amber, f"the consultation {_named(c)} has no opening date, so which feedback it received cannot "
                       f"be told", [f"Record when {_named(c)} opened."])
        for c in ctx.consultations if c.opened_date is None]
    product = [(f, windows) for f in ctx.feedback
               if (windows := [c for c in ctx.consultations if _received_in(c, f)])]
    if not product and not problems:
        problems.append((Status.amber, "no feedback was received while the consultation was open, so conscientious "
                                       "consideration cannot be shown",
                         ["Record the feedback the consultation received."]))
    late = _answered_late(ctx, product)
    problems += _unanswered(ctx, product) + _late(late)
    untold = [f for f, _ in product if f.responded_at is not None and f.told_at is None and f.status != "closed"]
    if untold:
        problems.append((Status.red, f"{_plural(len(untold), 'response was', 'responses were')} never communicated "
                                     f"back", [f"Tell {_plural(len(untold), 'stakeholder')} about the response to "
                                               f"what they said."]))
    too_late = {f.id for answered in late.values() for f in answered}
    links = [Link("feedback", str(f.id), _label(f)) for f, _ in product
             if f.responded_at is not None and f.id not in too_late]
    if problems:
        status = worst(s for s, _, _ in problems)
        reason = "; ".join(text for s, text, _ in problems if s == status)
        return Finding(status, _sentence(reason) + " (Gunning 4).", gaps=[g for _, _, gs in problems for g in gs],
                       links=links)
    return Finding(Status.green, f"{_every(len(product), 'piece')} of feedback received while the consultation was "
                                 f"open {_verb(len(product), 'has', 'have')} a response that was communicated back.",
                   links=links)


# --- reach ------------------------------------------------------------------------------------------------

def _reach(aimed: list[Activity], lines: list[AttendanceLine], live: dict) -> tuple[list[Activity], list[Activity]]:
    """(the activities that reached an audience: done, and aimed at it or attended by it; those that only plan to:
    not done yet, and aimed at it or inviting it). A planned activity is a commitment, not yet reach, as it is not
    yet involvement; an invitation to a held activity that nobody took up reached no one."""
    held = ([a for a in aimed if a.status == "done"]
            + [live[line.activity_id] for line in lines if live[line.activity_id].status == "done" and line.attended])
    planned = ([a for a in aimed if a.status != "done"]
               + [live[line.activity_id] for line in lines
                  if live[line.activity_id].status != "done" and (line.attended or line.invited)])
    return list({a.id: a for a in held}.values()), list({a.id: a for a in planned}.values())


def audience_reached(given: RuleInput) -> Finding:
    """Every audience category of the plan, and every seldom-heard group named in it, reached by an activity that took
    place: one aimed at the category (its audience categories), or an attendee in the category or group who came."""
    ctx = given.context
    live = {a.id: a for a in ctx.live_activities()}
    lines = [line for line in ctx.attendance if line.activity_id in live]
    categories = list(dict.fromkeys(ctx.plan.audience_categories or []))
    if not categories and not ctx.seldom_heard:
        return Finding(Status.amber, "The plan names no audience categories and no seldom-heard groups, so reach "
                                     "cannot be checked.", gaps=["Set the plan's audience."])
    # (name, what it is, the activities aimed at it, its attendance lines)
    audiences = ([(category, "audience category",
                   [a for a in live.values() if category in (a.audience_categories or [])],
                   [line for line in lines if category in line.categories]) for category in categories]
                 + [(member.name, "seldom-heard group", [],
                     [line for line in lines if line.stakeholder_id == member.id]) for member in ctx.seldom_heard])
    missed, pending, waiting, gaps, links = [], [], [], [], []
    for name, label, aimed, attendance in audiences:
        held, planned = _reach(aimed, attendance, live)
        if held:
            links += [Link("activity", str(a.id), a.title) for a in held]
        elif planned:
            pending.append(name)
            waiting += [a for a in planned if a not in waiting]
            links += [Link("activity", str(a.id), a.title) for a in planned]
        else:
            missed.append(name)
            gaps.append(f"The {label} '{name}' was never reached by any activity.")
    gaps += [f"Record '{a.title}' as done once it has taken place." for a in waiting]
    links = list(dict.fromkeys(links))
    if missed:
        return Finding(Status.red, f"Never reached by any activity of the plan: {', '.join(missed)}.", gaps=gaps,
                       links=links)
    if pending:
        return Finding(Status.amber, f"Not reached yet, only planned for: {', '.join(pending)} (by "
                                     f"{_verb(len(waiting), 'an activity', 'activities')} not done yet: "
                                     f"{_titles(waiting)}).", gaps=gaps, links=links)
    reached = len(audiences)
    what = _every(reached, "audience category or group", "audience categories and groups")
    return Finding(Status.green, f"{what} of the plan {_verb(reached, 'was', 'were')} reached.", links=links)


# --- scrutiny ------------------------------------------------------------------------------------------------

def _body(ctx: Context) -> str:
    return "Llais" if ctx.scrutiny is not None and ctx.scrutiny.body == "llais" else "the Overview & Scrutiny Committee"


def scrutiny_consultation(given: RuleInput) -> Finding:
    """Reg 23 (or Llais): substantial variation assessed, and if substantial, the body consulted."""
    ctx = given.context
    scrutiny, body = ctx.scrutiny, _body(ctx)
    if scrutiny is None or scrutiny.substantial_variation is None:
        return Finding(Status.amber, "Whether the change is a substantial variation has not been assessed.",
                       gaps=["Record whether the change is a substantial development or variation, and why."])
    sent = [c for c in ctx.correspondence if c.direction == "sent"]
    links = [Link("correspondence", str(c.id), f"{c.direction} {c.correspondence_date.isoformat()}")
             for c in ctx.correspondence]
    if not scrutiny.substantial_variation:
        if not (scrutiny.substantial_variation_reason or "").strip():
            return Finding(Status.amber, "The change is recorded as not a substantial variation, but no reason is "
                                         "recorded.", gaps=["Record why the change is not a substantial variation."],
                           links=links)
        return Finding(Status.green, f"The change is not a substantial variation: "
                                     f"{scrutiny.substantial_variation_reason.strip()}", links=links)
    if not sent:
        return Finding(Status.red, f"The change is a substantial variation, but no correspondence to {body} is "
                                   f"logged.", gaps=[f"Consult {body} and log the correspondence."], links=links)
    first = min(c.correspondence_date for c in sent)
    decided = ctx.first_decision
    if decided and first > decided.day:  # consulted while the proposal is under consideration, not after (reg 23)
        return Finding(Status.red, f"The change is a substantial variation, but {body} was first written to on "
                                   f"{day(first)}, after {_the_decision(decided)}.",
                       gaps=[f"Consult {body} before the decision."], links=links)
    return Finding(Status.green, f"The change is a substantial variation and {body} was consulted on {day(first)} "
                                 f"({_plural(len(sent), 'item')} sent).", links=links)


def sos_notification(given: RuleInput) -> Finding:
    """Notifiable reconfiguration: the Secretary of State notified where it is required."""
    scrutiny = given.context.scrutiny
    if scrutiny is None or scrutiny.sos_notification_required is None:
        return Finding(Status.amber, "Whether the Secretary of State must be notified has not been recorded.",
                       gaps=["Record whether this is a notifiable reconfiguration."])
    if not scrutiny.sos_notification_required:
        return Finding(Status.green, "Notification to the Secretary of State is not required.")
    if scrutiny.sos_notified_date is None:
        return Finding(Status.red, "Notification to the Secretary of State is required but has not been sent.",
                       gaps=["Notify the Secretary of State and record the date."])
    return Finding(Status.green, f"The Secretary of State was notified on {day(scrutiny.sos_notified_date)}.")


def evidence_only(given: RuleInput) -> Finding:
    """A requirement without a rule: met by evidence items alone."""
    if given.evidence:
        return Finding(Status.green, f"{_plural(len(given.evidence), 'evidence item')} linked.")
    return Finding(Status.amber, "No evidence item is linked to this requirement.",
                   gaps=["Link evidence that shows the requirement was met."])


def _combine(findings: list[Finding], suffix: str = "") -> Finding:
    """One finding from several (one per consultation): the worst status, the reasons that carry it."""
    status = worst(f.status for f in findings)
    reasons = list(dict.fromkeys(f.reason for f in findings if f.status == status))
    reason = " ".join(reasons)
    if status != Status.green and suffix and not reason.endswith(")."):
        reason = reason.removesuffix(".") + suffix + "."
    return Finding(status, reason, gaps=[g for f in findings for g in f.gaps],
                   links=list(dict.fromkeys(link for f in findings for link in f.links)))


REGISTRY: dict[str, Callable[[RuleInput], Finding]] = {
    "involvement_planning": involvement_planning,
    "involvement_proposals": involvement_proposals,
    "involvement_decisions": involvement_decisions,
    "gunning_formative": gunning_formative,
    "gunning_information": gunning_information,
    "gunning_time": gunning_time,
    "gunning_consideration": gunning_consideration,
    "equality_due_regard": equality_due_regard,
    "audience_reached": audience_reached,
    "scrutiny_consultation": scrutiny_consultation,
    "sos_notification": sos_notification,
}


def run(rule: str | None, given: RuleInput) -> Finding:
    """The finding of the named rule; a requirement with no rule (or one unknown here) is met by evidence."""
    return REGISTRY.get(rule or "", evidence_only)(given)
