"""Cursor (keyset) pagination and ?sort= shared by every list.

The cursor is opaque to clients: base64url JSON of the sort spec and the last row's sort values.
Paging by key, not offset, keeps page 2,000 as fast as page 1 and stable under inserts."""

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import BadRequest
from api.schemas import ResponseModel

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")


class Page(ResponseModel, Generic[T]):
    items: list[T] = Field(description="This page's items")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page")
    total: int | None = Field(default=None, description="All matching items; only with ?include_total=true")


class PageParams(BaseModel):
    """Paging query parameters of every list, validated as one model (FastAPI re-examines each separately declared
    query parameter on every request); the spec lists them as the same query parameters."""

    model_config = ConfigDict(frozen=True)

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (at most 500)")
    cursor: str | None = Field(None, max_length=2000, description="The next_cursor of the previous page")
    include_total: bool = Field(False, description="Also count every matching item")
    sort: str | None = Field(None, max_length=200, pattern=r"^-?[a-z_]+(,-?[a-z_]+)*$",
                             description="Comma-separated fields; a leading - sorts descending")


async def page_params(params: Annotated[PageParams, Query()]) -> PageParams:
    return params


@dataclass
class PageResult:
    items: list[Any]
    next_cursor: str | None
    total: int | None


def _parse_sort(spec: str | None, sortable: dict[str, ColumnElement], default: str) -> list[tuple[str, bool]]:
    fields = []
    for part in (spec or default).split(","):
        name, desc = (part[1:], True) if part.startswith("-") else (part, False)
        if name not in sortable:
            raise BadRequest(f"Cannot sort by '{name}'; sortable fields: {', '.join(sorted(sortable))}")
        if name != "id" and all(n != name for n, _ in fields):
            fields.append((name, desc))
    return fields


def _encode(value: Any) -> Any:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _decode(column: ColumnElement, value: Any) -> Any:
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return value
    if kind is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind is uuid.UUID and isinstance(value, str):
        return uuid.UUID(value)
    return value


def _after(columns: list[tuple[ColumnElement, bool]], values: list[Any]) -> ColumnElement:
    """Rows strictly after `values` in the ordering: (a > x) or (a = x and b > y) or …"""
    directions = {desc for _, desc in columns}
    if len(directions) == 1:
        # The same thing as one row comparison, (a, b) > (x, y): an index bound where the OR is only a filter,
        # so page N starts where page N-1 ended instead of filtering its way past every earlier row.
        keys = tuple_(*[c for c, _ in columns])
        bounds = tuple_(*[literal(v, c.type) for (c, _), v in zip(columns, values, strict=True)])
        return keys < bounds if directions == {True} else keys > bounds
    clauses = []
    for i, (column, desc) in enumerate(columns):
        earlier = [c == v for (c, _), v in zip(columns[:i], values[:i], strict=True)]
        step = column < values[i] if desc else column > values[i]
        clauses.append(and_(*earlier, step))
    return or_(*clauses)


def _keys_first(stmt: Select, columns: list[tuple[ColumnElement, bool]],
                core_columns: Sequence[ColumnElement]) -> Select:
    """`stmt` as the page's sort keys (ORDER BY and LIMIT applied), joined by id to the rows' `core_columns`."""
    keys = stmt.with_only_columns(*[c for c, _ in columns]).subquery("page")
    row_id = columns[-1][0]  # the id, the final tie-breaker
    return (select(*core_columns).join_from(row_id.table, keys, keys.c[row_id.key] == row_id)
            .order_by(*[keys.c[c.key].desc() if d else keys.c[c.key].asc() for c, d in columns]))


async def paginate(session: AsyncSession, stmt: Select, *, params: PageParams,
                   sortable: dict[str, ColumnElement], default_sort: str = "id",
                   core_columns: Sequence[ColumnElement] | None = None, keys_first: bool = False) -> PageResult:
    """Run `stmt` (filters applied, no ORDER BY) one page at a time. `sortable` maps sort names to
    non-null columns and must include "id", the final tie-breaker. With `core_columns` the items are mappings of
    those columns instead of ORM objects (for hot read paths: loading ORM objects costs more than the query).
    With `keys_first` too, the page is chosen by sort keys alone and only its rows are read: when an index holds
    the sort keys and the filtered columns, PostgreSQL can pass over the rows a filter rejects in the index
    alone (an Index Only Scan) instead of reading each one from the table."""
    fields = _parse_sort(params.sort, sortable, default_sort)
    spec = ",".join(("-" if d else "") + n for n, d in fields)
    # The id breaks ties in the direction of the last sort field, so one B-tree on (tenant_id, field, id) serves
    # the whole ORDER BY forwards or backwards (mixed directions made PostgreSQL sort every matching row).
    columns = [(sortable[n], d) for n, d in fields] + [(sortable["id"], fields[-1][1] if fields else False)]
    total = None
    if params.include_total:
        total = (await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one()
    if params.cursor:
        try:
            doc = json.loads(base64.urlsafe_b64decode(params.cursor.encode() + b"=" * (-len(params.cursor) % 4)))
            if doc["s"] != spec or len(doc["v"]) != len(columns):
                raise ValueError
            values = [_decode(c, v) for (c, _), v in zip(columns, doc["v"], strict=True)]
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            raise BadRequest("The cursor is invalid or belongs to another sort order")
        stmt = stmt.where(_after(columns, values))
    stmt = stmt.order_by(*[c.desc() if d else c.asc() for c, d in columns]).limit(params.limit + 1)
    if core_columns is None:
        rows: list = list((await session.execute(stmt)).scalars().all())
    else:  # plain rows (mappings) straight from the connection: no ORM objects, no identity map
        stmt = _keys_first(stmt, columns, core_columns) if keys_first else stmt.with_only_columns(*core_columns)
        rows = list((await (await session.connection()).execute(stmt)).mappings())
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        values = [_encode(getattr(last, c.key) if core_columns is None else last[c.key]) for c, _ in columns]
        raw = json.dumps({"s": spec, "v": values}, separators=(",", ":")).encode()
        next_cursor = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return PageResult(rows, next_cursor, total)
