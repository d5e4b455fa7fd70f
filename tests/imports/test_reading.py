"""What the importer makes of bodies that are not clean CSV: nothing is half-read, and every refusal names its row."""

import pytest
from sqlalchemy import func, select

from api.models import AuditEvent, IdempotencyRecord
from tests.imports.support import CSV, STAKEHOLDERS, count


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
