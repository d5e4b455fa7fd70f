"""Stakeholders: every query scoped to the caller's tenant; services flush, routers commit.

Personal data never reaches the audit trail: the fields in PERSONAL_FIELDS are recorded as
changed, without their values, so an erasure leaves nothing of the person behind."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, any_, bindparam, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, idempotency
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
    text_match,
)
from api.db import StaticQuery, utcnow
from api.errors import Conflict, Forbidden, NotFound, Unprocessable
from api.models import (
    Organisation,
    Stakeholder,
    User,
)
from api.models.emails import email_key
from api.pagination import ListQueries, PageParams, PageResult
from api.stakeholders.schemas import READ_FIELDS, StakeholderCreate, StakeholderUpdate

COLLECTION_PATH = "/api/v1/stakeholders"
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
