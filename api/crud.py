"""Small pieces every feature's service uses: tenant-scoped fetch, change tracking, JSON-array
and text filters that work the same on SQLite and PostgreSQL."""

import uuid
from typing import Any, TypeVar

from sqlalchemy import Boolean, ColumnElement, bindparam, exists, false, func, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from api import audit
from api.concurrency import check_if_match
from api.db import UNICODE_LOWER, utcnow
from api.errors import Conflict, NotFound

M = TypeVar("M")


async def get_owned(session: AsyncSession, model: type[M], *, tenant_id: uuid.UUID, id: uuid.UUID,
                    label: str) -> M:
    """The row with this id in this tenant; anything else (another tenant's row included) is 404."""
    row = (await session.execute(
        select(model).where(model.id == id, model.tenant_id == tenant_id)  # type: ignore[attr-defined]
    )).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No {label} with id {id}")
    return row


def snapshot(row: Any, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def apply(row: Any, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set the given attributes; return (before, after) of those that really changed."""
    before, after = {}, {}
    for name, value in changes.items():
        old = getattr(row, name)
        if old != value:
            before[name], after[name] = old, value
            setattr(row, name, value)
    return before, after


async def ensure_external_id_free(session: AsyncSession, model: type, *, tenant_id: uuid.UUID,
                                  external_id: str | None, exclude_id: uuid.UUID | None = None) -> None:
    if external_id is None:
        return
    stmt = select(model.archived_at, out_of_lists(model)).where(model.tenant_id == tenant_id,
                                                                model.external_id == external_id)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    clash = (await session.execute(stmt.limit(1))).first()
    if clash is not None:
        # Lists (and ?external_id=) leave archived records out, so say where to find the one holding it.
        where = ("an archived record (list with archived=true to find it)" if clash[0] is not None and not clash[1]
                 else "another record")
        raise Conflict(f"external_id '{external_id}' is already used by {where} in this tenant")


def out_of_lists(model: type) -> ColumnElement[bool]:
    """True for a record no list shows, archived or not: a person whose processing is restricted (UK GDPR Art. 18),
    of whom a clash on a unique key says no more than that the key is taken (to a lead the person is a 404)."""
    restricted_at = getattr(model, "restricted_at", None)
    return restricted_at.is_not(None) if restricted_at is not None else false()


def archived_target(label: str) -> str:
    """Why a new link to an archived `label` is refused; the API (409) and imports (a row error) say it alike."""
    return f"The {label} is archived; restore it before linking anything new to it"


async def ensure_not_archived(session: AsyncSession, model: type, *, tenant_id: uuid.UUID, ids: Any, label: str,
                              kept: Any = ()) -> None:
    """An archived record is out of use, as an archived organisation is for its members and an
    archived plan for assessments: nothing new is linked to it (409), while a link already held (`kept`) stays."""
    new = {i for i in (ids if isinstance(ids, list | tuple | set) else [ids]) if i is not None} - set(kept or ())
    if new and (await session.execute(select(model.id).where(
            model.tenant_id == tenant_id, model.id.in_(new), model.archived_at.is_not(None)).limit(1))).first():
        raise Conflict(archived_target(label))


async def archive_or_restore(session: AsyncSession, caller: Any, row: Any, *, archived: bool,
                             if_match: str | None, resource_type: str) -> Any:
    """Soft-delete (archive) or restore a row with `archived_at`, audited; 412 on a stale If-Match.
    Repeating a DELETE or a restore changes nothing. A plan on legal hold, and every row of its record
    (a row with its `plan_id`), cannot be archived: 409."""
    check_if_match(if_match, row.version)
    if (row.archived_at is not None) == archived:
        return row
    plan_id = row.id if row.__tablename__ == "plan" else getattr(row, "plan_id", None)
    if archived and plan_id is not None:
        from api.legal_hold import ensure_not_held  # legal_hold → plans.audience → crud: imported when used

        # A row of the plan's record holds the plan while it checks, so a hold put on meanwhile is waited for (the
        # plan itself is about to be updated, which a shared lock taken by two such requests would deadlock).
        await ensure_not_held(session, caller.tenant_id, plan_id, lock=row.__tablename__ != "plan")
    before = row.archived_at
    row.archived_at = utcnow() if archived else None
    row.updated_by = caller.id
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor,
                       action="archive" if archived else "restore", resource_type=resource_type, resource_id=row.id,
                       changes=audit.diff({"archived_at": before}, {"archived_at": row.archived_at}))
    return row


def dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def json_element(dialect_name: str, value: str) -> Any:
    """The bound value json_array_has compares: PostgreSQL's @> takes a one-element JSON array."""
    return [value] if dialect_name == "postgresql" else value


def json_array_has(dialect_name: str, column: Any, element: Any) -> ColumnElement[bool]:
    """The JSON array in `column` holds the bound value `element` (made by json_element; GIN-indexable @> on
    PostgreSQL)."""
    if dialect_name == "postgresql":
        return type_coerce(column, JSONB).contains(type_coerce(element, JSONB))
    elements = func.json_each(column).table_valued("value").alias("je")
    return exists().where(elements.c.value == element)


def json_array_contains(session: AsyncSession, column: Any, value: str) -> ColumnElement[bool]:
    """`value` is an element of the JSON array in `column`."""
    name = dialect(session)
    return json_array_has(name, column, bindparam(None, json_element(name, value)))


def like_pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _TextLike(FunctionElement):
    """`column` LIKE `pattern` (escape character \\) whatever the case of any letter, in any script. Compiled for
    each database (below), as the statements that use it (text_match) are built without knowing which one."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a LIKE already: no "= 1" after it in a WHERE on SQLite


@compiles(_TextLike)
def _text_like_ilike(element: _TextLike, compiler: Any, **kw: Any) -> str:
    # PostgreSQL's ILIKE lowers text and pattern by the database's rules, accented letters included.
    column, pattern = element.clauses.clauses
    return compiler.process(column.ilike(pattern, escape="\\"), **kw)


@compiles(_TextLike, "sqlite")
def _text_like_sqlite(element: _TextLike, compiler: Any, **kw: Any) -> str:
    # SQLite's lower() and LIKE fold ASCII letters only (SQLAlchemy's ilike there is lower(x) LIKE lower(y)), so
    # ?q=écoute missed "Écoute". Both sides are lowered instead by Python's str.lower, which api.db registers on every
    # SQLite connection; LIKE's own ASCII folding then has nothing left to fold.
    column, pattern = element.clauses.clauses
    lower = getattr(func, UNICODE_LOWER)
    return compiler.process(lower(column).like(lower(pattern), escape="\\"), **kw)


def text_match(pattern: Any, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive LIKE of a pattern made by like_pattern (a value or a bindparam) on any of the columns."""
    return or_(*[_TextLike(column, pattern) for column in columns])


def text_search(q: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of the columns."""
    return text_match(like_pattern(q), *columns)
