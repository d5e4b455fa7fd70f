"""UK GDPR erasure of a stakeholder (Art. 17): their personal fields wiped, their words taken out of what staff wrote
about them, their stored responses forgotten; and, for a plan on legal hold, what its records keep until the hold is
lifted (finish_held_erasures). Split from the register's service, which it reads people through."""

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, idempotency, legal_hold
from api.auth.principal import Principal
from api.crud import snapshot
from api.db import utcnow
from api.errors import Conflict
from api.models import (
    Activity,
    ActivityAttendance,
    Assessment,
    Consultation,
    Evidence,
    Feedback,
    HeldErasure,
    PlanAction,
    PlanRisk,
    Scrutiny,
    ScrutinyCorrespondence,
    Stakeholder,
)
from api.scrub import Contacts, Linked, remove_names, scrub, scrub_linked, scrub_unlinked
from api.stakeholders.service import (
    ERASED_FEEDBACK_TEXT,
    ERASED_VALUES,
    PERSONAL_FIELDS,
    get,
    location,
    lock_people_states,
)

# What staff write in a plan's records that link no person, which an erasure scrubs (api.scrub.scrub_unlinked)
UNLINKED_TEXTS = (
    (PlanRisk, (PlanRisk.description, PlanRisk.mitigation, PlanRisk.owner_name)),
    (ScrutinyCorrespondence, (ScrutinyCorrespondence.summary,)),
    (Scrutiny, (Scrutiny.substantial_variation_reason, Scrutiny.committee_view)),
    (Consultation, (Consultation.shorter_reason, Consultation.decision_summary, Consultation.decision_maker)),
)


async def erase(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID) -> Stakeholder:
    """UK GDPR erasure: wipe the personal fields, keep the row and its links, archive it, audit it."""
    await lock_people_states(session, caller.tenant_id, exclusive=True)
    row = await get(session=session, caller=caller, stakeholder_id=stakeholder_id)
    if row.erased_at is not None:
        raise Conflict("This stakeholder's personal data was already erased")
    await legal_hold.ensure_erasable(session, caller.tenant_id, row.id)
    fields = [*ERASED_VALUES, "archived_at", "erased_at"]
    before = snapshot(row, fields)
    person_name = row.name if row.kind == "person" else ""  # "you said, we did" scrubs a person's name only
    # A person's home address and postcode, as their name: a group's or an organisation's are a venue's, which staff
    # write about other activities too (its email and phone are its own, and go)
    home = (row.address, row.postcode) if row.kind == "person" else (None, None)
    contacts = Contacts(row.email, row.phone, *home)
    now = utcnow()
    for name, value in ERASED_VALUES.items():
        setattr(row, name, value)
    row.erased_at = now
    row.archived_at = row.archived_at or now
    row.updated_by = caller.id
    await session.flush()
    wiped = await _erase_free_texts(session, caller=caller, stakeholder_id=row.id, now=now, name=person_name)
    # What links them, read once for the scrubs and the stored responses below (the erasure changes no link)
    activity_ids = set((await session.execute(legal_hold.their_activities(caller.tenant_id, row.id))).scalars())
    feedback_ids = set((await session.execute(select(Feedback.id).where(
        Feedback.tenant_id == caller.tenant_id, Feedback.stakeholder_id == row.id))).scalars())
    scrubbed = await scrub_linked(session, _linked_texts(session, caller.tenant_id, activity_ids=activity_ids,
                                                         feedback_ids=feedback_ids),
                                  tenant_id=caller.tenant_id, actor_id=caller.id, name=person_name,
                                  contacts=contacts, now=now)
    wiped += len(scrubbed)
    await _hold_back(session, tenant_id=caller.tenant_id, stakeholder_id=row.id, name=person_name, contacts=contacts,
                     activity_ids=activity_ids)
    # So are its risk log, the letters to and from its scrutiny body, its scrutiny record and its consultations'
    # decisions ("Objection from ann@example.org"), which link no person.
    for model, texts in UNLINKED_TEXTS:
        wiped += await scrub_unlinked(session, model, texts, tenant_id=caller.tenant_id, actor_id=caller.id, now=now,
                                      contacts=contacts)
    # Every stored response naming them by id (their record's own), by their name or contacts, whenever stored. Last:
    # the scrubs above waited for any request writing those rows, so what such a request stored is read here too
    await idempotency.forget_mentions(session, tenant_id=caller.tenant_id, stakeholder_id=row.id, name=person_name,
                                      contacts=contacts)
    await _forget_linked_responses(session, caller=caller, stakeholder_id=row.id, feedback_ids=feedback_ids,
                                   scrubbed=scrubbed)
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="erase",
                       resource_type="stakeholder", resource_id=row.id,
                       changes={**audit.diff(before, snapshot(row, fields), personal=PERSONAL_FIELDS),
                                "free_texts_erased": wiped})
    return row


def _linked_texts(session: AsyncSession, tenant_id: uuid.UUID, *, activity_ids: set[uuid.UUID],
                  feedback_ids: set[uuid.UUID], lifted: uuid.UUID | None = None) -> tuple[Linked, ...]:
    """What staff write on the records that link people ("Home visit to Ann, 12 Elm Road, 07700 900123"), which an
    erasure scrubs (api.scrub.scrub_linked): the person's are the activities they are on the log of or gave feedback
    on, the evidence items linking those or their feedback, and the actions those activities evidence ("Call Ann back
    about the home visit"); the rows of plans not on legal hold. With `lifted`, that plan's rows alone, its hold just
    lifted (finish_held_erasures)."""
    # Imported here: these services import plans', which import this module
    from api.actions import service as actions
    from api.evidence import service as evidence

    held = legal_hold.held_plans(tenant_id)

    def scope(plan_id: Any) -> ColumnElement[bool]:
        return plan_id == lifted if lifted is not None else plan_id.not_in(held)

    # An activity of no plan counts as not held (NOT IN is not true of a NULL plan).
    activity_scope = scope(Activity.plan_id) if lifted is not None else or_(Activity.plan_id.is_(None),
                                                                             scope(Activity.plan_id))
    return (
        # A held plan's activity involving them refused the erasure (ensure_erasable); its others keep their words
        # until the hold is lifted.
        Linked(Activity, (Activity.title, Activity.description, Activity.location, Activity.outcome_summary),
               theirs=and_(Activity.id.in_(activity_ids), activity_scope), others=activity_scope,
               location=lambda found: f"/api/v1/activities/{found.id}"),
        # Evidence links them by its JSON lists (legal_hold.links_any); as for activities, a held plan's item linking
        # them refused the erasure, and its others wait for the hold to be lifted.
        Linked(Evidence, (Evidence.summary, Evidence.decision),
               theirs=and_(legal_hold.links_any(session, feedback_ids=[str(i) for i in feedback_ids],
                                                activity_ids=[str(i) for i in activity_ids]), scope(Evidence.plan_id)),
               others=scope(Evidence.plan_id), location=lambda found: evidence.location(found.plan_id, found.id),
               extra=(Evidence.plan_id,)),
        # A held plan's actions keep their words even when linking such an activity: it may be of no plan, or moved
        # since, which the hold on the action's plan does not refuse the erasure for.
        Linked(PlanAction, (PlanAction.description, PlanAction.notes, PlanAction.owner_name),
               theirs=and_(PlanAction.activity_id.in_(activity_ids), scope(PlanAction.plan_id)),
               others=scope(PlanAction.plan_id),
               location=lambda found: actions.location(found.plan_id, found.id), extra=(PlanAction.plan_id,)),
    )


async def _hold_back(session: AsyncSession, *, tenant_id: uuid.UUID, stakeholder_id: uuid.UUID, name: str,
                     contacts: Contacts, activity_ids: set[uuid.UUID]) -> None:
    """Record, for each plan on legal hold, what the erasure left in its rows (HeldErasure), for
    finish_held_erasures to take out when its hold is lifted. Its other rows lose contacts only, so the name is kept
    only for a plan with an action one of the person's activities evidences (about them, as _linked_texts reads it):
    a held activity or evidence item about them refused the erasure."""
    if not any(asdict(contacts).values()) and not name:
        return  # nothing would be taken out
    held = set((await session.execute(legal_hold.held_plans(tenant_id))).scalars())
    about_them = set()
    if held and name and activity_ids:
        about_them = set((await session.execute(select(PlanAction.plan_id).where(
            PlanAction.tenant_id == tenant_id, PlanAction.plan_id.in_(held),
            PlanAction.activity_id.in_(activity_ids)))).scalars())
    session.add_all(HeldErasure(tenant_id=tenant_id, plan_id=plan_id, stakeholder_id=stakeholder_id,
                                name=name if plan_id in about_them else None, **asdict(contacts)) for plan_id in held)
    await session.flush()


async def finish_held_erasures(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> int:
    """When a plan's hold is lifted, the erasures done while it held take out of its rows what they left there
    (HeldErasure, deleted now), by the erasure's own scrubs, and the stored responses holding those words go. Returns
    how many rows changed."""
    tenant, now, wiped = caller.tenant_id, utcnow(), 0
    for pending in (await session.execute(select(HeldErasure).where(
            HeldErasure.tenant_id == tenant, HeldErasure.plan_id == plan_id))).scalars().all():
        name = pending.name or ""
        contacts = Contacts(pending.email, pending.phone, pending.address, pending.postcode)
        # Their links outlive the erasure, which changes none
        activity_ids = set((await session.execute(
            legal_hold.their_activities(tenant, pending.stakeholder_id))).scalars())
        feedback_ids = set((await session.execute(select(Feedback.id).where(
            Feedback.tenant_id == tenant, Feedback.stakeholder_id == pending.stakeholder_id))).scalars())
        scrubbed = await scrub_linked(session, _linked_texts(session, tenant, activity_ids=activity_ids,
                                                             feedback_ids=feedback_ids, lifted=plan_id),
                                      tenant_id=tenant, actor_id=caller.id, name=name, contacts=contacts, now=now)
        wiped += len(scrubbed)
        for model, texts in UNLINKED_TEXTS:
            wiped += await scrub_unlinked(session, model, texts, tenant_id=tenant, actor_id=caller.id, now=now,
                                          contacts=contacts, lifted=plan_id)
        await idempotency.forget_mentions(session, tenant_id=tenant, stakeholder_id=pending.stakeholder_id,
                                          name=name, contacts=contacts)
        await idempotency.forget(session, tenant_id=tenant, locations=scrubbed)
        await session.delete(pending)
    await session.flush()
    return wiped


async def _forget_linked_responses(session: AsyncSession, *, caller: Principal, stakeholder_id: uuid.UUID,
                                   feedback_ids: set[uuid.UUID], scrubbed: list[str]) -> None:
    """The stored Idempotency-Key responses that hold their words without naming them by id, their name or contacts
    (those that do are gone already: idempotency.forget_mentions), as the erased fields did: those that created their
    feedback and assessments, the responses to their feedback and the attendance logs they are on, from before they
    were linked; and those that created the records `scrubbed` (their Locations), which held the words scrubbed since.
    A retried POST would replay them, and they would outlive the erasure for the 24 hours they are kept."""
    tenant = caller.tenant_id
    assessed = (await session.execute(select(Assessment.id).where(
        Assessment.tenant_id == tenant, Assessment.stakeholder_id == stakeholder_id))).scalars().all()
    attended = (await session.execute(select(ActivityAttendance.activity_id).where(
        ActivityAttendance.tenant_id == tenant, ActivityAttendance.stakeholder_id == stakeholder_id))).scalars().all()
    created = [*scrubbed, *(f"/api/v1/feedback/{i}" for i in feedback_ids),
               *(f"{location(stakeholder_id)}/assessments/{i}" for i in assessed)]
    written = [f"/api/v1/feedback/{i}/response" for i in feedback_ids] + [f"/api/v1/activities/{i}/attendance"
                                                                            for i in attended]
    await idempotency.forget(session, tenant_id=tenant, locations=created, paths=written)


async def _erase_free_texts(session: AsyncSession, *, caller: Principal, stakeholder_id: uuid.UUID,
                           now, name: str) -> int:
    """What the person wrote, and what was written about them, can identify them: the text of their
    feedback, the rationale of their assessments and their role on attendance lines go too. Types, themes,
    scores, responses and publishable paraphrases stay, so the record of what was heard and done still adds
    up, but scrubbed as "you said, we did" scrubs them: that took the words of the person's name out while it
    was known, from every item of the plans their feedback is on ("As Mr Quintrell said" on anonymous feedback),
    and after the erasure nothing else would. Others' feedback loses only the words of their name."""
    kept = (Feedback.publishable_summary, Feedback.response_text, Feedback.action_taken, Feedback.reason_no_change)
    theirs = Feedback.stakeholder_id == stakeholder_id
    their_plans = select(Feedback.plan_id).where(Feedback.tenant_id == caller.tenant_id, theirs)
    others = []
    for found in (await session.execute(select(Feedback.id, theirs.label("theirs"), Feedback.themes, *kept).where(
            Feedback.tenant_id == caller.tenant_id, or_(theirs, Feedback.plan_id.in_(their_plans)))
            .with_for_update(of=Feedback))).all():  # as scrub_rows: an edit committing meanwhile is read, not lost
        clean = scrub if found.theirs else remove_names
        scrubbed = {column.key: clean(value, [name]) for column in kept
                    if (value := getattr(found, column.key)) is not None}
        # Themes are free tags a contributor types ("Ann Example complaint"): scrubbed alike, two that now read the
        # same kept once.
        scrubbed["themes"] = list(dict.fromkeys(clean(theme, [name]) for theme in found.themes or []))
        changed = {key: value for key, value in scrubbed.items() if value != getattr(found, key)}
        if changed and not found.theirs:  # theirs get their new version below, with their text
            changed.update(version=Feedback.version + 1, updated_at=now, updated_by=caller.id)
            others.append(found.id)
        if changed:
            await session.execute(sql_update(Feedback).where(Feedback.id == found.id).values(**changed)
                                  .execution_options(synchronize_session=False))
    # The stored responses that created them, and that answered them, held the same words.
    await idempotency.forget(session, tenant_id=caller.tenant_id, locations=[f"/api/v1/feedback/{i}" for i in others],
                             paths=[f"/api/v1/feedback/{i}/response" for i in others])
    feedback = await session.execute(
        sql_update(Feedback)
        .where(Feedback.tenant_id == caller.tenant_id, Feedback.stakeholder_id == stakeholder_id)
        .values(text=ERASED_FEEDBACK_TEXT, version=Feedback.version + 1, updated_at=now, updated_by=caller.id)
        .execution_options(synchronize_session=False)
    )
    assessments = await session.execute(
        sql_update(Assessment)
        .where(Assessment.tenant_id == caller.tenant_id, Assessment.stakeholder_id == stakeholder_id,
               Assessment.rationale.is_not(None))
        .values(rationale=None)
        .execution_options(synchronize_session=False)
    )
    roles = await session.execute(  # the role on their attendance lines is written about them too
        sql_update(ActivityAttendance)
        .where(ActivityAttendance.tenant_id == caller.tenant_id, ActivityAttendance.stakeholder_id == stakeholder_id,
               ActivityAttendance.role.is_not(None))
        .values(role=None)
        .execution_options(synchronize_session=False)
    )
    return feedback.rowcount + assessments.rowcount + roles.rowcount + len(others)
