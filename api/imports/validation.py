"""Row by row: validate with pydantic, refuse keys repeated in the file, match against the register
as it was when the import began, resolve references in the tenant, and decide create/update/skip."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import ValidationError
from sqlalchemy import false, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal, Role
from api.crud import archived_target
from api.imports.parsing import RowErrors
from api.imports.schemas import OnConflict, OnError
from api.imports.specs import Reference, ResourceSpec
from api.models import Stakeholder
from api.stakeholders.service import NO_NEW_LINK, barred


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    match: str = "external_id"
    on_conflict: OnConflict = OnConflict.error
    on_error: OnError = OnError.abort

    def canonical(self) -> str:
        """The options as a query string in one spelling (an import's Idempotency-Key compares requests by it)."""
        return (f"dry_run={str(self.dry_run).lower()}&match={self.match}&on_conflict={OnConflict(self.on_conflict)}"
                f"&on_error={OnError(self.on_error)}")


@dataclass
class Batch:
    creates: list[Any] = field(default_factory=list)  # new rows, as the Decider's `encode` made them
    # (the record's id, the fields given, the stored values, the record's version as the decision read it)
    updates: list[tuple[uuid.UUID, frozenset[str], dict[str, Any], int]] = field(default_factory=list)


class Held(NamedTuple):
    """A record of the register, as a row's key finds it."""

    id: uuid.UUID
    archived: bool
    # Erased (UK GDPR Art. 17): a stakeholder whose personal data was erased, never changed again; feedback whose
    # stakeholder's was, whose text stays erased (ResourceSpec.erased).
    erased: bool
    restricted: bool  # a stakeholder whose processing is restricted (Art. 18): changed by an admin only
    version: int  # as read: an update is written only if the record still has it (PostgresWriter.write)


class Register:
    """The tenant's unique keys as they were when the import began: {key field: {value: Held}}.
    Deciding against this snapshot keeps the outcome independent of the order rows are written in."""

    def __init__(self, spec: ResourceSpec, keys: dict[str, dict[str, Held]],
                 current: dict[uuid.UUID, dict[str, Any]] | None = None):
        self.spec = spec
        self.keys = keys
        self.current = current or {}  # {id: the record's spec.check_fields}, which an update's check merges with

    @classmethod
    async def load(cls, session: AsyncSession, spec: ResourceSpec, tenant_id: uuid.UUID) -> "Register":
        model = spec.model
        states = [model.archived_at.is_not(None), spec.erased() if spec.erased else false(),
                  model.restricted_at.is_not(None) if hasattr(model, "restricted_at") else false()]
        checked = [getattr(model, name) for name in spec.check_fields]
        columns = [model.id, *states, model.version, *checked, *(getattr(model, k.column) for k in spec.keys)]
        keys: dict[str, dict[str, Held]] = {k.field: {} for k in spec.keys}
        current: dict[uuid.UUID, dict[str, Any]] = {}
        first_key = 5 + len(checked)
        result = await session.execute(select(*columns).where(model.tenant_id == tenant_id))
        for row in result:
            entry = Held(*row[:5])
            if checked:
                current[entry.id] = dict(zip(spec.check_fields, row[5:first_key], strict=True))
            for key, value in zip(spec.keys, row[first_key:], strict=True):
                if value is not None:
                    keys[key.field][value] = entry
        return cls(spec, keys, current)


class References:
    """Ids of the tenant's rows that rows refer to, by each key they may be referred to by, loaded before
    the first row (on PostgreSQL the connection is busy with COPY while rows arrive)."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID):
        self.session = session
        self.tenant_id = tenant_id
        self._maps: dict[tuple[type, str], dict[Any, list[uuid.UUID]]] = {}
        # Records nothing new may be linked to, with why: stakeholders erased or whose processing is restricted (UK
        # GDPR), archived organisations.
        self.barred: dict[uuid.UUID, str] = {}
        self.restricted: frozenset[uuid.UUID] = frozenset()  # of those, the people whose processing is restricted
        self.erased: frozenset[uuid.UUID] = frozenset()  # and those erased

    async def load(self, spec: ResourceSpec) -> None:
        if any(ref.model is Stakeholder for ref in spec.references):
            people = await self.session.execute(
                select(Stakeholder.id, Stakeholder.erased_at, Stakeholder.restricted_at).where(
                    Stakeholder.tenant_id == self.tenant_id,
                    Stakeholder.erased_at.is_not(None) | Stakeholder.restricted_at.is_not(None)))
            people = people.all()
            self.barred = {id_: NO_NEW_LINK[barred(erased, restricted)] for id_, erased, restricted in people}
            self.restricted = frozenset(id_ for id_, _, restricted in people if restricted is not None)
            self.erased = frozenset(id_ for id_, erased, _ in people if erased is not None)
        for ref in spec.references:  # as the API: nothing new is linked to an archived organisation, plan or activity
            if ref.model is not Stakeholder and hasattr(ref.model, "archived_at"):
                archived = await self.session.execute(select(ref.model.id).where(
                    ref.model.tenant_id == self.tenant_id, ref.model.archived_at.is_not(None)))
                self.barred.update(dict.fromkeys(archived.scalars(), archived_target(ref.label)))
        for ref in spec.references:
            for _, column, fold_case in ref.keys:
                if (ref.model, column) in self._maps:
                    continue
                found: dict[Any, list[uuid.UUID]] = defaultdict(list)
                result = await self.session.execute(
                    select(ref.model.id, getattr(ref.model, column)).where(ref.model.tenant_id == self.tenant_id))
                for id_, value in result:
                    if value is not None:
                        found[value.lower() if fold_case else value].append(id_)
                self._maps[(ref.model, column)] = dict(found)

    def resolve(self, ref: Reference, values: dict[str, Any]) -> tuple[uuid.UUID | None, str | None, str | None]:
        """(id, the first key the row names it by, None), (None, None, None) when the row names none, or
        (None, key, message) when the reference cannot be resolved. Without its id key the first key the row gives
        wins; with it, every key given must name that record, so that an edited name beside an exported id is an
        error rather than silently ignored."""
        id_key = ref.id_key
        by_id = (id_key, values[id_key]) if id_key is not None and values.get(id_key) is not None else None
        named_by = None
        for row_key, column, fold_case in ref.keys:
            value = values.get(row_key)
            if value is None:
                continue
            named_by = named_by or row_key
            ids = self._maps[(ref.model, column)].get(value.lower() if fold_case else value, ())
            if not ids:
                return None, row_key, self.unknown(ref, row_key)
            if by_id is not None:
                if by_id[1] not in ids:
                    return None, row_key, (f"{row_key} names another {ref.label} than {by_id[0]}; "
                                           "empty one of them")
            elif len(ids) == 1:
                return ids[0], named_by, None
            else:
                return None, row_key, f"{len(ids)} {ref.label}s have this {column}; use another key to say which"
        return (by_id[1] if by_id is not None else None), named_by, None

    @staticmethod
    def unknown(ref: Reference, row_key: str | None) -> str:
        """What a row naming no record of the tenant by this key is told."""
        column = next((column for key, column, _ in ref.keys if key == row_key), "id")
        return f"No {ref.label} with this {column} in your tenant"




def _field_of(loc: tuple) -> str | None:
    return str(loc[0]) if loc else None


class Decider:
    """Turns validated rows into creates and updates, counting everything and recording every error.
    It runs once per row of a 100,000-row import: the options are read into plain attributes up front.

    `encode` turns a new row's stored values (defaults included) into what the writer takes, as soon as the row is
    decided: a tuple of plain values, which the garbage collector stops tracking, instead of a dict of lists that
    would wait in the read-ahead queue and be traversed by every collection until it is written."""

    def __init__(self, *, spec: ResourceSpec, options: Options, register: Register, references: References,
                 errors: RowErrors, now: datetime, caller: Principal, context: Any = None,
                 encode: Callable[[dict[str, Any]], Any] | None = None):
        self.spec = spec
        self._encode = encode
        self.caller = caller
        self.context = context
        self._check = spec.check
        self.options = options
        self.register = register
        self.references = references
        self.errors = errors
        self.now = now
        self.rows = 0
        self.created = self.updated = self.skipped = 0
        self.seen: dict[str, dict[str, int]] = {k.field: {} for k in spec.keys}
        self._targets: dict[Any, int] = {}  # the first row for each existing record rows reach
        self._validate = spec.adapter.validate_python
        self._not_stored = [c.name for c in spec.columns if c.name not in spec.fields]
        self._required = spec.required
        self._keys = [(k.field, k.key, k.fold, self.seen[k.field], register.keys[k.field]) for k in spec.keys]
        self._references = [(ref, frozenset(ref.row_keys)) for ref in spec.references]
        self._match = str(options.match)
        # The restricted people whom the caller's reads and exports show nobody for (all but an admin's, as the API)
        self._withheld = references.restricted if caller.role != Role.admin else frozenset()
        self._skip = options.on_conflict == OnConflict.skip
        self._refuse = options.on_conflict == OnConflict.error
        self._abort = options.on_error == OnError.abort
        self._dry_run = options.dry_run
        self._owner = spec.owner
        # {record id: {"before": owner id or None, "after": …}} for the records whose owner the import changes
        self.moved: dict[uuid.UUID, dict[str, uuid.UUID | None]] = {}

    @property
    def writing(self) -> bool:
        """False once nothing will be written: a dry run, or a failure that aborts the import."""
        return not self._dry_run and not (self._abort and self.errors.failed_rows)

    async def batch(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> Batch:
        batch = Batch()
        for row, raw in rows:
            try:
                values = self._validate(raw)
            except ValidationError as exc:
                for err in exc.errors(include_url=False, include_input=False, include_context=False):
                    self.errors.add(row, _field_of(err["loc"]), err["msg"])
                continue
            self._decide(row, values, batch)
        return batch

    def no_new_link(self, ref: Reference, key: str | None, target: uuid.UUID, why: str) -> str:
        """What a row linking a record nothing new may link to is told: why, but to all but an admin a restricted
        person is unknown, as in the API (stakeholders.unseen)."""
        return self.references.unknown(ref, key) if target in self._withheld else why

    def _decide(self, row: int, values: dict[str, Any], batch: Batch) -> None:
        label, match, problems = self.spec.label, self._match, []
        target = None
        owners = []  # (field, the existing record holding this key) for keys other than the match key
        for field_, key, fold, seen, existing in self._keys:
            value = values.get(field_)
            if key is not None and field_ in values:  # folded once, compared and written as the key
                value = values[key] = None if value is None else fold(value)
            if value is None:
                continue
            first = seen.setdefault(value, row)
            if first != row:
                problems.append((field_, f"Row {first} has the same {field_}; each may appear once"))
            if field_ == "id":  # the first key: the row is for this record, and its match key is checked as the others
                match = "id"
                if (target := existing.get(value)) is None:
                    problems.append(("id", f"No {label} with this id in your tenant"))
            elif field_ == match:
                target = existing.get(value)
            elif (owner := existing.get(value)) is not None:
                owners.append((field_, owner))
        if target is not None:
            if target.restricted and self.caller.role != Role.admin:  # as PATCH, which is a 404 to them, even
                problems.append((match, f"No {label} with this id in your tenant" if match == "id"  # when skipping
                                        else f"This {match} is used by another {label} in your tenant"))
            elif self._skip and not problems:
                self.skipped += 1
                return
            elif target.erased and (frozen := self.spec.frozen_when_erased(values)):
                # as PATCH: an old export imported again must not bring the person back
                problems.append((match if frozen is True else frozen, self.spec.erased_message))
            elif self._refuse:
                archived = " (archived)" if target.archived else ""
                problems.append((match, f"{self.spec.a_label.capitalize()}{archived} with this {match} exists "
                                        "already; use on_conflict=update or on_conflict=skip"))
        target_id = target.id if target is not None else None
        if target_id is not None and (first := self._targets.setdefault(target_id, row)) != row and not problems:
            # Two rows reaching one record by different keys (its id, and the external id it has before the first
            # row changes it) would both update it, the second over the first's check: as a repeated key, refused.
            problems.append((match, f"Row {first} is for the same {label}; each {label} may appear once"))
        for field_, owner in owners:
            if owner.id != target_id:  # a restricted person is in no list: the key is taken, no more is said
                where = "an archived" if owner.archived and not owner.restricted else "another"
                problems.append((field_, f"This {field_} is used by {where} {label} in your tenant"))
        if target_id is None and match != "id":  # a row naming a record that is not there never creates
            for name in self._required:
                if name not in values:
                    problems.append((name, "Field required"))
        stored = values  # the validated row is ours: it becomes the stored values in place
        current = None if target_id is None else self.register.current.get(target_id)
        for ref, ref_keys in self._references:
            if not ref_keys.isdisjoint(values):
                stored[ref.target], key, message = self.references.resolve(ref, values)
                if stored[ref.target] is None and not message and current is not None \
                        and current.get(ref.target) in self._withheld:
                    # As PATCH's null: a restricted person's feedback names nobody to this caller (reads and exports
                    # alike), so the empty reference they send back keeps the link they cannot see.
                    del stored[ref.target]
                    continue
                if message:
                    problems.append((key, message))
                elif (why := self.references.barred.get(stored[ref.target])) and (
                        current is None or current.get(ref.target) != stored[ref.target]):  # a link it has stays
                    problems.append((key, self.no_new_link(ref, key, stored[ref.target], why)))
                elif target is not None and target.erased and ref.model is Stakeholder \
                        and stored[ref.target] != current[ref.target]:  # unlinked, the erased text could be rewritten
                    problems.append((key or ref.row_keys[0], self.spec.erased_message))
        for name in self._not_stored:
            stored.pop(name, None)
        if self._check is not None and not problems:
            problems += self._check(stored, current, self.context, self.caller, self.now)
        if problems:
            for name, message in problems:
                self.errors.add(row, name, message)
            return
        if target_id is None:
            self.created += 1
            if self.writing:
                created = {**self.spec.defaults, **stored}
                if self.spec.on_create:
                    self.spec.on_create(created, self.now)
                batch.creates.append(created if self._encode is None else self._encode(created))
        else:
            self.updated += 1
            if self.writing and stored:  # a row giving no field to change (only its id, say) leaves the record as is
                batch.updates.append((target_id, frozenset(stored), stored, target.version))
                owner = self._owner
                if owner in stored and current is not None and stored[owner] != current[owner]:
                    self.moved[target_id] = {"before": current[owner], "after": stored[owner]}
