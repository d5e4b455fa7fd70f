"""Legal hold: while a plan is on hold (litigation, a judicial review, a referral to the Secretary of State),
the record that shows how the duty to involve was met must not change under anyone's feet.

`api.crud.archive_or_restore` calls `ensure_not_held` before archiving a plan or any row with its `plan_id`
(evidence, consultations, activities, feedback); the hard deletes of a plan's documents, scrutiny letters and
risks call it themselves, and a line leaving an attendance log calls `ensure_log_not_held` (the held plan's own
activities, and any its evidence links); the stakeholder erasure calls `ensure_erasable`; a PATCH of a risk, an
action, a document, a consultation, a scrutiny letter or an evidence item (the consultation its decision is about,
and the decision once recorded), and a PUT of the scrutiny record, call `ensure_kept` for what the row stated (its
progress may still change). A held plan's named audience, and its evidence's links to activities and feedback, may
grow but not shrink (UNNAMING), and an activity or feedback of its record may not leave it, nor such feedback change
the person who gave it (`leaving`, which PATCH and imports both ask): otherwise dropping a person from them would let
the erasure through.

A held plan *names* a person when any of these holds (all are in the plan's evidence pack):
- an evidence item of the plan links feedback the person gave (Evidence.feedback_ids);
- an evidence item of the plan links an activity on whose attendance log the person is, invited or
  attended (Evidence.activity_ids);
- the person is named in the plan's audience (not merely in one of its categories or organisations);
- the person is on the attendance log of one of the plan's activities, gave feedback on one of them, or gave
  feedback about the plan;
- an evidence item of the plan links an activity the person gave feedback on."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Conflict
from api.models import Activity, ActivityAttendance, Evidence, Feedback, Plan, PlanAudienceStakeholder
from api.plans.audience import categories_overlap


class LegalHoldConflict(Conflict):
    slug, title = "legal-hold", "Under legal hold"


@dataclass(frozen=True)
class HeldPlan:
    id: uuid.UUID
    title: str


def links_any(session: AsyncSession, *, feedback_ids: list[str], activity_ids: list[str]) -> ColumnElement[bool]:
    """The evidence item links one of this feedback or one of these activities (its links are JSON lists)."""
    return or_(categories_overlap(session, Evidence.feedback_ids, feedback_ids),
               categories_overlap(session, Evidence.activity_ids, activity_ids))


def _names(plans: list[HeldPlan]) -> str:
    return ", ".join(f"'{p.title}' ({p.id})" for p in plans)


async def ensure_not_held(session: AsyncSession, tenant_id: uuid.UUID, plan_id: uuid.UUID, *,
                          change: str = "be deleted or archived", lock: bool = True) -> None:
    """409 when the plan is on legal hold; nothing otherwise (an unknown plan is the caller's 404). The plan stays
    locked (shared) until the caller commits, so a hold being put on waits for the change or it for the hold. A
    caller that goes on to update the plan's own row passes lock=False (two shared locks would deadlock on their
    updates); the plan's version column then refuses whichever commits second (412)."""
    stmt = select(Plan.title, Plan.legal_hold_at).where(Plan.id == plan_id, Plan.tenant_id == tenant_id)
    row = (await session.execute(stmt.with_for_update(read=True) if lock else stmt)).first()
    if row is not None and row.legal_hold_at is not None:
        raise LegalHoldConflict(held_message(plan_id, row.title, change))


def held_message(plan_id: uuid.UUID, title: str, change: str) -> str:
    """What a change refused by a plan's hold is told (by the API's 409 and an import's row error alike)."""
    return (f"Plan {_names([HeldPlan(plan_id, title)])} is on legal hold: its record and evidence cannot {change} "
            "until the hold is lifted")


LOG_SHRINKING = "lose anyone from an attendance log, nor a line's invited or attended mark, nor its headcount"


async def ensure_log_not_held(session: AsyncSession, tenant_id: uuid.UUID, activity: Activity) -> None:
    """409 before a line leaves an activity's attendance log that is a held plan's evidence, or loses a mark, or the
    headcount falls: the activity is the held plan's, or the held plan's evidence links it (wherever the activity
    sits), so the person on that line is named by the plan and must not be dropped and then erased. The plans are
    locked (shared) as ensure_not_held locks its own, so a hold being put on waits for the change, or the change for
    the hold."""
    if activity.plan_id is not None:
        await ensure_not_held(session, tenant_id, activity.plan_id, change=LOG_SHRINKING)
    citing = select(Evidence.plan_id).where(Evidence.tenant_id == tenant_id,
                                            categories_overlap(session, Evidence.activity_ids, [str(activity.id)]))
    held = [HeldPlan(row.id, row.title) for row in (await session.execute(
        select(Plan.id, Plan.title, Plan.legal_hold_at).where(Plan.tenant_id == tenant_id, Plan.id.in_(citing))
        .with_for_update(read=True))).all() if row.legal_hold_at is not None]
    if held:
        raise LegalHoldConflict(f"The evidence of plan(s) on legal hold links this activity: {_names(held)}; its "
                                f"record cannot {LOG_SHRINKING} until the hold is lifted")


async def ensure_kept(session: AsyncSession, tenant_id: uuid.UUID, row: Any, changes: dict[str, Any], *,
                      fields: tuple[str, ...], label: str, once_set: tuple[str, ...] = ()) -> None:
    """409 when `changes` would give any of `fields` of a row of a plan's record (its `plan_id`) another value while
    the plan is on hold: what the row stated then (a risk's assessment, an action as planned, a document's
    publication), as against the progress recorded since; and any of `once_set` that the row has (a link the record
    may gain, not lose or swap). Locked as ensure_not_held."""
    kept = fields + tuple(name for name in once_set if getattr(row, name) is not None)
    refused = kept_change({name: getattr(row, name) for name in kept}, changes, label=label)
    if refused is not None:
        await ensure_not_held(session, tenant_id, row.plan_id, change=refused[1])


def kept_change(stored: dict[str, Any], changes: dict[str, Any], *, label: str) -> tuple[str, str] | None:
    """Which of the `stored` fields `changes` would give another value: (the first, the change as the 409 words it
    for every one), or None. ensure_kept asks it of a row, the import of a row it reads (held_message)."""
    touched = [name for name in stored if name in changes and changes[name] != stored[name]]
    return (touched[0], f"have this {label}'s {', '.join(touched)} changed") if touched else None


# Edits that would stop a held plan naming someone (then free to be erased) are refused as deletions are.
UNNAMING = "drop a person named in its audience, nor an activity or feedback its evidence links"


@dataclass(frozen=True)
class HeldRecords:
    """What is on hold in a tenant: its held plans, and the feedback and activities their evidence links."""
    plans: frozenset[uuid.UUID]
    feedback: frozenset[uuid.UUID]
    activities: frozenset[uuid.UUID]


def held_plans(tenant_id: uuid.UUID) -> Select:
    """The ids of the tenant's plans on legal hold, as a subquery: what an erasure's scrubs leave alone."""
    return select(Plan.id).where(Plan.tenant_id == tenant_id, Plan.legal_hold_at.is_not(None))


async def held_records(session: AsyncSession, tenant_id: uuid.UUID) -> HeldRecords:
    """The tenant's held plans and the feedback and activities their evidence links (an import reads them once, as its
    context)."""
    plans = frozenset((await session.execute(held_plans(tenant_id))).scalars())
    feedback: set[uuid.UUID] = set()
    activities: set[uuid.UUID] = set()
    if plans:
        for feedback_ids, activity_ids in (await session.execute(select(Evidence.feedback_ids, Evidence.activity_ids)
                                                                 .where(Evidence.tenant_id == tenant_id,
                                                                        Evidence.plan_id.in_(plans)))).all():
            feedback.update(uuid.UUID(str(i)) for i in feedback_ids or ())
            activities.update(uuid.UUID(str(i)) for i in activity_ids or ())
    return HeldRecords(plans, frozenset(feedback), frozenset(activities))


def holds_log(held: HeldRecords, activity_id: uuid.UUID, plan_id: uuid.UUID | None) -> bool:
    """The activity's attendance log (its lines and headcount) is a held plan's evidence, as ensure_log_not_held finds
    it: the activity is a held plan's, or a held plan's evidence links it."""
    return plan_id in held.plans or activity_id in held.activities


# What an import's row shrinking such a log is told (the API's 409 names the plans; an import reads no titles for it).
HELD_LOG = f"This activity's attendance log is evidence of a plan on legal hold: it cannot {LOG_SHRINKING} until the " \
           "hold is lifted"


def leaving(held: HeldRecords, record_id: uuid.UUID, current: dict[str, Any], values: dict[str, Any]) -> str | None:
    """The field by which an update would take an activity or feedback (`current`: its stored plan_id and, for
    feedback, stakeholder_id) out of a held plan's record: moved to another plan or none, or feedback that a held
    plan has (by its plan_id or its evidence) given another person or none. None when it stays."""
    plan = current.get("plan_id")
    if plan in held.plans and values.get("plan_id", plan) != plan:
        return "plan_id"
    person = current.get("stakeholder_id")
    if person is not None and values.get("stakeholder_id", person) != person \
            and (plan in held.plans or record_id in held.feedback):
        return "stakeholder_id"
    return None


def leaving_message(label: str, field: str) -> str:
    return (f"This {label} is part of the record of a plan on legal hold: its {field} cannot change until the hold "
            "is lifted")


async def ensure_not_leaving(session: AsyncSession, tenant_id: uuid.UUID, label: str, record_id: uuid.UUID,
                             current: dict[str, Any], changes: dict[str, Any]) -> None:
    """409 when an update would take the record out of a held plan's record (`leaving`)."""
    if not {"plan_id", "stakeholder_id"} & changes.keys():
        return
    field = leaving(await held_records(session, tenant_id), record_id, current, changes)
    if field is not None:
        raise LegalHoldConflict(leaving_message(label, field))


def their_activities(tenant_id: uuid.UUID, stakeholder_id: uuid.UUID) -> CompoundSelect:
    """The ids of the activities a person is on the log of or gave feedback on: what an erasure scrubs of their
    words, so what a hold on a plan owning them protects."""
    return select(ActivityAttendance.activity_id).where(
        ActivityAttendance.tenant_id == tenant_id, ActivityAttendance.stakeholder_id == stakeholder_id).union(
        select(Feedback.activity_id).where(Feedback.tenant_id == tenant_id, Feedback.stakeholder_id == stakeholder_id,
                                           Feedback.activity_id.is_not(None)))


async def held_plans_naming(session: AsyncSession, tenant_id: uuid.UUID, stakeholder_id: uuid.UUID) -> list[HeldPlan]:
    """The plans on legal hold that name this person (see the module docstring), by title."""
    held = {row.id: HeldPlan(row.id, row.title) for row in (await session.execute(
        select(Plan.id, Plan.title).where(Plan.tenant_id == tenant_id, Plan.legal_hold_at.is_not(None))))}
    if not held:
        return []
    feedback = (await session.execute(select(Feedback.id, Feedback.plan_id).where(
        Feedback.tenant_id == tenant_id, Feedback.stakeholder_id == stakeholder_id))).all()
    activities = (await session.execute(select(Activity.id, Activity.plan_id).where(
        Activity.tenant_id == tenant_id, Activity.id.in_(their_activities(tenant_id, stakeholder_id))))).all()
    naming = {f.plan_id for f in feedback} | {a.plan_id for a in activities}
    naming |= set((await session.execute(select(PlanAudienceStakeholder.plan_id).where(
        PlanAudienceStakeholder.tenant_id == tenant_id, PlanAudienceStakeholder.stakeholder_id == stakeholder_id,
        PlanAudienceStakeholder.plan_id.in_(held)))).scalars())
    if feedback or activities:
        naming |= set((await session.execute(select(Evidence.plan_id).where(
            Evidence.tenant_id == tenant_id, Evidence.plan_id.in_(held),
            links_any(session, feedback_ids=[str(f.id) for f in feedback],
                      activity_ids=[str(a.id) for a in activities])))).scalars())
    return sorted((held[p] for p in naming if p in held), key=lambda p: (p.title, str(p.id)))


async def ensure_erasable(session: AsyncSession, tenant_id: uuid.UUID, stakeholder_id: uuid.UUID) -> None:
    """409 naming the plans when a plan on legal hold names the person: erasure would alter held evidence."""
    plans = await held_plans_naming(session, tenant_id, stakeholder_id)
    if plans:
        raise LegalHoldConflict(f"This person is named in the evidence of plan(s) on legal hold: {_names(plans)}; "
                                "their personal data cannot be erased until the hold is lifted")
