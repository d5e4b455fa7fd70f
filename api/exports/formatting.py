"""How a stored value becomes a CSV cell or an NDJSON value: the same on every database.

A CSV cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage
return, after any number of apostrophes) gets one apostrophe in front; the importer takes exactly that
apostrophe off again, so an export imports back unchanged. Enum values never look like formulas."""

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from api.imports.specs import FORMULA_STARTS, LIST_SEPARATOR, Column

_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_FIRST = frozenset(FORMULA_STARTS) | {"'"}
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"
# The same rules in PostgreSQL, which writes the CSV of an export itself.
PG_FORMULA = r"^('*[-=+@\t\r])"
PG_PREFIXED = r"'\1"
PG_FIRST = ",".join(str(ord(c)) for c in sorted(_FIRST))  # ascii() of a cell that may need the prefix
PG_TIMESTAMP_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'


def neutralise(cell: str) -> str:
    if cell[:1] in _FIRST and _FORMULA.match(cell):
        return "'" + cell
    return cell


def timestamp(value: datetime | str) -> str:
    if isinstance(value, str):  # formatted already (sqlite_decoder)
        return value
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def _dashed(value: str) -> str:
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}" if len(value) == 32 else value


def _sqlite_timestamp(value: str) -> str:
    # SQLAlchemy keeps a UTCDateTime on SQLite as naive UTC text with microseconds.
    if len(value) == 26 and value[10] == " ":
        return f"{value[:10]}T{value[11:]}+00:00"
    return timestamp(datetime.fromisoformat(value).replace(tzinfo=UTC))


def sqlite_decoder(column: Column) -> Callable[[Any], Any] | None:
    """How a raw SQLite value of the column becomes what csv_formatter() and json_value() take: the export reads
    SQLite rows without SQLAlchemy's per-value type processing, which cost more than everything else."""
    return {"list": orjson.loads, "bool": bool, "uuid": _dashed, "datetime": _sqlite_timestamp}.get(column.kind)


def csv_formatter(column: Column, decode: Callable[[Any], Any] | None = None) -> Callable[[Any], str]:
    """The function writing the column's CSV cells (None is an empty cell), decided once per export."""
    kind, enum = column.kind, column.enum
    if kind == "list":
        format_ = (lambda v: LIST_SEPARATOR.join(v)) if enum else (lambda v: neutralise(LIST_SEPARATOR.join(v)))
    elif kind == "bool":
        format_ = lambda v: "true" if v else "false"  # noqa: E731
    elif kind == "int":
        format_ = str
    elif kind == "datetime":
        format_ = timestamp
    elif kind == "uuid":
        format_ = str
    else:
        format_ = str if enum else neutralise
    if decode is None:
        return lambda v: "" if v is None else format_(v)
    return lambda v: "" if v is None else format_(decode(v))


def json_value(kind: str, value: Any) -> Any:
    if value is None:
        return [] if kind == "list" else None
    if kind == "datetime":
        return timestamp(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def pg_csv_cell(column: Column, sql: str) -> str:
    """SQL turning the stored value `sql` into the cell csv_formatter() writes; NULL is an empty cell.
    Measured on 100,000 rows: the set-returning list functions cost ~9 µs a list a row, so lists are cut
    from their JSON text, and the exact way is kept for an item with an escaped character in it."""
    if column.kind == "bool":
        return f"CASE WHEN {sql} THEN 'true' ELSE 'false' END"
    if column.kind == "datetime":
        return f"to_char({sql} AT TIME ZONE 'UTC', '{PG_TIMESTAMP_FORMAT}')"
    if column.kind in ("uuid", "int"):
        return f"{sql}::text"
    if column.kind == "list" and column.enum:  # ["a", "b"] -> a;b
        return f"NULLIF(replace(translate({sql}::text, '[]\"', ''), ', ', '{LIST_SEPARATOR}'), '')"
    if column.kind == "list":
        text = f"{sql}::text"
        exact = (f"(SELECT string_agg(e, '{LIST_SEPARATOR}' ORDER BY n) "  # noqa: S608 - a column name, no value
                 f"FROM jsonb_array_elements_text({sql}) WITH ORDINALITY AS x(e, n))")
        # Items hold no comma (the Tag type refuses one), so '", "' only ever separates two items.
        sql = (f"CASE WHEN jsonb_array_length({sql}) = 0 THEN NULL WHEN strpos({text}, E'\\\\') = 0 "
               f"THEN replace(substr({text}, 3, length({text}) - 4), '\", \"', '{LIST_SEPARATOR}') ELSE {exact} END")
    elif column.enum:
        return sql
    return (f"CASE WHEN ascii({sql}) IN ({PG_FIRST}) THEN regexp_replace({sql}, {_literal(PG_FORMULA)}, "
            f"{_literal(PG_PREFIXED)}) ELSE NULLIF({sql}, '') END")
