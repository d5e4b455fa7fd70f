"""A plan's status workflow: draft → approved (only by POST …/approve) → active → closed, and back to
draft from approved or active. What was approved (purpose, objectives, key messages) is locked until
the plan returns to draft, and that return clears the approval."""

from typing import Any

from api.errors import Conflict
from api.models import Plan
from api.plans.schemas import PlanStatus

# Where PATCH status may go from each status; approval has its own endpoint.
TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.draft: frozenset(),
    PlanStatus.approved: frozenset({PlanStatus.active, PlanStatus.draft}),
    PlanStatus.active: frozenset({PlanStatus.closed, PlanStatus.draft}),
    PlanStatus.closed: frozenset(),
}
LOCKED_FIELDS = ("purpose", "objectives", "key_messages")
LOCKED_STATUSES = frozenset({PlanStatus.approved, PlanStatus.active, PlanStatus.closed})


def status_changes(plan: Plan, changes: dict[str, Any]) -> str:
    """Check the status change in `changes` (409 if illegal), add what it implies, and name the audit action."""
    new = changes.get("status")
    if new is None or new == plan.status:
        changes.pop("status", None)
        return "update"
    if new == PlanStatus.approved:
        raise Conflict("A plan is approved with POST /api/v1/plans/{id}/approve, by a lead or an admin")
    if new not in TRANSITIONS[plan.status]:
        raise Conflict(f"A plan cannot go from {plan.status} to {new}; allowed: "
                       + (", ".join(sorted(TRANSITIONS[plan.status])) or "none"))
    if new == PlanStatus.draft:
        changes.update(approved_by=None, approved_at=None)
        return "return_to_draft"
    return "update"


def check_locked(plan: Plan, changes: dict[str, Any]) -> None:
    """Refuse (409) a change of purpose, objectives or key messages while the plan is approved, active or
    closed; judged on the status before this request, so returning to draft is a step of its own."""
    if plan.status not in LOCKED_STATUSES:
        return
    touched = [name for name in LOCKED_FIELDS if name in changes and changes[name] != getattr(plan, name)]
    if touched:
        hint = ("the plan is closed" if plan.status == PlanStatus.closed
                else "return the plan to draft first (PATCH status=draft)")
        raise Conflict(f"{', '.join(touched)} cannot change while the plan is {plan.status}: {hint}")


def check_approvable(plan: Plan) -> None:
    if plan.archived_at is not None:
        raise Conflict("The plan is archived; restore it before approving")
    if plan.status != PlanStatus.draft:
        raise Conflict(f"Only a draft plan can be approved; this one is {plan.status}")
