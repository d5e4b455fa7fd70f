"""Stakeholders: every query scoped to the caller's tenant; services flush, routers commit.

Personal data never reaches the audit trail: the fields in PERSONAL_FIELDS are recorded as
changed, without their values, so an erasure leaves nothing of the person behind."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, and_, any_, bindparam, false, or_, select, text
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, idempotency, legal_hold
from api.activities.engagement import day_start, engaged
from api.assessments.filters import ScoreFilters
from api.assessments.quadrants import Quadrant, latest_scores, quadrant_condition, tenant_threshold
from api.auth.principal import Principal, Role
from api.concurrency import check_if_match
from api.crud import (
    apply,
    archive_or_restore,
    dialect,
    ensure_external_id_free,
    ensure_not_archived,
    get_owned,
    json_array_has,
    json_element,
    like_pattern,
    out_of_lists,
    snapshot,
    text_match,
)
from api.db import StaticQuery, utcnow
from api.errors import Conflict, Forbidden, NotFound, Unprocessable
from api.models import (
    Activity,
    ActivityAttendance,
    Assessment,
    Consultation,
    Evidence,
    Feedback,
    HeldErasure,
    Organisation,
    PlanAction,
    PlanRisk,
    Scrutiny,
    ScrutinyCorrespondence,
    Stakeholder,
    User,
)
from api.models.emails import email_key
from api.pagination import ListQueries, PageParams, PageResult
from api.scrub import Contacts, Linked, remove_names, scrub, scrub_linked, scrub_rows, scrub_unlinked
from api.stakeholders.schemas import READ_FIELDS, StakeholderCreate, StakeholderUpdate

COLLECTION_PATH = "/api/v1/stakeholders"
# What staff write in a plan's records that link no person, which an erasure scrubs (api.scrub.scrub_unlinked)
UNLINKED_TEXTS = (
    (PlanRisk, (PlanRisk.description, PlanRisk.mitigation, PlanRisk.owner_name)),
    (ScrutinyCorrespondence, (ScrutinyCorrespondence.summary,)),
    (Scrutiny, (Scrutiny.substantial_variation_reason, Scrutiny.committee_view)),
    (Consultation, (Consultation.shorter_reason, Consultation.decision_summary, Consultation.decision_maker)),
)
SORTABLE = {"id": Stakeholder.id, "name": Stakeholder.name, "created_at": Stakeholder.created_at,
            "updated_at": Stakeholder.updated_at}
# Communication needs can reveal a disability (special category data) and tags are free text:
# both are treated as personal along with the identifying fields.
PERSONAL_FIELDS = frozenset({"name", "email", "phone", "address", "postcode", "job_title", "notes",
                             "interpreter_language", "external_id", "communication_needs", "tags",
                             "restriction_reason", "objection_grounds"})
ERASED_NAME = "Erased stakeholder"
ERASED_FEEDBACK_TEXT = "[erased with the stakeholder's personal data]"
# Why no new feedback or attendance line may name a person (UK GDPR Art. 17 and 18), by the problem's type.
# What may no longer change once a person's personal data is erased (UK GDPR Art. 17): the API and imports say it
# alike.
ERASED_UNCHANGEABLE = "This stakeholder's personal data was erased; it can no longer be changed"
ERASED_FEEDBACK_KEPT = ("This feedback's text was erased with its stakeholder's personal data; it can no longer be "
                        "changed, and it stays linked to them")
NO_NEW_LINK = {"erased": "This stakeholder's personal data was erased; nothing new can be linked to them",
               "restricted": "Processing of this person is restricted (UK GDPR Art. 18): nothing new can be linked to "
                             "them"}


def barred(erased_at: Any, restricted_at: Any) -> str | None:
    """The NO_NEW_LINK a person is barred by, if any."""
    return "erased" if erased_at is not None else "restricted" if restricted_at is not None else None


def unseen(why: str | None, caller: Principal) -> bool:
    """A restricted person is an unknown id to anyone but an admin (as in a plan's audience): they are told nothing of
    them, not even that they are restricted."""
    return why == "restricted" and caller.role != Role.admin


# What an erasure leaves in each personal field; everything else (kind, categories, links, flags) stays.
ERASED_VALUES: dict[str, Any] = {
    "name": ERASED_NAME, "email": None, "phone": None, "address": None, "postcode": None, "job_title": None,
    "notes": None, "interpreter_language": None, "external_id": None, "communication_needs": [],
    "preferred_channels": [], "tags": [],
    # Free text about the person (api.gdpr keeps it out of the audit trail); when and what they objected to, and that
    # processing is restricted, stay.
    "restriction_reason": None, "objection_grounds": None,
}
CONSENT_FIELDS = ("contact_consent", "consent_basis")
OBJECTED_TO_CONTACT = ("This person objected to being contacted (UK GDPR Art. 21): contact consent stays off while "
                       "the objection stands; record its new outcome first (POST /stakeholders/{id}/objection)")


def objection_stands(contact_objection: str | None) -> bool:
    """An objection to contact that is upheld or not yet decided (Stakeholder.contact_objection): nothing may turn
    contact consent back on."""
    return contact_objection in ("pending", "upheld")


def location(stakeholder_id: uuid.UUID) -> str:
    return f"{COLLECTION_PATH}/{stakeholder_id}"


@dataclass(frozen=True)
class StakeholderFilters:
    category: str | None = None
    tag: str | None = None
    kind: str | None = None
    organisation_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    champion: bool | None = None
    public_representative: bool | None = None
    contact_consent: bool | None = None
    external_id: str | None = None
    email: str | None = None
    q: str | None = None
    archived: bool = False
    not_engaged_since: date | None = None
    scores: ScoreFilters = ScoreFilters()  # quadrant, plan_id, min/max interest and influence


_TABLE = Stakeholder.__table__
# The stored columns the reads select: those of the response first, in its order (schemas.read_rows then takes them
# by position), then the rest.
COLUMNS = [*(_TABLE.c[name] for name in READ_FIELDS), *(c for c in _TABLE.c if c.key not in READ_FIELDS)]
# GET by id, built once: no expression to build and no ORM on every request.
BY_ID = StaticQuery(select(*COLUMNS).where(_TABLE.c.id == bindparam("id"),
                                          _TABLE.c.tenant_id == bindparam("tenant_id")))
# BY_ID for several ids at once (PostgreSQL): the hot reads' shared read (api.stakeholders.hot_reads._ReadsById)
BY_IDS = StaticQuery(select(*COLUMNS).where(_TABLE.c.id == any_(bindparam("ids", type_=ARRAY(Uuid))),
                                            _TABLE.c.tenant_id == bindparam("tenant_id")))
# The filters that compare one column with the value given (`if filters.kind:` and so on).
_EQUAL = {"kind": Stakeholder.kind, "organisation_id": Stakeholder.organisation_id, "owner_id": Stakeholder.owner_id,
          "champion": Stakeholder.is_champion, "public_representative": Stakeholder.is_public_representative,
          "contact_consent": Stakeholder.contact_consent, "external_id": Stakeholder.external_id}
_SCORES = ("plan_id", "min_interest", "max_interest", "min_influence", "max_influence")


@dataclass(frozen=True)
class _Shape:
    """What changes the SQL of a filtered stakeholder query: which filters are given, and how some of them apply.
    Their values are bound per request (`filter_values`)."""

    dialect: str
    given: frozenset[str]
    archived: bool
    quadrant: str | None
    sees_contact_details: bool


def _shape_and_values(dialect_name: str, caller: Principal, filters: StakeholderFilters) -> tuple[_Shape, dict]:
    """The filters' bound values, by the names `_statement` gives them, and the shape of the statement; a quadrant's
    threshold ("high") is left to filter_values, which can look it up."""
    if filters.email is not None and not caller.sees_contact_details:
        # Filtering by email would tell a viewer whose address it is, so it is refused outright.
        raise Forbidden(f"The {caller.role.value} role may not filter by email")
    values: dict[str, Any] = {"tenant_id": caller.tenant_id}
    for field in ("category", "tag"):
        if getattr(filters, field):
            values[field] = json_element(dialect_name, getattr(filters, field))
    for field in _EQUAL:
        value = getattr(filters, field)
        if value is not None and value != "":
            values[field] = value
    if filters.email is not None:
        values["email"] = email_key(filters.email)
    if filters.not_engaged_since:
        values["since"] = day_start(filters.not_engaged_since)
    if filters.q:
        values["q"] = like_pattern(filters.q)
    for field in _SCORES:
        if getattr(filters.scores, field) is not None:
            values[field] = getattr(filters.scores, field)
    shape = _Shape(dialect_name, frozenset(values), filters.archived, filters.scores.quadrant,
                   caller.sees_contact_details)
    return shape, values


async def filter_values(*, session: AsyncSession, caller: Principal,
                        filters: StakeholderFilters) -> tuple[_Shape, dict[str, Any]]:
    """The filters' bound values, by the names `_statement` gives them, and the shape of the statement."""
    shape, values = _shape_and_values(dialect(session), caller, filters)
    if filters.scores.quadrant is not None:
        values["high"] = await tenant_threshold(session, caller.tenant_id)
    return shape, values


def _statement(shape: _Shape) -> Select:
    """The tenant's stakeholders matching the filters `shape` names, each value a named parameter."""
    given, p = shape.given, bindparam
    stmt = select(Stakeholder).where(Stakeholder.tenant_id == p("tenant_id"))
    stmt = stmt.where(Stakeholder.archived_at.is_not(None) if shape.archived else Stakeholder.archived_at.is_(None))
    # A restricted person (UK GDPR Art. 18) is kept but processed no further: never in a list or an export.
    stmt = stmt.where(Stakeholder.restricted_at.is_(None))
    if "category" in given:
        stmt = stmt.where(json_array_has(shape.dialect, Stakeholder.categories, p("category")))
    if "tag" in given:
        stmt = stmt.where(json_array_has(shape.dialect, Stakeholder.tags, p("tag")))
    for field, column in _EQUAL.items():
        if field in given:
            stmt = stmt.where(column == p(field))
    if "email" in given:
        stmt = stmt.where(Stakeholder.email_key == p("email"))
    if "since" in given:
        stmt = stmt.where(~engaged(Stakeholder.id, p("tenant_id"), since=p("since")))
    if "q" in given:
        # A viewer's search leaves email out, so it cannot be used to probe addresses.
        own = [Stakeholder.name, Stakeholder.email] if shape.sees_contact_details else [Stakeholder.name]
        organisations = select(Organisation.id).where(Organisation.tenant_id == p("tenant_id"),
                                                      text_match(p("q"), Organisation.name))
        stmt = stmt.where(or_(text_match(p("q"), *own), Stakeholder.organisation_id.in_(organisations)))
    if shape.quadrant is None and given.isdisjoint(_SCORES):
        return stmt
    # The latest scores (for plan_id, else the general ones): a stakeholder never assessed (for that plan) drops out.
    scores = latest_scores(p("tenant_id"), p("plan_id") if "plan_id" in given else None)
    stmt = stmt.join(scores, scores.c.stakeholder_id == Stakeholder.id)
    for field, compare in (("min_interest", scores.c.interest.__ge__), ("max_interest", scores.c.interest.__le__),
                           ("min_influence", scores.c.influence.__ge__), ("max_influence", scores.c.influence.__le__)):
        if field in given:
            stmt = stmt.where(compare(p(field)))
    if shape.quadrant is not None:
        stmt = stmt.where(quadrant_condition(Quadrant(shape.quadrant), scores.c.interest, scores.c.influence,
                                             p("high")))
    return stmt


_LIST = ListQueries(_statement, sortable=SORTABLE, default_sort="name", core_columns=COLUMNS)


async def list_stakeholders(*, session: AsyncSession, caller: Principal, filters: StakeholderFilters,
                            page: PageParams) -> PageResult:
    """A page of the tenant's stakeholders matching the filters, as mappings of the stored columns."""
    shape, values = await filter_values(session=session, caller=caller, filters=filters)
    return await _LIST.page(session, shape=shape, values=values, params=page, keys_first=_keys_first(values))


def list_plan(*, dialect_name: str, caller: Principal, filters: StakeholderFilters,
              page: PageParams) -> tuple[StaticQuery, dict[str, Any], Any]:
    """list_stakeholders' page query, its bound values and its ordering, to run elsewhere (the hot reads,
    api/stakeholders/hot_reads.py), for filters without a quadrant (whose threshold is a query of its own)."""
    if filters.scores.quadrant is not None:
        raise ValueError("a quadrant filter needs filter_values()")
    shape, values = _shape_and_values(dialect_name, caller, filters)
    return _LIST.plan(shape=shape, values=values, params=page, keys_first=_keys_first(values))


def _keys_first(values: dict[str, Any]) -> bool:
    # About one stakeholder in ten has a given category, so such a page passes over hundreds of rows: the sort
    # indexes hold categories, archived_at and restricted_at (migration 0006), so the page is found in the index
    # and only its own rows are read. Unfiltered, a page passes over little more than its rows, and finding
    # their keys first then reading them again would cost more.
    return "category" in values


async def get_values(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID) -> Mapping[str, Any]:
    """One stakeholder of the caller's tenant as a mapping of its stored columns (404 otherwise), without the
    ORM: the read path of GET /stakeholders/{id}."""
    row = await BY_ID.one(session, id=stakeholder_id, tenant_id=caller.tenant_id)
    if row is None or not visible(row["restricted_at"], caller):
        raise NotFound(f"No stakeholder with id {stakeholder_id}")
    return row


def visible(restricted_at: Any, caller: Principal) -> bool:
    """A restricted person (UK GDPR Art. 18) is read by an admin only: to anyone else they are a 404."""
    return restricted_at is None or caller.role == Role.admin


async def audit_restricted_read(session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID) -> None:
    """Reading a restricted person (UK GDPR Art. 18) is itself recorded (only an admin gets this far): every read
    that shows what is held about them, not only GET /stakeholders/{id} (get_to_read); the route commits it."""
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="read_restricted",
                       resource_type="stakeholder", resource_id=stakeholder_id)


async def restricted_of(session: AsyncSession, tenant_id: uuid.UUID,
                        ids: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    """Those of `ids` (people of the tenant) whose processing is restricted, nobody's read audited: what a sealed pack
    or a write's check needs. A read that shows them to its caller goes through restricted_among."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set((await session.execute(select(Stakeholder.id).where(
        Stakeholder.tenant_id == tenant_id, Stakeholder.id.in_(wanted),
        Stakeholder.restricted_at.is_not(None)))).scalars())


async def restricted_among(session: AsyncSession, caller: Principal, ids: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    """Those of `ids` (the people a list's rows name, or its ?stakeholder_id=) whose processing is restricted: only an
    admin may be shown them, and that read of each is audited here (audit_restricted_read); the route commits it."""
    restricted = await restricted_of(session, caller.tenant_id, ids)
    if caller.role == Role.admin:
        for stakeholder_id in sorted(restricted):
            await audit_restricted_read(session, caller, stakeholder_id)
    return restricted


def of_person(caller: Principal, column: Any, stakeholder_id: uuid.UUID) -> ColumnElement[bool]:
    """A list's ?stakeholder_id= filter on `column`: a restricted person's records are a 404 to anyone but an admin,
    so to them the filter finds nothing, as for an unknown id (a plain SQL condition, for the lists and exports)."""
    condition = column == stakeholder_id
    if caller.role != Role.admin:
        condition = condition & column.not_in(select(Stakeholder.id).where(
            Stakeholder.id == stakeholder_id, Stakeholder.restricted_at.is_not(None)))
    return condition


async def get_to_read(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID) -> Stakeholder:
    """get(), for a read of the person's own records (their assessments, their activities): an admin's read of a
    restricted person is audited, as a read of the person by id is."""
    row = await get(session=session, caller=caller, stakeholder_id=stakeholder_id)
    if row.restricted_at is not None:
        await audit_restricted_read(session, caller, row.id)
    return row


async def filtered_query(*, session: AsyncSession, caller: Principal, filters: StakeholderFilters) -> Select:
    """The tenant's stakeholders matching the filters, values bound, as a statement (exports stream it)."""
    shape, values = await filter_values(session=session, caller=caller, filters=filters)
    return _statement(shape).params(values)


async def get(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID) -> Stakeholder:
    """One stakeholder of the caller's tenant (404 otherwise); a restricted one only for an admin."""
    row = await get_owned(session, Stakeholder, tenant_id=caller.tenant_id, id=stakeholder_id, label="stakeholder")
    if not visible(row.restricted_at, caller):
        raise NotFound(f"No stakeholder with id {stakeholder_id}")
    return row


async def _check_references(session: AsyncSession, caller: Principal, values: dict[str, Any],
                            linked_to: uuid.UUID | None = None) -> None:
    """organisation_id and owner_id must name rows of the caller's tenant (422 otherwise), and an organisation other
    than the one the stakeholder already belongs to (`linked_to`) must not be archived (409)."""
    errors = []
    for field, model, label in (("organisation_id", Organisation, "organisation"), ("owner_id", User, "user")):
        ref = values.get(field)
        if ref is None:
            continue
        found = (await session.execute(
            select(model.id).where(model.id == ref, model.tenant_id == caller.tenant_id)
        )).first()
        if found is None:
            errors.append({"loc": ["body", field], "msg": f"No {label} with this id in your tenant",
                           "type": "reference_not_found"})
    if errors:
        raise Unprocessable("A linked record does not exist in your tenant", errors=errors)
    await ensure_not_archived(session, Organisation, tenant_id=caller.tenant_id, ids=values.get("organisation_id"),
                              label="organisation", kept=[linked_to])


async def _ensure_email_free(session: AsyncSession, *, tenant_id: uuid.UUID, email: str | None,
                             exclude_id: uuid.UUID | None = None) -> None:
    """One stakeholder per email in a tenant, whatever its case (the unique index backs this)."""
    if email is None:
        return
    stmt = select(Stakeholder.archived_at, out_of_lists(Stakeholder)).where(
        Stakeholder.tenant_id == tenant_id, Stakeholder.email_key == email_key(email))
    if exclude_id is not None:
        stmt = stmt.where(Stakeholder.id != exclude_id)
    clash = (await session.execute(stmt.limit(1))).first()
    if clash is not None:
        where = ("an archived stakeholder (restore it instead)" if clash[0] is not None and not clash[1]
                 else "another stakeholder")
        raise Conflict(f"This email address is already used by {where} in this tenant")


async def _flush(session: AsyncSession) -> None:
    """Flush; a unique index that a concurrent write beat the checks to becomes a 409, not a 500."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The email address or external_id was just taken by another stakeholder in this tenant")


def _refuse_if_erased(row: Stakeholder) -> None:
    if row.erased_at is not None:
        raise Conflict(ERASED_UNCHANGEABLE)


async def create(*, session: AsyncSession, caller: Principal, data: StakeholderCreate) -> Stakeholder:
    """Create a stakeholder and audit it."""
    values = data.model_dump()
    await _check_references(session, caller, values)
    await ensure_external_id_free(session, Stakeholder, tenant_id=caller.tenant_id, external_id=data.external_id)
    await _ensure_email_free(session, tenant_id=caller.tenant_id, email=data.email)
    if values["consent_recorded_at"] is None and (values["contact_consent"] or values["consent_basis"]):
        values["consent_recorded_at"] = utcnow()
    row = Stakeholder(tenant_id=caller.tenant_id, created_by=caller.id, updated_by=caller.id, **values)
    session.add(row)
    await _flush(session)
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type="stakeholder", resource_id=row.id,
                       changes=audit.diff(None, values, personal=PERSONAL_FIELDS))
    return row


async def update(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
                 data: StakeholderUpdate, if_match: str | None) -> Stakeholder:
    """Change the fields given; 412 when If-Match is stale, 409 once erased."""
    row = await get(session=session, caller=caller, stakeholder_id=stakeholder_id)
    _refuse_if_erased(row)
    check_if_match(if_match, row.version)
    changes = data.model_dump(exclude_unset=True)
    await _check_references(session, caller, changes, linked_to=row.organisation_id)
    if "external_id" in changes:
        await ensure_external_id_free(session, Stakeholder, tenant_id=caller.tenant_id,
                                      external_id=changes["external_id"], exclude_id=row.id)
    if "email" in changes:
        await _ensure_email_free(session, tenant_id=caller.tenant_id, email=changes["email"], exclude_id=row.id)
    if changes.get("contact_consent") and not row.contact_consent and objection_stands(row.contact_objection):
        raise Conflict(OBJECTED_TO_CONTACT)
    if "consent_recorded_at" in changes and changes["consent_recorded_at"] is None:
        del changes["consent_recorded_at"]  # as on create and in imports: a null date is no date given
    consent_changed = any(f in changes and changes[f] != getattr(row, f) for f in CONSENT_FIELDS)
    if consent_changed and "consent_recorded_at" not in changes:
        changes["consent_recorded_at"] = utcnow()
    before, after = apply(row, changes)
    if after:
        row.updated_by = caller.id
        await _flush(session)
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type="stakeholder", resource_id=row.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return row


async def set_archived(*, session: AsyncSession, caller: Principal, stakeholder_id: uuid.UUID,
                       archived: bool, if_match: str | None = None) -> Stakeholder:
    """Archive (soft delete) or restore a stakeholder; an erased one stays archived."""
    row = await get(session=session, caller=caller, stakeholder_id=stakeholder_id)
    if not archived:
        _refuse_if_erased(row)
    return await archive_or_restore(session, caller, row, archived=archived, if_match=if_match,
                                    resource_type="stakeholder")


PEOPLE_LOCK = 0x1D4  # the first key of pg_advisory_xact_lock(int, int) for lock_people_states


async def lock_people_states(session: AsyncSession, tenant_id: uuid.UUID, *, exclusive: bool) -> None:
    """Imports decide against who is erased or restricted as it was when they began (read once, before their rows):
    an erasure or restriction committing while one ran went unseen, and the import then linked new rows to the person
    or wrote back what the erasure wiped. Imports take this lock shared, erasure and restriction exclusive, so each
    waits for the other to commit (PostgreSQL; SQLite runs one writer at a time). Lifting a legal hold takes it
    exclusive too: an erasure that saw the hold has recorded what the plan keeps (HeldErasure) before the lift reads
    it."""
    if session.get_bind().dialect.name == "postgresql":
        lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        await session.execute(text(f"SELECT {lock}(:a, :b)"),
                              {"a": PEOPLE_LOCK, "b": idempotency.advisory_key(tenant_id, "people")})


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
        for model, texts in UNLINKED_TEXTS:  # as scrub_unlinked, over this plan's rows
            wiped += len(await scrub_rows(session, model, tenant_id=tenant, actor_id=caller.id, texts=texts,
                                          theirs=false(), others=model.plan_id == plan_id, name="", contacts=contacts,
                                          now=now))
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
