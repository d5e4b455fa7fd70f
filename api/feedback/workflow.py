"""The feedback loop's rules: which status may follow which, when the loop may close, and when a
response is due.

Response target: `feedback_response_days` in the tenant's settings (default 20) UK working days,
Monday to Friday; bank holidays are not known to the system and count as working days. The due
instant is the end of the last of those days, UK time (received on a Monday with the default target:
due by the end of the Monday four weeks later). It is worked out when the feedback is written, and
again when received_at changes, and stored, so that "overdue" is an indexed comparison in SQL; a later
change of the tenant's target applies to feedback received from then on."""

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from api.activities.engagement import day_end, uk_day
from api.db import utcnow
from api.errors import Conflict
from api.feedback.schemas import FeedbackStatus as S
from api.models import Feedback

DEFAULT_RESPONSE_DAYS = 20
MAX_RESPONSE_DAYS = 365  # as the tenant settings endpoint allows

# The statuses PATCH may move to from each status. `responded` is reached only through
# POST /feedback/{id}/response, and `closed` has a guard of its own (can_close).
TRANSITIONS: dict[S, frozenset[S]] = {
    S.received: frozenset({S.acknowledged, S.considered}),
    S.acknowledged: frozenset({S.considered}),
    S.considered: frozenset(),
    S.responded: frozenset({S.closed}),
    S.closed: frozenset(),
}
# Where a response may be recorded (again, while not yet closed: e.g. to say how they were told).
RESPONDABLE = frozenset({S.received, S.acknowledged, S.considered, S.responded})
OPEN = (S.received.value, S.acknowledged.value, S.considered.value)
STAMPS = {S.acknowledged: "acknowledged_at", S.considered: "considered_at", S.closed: "closed_at"}


def response_days(tenant_settings: dict | None) -> int:
    value = (tenant_settings or {}).get("feedback_response_days", DEFAULT_RESPONSE_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RESPONSE_DAYS:
        return DEFAULT_RESPONSE_DAYS
    return value


def response_due(received_at: datetime, working_days: int) -> datetime:
    """The end (UK time) of the `working_days`-th Monday-to-Friday after the day of receipt."""
    day = uk_day(received_at)
    left = working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day_end(day).astimezone(UTC)


def check_transition(current: str, target: S) -> None:
    """409 unless PATCH may move feedback from `current` to `target`."""
    if target == current:
        return
    if target == S.responded:
        raise Conflict("Feedback becomes 'responded' only by recording a response: POST /feedback/{id}/response")
    if target not in TRANSITIONS[S(current)]:
        allowed = ", ".join(sorted(TRANSITIONS[S(current)])) or "none"
        raise Conflict(f"Feedback cannot go from '{current}' to '{target.value}' (allowed from here: {allowed})")


CLOSE_FIELDS = ("told_at", "told_how", "stakeholder_id", "publishable", "publishable_summary", "response_text",
                "plan_id")


STATE_FIELDS = ("publishable", "publishable_summary", "received_at", "told_at", "acknowledged_at", "considered_at",
                "responded_at")
# The workflow's moments, none of which can come before the feedback arrived (the median days to respond would go
# negative, and the record would say it was answered before it was received).
AFTER_RECEIPT = {"acknowledged_at": "its acknowledgement", "considered_at": "its consideration",
                 "responded_at": "its response", "told_at": "the stakeholder was told"}
# How far ahead of this server's clock a moment that has happened may be (the sender's clock may run fast).
CLOCK_LEEWAY = timedelta(minutes=10)


def state_problems(state: dict[str, Any], changed: Collection[str]) -> list[tuple[str, str, str]]:
    """What makes feedback's merged state (STATE_FIELDS, stored and changed) not hold together, as (field, type,
    message): the API and imports check the same. Publishable feedback has its paraphrase; a stakeholder is not
    told before their feedback arrived, nor does it arrive in the future."""
    problems = []
    if state["publishable"] and not state["publishable_summary"]:
        problems.append(("publishable_summary", "missing", "required when publishable is true"))
    if "received_at" in changed and state["received_at"] is not None:
        # Feedback received in the future could never be answered in time, told or closed (told_at is not ahead).
        if state["received_at"] > utcnow() + CLOCK_LEEWAY:
            problems.append(("received_at", "date_range", "in the future"))
        elif later := [name for name in AFTER_RECEIPT
                       if state[name] is not None and state["received_at"] > state[name]]:
            problems.append(("received_at", "date_range", f"after {AFTER_RECEIPT[later[0]]}"))
    return problems


def publishing_problem(changes: dict[str, Any], stored: dict[str, Any] | None, *, may_publish: bool
                       ) -> tuple[str, str] | None:
    """What a caller who is not a lead or an admin may not change, as (field, message): whether feedback is marked
    publishable (either way), and the paraphrase and plan of feedback so marked: 'you said, we did' publishes it as
    the lead approved it, on the page of the plan they approved it for. A value given as it is stored is no change
    (an exported row imported back). The API and imports check the same (`stored` holds plan_id too)."""
    if may_publish:
        return None
    marked = bool(stored and stored["publishable"])
    if "publishable" in changes and bool(changes["publishable"]) != marked:
        return "publishable", "Only a lead or an admin may mark feedback publishable or withdraw the mark"
    if marked and changes.get("publishable_summary", stored["publishable_summary"]) != stored["publishable_summary"]:
        return "publishable_summary", "Only a lead or an admin may change the paraphrase of feedback marked publishable"
    if marked and changes.get("plan_id", stored["plan_id"]) != stored["plan_id"]:
        return "plan_id", "Only a lead or an admin may move feedback marked publishable to another plan or off its plan"
    return None


def published(row: Any) -> bool:
    """The response appears in the plan's public 'you said, we did'."""
    return bool(row.publishable and row.publishable_summary and row.response_text and row.plan_id)


def can_close(row: Any) -> None:
    """409 unless the stakeholder was told (when and how), or, for anonymous feedback, the response is
    published in the plan's 'you said, we did'."""
    if row.told_at is not None and row.told_how is not None:
        return
    if row.stakeholder_id is None and published(row):
        return
    if row.stakeholder_id is None:
        raise Conflict("The loop closes once the response is published (publishable, with a summary and a plan) "
                       "or told_how and told_at are recorded")
    raise Conflict("The loop closes only once the stakeholder was told: record told_how and told_at first")


def still_closable(stored: dict[str, Any], changes: dict[str, Any]) -> None:
    """409 (as can_close) when a change to closed feedback (`stored`: its CLOSE_FIELDS) would leave it no longer
    closable: a later change must not undo what closed the loop (an untold person linked to closed anonymous
    feedback, or its published response taken off the page). The API's PATCH and the import both ask."""
    merged = {name: changes.get(name, stored[name]) for name in CLOSE_FIELDS}
    if merged != {name: stored[name] for name in CLOSE_FIELDS}:
        can_close(SimpleNamespace(**merged))


def is_overdue(row: Feedback, now: datetime) -> bool:
    return row.status in OPEN and row.responded_at is None and row.response_due_at <= now
