"""What the importer makes of bodies that are not clean CSV: nothing is half-read, and every refusal names its row."""

import pytest
from sqlalchemy import func, select

from api.imports.parsing import CsvRows, RowErrors
from api.imports.specs import SPECS
from api.models import AuditEvent, IdempotencyRecord
from tests.imports.support import CSV, STAKEHOLDERS, count, stakeholders


def post(client, headers, body, query=""):
    return client.post(f"{STAKEHOLDERS}{query}", content=body, headers={**headers, **CSV})


@pytest.mark.parametrize("body,row", [
    # A quote left open would swallow the rest of the body into one cell, and its rows with it.
    ('external_id,name,notes\nUQ-A,Alice,"start of note\nUQ-B,Bob,x\nUQ-C,Carol,y\n', 1),
    ('external_id,name,notes\nUQ-A,Alice,fine\nUQ-B,Bob,"cut off', 2),
    ('external_id,name,notes\nUQ-A,Alice,"quoted"junk\n', 1),
    ('external_id,name\nUQ-A,Alice\n\nUQ-B,"Bob\n', 3),  # the blank line keeps its number
])
@pytest.mark.parametrize("on_error", ["abort", "skip"])
async def test_a_malformed_csv_is_refused_whole_at_the_row_it_breaks(client, session, a, body, row, on_error):
    r = await post(client, a["lead"], body, f"?on_error={on_error}")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "malformed" in r.json()["detail"]
    assert [e["row"] for e in r.json()["errors"]] == [row]
    assert await count(session, a.tenant) == 0


async def test_an_open_quote_is_said_in_words(client, a):
    r = await post(client, a["lead"], 'name,notes\nAlice,"never closed\n')
    assert "a quoted cell is not closed" in r.json()["detail"]


async def test_quoted_newlines_commas_and_quotes_are_still_read(client, session, a):
    body = 'external_id,name,notes\nQ-1,"Jones, Ann","line one\nline ""two"""\nQ-2,Bob,\n'
    r = await post(client, a["lead"], body)
    assert r.status_code == 200, r.text
    assert (r.json()["rows"], r.json()["created"]) == (2, 2)


async def test_blank_lines_are_not_counted_as_rows_but_keep_their_numbers(client, session, a):
    r = await post(client, a["lead"], "external_id,name,email\n\n\nBL-1,x,bad\n\nBL-2,y,\n\n", "?on_error=skip")
    assert r.status_code == 200
    body = r.json()
    assert (body["rows"], body["created"], body["failed"]) == (2, 1, 1)
    assert [e["row"] for e in body["errors"]] == [3]
    ok = await post(client, a["lead"], "external_id,name\n\n\nBL-3,x\n\n")
    assert (ok.json()["rows"], ok.json()["created"]) == (1, 1)


@pytest.mark.parametrize("body,row", [
    (b"external_id,name\xe9\nA,a\n", 0),  # in the header
    (b"external_id,name\nA,a\nB,b\nC,c\nD,caf\xe9\n", 4),
    (b'external_id,notes\nA,"two\nlines"\nB,caf\xe9\n', 2),  # a quoted newline ends no record
    (b'external_id,notes\nA,5" tall\nB,ok\nC,caf\xe9\n', 3),  # a quote inside an unquoted cell is text
    (b"external_id,notes\rA,a\rB,caf\xe9\r", 2),  # a Mac CSV's lone carriage returns end records
])
async def test_bytes_that_are_not_utf8_are_refused_at_their_row(client, session, a, body, row):
    r = await post(client, a["lead"], body)
    assert r.status_code == 422 and "UTF-8" in r.json()["detail"]
    assert [e["row"] for e in r.json()["errors"]] == [row]
    assert await count(session, a.tenant) == 0


async def test_a_cell_over_the_csv_readers_limit_is_refused_at_its_row(client, session, a):
    r = await post(client, a["lead"], "external_id,notes\nA,short\nB," + "x" * 140_000 + "\n")
    assert r.status_code == 422
    assert [e["row"] for e in r.json()["errors"]] == [2]
    assert await count(session, a.tenant) == 0


async def test_a_dry_run_keeps_its_key_free_for_the_import_it_previews(client, session, a):
    headers = {**a["lead"], "Idempotency-Key": "preview-then-import"}
    body = "external_id,name\nDR-1,Dry\n"
    dry = await post(client, headers, body, "?dry_run=true")
    assert dry.status_code == 200 and dry.json()["created"] == 1 and dry.json()["dry_run"] is True
    assert await count(session, a.tenant) == 0
    assert (await session.execute(select(func.count()).select_from(IdempotencyRecord))).scalar_one() == 0
    real = await post(client, headers, body)
    assert real.status_code == 200 and real.json()["created"] == 1 and real.json()["dry_run"] is False
    again = await post(client, headers, body)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == real.json()
    assert await count(session, a.tenant) == 1
    imports = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")
    assert (await session.execute(imports)).scalar_one() == 1


async def test_a_quote_inside_an_unquoted_cell_does_not_move_where_records_end(client, session, a):
    # 5" is a literal quote (the cell is not quoted), so the quoted note after it stays open over a line break: a body
    # cut anywhere, even inside that note, reads as a whole one does.
    text = 'external_id,name,notes\nSQ-1,Ann,5" tall\nSQ-2,Bo,"two\nlines"\nSQ-3,Cy,\n'
    data = text.encode()

    async def chunks():
        for i in range(0, len(data), 7):
            yield data[i:i + 7]

    r = await client.post(STAKEHOLDERS, content=chunks(), headers={**a["lead"], **CSV})
    assert r.status_code == 200 and r.json()["created"] == 3, r.text
    got = await stakeholders(session, a.tenant)
    assert (got["Ann"].notes, got["Bo"].notes) == ('5" tall', "two\nlines")


@pytest.mark.parametrize("newline", ["\n", "\r"])  # \r: a Mac CSV, which has no \n at all
async def test_a_body_with_a_quote_inside_a_cell_or_only_cr_line_breaks_is_still_read_as_it_arrives(newline):
    # Counting quotes took the 5" for an open quoted cell: every row after it waited for the end of the body (held
    # whole, and each chunk searched all of it again: minutes for a few MB, the server stalled meanwhile).
    text = newline.join(["external_id,name,notes", 'SQ-0,Ann,5" tall', *(f"SQ-{i},P{i}," for i in range(1, 3000)), ""])
    data = text.encode()

    async def chunks():
        for i in range(0, len(data), 1000):
            yield data[i:i + 1000]

    source = CsvRows(SPECS["stakeholders"], RowErrors())
    batches = [numbers async for rows in source.batches(chunks()) if (numbers := [number for number, _ in rows])]
    assert len(batches) > len(data) // 1000 // 2  # about one a chunk
    assert [number for numbers in batches for number in numbers] == list(range(1, 3001))


@pytest.mark.parametrize("size", [1, 2, 3, 7])
async def test_line_breaks_split_across_chunks_read_as_the_whole_body_does(size):
    """Where a chunk ends never moves where a record ends: a \\r\\n cut between two chunks, a lone \\r at a chunk's end
    (a Mac line break) and a quoted cell over a line break (the reader finds line ends piece by piece)."""
    text = 'external_id,name,notes\r\nCR-1,Ann,a\rCR-2,Bo,"two\r\nlines"\nCR-3,Cy,\r\nCR-4,Di,d\r'
    data = text.encode()

    async def chunks(step):
        for i in range(0, len(data), step):
            yield data[i:i + step]

    async def rows(step):
        source = CsvRows(SPECS["stakeholders"], RowErrors())
        return [(number, dict(row)) async for batch in source.batches(chunks(step)) for number, row in batch]

    whole = await rows(len(data))
    assert [number for number, _ in whole] == [1, 2, 3, 4]
    assert await rows(size) == whole


async def test_a_file_of_bad_rows_lists_the_first_thousand_errors_and_counts_every_row(client, session, a):
    """Every failed row was listed: a small file of bad rows made an answer of many MB (found by a review)."""
    body = "external_id,name\n" + "".join(f"BAD-{i},\n" for i in range(1500))  # no name: each row fails
    r = await post(client, a["lead"], body)
    assert r.status_code == 422 and r.json()["failed"] == 1500, r.text[:300]
    errors = r.json()["errors"]
    assert len(errors) == 1001 and errors[-1]["message"].startswith("More rows failed: the first 1000 errors")
    assert await count(session, a.tenant) == 0
