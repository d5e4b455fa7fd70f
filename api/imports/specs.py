"""What each importable resource is, as data: its columns (the CSV template, which is also the export's
header), the stored fields a row sets, its unique keys, the references resolved in the tenant, and
the defaults on create. Adding a resource to imports and exports is adding a ResourceSpec here."""

import types
import typing
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any

from pydantic import AwareDatetime, TypeAdapter
from sqlalchemy import JSON, BigInteger, Boolean, Integer, Uuid, select

from api import legal_hold
from api.activities import service as activities
from api.auth.principal import EDITORS, LOGGERS, Principal, Role
from api.crud import archived_target
from api.db import UTCDateTime
from api.errors import Conflict
from api.feedback import workflow
from api.imports.schemas import (
    ActivityRow,
    AttendanceRow,
    FeedbackRow,
    Match,
    OrganisationRow,
    StakeholderRow,
)
from api.models import Activity, ActivityAttendance, Feedback, Organisation, Plan, Stakeholder, Tenant, User
from api.models.emails import folded_email
from api.stakeholders.service import (
    ERASED_FEEDBACK_KEPT,
    ERASED_FEEDBACK_TEXT,
    ERASED_UNCHANGEABLE,
    OBJECTED_TO_CONTACT,
    objection_stands,
)

LIST_SEPARATOR = ";"
# A cell starting with one of these is a formula to a spreadsheet: exports put a ' before it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of the CSV template (one key of a JSON row)."""

    name: str
    kind: str  # "text", "list", "bool", "int", "datetime" or "uuid": how a CSV cell is read and written
    nullable: bool  # an empty cell clears the field; otherwise an empty cell means "not given"
    enum: bool = False  # the value (or every item) is an enum member: it never looks like a formula


@dataclass(frozen=True)
class UniqueKey:
    field: str
    # A field unique by a key stored beside it (an email by its email_key, whatever its case): the key's column, which
    # the unique index is on and the import writes with the field, and how a row's value becomes the key.
    key: str | None = None
    fold: Callable[[str], str] | None = None

    @property
    def column(self) -> str:
        """The stored column the register compares a row's (folded) value with."""
        return self.key or self.field


# A row's `id` (first, so decisions see it before the match key): the record the row is for, whatever match= says.
ID = UniqueKey("id")


@dataclass(frozen=True)
class Reference:
    """A stored id found in the tenant from one of the row's keys, tried in order."""

    target: str  # the stored field it sets, e.g. organisation_id
    model: type
    label: str
    # (row key, the referenced model's column, fold case). A key on "id" (the exported id) wins when the row gives
    # it, and the others the row gives must then name the same record (References.resolve).
    keys: tuple[tuple[str, str, bool], ...]

    @property
    def row_keys(self) -> tuple[str, ...]:
        return tuple(k for k, _, _ in self.keys)

    @cached_property
    def id_key(self) -> str | None:
        """The row key that names the record by its id, if there is one (looked up for every row)."""
        return next((k for k, column, _ in self.keys if column == "id"), None)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type under Annotated[...] and `| None`, and whether None was allowed."""
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        else:
            return annotation, nullable


def _column(name: str, annotation: Any) -> Column:
    annotation, nullable = _unwrap(annotation)
    if typing.get_origin(annotation) is list:
        item, _ = _unwrap(typing.get_args(annotation)[0])
        return Column(name, "list", False, enum=isinstance(item, type) and issubclass(item, Enum))
    if annotation is bool:
        return Column(name, "bool", False)
    if annotation is int:
        return Column(name, "int", nullable)
    if annotation is AwareDatetime or (isinstance(annotation, type) and issubclass(annotation, datetime)):
        return Column(name, "datetime", nullable)
    if annotation is uuid.UUID:
        return Column(name, "uuid", nullable)
    return Column(name, "text", nullable, enum=isinstance(annotation, type) and issubclass(annotation, Enum))


def _stored_kind(column) -> str:
    if isinstance(column.type, JSON):
        return "list"
    if isinstance(column.type, Boolean):
        return "bool"
    if isinstance(column.type, Integer | BigInteger):
        return "int"
    if isinstance(column.type, UTCDateTime):
        return "datetime"
    if isinstance(column.type, Uuid):
        return "uuid"
    return "text"


@dataclass(frozen=True)
class ResourceSpec:
    name: str  # in the URL: /imports/stakeholders
    label: str  # singular, for messages and the audit trail
    model: type
    row_type: type
    fields: tuple[str, ...]  # the stored fields a row sets, in the order they are written
    keys: tuple[UniqueKey, ...]  # unique in the tenant
    matches: tuple[Match, ...]  # the keys a row may be matched by
    defaults: dict[str, Any]  # on create, for the fields a row leaves out (otherwise null)
    references: tuple[Reference, ...] = ()
    required: tuple[str, ...] = ("name",)  # to create
    # Extra values on create from the row and the current time (stakeholders: the consent date).
    on_create: Callable[[dict[str, Any], datetime], None] | None = None
    # SQL for stored fields an update sets in a special way: {field: f(sql, fields given) -> expression, or None
    # when the update leaves the field alone}.
    update_sql: dict[str, Callable[["UpdateSql", frozenset[str]], str | None]] = field(default_factory=dict)
    roles: frozenset[Role] = EDITORS  # who may import
    # Tenant facts a row's checks need (feedback: the response target, the activities' plans), loaded once.
    context: Callable[[Any, Principal], Awaitable[Any]] | None = None
    # Checks and derived values once a row's references are resolved: check(stored, current, context, caller, now)
    # may add stored fields and returns the row's problems as (field, message); `current` is the record's stored
    # check_fields on update (the merged state is what the API checks; the links it has, which are no new links),
    # None on create.
    check: Callable[[dict[str, Any], dict[str, Any] | None, Any, Principal, datetime],
                    list[tuple[str, str]]] | None = None
    check_fields: tuple[str, ...] = ()
    lines: bool = False  # an attendance log: no ids, keys or versions of its own (api/imports/attendance.py)
    # UK GDPR erasure: SQL saying a record's personal data (or its stakeholder's) was erased, what a row may not
    # then do to it (True: nothing at all, a field it may not change, or False: fine), and the row's error if it does.
    erased: Callable[[], Any] | None = None
    frozen_when_erased: Callable[[dict[str, Any]], bool | str] = lambda values: True
    erased_message: str = ""
    # The stored field naming the person a record is about, when an update may change it (feedback's stakeholder):
    # the import's one audit event lists each record it moved, so that subject access finds the move (api.gdpr).
    owner: str | None = None

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        hints = typing.get_type_hints(self.row_type, include_extras=True)
        return tuple(_column(name, hint) for name, hint in hints.items())

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @cached_property
    def adapter(self) -> TypeAdapter:
        return TypeAdapter(self.row_type)

    @cached_property
    def stored_kinds(self) -> dict[str, str]:
        table = self.model.__table__
        return {name: _stored_kind(table.c[name]) for name in self.fields}

    @cached_property
    def reference_keys(self) -> frozenset[str]:
        return frozenset(k for ref in self.references for k in ref.row_keys)

    @property
    def a_label(self) -> str:
        """The label with its indefinite article, for messages: "an activity", "a stakeholder"."""
        return f"{'an' if self.label[0] in 'aeiou' else 'a'} {self.label}"

    def template(self) -> str:
        return ",".join(self.column_names) + "\n"


def _stakeholder_consent(values: dict[str, Any], now: datetime) -> None:
    """As the API does: consent given without a date is recorded now."""
    if values.get("consent_recorded_at") is None and (values.get("contact_consent") or values.get("consent_basis")):
        values["consent_recorded_at"] = now


def _check_stakeholder(row: dict[str, Any], current: dict[str, Any] | None, _context: Any, _caller: Principal,
                       _now: datetime) -> list[tuple[str, str]]:
    """As PATCH: contact consent is not turned back on while an objection to contact stands."""
    if current is not None and row.get("contact_consent") and not current["contact_consent"] and objection_stands(
            current["contact_objection"]):
        return [("contact_consent", OBJECTED_TO_CONTACT)]
    return []


class UpdateSql(typing.Protocol):
    """How a writer spells the parts of its UPDATE statement."""

    now: str  # the import's timestamp

    def new(self, name: str) -> str: ...  # the row's value

    def old(self, name: str) -> str: ...  # the stored value

    def distinct(self, a: str, b: str) -> str: ...  # a and b differ, NULLs included


def _consent_recorded_at_sql(sql: UpdateSql, given: frozenset[str]) -> str | None:
    """The date given, else now when consent or its basis changes, else the stored date (None: no change)."""
    if given.isdisjoint(("contact_consent", "consent_basis", "consent_recorded_at")):
        return None
    changed = [sql.distinct(sql.old(f), sql.new(f)) for f in ("contact_consent", "consent_basis") if f in given]
    kept = sql.old("consent_recorded_at")
    fallback = f"CASE WHEN {' OR '.join(changed)} THEN {sql.now} ELSE {kept} END" if changed else kept
    if "consent_recorded_at" in given:
        return f"COALESCE({sql.new('consent_recorded_at')}, {fallback})"
    return fallback


STAKEHOLDERS = ResourceSpec(
    name="stakeholders",
    label="stakeholder",
    model=Stakeholder,
    row_type=StakeholderRow,
    fields=("external_id", "kind", "name", "categories", "organisation_id", "job_title", "email", "phone", "address",
            "postcode", "preferred_channels", "communication_needs", "interpreter_language", "contact_consent",
            "consent_basis", "consent_recorded_at", "is_champion", "is_public_representative", "tags", "owner_id",
            "notes", "email_key"),  # the key is the Decider's, from the email (UniqueKey)
    keys=(ID, UniqueKey("external_id"), UniqueKey("email", key="email_key", fold=folded_email)),
    matches=(Match.external_id, Match.email),
    defaults={"kind": "person", "categories": [], "preferred_channels": [], "communication_needs": [], "tags": [],
              "contact_consent": False, "is_champion": False, "is_public_representative": False},
    references=(
        Reference("organisation_id", Organisation, "organisation",
                  (("organisation_id", "id", False), ("organisation_external_id", "external_id", False),
                   ("organisation_name", "name", True))),
        Reference("owner_id", User, "user", (("owner_id", "id", False),)),
    ),
    on_create=_stakeholder_consent,
    check=_check_stakeholder,
    # the organisation it has (an archived one stays: no new link), and what an objection to contact needs
    check_fields=("organisation_id", "contact_consent", "contact_objection"),
    update_sql={"consent_recorded_at": _consent_recorded_at_sql},
    erased=lambda: Stakeholder.erased_at.is_not(None),  # as PATCH: an erased person is never changed again
    erased_message=ERASED_UNCHANGEABLE,
)

ORGANISATIONS = ResourceSpec(
    name="organisations",
    label="organisation",
    model=Organisation,
    row_type=OrganisationRow,
    fields=("external_id", "name", "kind", "email", "phone", "website", "address", "postcode", "notes", "tags"),
    keys=(ID, UniqueKey("external_id")),
    matches=(Match.external_id,),
    defaults={"kind": "other", "tags": []},
)


def _refusal(field_: str, check: Callable[..., None], *args: Any) -> list[tuple[str, str]]:
    """The API's 409 for a rule it raises (`check(*args)`), as the row's problem with `field_`."""
    try:
        check(*args)
    except Conflict as exc:
        return [(field_, str(exc.detail))]
    return []


@dataclass(frozen=True)
class ActivitiesContext:
    held: legal_hold.HeldRecords
    held_titles: dict[Any, str]  # held plan id -> its title, which the API's legal-hold message names


async def _activities_context(session: Any, caller: Principal) -> ActivitiesContext:
    held = await legal_hold.held_records(session, caller.tenant_id)
    titles = await session.execute(select(Plan.id, Plan.title).where(Plan.tenant_id == caller.tenant_id,
                                                                     Plan.id.in_(held.plans)))
    return ActivitiesContext(held, dict(titles.all()))


def _check_activity(values: dict[str, Any], current: dict[str, Any] | None, context: ActivitiesContext,
                    caller: Principal, now: datetime) -> list[tuple[str, str]]:
    """As the API does: the merged state (the stored values and the row's) holds together, nobody new is counted at a
    cancelled activity, and an activity of a held plan's record stays on it and keeps what its report reads."""
    state = _merged(values, current, activities.STATE_FIELDS, ACTIVITIES.defaults)
    problems = [(field, message) for field, _, message in activities.state_problems(state)]
    problems += _refusal("unnamed_attendees", activities.ensure_headcount_allowed, state["status"],
                         current["unnamed_attendees"] if current else 0, values.get("unnamed_attendees"))
    return problems + _kept(context, values, current) + _leaving(context.held, "activity", values, current)


def _kept(context: ActivitiesContext, values: dict[str, Any], current: dict[str, Any] | None
          ) -> list[tuple[str, str]]:
    """As PATCH (api.activities.service._ensure_kept): a held plan's activity keeps what its report reads
    (activities.held_change), and no row lowers the headcount of a log a held plan's record holds; the messages are
    the API's."""
    if current is None:
        return []
    plan = current["plan_id"]
    if activities.headcount_falls(current["unnamed_attendees"], values):
        if plan in context.held_titles:
            return [("unnamed_attendees", legal_hold.held_message(plan, context.held_titles[plan],
                                                                  legal_hold.LOG_SHRINKING))]
        if current["id"] in context.held.activities:  # a held plan's evidence links it
            return [("unnamed_attendees", legal_hold.HELD_LOG)]
    refused = activities.held_change(current, values) if plan in context.held_titles else None
    return [] if refused is None else [(refused[0], legal_hold.held_message(plan, context.held_titles[plan],
                                                                             refused[1]))]


def _leaving(held: legal_hold.HeldRecords, label: str, values: dict[str, Any],
             current: dict[str, Any] | None) -> list[tuple[str, str]]:
    """As PATCH: an update may not take the record out of a held plan's record (api.legal_hold.leaving)."""
    if current is None:
        return []
    field_ = legal_hold.leaving(held, current["id"], current, values)
    return [] if field_ is None else [(field_, legal_hold.leaving_message(label, field_))]


def _merged(values: dict[str, Any], current: dict[str, Any] | None, names: tuple[str, ...],
            defaults: dict[str, Any]) -> dict[str, Any]:
    """Each of `names` as it will be stored: the row's value, else the stored one (on create, the default)."""
    base = current if current is not None else defaults
    return {name: values[name] if name in values else base.get(name) for name in names}


@dataclass(frozen=True)
class FeedbackContext:
    response_days: int
    activity_plans: dict[Any, Any]  # activity id -> its plan id
    held: legal_hold.HeldRecords
    archived_plans: frozenset = frozenset()
    # closed feedback id -> (told_how, whether a response is written): what closed its loop besides check_fields
    closed: dict[Any, tuple[str | None, bool]] = field(default_factory=dict)


async def _feedback_context(session: Any, caller: Principal) -> FeedbackContext:
    settings = (await session.execute(select(Tenant.settings).where(Tenant.id == caller.tenant_id))).scalar_one()
    plans = await session.execute(select(Activity.id, Activity.plan_id).where(Activity.tenant_id == caller.tenant_id,
                                                                                Activity.plan_id.is_not(None)))
    archived = await session.execute(select(Plan.id).where(Plan.tenant_id == caller.tenant_id,
                                                            Plan.archived_at.is_not(None)))
    answered = Feedback.response_text.is_not(None) & (Feedback.response_text != "")
    closed = await session.execute(select(Feedback.id, Feedback.told_how, answered).where(
        Feedback.tenant_id == caller.tenant_id, Feedback.status == "closed"))
    return FeedbackContext(workflow.response_days(settings), dict(plans.all()),
                           await legal_hold.held_records(session, caller.tenant_id), frozenset(archived.scalars()),
                           {id_: (told_how, bool(has)) for id_, told_how, has in closed})


def _check_feedback(values: dict[str, Any], current: dict[str, Any] | None, context: FeedbackContext,
                    caller: Principal, now: datetime) -> list[tuple[str, str]]:
    """As the API does: only leads and admins mark feedback publishable (or withdraw it) and change a marked
    paraphrase; the merged state holds together (a publishable paraphrase, told after received); the response is due
    the tenant's number of working days after receipt; the plan comes from the activity when absent."""
    refused = workflow.publishing_problem(values, current, may_publish=caller.role in EDITORS)
    problems = [refused] if refused else []
    if current is None:
        values.setdefault("received_at", now)
        if "plan_id" not in values and values.get("activity_id") is not None:
            values["plan_id"] = context.activity_plans.get(values["activity_id"])
            if values["plan_id"] in context.archived_plans:  # as the API: the copied plan is a new link too
                problems.append(("plan_id", archived_target("plan")))
    state = _merged(values, current, workflow.STATE_FIELDS, FEEDBACK_DEFAULTS)
    problems += [(field, message[0].upper() + message[1:])
                 for field, _, message in workflow.state_problems(state, values)]
    if values.get("received_at") is not None and (current is None or values["received_at"] != current["received_at"]):
        # as PATCH: a receipt sent back as stored keeps its due date, whatever the target is now
        values["response_due_at"] = workflow.response_due(values["received_at"], context.response_days)
    return problems + _undoing(context, values, current) + _leaving(context.held, "feedback", values, current)


def _undoing(context: FeedbackContext, values: dict[str, Any], current: dict[str, Any] | None
             ) -> list[tuple[str, str]]:
    """As PATCH (api.feedback.service._check_closing): a row changing closed feedback leaves it closable
    (workflow.still_closable)."""
    if current is None or current["id"] not in context.closed:
        return []
    told_how, answered = context.closed[current["id"]]
    # can_close reads only whether the response is written, which a row never changes
    stored = {name: current.get(name) for name in workflow.CLOSE_FIELDS} | {"told_how": told_how,
                                                                          "response_text": answered}
    changed = next((name for name in workflow.CLOSE_FIELDS if name in values and values[name] != stored[name]), None)
    return _refusal(changed, workflow.still_closable, stored, values) if changed else []


FEEDBACK_DEFAULTS = {"channel": "other", "type": "comment", "themes": [], "publishable": False, "status": "received"}

ACTIVITIES = ResourceSpec(
    name="activities",
    label="activity",
    model=Activity,
    row_type=ActivityRow,
    fields=("external_id", "title", "description", "method", "level", "audience_categories", "plan_id", "duty_limb",
            "status", "starts_at", "ends_at", "location", "online_url", "channel", "led_by", "led_by_name",
            "cost_pence", "unnamed_attendees", "impressions", "recipients", "accessible_formats",
            "translation_languages", "outcome_summary"),
    keys=(ID, UniqueKey("external_id")),
    matches=(Match.external_id,),
    defaults={"level": "inform", "audience_categories": [], "status": "planned", "unnamed_attendees": 0,
              "accessible_formats": [], "translation_languages": []},
    references=(
        Reference("plan_id", Plan, "plan", (("plan_id", "id", False), ("plan_external_id", "external_id", False))),
        Reference("led_by", User, "user", (("led_by", "id", False),)),
    ),
    required=("title", "method", "starts_at"),
    roles=LOGGERS,
    context=_activities_context,
    check=_check_activity,
    # and where it is and what its held plan's report reads (a held plan's keeps both), and its headcount
    check_fields=tuple(dict.fromkeys((*activities.STATE_FIELDS, *activities.HELD_FIELDS, "id", "plan_id",
                                      "unnamed_attendees"))),
)

FEEDBACK = ResourceSpec(
    name="feedback",
    label="feedback",
    model=Feedback,
    row_type=FeedbackRow,
    fields=("external_id", "received_at", "channel", "type", "text", "stakeholder_id", "activity_id", "plan_id",
            "themes", "publishable_summary", "publishable", "status", "response_due_at"),
    keys=(ID, UniqueKey("external_id")),
    matches=(Match.external_id,),
    defaults=FEEDBACK_DEFAULTS,
    references=(
        Reference("stakeholder_id", Stakeholder, "stakeholder",
                  (("stakeholder_id", "id", False), ("stakeholder_external_id", "external_id", False),
                   ("stakeholder_email", "email", True))),
        Reference("activity_id", Activity, "activity",
                  (("activity_id", "id", False), ("activity_external_id", "external_id", False))),
        Reference("plan_id", Plan, "plan", (("plan_id", "id", False), ("plan_external_id", "external_id", False))),
    ),
    required=("text",),
    roles=LOGGERS,
    context=_feedback_context,
    check=_check_feedback,
    # and the stakeholder (a link it has is no new link) and where it is (a held plan's record keeps it)
    check_fields=(*workflow.STATE_FIELDS, "stakeholder_id", "id", "plan_id", "activity_id"),
    # As PATCH: the erasure wiped the text of the person's feedback, which stays wiped; the rest of the record (the
    # response, themes, status) goes on.
    erased=lambda: Feedback.stakeholder_id.in_(select(Stakeholder.id).where(Stakeholder.erased_at.is_not(None))),
    frozen_when_erased=lambda values: "text" if values.get("text", ERASED_FEEDBACK_TEXT) != ERASED_FEEDBACK_TEXT
    else False,
    erased_message=ERASED_FEEDBACK_KEPT,  # nor may it leave them: unlinked, its text could be rewritten
    owner="stakeholder_id",
)

ATTENDANCE = ResourceSpec(
    name="attendance",
    label="attendance",
    model=ActivityAttendance,
    row_type=AttendanceRow,
    fields=("activity_id", "stakeholder_id", "invited", "attended", "role"),
    keys=(),
    matches=(Match.activity_and_stakeholder,),
    defaults={"invited": False, "attended": False},
    references=(
        Reference("activity_id", Activity, "activity",
                  (("activity_id", "id", False), ("activity_external_id", "external_id", False))),
        Reference("stakeholder_id", Stakeholder, "stakeholder",
                  (("stakeholder_id", "id", False), ("stakeholder_external_id", "external_id", False),
                   ("stakeholder_email", "email", True))),
    ),
    required=(),  # a reference to each of the activity and the stakeholder (AttendanceDecider)
    roles=LOGGERS,
    lines=True,
)

SPECS: dict[str, ResourceSpec] = {spec.name: spec for spec in (STAKEHOLDERS, ORGANISATIONS, ACTIVITIES, FEEDBACK,
                                                                ATTENDANCE)}
