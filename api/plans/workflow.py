"""A plan's status workflow: draft → approved (only by POST …/approve) → active → closed, and back to
draft from approved or active. What was approved (purpose, and what its objectives and key messages say) is
locked until the plan returns to draft, and that return clears the approval. A legal hold freezes both: the
status, and that content whatever the status, since the claim is about what was planned and approved."""

from typing import Any

from api.errors import Conflict
from api.legal_hold import LegalHoldConflict
from api.models import Plan
from api.plans import items
from api.plans.schemas import PlanStatus

# Where PATCH status may go from each status; approval has its own endpoint.
TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.draft: frozenset(),
    PlanStatus.approved: frozenset({PlanStatus.active, PlanStatus.draft}),
    PlanStatus.active: frozenset({PlanStatus.closed, PlanStatus.draft}),
    PlanStatus.closed: frozenset(),
}
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


def locked_changes(plan: Plan, changes: dict[str, Any]) -> list[str]:
    """The approved content the changes would alter: purpose, or the substance of objectives or key messages
    (items.SUBSTANCE); the progress recorded against those items is not approved content."""
    touched = ["purpose"] if "purpose" in changes and changes["purpose"] != plan.purpose else []
    return touched + [name for name in items.SUBSTANCE
                      if name in changes and items.substance_changed(name, getattr(plan, name) or [], changes[name])]


def check_locked(plan: Plan, changes: dict[str, Any]) -> None:
    """Refuse (409) a change of the approved content while the plan is approved, active or closed, and of it or the
    status while the plan is on legal hold (type legal-hold); judged on the status before this request, so
    returning to draft is a step of its own."""
    touched = locked_changes(plan, changes)
    if plan.legal_hold_at is not None:
        held = touched + (["status"] if changes.get("status") not in (None, plan.status) else [])
        if held:
            raise LegalHoldConflict(
                f"Plan '{plan.title}' ({plan.id}) is on legal hold: its {', '.join(held)} cannot change until the "
                "hold is lifted (an objective's status and a key message's approval_status still can)")
    if plan.status in LOCKED_STATUSES and touched:
        hint = ("the plan is closed" if plan.status == PlanStatus.closed
                else "return the plan to draft first (PATCH status=draft)")
        raise Conflict(f"{', '.join(touched)} cannot change while the plan is {plan.status} (an objective's status "
                       f"and a key message's approval_status still can): {hint}")


def check_archived(plan: Plan, changes: dict[str, Any], added: list[str]) -> None:
    """Refuse (409) a status or stage change of an archived plan, or anyone new it would name (`added`: the named
    audience lists that gain someone; a category added to its audience, or a new lead, count alike): an archived plan
    moves no further, along its workflow or its lifecycle, and takes in nobody new, as nothing new is linked to any
    archived record; correcting what it says, or taking someone out of its audience or off it as its lead, stays
    allowed."""
    if plan.archived_at is None:
        return
    for name in ("status", "stage"):
        if changes.get(name) not in (None, getattr(plan, name)):
            raise Conflict(f"The plan is archived; restore it before changing its {name}")
    named = list(added)
    if set(map(str, changes.get("audience_categories") or [])) - set(plan.audience_categories or []):
        named.append("audience_categories")
    if changes.get("lead_id") not in (None, plan.lead_id):
        named.append("lead_id")
    if named:
        raise Conflict(f"The plan is archived; restore it before naming anyone new in its audience or as its lead "
                       f"({', '.join(named)})")


def check_approvable(plan: Plan) -> None:
    if plan.archived_at is not None:
        raise Conflict("The plan is archived; restore it before approving")
    if plan.status != PlanStatus.draft:
        raise Conflict(f"Only a draft plan can be approved; this one is {plan.status}")
    if plan.legal_hold_at is not None:
        raise LegalHoldConflict(f"Plan '{plan.title}' ({plan.id}) is on legal hold: its status cannot change until "
                                "the hold is lifted")
