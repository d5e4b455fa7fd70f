"""Cursor (keyset) pagination and ?sort= shared by every list.

The cursor is opaque to clients: base64url JSON of the sort spec and the last row's sort values.
Paging by key, not offset, keeps page 2,000 as fast as page 1 and stable under inserts."""

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    SmallInteger,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import StaticQuery
from api.errors import BadRequest
from api.query_params import refuse_unknown
from api.schemas import ResponseModel, in_utc, storable_text

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


async def page_params(request: Request, params: Annotated[PageParams, Query()]) -> PageParams:
    """Every list refuses a query parameter it does not take, or one given twice, as the exports do: a misspelt
    filter (?catgory=carer) would list everyone, and ?category=a&category=b would list b alone, both unsaid."""
    refuse_unknown(request, "this list")
    return params


@dataclass
class PageResult:
    items: list[Any]
    next_cursor: str | None
    total: int | None


def _parse_sort(spec: str | None, sortable: dict[str, ColumnElement], default: str) -> list[tuple[str, bool]]:
    fields: list[tuple[str, bool]] = []
    by_id = False
    for part in (spec or default).split(","):
        name, desc = (part[1:], True) if part.startswith("-") else (part, False)
        if name not in sortable:
            raise BadRequest(f"Cannot sort by '{name}'; sortable fields: {', '.join(sorted(sortable))}")
        if by_id or any(n == name for n, _ in fields):
            continue  # the id is unique: nothing after it orders anything
        if name == "id":
            by_id = True
            # After other fields the id is their tie-breaker, in the last one's direction (_order). First, it is the
            # order asked for: descending it must be said (sort=-id was ascending); ascending is the tie-breaker's own.
            if not fields and desc:
                fields.append((name, desc))
            continue
        fields.append((name, desc))
    return fields


def _encode(value: Any) -> Any:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _integer_bits(column: ColumnElement) -> int:
    """How wide the sort key's integers are on PostgreSQL (SQLite's are all 64 bits; ours are declared as narrow as
    PostgreSQL stores them, so a value we wrote always fits); 64 for an expression of no integer type."""
    for kind, bits in ((BigInteger, 64), (SmallInteger, 16), (Integer, 32)):
        if isinstance(column.type, kind):
            return bits
    return 64


def _decode(column: ColumnElement, value: Any) -> Any:
    """A cursor's value as the column's type; ValueError when it cannot be one (a tampered cursor: a 400, where the
    statement would otherwise fail as it runs, a 500)."""
    if value is None:
        return None
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = None
    if kind is datetime:
        moment = datetime.fromisoformat(value)  # a TypeError for a value that is not a string
        if moment.tzinfo is None:  # every cursor we write has its offset
            raise ValueError("naive datetime")
        return in_utc(moment)
    if kind is date:
        return date.fromisoformat(value)
    if kind is uuid.UUID:
        if not isinstance(value, str):  # uuid.UUID(5) is an AttributeError, which would escape as a 500
            raise ValueError("not an id")
        return uuid.UUID(value)
    if kind is bool or isinstance(value, bool):
        if kind is not bool or not isinstance(value, bool):
            raise ValueError("not a yes/no")
        return value
    if kind in (int, float, Decimal) or (kind is None and isinstance(value, int | float)):  # None: an untyped sum
        if not isinstance(value, int | float) or (kind is int and not isinstance(value, int)):
            raise ValueError("not a number")
        # A number the key's type cannot hold failed in the driver as the statement ran (2**31 on an Integer).
        bound = 2 ** (_integer_bits(column) - 1)
        if isinstance(value, int) and kind in (int, None) and not -bound <= value < bound:
            raise ValueError("out of range")
        return value
    if not storable_text(value):
        raise ValueError("not text")
    return value


def _after(columns: list[tuple[ColumnElement, bool]], bounds: list[Any]) -> ColumnElement:
    """Rows strictly after `bounds` (bound values of the columns) in the ordering: (a > x) or (a = x and b > y) or …"""
    directions = {desc for _, desc in columns}
    if len(directions) == 1:
        # The same thing as one row comparison, (a, b) > (x, y): an index bound where the OR is only a filter,
        # so page N starts where page N-1 ended instead of filtering its way past every earlier row.
        keys, after = tuple_(*[c for c, _ in columns]), tuple_(*bounds)
        return keys < after if directions == {True} else keys > after
    clauses = []
    for i, (column, desc) in enumerate(columns):
        earlier = [c == v for (c, _), v in zip(columns[:i], bounds[:i], strict=True)]
        step = column < bounds[i] if desc else column > bounds[i]
        clauses.append(and_(*earlier, step))
    return or_(*clauses)


def _keys_first(stmt: Select, columns: list[tuple[ColumnElement, bool]],
                core_columns: Sequence[ColumnElement]) -> Select:
    """`stmt` as the page's sort keys (ORDER BY and LIMIT applied), joined by id to the rows' `core_columns`."""
    keys = stmt.with_only_columns(*[c for c, _ in columns]).subquery("page")
    row_id = columns[-1][0]  # the id, the final tie-breaker
    return (select(*core_columns).join_from(row_id.table, keys, keys.c[row_id.key] == row_id)
            .order_by(*[keys.c[c.key].desc() if d else keys.c[c.key].asc() for c, d in columns]))


@dataclass(frozen=True)
class Order:
    """A page request's ordering: the sort spec as the cursor records it, the ORDER BY columns, the cursor's values."""

    spec: str
    columns: list[tuple[ColumnElement, bool]]
    after: list[Any] | None


def _order(params: PageParams, sortable: dict[str, ColumnElement], default_sort: str) -> Order:
    fields = _parse_sort(params.sort, sortable, default_sort)
    spec = ",".join(("-" if d else "") + n for n, d in fields)
    # The id breaks ties in the direction of the last sort field, so one B-tree on (tenant_id, field, id) serves
    # the whole ORDER BY forwards or backwards (mixed directions made PostgreSQL sort every matching row).
    columns = [(sortable[n], d) for n, d in fields if n != "id"]
    columns.append((sortable["id"], fields[-1][1] if fields else False))
    if not params.cursor:
        return Order(spec, columns, None)
    try:
        doc = json.loads(base64.urlsafe_b64decode(params.cursor.encode() + b"=" * (-len(params.cursor) % 4)))
        if doc["s"] != spec or len(doc["v"]) != len(columns):
            raise ValueError
        return Order(spec, columns, [_decode(c, v) for (c, _), v in zip(columns, doc["v"], strict=True)])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError,
            RecursionError):  # 1,300 nested [ fit in a cursor's 2,000 characters, and the JSON decoder recurses
        raise BadRequest("The cursor is invalid or belongs to another sort order")


def _ordered(stmt: Select, order: Order, limit: Any, after: list[Any] | None) -> Select:
    if after is not None:
        stmt = stmt.where(_after(order.columns, after))
    return stmt.order_by(*[c.desc() if d else c.asc() for c, d in order.columns]).limit(limit)


def _result(rows: list, order: Order, limit: int, total: int | None, *, mappings: bool) -> PageResult:
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        values = [_encode(last[c.key] if mappings else getattr(last, c.key)) for c, _ in order.columns]
        raw = json.dumps({"s": order.spec, "v": values}, separators=(",", ":")).encode()
        next_cursor = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return PageResult(rows, next_cursor, total)


async def paginate(session: AsyncSession, stmt: Select, *, params: PageParams,
                   sortable: dict[str, ColumnElement], default_sort: str = "id") -> PageResult:
    """Run `stmt` (filters applied, no ORDER BY) one page at a time, as ORM objects. `sortable` maps sort names to
    non-null columns and must include "id", the final tie-breaker. (Hot lists use ListQueries instead.)"""
    order = _order(params, sortable, default_sort)
    total = None
    if params.include_total:
        total = (await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one()
    after = order.after and [literal(v, c.type) for (c, _), v in zip(order.columns, order.after, strict=True)]
    rows = list((await session.execute(_ordered(stmt, order, params.limit + 1, after))).scalars().all())
    return _result(rows, order, params.limit, total, mappings=False)


class ListQueries:
    """A hot list's statements, built and compiled once for each shape of its filters and run as StaticQuery runs
    its own: building a filtered statement with SQLAlchemy cost ≈ 0.8 ms a request and running it through the
    session ≈ 1.5 ms, several times what PostgreSQL spends on it.

    `build(shape)` returns the list's filtered statement (no ORDER BY) for a hashable `shape` — which filters are
    given, and anything else that changes the SQL — with each filter's value a named `bindparam` without a value:
    the values come with each request, so no statement can keep one request's values for another. Items are mappings
    of `core_columns`. `keys_first` chooses the page by its sort keys alone and reads only its rows: when an index
    holds the sort keys and the filtered columns, PostgreSQL passes over the rows a filter rejects in the index alone
    (an Index Only Scan) instead of reading each one from the table."""

    MAX_SHAPES = 256  # a client inventing filter combinations costs compilations, never unbounded memory

    def __init__(self, build: Callable[[Any], Select], *, sortable: dict[str, ColumnElement],
                 default_sort: str, core_columns: Sequence[ColumnElement]):
        self.build, self.sortable, self.default_sort = build, sortable, default_sort
        self.core_columns = list(core_columns)
        self._queries: dict[Hashable, StaticQuery] = {}

    def _query(self, key: Hashable, make: Callable[[], Select]) -> StaticQuery:
        query = self._queries.get(key)
        if query is None:
            if len(self._queries) >= self.MAX_SHAPES:
                self._queries.pop(next(iter(self._queries)))
            query = self._queries[key] = StaticQuery(make())
        return query

    def plan(self, *, shape: Hashable, values: dict[str, Any], params: PageParams,
             keys_first: bool = False) -> tuple[StaticQuery, dict[str, Any], Order]:
        """The page's query, its bound values and its ordering (BadRequest for a bad sort or cursor)."""
        order = _order(params, self.sortable, self.default_sort)

        def make() -> Select:
            after = None if order.after is None else [
                bindparam(f"after_{i}", type_=c.type) for i, (c, _) in enumerate(order.columns)]
            stmt = _ordered(self.build(shape), order, bindparam("page_limit", type_=Integer()), after)
            if keys_first:
                return _keys_first(stmt, order.columns, self.core_columns)
            return stmt.with_only_columns(*self.core_columns)

        query = self._query((shape, order.spec, order.after is not None, keys_first), make)
        binds = dict(values, page_limit=params.limit + 1)
        binds.update({f"after_{i}": v for i, v in enumerate(order.after or ())})
        return query, binds, order

    async def page(self, session: AsyncSession, *, shape: Hashable, values: dict[str, Any], params: PageParams,
                   keys_first: bool = False) -> PageResult:
        query, binds, order = self.plan(shape=shape, values=values, params=params, keys_first=keys_first)
        total = None
        if params.include_total:
            counted = self._query((shape, "count"), lambda: select(func.count().label("total")).select_from(
                self.build(shape).order_by(None).subquery()))
            total = (await counted.one(session, **values))["total"]
        return page_result(await query.all(session, **binds), order, params.limit, total)


def page_result(rows: list, order: Order, limit: int, total: int | None = None) -> PageResult:
    """A page of `limit` rows (mappings) from the `limit + 1` fetched, with the cursor of the next one."""
    return _result(rows, order, limit, total, mappings=True)
