"""What each importable resource is, as data: its columns (the CSV template, which is also the export's
header), the stored fields a row sets, its unique keys, the references resolved in the tenant, and
the defaults on create. Adding a resource to imports and exports is adding a ResourceSpec here."""

import types
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any

from pydantic import AwareDatetime, TypeAdapter
from sqlalchemy import JSON, Boolean, Uuid

from api.db import UTCDateTime
from api.imports.schemas import Match, OrganisationRow, StakeholderRow
from api.models import Organisation, Stakeholder, User

LIST_SEPARATOR = ";"
# A cell starting with one of these is a formula to a spreadsheet: exports put a ' before it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of the CSV template (one key of a JSON row)."""

    name: str
    kind: str  # "text", "list", "bool", "datetime" or "uuid": how a CSV cell is read and written
    nullable: bool  # an empty cell clears the field; otherwise an empty cell means "not given"
    enum: bool = False  # the value (or every item) is an enum member: it never looks like a formula


@dataclass(frozen=True)
class UniqueKey:
    field: str
    fold_case: bool = False  # compared whatever its case (an email)

    def normalise(self, value: str) -> str:
        return value.lower() if self.fold_case else value


@dataclass(frozen=True)
class Reference:
    """A stored id found in the tenant from one of the row's keys, tried in order."""

    target: str  # the stored field it sets, e.g. organisation_id
    model: type
    label: str
    keys: tuple[tuple[str, str, bool], ...]  # (row key, the referenced model's column, fold case)

    @property
    def row_keys(self) -> tuple[str, ...]:
        return tuple(k for k, _, _ in self.keys)


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

    def template(self) -> str:
        return ",".join(self.column_names) + "\n"


def _stakeholder_consent(values: dict[str, Any], now: datetime) -> None:
    """As the API does: consent given without a date is recorded now."""
    if values.get("consent_recorded_at") is None and (values.get("contact_consent") or values.get("consent_basis")):
        values["consent_recorded_at"] = now


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
            "notes"),
    keys=(UniqueKey("external_id"), UniqueKey("email", fold_case=True)),
    matches=(Match.external_id, Match.email),
    defaults={"kind": "person", "categories": [], "preferred_channels": [], "communication_needs": [], "tags": [],
              "contact_consent": False, "is_champion": False, "is_public_representative": False},
    references=(
        Reference("organisation_id", Organisation, "organisation",
                  (("organisation_external_id", "external_id", False), ("organisation_name", "name", True))),
        Reference("owner_id", User, "user", (("owner_id", "id", False),)),
    ),
    on_create=_stakeholder_consent,
    update_sql={"consent_recorded_at": _consent_recorded_at_sql},
)

ORGANISATIONS = ResourceSpec(
    name="organisations",
    label="organisation",
    model=Organisation,
    row_type=OrganisationRow,
    fields=("external_id", "name", "kind", "email", "phone", "website", "address", "postcode", "notes", "tags"),
    keys=(UniqueKey("external_id"),),
    matches=(Match.external_id,),
    defaults={"kind": "other", "tags": []},
)

SPECS: dict[str, ResourceSpec] = {spec.name: spec for spec in (STAKEHOLDERS, ORGANISATIONS)}
