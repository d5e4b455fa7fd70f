"""Reading an import body as it arrives: counted against the size limit, hashed, and cut into rows.

CSV and NDJSON are parsed incrementally, a block of whole lines at a time (a CSV record that a block ends
inside of is read again with the next), so a 100,000-row body is never held whole; a JSON array is parsed
whole (it is still bounded by the size limit).

A block's rows are handed on as a lazy iterator, one row at a time: a row's dicts and lists are then gone
before the next row is read, instead of a block's worth of them living through the cyclic garbage collector's
young generations into the old one (whose full collections, over the whole application's objects, cost more
than the parsing itself)."""

import codecs
import csv
import hashlib
import io
import itertools
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request

from api.errors import AppError, BadRequest, PayloadTooLarge
from api.imports.specs import LIST_SEPARATOR, ResourceSpec

BATCH_ROWS = 1000
BOM = b"\xef\xbb\xbf"
Rows = Iterator[tuple[int, dict[str, Any]]]  # (row number, the row's values), read as they are asked for
# A cell an export neutralised against formula injection: one ' put before [']* and a formula character.
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


class ImportRefused(AppError):
    """The body cannot be read as rows at all (bad encoding, header or JSON): nothing is imported."""

    status, slug, title = 422, "import-refused", "The import was refused; nothing was written"


ROW_ERRORS = 20  # errors reported for one row at most: no row's errors at any length
ERRORS = 1000  # errors reported in all: `failed` counts every failed row, a file of bad rows makes no huge answer


class RowErrors:
    """The per-row errors found so far, and how many rows have at least one."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.failed_rows = 0
        self._last_failed = -1
        self._in_row = 0  # errors of the last failed row so far

    def add(self, row: int, field: str | None, message: str) -> None:
        if row != self._last_failed:
            self.failed_rows += 1
            self._last_failed, self._in_row = row, 0
        self._in_row += 1
        if len(self.errors) >= ERRORS:
            if len(self.errors) == ERRORS:
                more = f"More rows failed: the first {ERRORS} errors are listed, `failed` counts them all"
                self.errors.append({"row": row, "field": None, "message": more})
            return
        if self._in_row <= ROW_ERRORS:
            self.errors.append({"row": row, "field": field, "message": message})
        elif self._in_row == ROW_ERRORS + 1:
            self.errors.append({"row": row, "field": None, "message": "More errors in this row are left out"})


def problem_error(row: int, field: str | None, message: str) -> dict[str, Any]:
    """A row's error as a problem+json `errors` item: pydantic's loc/msg/type, and the report's row/field/message."""
    return {"loc": ["body", row] + ([field] if field else []), "msg": message, "type": "import", "row": row,
            "field": field, "message": message}


def refuse(row: int, field: str | None, message: str) -> ImportRefused:
    return ImportRefused(message, errors=[problem_error(row, field, message)])


class Body:
    """The request body, chunk by chunk: at most `limit` bytes, hashed on the way through."""

    def __init__(self, request: Request, *, limit: int, request_hash_prefix: bytes):
        self.request = request
        self.limit = limit
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.request_hash_prefix = request_hash_prefix
        self.consumed = False

    def check_declared_length(self) -> None:
        declared = self.request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise PayloadTooLarge(f"The body may be at most {self.limit} bytes")

    async def chunks(self) -> AsyncIterator[bytes]:
        self.check_declared_length()
        try:
            async for chunk in self.request.stream():
                if not chunk:
                    continue
                self.size += len(chunk)
                if self.size > self.limit:
                    raise PayloadTooLarge(f"The body may be at most {self.limit} bytes")
                self.sha256.update(chunk)
                yield chunk
        except ClientDisconnect:
            raise BadRequest("The request body was cut off")  # the client is gone; nothing is written
        self.consumed = True

    def request_hash(self) -> str:
        """What Idempotency-Key compares: the method, path, query and media type, and the body's digest."""
        return hashlib.sha256(self.request_hash_prefix + self.sha256.hexdigest().encode()).hexdigest()

    async def drain(self) -> None:
        """Read (and hash) the rest without parsing it."""
        async for _ in self.chunks():
            pass


# --- CSV -----------------------------------------------------------------------------------------------

def _records_ended(text: str) -> int:
    """How many records end in `text`, as the csv module reads them: a quote inside an unquoted cell (5") is text,
    and a line break inside a quoted cell ends nothing. Only an error's row number needs it."""
    reader = csv.reader(io.StringIO(text, newline=""))
    read = 0
    try:
        for _ in reader:
            read += 1
    except csv.Error:
        return read  # a quoted cell left open: the records before it ended
    return read if text.endswith(("\n", "\r")) else max(read - 1, 0)


def _lines_end(text: str) -> int:
    """Where the last whole line of `text` ends (0 when none): after its last \n, or after a lone \r (a Mac CSV's
    line break; never the last character, which a \n may follow in the next chunk)."""
    return max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1)) + 1


def _shown(name: str) -> str:
    """A header name as an error echoes it: cut short (a CSV cell may be 128 KB)."""
    return name if len(name) <= 64 else name[:64] + "…"


def _header_refused(problems: list[tuple[str, str]]) -> ImportRefused:
    """The header's first ROW_ERRORS problems, and one more saying how many are left out: a header of 100,000 bad
    names is refused in a few KB."""
    if len(problems) > ROW_ERRORS:
        problems = [*problems[:ROW_ERRORS],
                    ("", f"{len(problems) - ROW_ERRORS} more columns are unknown or appear twice")]
    error = refuse(0, problems[0][0], problems[0][1])
    error.errors = [problem_error(0, f or None, m) for f, m in problems]
    return error


class CsvRows:
    def __init__(self, spec: ResourceSpec, errors: RowErrors):
        self.spec = spec
        self.errors = errors
        self.names: list[str] | None = None  # the header
        self.lists: list[str] = []
        self.bools: list[str] = []
        self.empty: dict[str, Any] = {}
        self.row = 0  # the last record's number: the header is 0, and a blank line keeps its number
        self.rows = 0  # the data rows read, blank lines left out
        self.rest = ""  # the text of a record a block ended inside of, read again with the next block

    def _header(self, record: list[str]) -> None:
        names = [name.strip().lower() for name in record]
        known = {c.name: c for c in self.spec.columns}
        if not any(names):
            raise refuse(0, None, "The CSV has no header row")
        problems, seen = [], set()
        # The columns a header may hold are said once, in the first unknown column's error, not in every one.
        listed = f"Unknown column; the columns are {', '.join(self.spec.column_names)}"
        for i, name in enumerate(names):
            if name not in known:
                problems.append((_shown(name) or f"column {i + 1}", listed))
                listed = "Unknown column"
            elif name in seen:
                problems.append((name, "This column appears twice"))
            seen.add(name)
        if problems:
            raise _header_refused(problems)
        self.names = names
        self.lists = [n for n in names if known[n].kind == "list"]
        self.bools = [n for n in names if known[n].kind == "bool"]
        # What an empty cell becomes: null for an optional field, [] for a list; the others are left out.
        self.empty = {n: [] if known[n].kind == "list" else None for n in names
                      if known[n].kind == "list" or known[n].nullable}

    def _record(self, record: list[str], check_nul: bool) -> dict[str, Any] | None:
        names = self.names
        if len(record) != len(names):
            self.errors.add(self.row, None, f"The row has {len(record)} cells; the header has {len(names)}")
            return None
        given = {n: c for n, c in zip(names, record, strict=True) if c and not c.isspace()}
        if "'" in "".join(record):
            for name, cell in given.items():
                if cell[0] == "'" and _NEUTRALISED.match(cell):
                    given[name] = cell[1:]
        if check_nul:
            bad = [name for name, cell in given.items() if "\x00" in cell]
            for name in bad:
                self.errors.add(self.row, name, "NUL characters are not allowed")
            if bad:
                return None
        for name in self.bools:
            if name in given:
                given[name] = given[name].strip()  # " true " is true, as header names ignore their spaces
        values = {**self.empty, **given}
        for name in self.lists:
            if name in given:
                values[name] = [item for part in given[name].split(LIST_SEPARATOR) if (item := part.strip())]
        return values

    def _parse(self, text: str, *, final: bool = True) -> Rows:
        check_nul = "\x00" in text
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        read = 0  # the lines of `text` the records so far were read from
        try:
            # strict: a quoted cell left open at the end of the body (or followed by more than a comma) is refused,
            # where the lenient reader would take the rest of the body as that one cell and lose its rows.
            for record in reader:
                read = reader.line_num
                if self.names is None:
                    self._header(record)
                    continue
                self.row += 1
                if not record or record == [""]:
                    continue  # a blank line is not a row (but keeps its number)
                self.rows += 1
                values = self._record(record, check_nul)
                if values is not None:
                    yield self.row, values
        except csv.Error as exc:
            if not final and str(exc) == "unexpected end of data":
                # The block ends inside a quoted cell (only the reader can tell: a quote inside an unquoted cell, 5",
                # is text): that record is read again with the next block.
                self.rest = "".join(itertools.islice(io.StringIO(text, newline=""), read, None))
                return
            reason = "a quoted cell is not closed" if str(exc) == "unexpected end of data" else str(exc)
            raise refuse(self.row + 1 if self.names is not None else 0, None, f"The CSV is malformed: {reason}")

    def _row_at(self, text: str) -> int:
        """The number of the record in which `text` (what is read of the body and not yet parsed) ends."""
        ended = _records_ended(text)
        return ended if self.names is None else self.row + ended + 1

    async def batches(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[Rows]:
        """The rows of each block of complete records; each must be read to its end before the next is asked for."""
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        # What is read and not yet parsed, as the pieces it came in (joined only when a block is cut from it) and where
        # its last whole line ends, found in each piece as it comes: a body without line breaks is read in linear
        # time, not searched and copied whole again with every chunk.
        parts: list[str] = []
        size = end = 0
        position = 0
        carried = 0  # the length of the record the last block ended inside of
        async for chunk in chunks:
            try:
                piece = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                before = "".join(parts) + chunk[:exc.start].decode("utf-8", errors="replace")
                raise refuse(self._row_at(before), None, f"The body is not UTF-8 (byte {position + exc.start})")
            position += len(chunk)
            if piece:
                if parts and parts[-1].endswith("\r") and not piece.startswith("\n"):
                    end = size  # the last piece's final \r was a line break of its own
                if found := _lines_end(piece):
                    end = size + found
                parts.append(piece)
                size += len(piece)
            # A record left open is read again once what is pending has doubled, not with every chunk: a record of
            # many quoted cells costs a linear number of readings, not a quadratic one.
            if end and size >= 2 * carried:
                pending = "".join(parts)
                block, pending = pending[:end], pending[end:]
                yield self._parse(block, final=False)
                carried, pending, self.rest = len(self.rest), self.rest + pending, ""
                parts, size, end = [pending], len(pending), _lines_end(pending)
        pending = "".join(parts)
        try:
            pending += decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise refuse(self._row_at(pending), None, "The body ends in the middle of a UTF-8 character")
        rows = list(self._parse(pending))  # at most one record, or a body without a newline: read now for the header
        if self.names is None:
            raise refuse(0, None, "The CSV has no header row")
        if rows:
            yield iter(rows)


# --- JSON and NDJSON ----------------------------------------------------------------------------------

def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JsonRows:
    """A JSON array of objects (`ndjson=False`) or one object per line (`ndjson=True`)."""

    def __init__(self, spec: ResourceSpec, errors: RowErrors, *, ndjson: bool):
        self.spec = spec
        self.errors = errors
        self.ndjson = ndjson
        self.row = 0

    @property
    def rows(self) -> int:
        """The data rows read: a row's number is its count (blank NDJSON lines are not numbered)."""
        return self.row

    def _row(self, value: Any, check_nul: bool) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.errors.add(self.row, None, "A row must be a JSON object")
            return None
        if check_nul:
            bad = [key for key, v in value.items() if _has_nul(v)]
            for key in bad:
                self.errors.add(self.row, str(key), "NUL characters are not allowed")
            if bad:
                return None
        return value

    def _lines(self, block: bytes, start: int) -> Rows:
        """The rows of `block`, whole lines that begin at byte `start` of the body."""
        for line in block.split(b"\n"):
            at, start = start, start + len(line) + 1
            if not line.strip():
                continue
            self.row += 1
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                try:
                    line.decode()
                except UnicodeDecodeError as exc:
                    # As for CSV and a JSON array, a body that is not UTF-8 (UTF-16, say) is refused whole.
                    raise refuse(self.row, None, f"The body is not UTF-8 (byte {at + exc.start})")
                self.errors.add(self.row, None, "The line is not valid JSON")
                continue
            if (row := self._row(value, b"\\u0000" in line)) is not None:
                yield self.row, row

    async def batches(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[Rows]:
        if self.ndjson:
            # Appended to in place, and only each new chunk is searched for a line's end: a body of one long
            # line (or none) costs its length once, not once per chunk.
            pending = bytearray()
            start = 0  # the byte of the body at which `pending` begins
            first = True
            async for chunk in chunks:
                newline = chunk.rfind(b"\n")
                pending += chunk
                if first:  # a byte-order mark is left out, but counts in the byte positions
                    if len(pending) < len(BOM) and BOM.startswith(pending):
                        continue  # the mark may come in pieces: wait for its end
                    first = False
                    if pending.startswith(BOM):
                        del pending[: len(BOM)]
                        start = len(BOM)
                if newline >= 0:  # the chunk's bytes are the last of `pending` (a mark is never a newline)
                    end = len(pending) - len(chunk) + newline + 1
                    block = bytes(pending[:end])
                    del pending[:end]
                    yield self._lines(block, start)
                    start += end
            yield self._lines(bytes(pending), start)
            return
        body = bytearray()
        async for chunk in chunks:
            body += chunk
        try:
            data = orjson.loads(bytes(body.removeprefix(BOM)))
        except orjson.JSONDecodeError as exc:
            raise refuse(0, None, f"The body is not valid JSON: {exc.msg}")
        check_nul = b"\\u0000" in body
        del body
        if not isinstance(data, list):
            raise refuse(0, None, "The body must be a JSON array of objects")
        data.reverse()  # pop from the end: the parsed rows are released as they are used
        while data:
            rows = []
            for _ in range(min(BATCH_ROWS, len(data))):
                self.row += 1
                if (row := self._row(data.pop(), check_nul)) is not None:
                    rows.append((self.row, row))
            if rows:
                yield iter(rows)
