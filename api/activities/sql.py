"""Portable SQL pieces the engagement features share (SQLite and PostgreSQL alike)."""

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.crud import dialect


def json_elements(session: AsyncSession, column: Any):
    """The elements of a JSON array column as a table with one text column, `value`, to join
    (json_each on SQLite; jsonb_array_elements_text, implicitly lateral, on PostgreSQL)."""
    if dialect(session) == "postgresql":
        return func.jsonb_array_elements_text(column).table_valued("value").alias("elements")
    return func.json_each(column).table_valued("value").alias("elements")


def days_between(session: AsyncSession, start: Any, end: Any) -> ColumnElement[float]:
    """end − start in days, fractional."""
    if dialect(session) == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


async def median(session: AsyncSession, values: Select) -> float | None:
    """The median of a one-column SELECT, computed by the database: count the values, then average the
    middle one or two of them in order (LIMIT/OFFSET works on both databases; SQLite has no
    percentile_cont)."""
    sub = values.subquery()
    column = sub.c[0]
    n = (await session.execute(select(func.count()).select_from(sub).where(column.is_not(None)))).scalar_one()
    if not n:
        return None
    middle = (select(column).where(column.is_not(None)).order_by(column)
              .limit(2 - n % 2).offset((n - 1) // 2).subquery())
    value = (await session.execute(select(func.avg(middle.c[0])))).scalar_one()
    return float(value) if value is not None else None
