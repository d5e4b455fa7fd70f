"""What the importer makes of the body itself: its coding and encoding, its header, its keys and cells, and an
unchanged list of non-ASCII text (which must not move a version)."""

import gzip
import json

import pytest

from api.models import Feedback, Organisation, Stakeholder
from tests.imports.support import CSV, JSON, NDJSON, ORGANISATIONS, audit_events, count, export_text, post_import

FORMATS = {"csv": CSV, "ndjson": NDJSON}
NON_ASCII = ["café", "naïve", "ü"]
RECORDS = {  # resource: (model, what POST takes, its list field)
    "stakeholders": (Stakeholder, {"name": "Zoë Brontë", "tags": NON_ASCII}, "tags"),
    "organisations": (Organisation, {"name": "Ünion Straße", "tags": NON_ASCII}, "tags"),
    "feedback": (Feedback, {"text": "Le café est fermé", "themes": NON_ASCII}, "themes"),
}


async def _post(client, headers, resource):
    r = await client.post(f"/api/v1/{resource}", json=RECORDS[resource][1], headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _version(client, headers, resource, id_) -> tuple[int, str]:
    r = await client.get(f"/api/v1/{resource}/{id_}", headers=headers)
    return r.json()["version"], r.headers["etag"]


# --- a list stored by the API (json.dumps, with \uXXXX escapes) equals the same list in an import ---

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resource", RECORDS)
async def test_an_unchanged_list_of_non_ascii_text_keeps_its_version(client, a, resource, fmt):
    id_ = await _post(client, a["lead"], resource)
    export = await export_text(client, resource, a["lead"], fmt)
    r = await post_import(client, resource, a["lead"], export, "?on_conflict=update", FORMATS[fmt])
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert await _version(client, a["lead"], resource, id_) == (1, '"1"')


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resource", RECORDS)
async def test_a_changed_list_of_non_ascii_text_moves_the_version(client, a, resource, fmt):
    id_ = await _post(client, a["lead"], resource)
    export = await export_text(client, resource, a["lead"], fmt)
    for old, new in (("naïve", "naive"), ("café", "cafe")):  # an item in the middle, then the first
        export = export.replace(old, new)
        r = await post_import(client, resource, a["lead"], export, "?on_conflict=update", FORMATS[fmt])
        assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert await _version(client, a["lead"], resource, id_) == (3, '"3"')
    field = RECORDS[resource][2]
    got = (await client.get(f"/api/v1/{resource}/{id_}", headers=a["lead"])).json()[field]
    assert got == ["cafe", "naive", "ü"]


async def test_a_list_given_in_another_order_or_length_moves_the_version(client, a):
    id_ = await _post(client, a["lead"], "organisations")
    for tags, version in ((["naïve", "café", "ü"], 2), (["naïve", "café"], 3), (["naïve", "café"], 3), ([], 4)):
        body = json.dumps({"id": id_, "tags": tags}) + "\n"
        r = await post_import(client, "organisations", a["lead"], body, "?on_conflict=update", NDJSON)
        assert r.status_code == 200, r.text
        assert (await _version(client, a["lead"], "organisations", id_))[0] == version


# --- a header of many bad columns is refused in a few KB ---

async def test_a_header_of_many_unknown_columns_is_refused_briefly(client, session, a):
    header = ",".join(f"c{i}" for i in range(100_000))
    r = await post_import(client, "stakeholders", a["lead"], f"{header}\n")
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert len(r.content) < 20_000
    errors = r.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors[:3]] == [(0, "c0"), (0, "c1"), (0, "c2")]
    assert len(errors) == 21 and errors[-1]["field"] is None
    assert errors[-1]["message"] == "99980 more columns are unknown or appear twice"
    assert "the columns are id, external_id, name" in errors[0]["message"] == r.json()["detail"]
    assert errors[1]["message"] == "Unknown column"  # the list of columns is said once
    assert await count(session, a.tenant) == 0


async def test_a_header_of_many_repeated_columns_is_refused_briefly(client, a):
    r = await post_import(client, "stakeholders", a["lead"], "external_id," + "name," * 10_000 + "email\n")
    assert r.status_code == 422 and len(r.content) < 20_000
    errors = r.json()["errors"]
    assert (errors[0]["field"], errors[0]["message"]) == ("name", "This column appears twice")
    assert errors[-1]["message"] == "9979 more columns are unknown or appear twice"


async def test_a_long_unknown_column_name_is_cut_short_in_the_error(client, a):
    r = await post_import(client, "stakeholders", a["lead"], "name," + "x" * 100_000 + "\n")
    assert r.status_code == 422 and len(r.content) < 20_000
    assert r.json()["errors"][0]["field"] == "x" * 64 + "…"


# --- a compressed body is refused before it is read; a body not in UTF-8 is refused whole ---

BODIES = {"csv": (CSV, b"external_id,name\nGZ-1,Gz\n"), "ndjson": (NDJSON, b'{"external_id":"GZ-1","name":"Gz"}\n'),
          "json": (JSON, b'[{"external_id":"GZ-1","name":"Gz"}]')}


@pytest.mark.parametrize("coding", ["gzip", "br", "deflate", "identity, gzip"])
@pytest.mark.parametrize("fmt", BODIES)
async def test_a_compressed_body_is_refused_before_it_is_read(client, session, a, fmt, coding):
    content_type, raw = BODIES[fmt]
    read = []

    async def body():  # the request's body, noting whether anything asked for it
        read.append(True)
        yield gzip.compress(raw)

    headers = {**a["lead"], **content_type, "Content-Encoding": coding}
    r = await client.post("/api/v1/imports/organisations?on_error=skip", content=body(), headers=headers)
    assert r.status_code == 415 and r.headers["content-type"] == "application/problem+json", r.text
    assert r.headers["accept-encoding"] == "identity" and "Content-Encoding" in r.json()["detail"]
    assert read == []
    assert await count(session, a.tenant, Organisation) == 0
    assert await audit_events(session, a.tenant, "import") == []


@pytest.mark.parametrize("fmt", BODIES)
async def test_the_identity_coding_is_taken(client, session, a, fmt):
    content_type, raw = BODIES[fmt]
    r = await post_import(client, "organisations", {**a["lead"], "Content-Encoding": "identity"}, raw,
                          content_type=content_type)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text


@pytest.mark.parametrize("body,row,byte", [
    ('{"name":"Utf16"}\n{"name":"Other"}\n'.encode("utf-16"), 1, 0),  # a byte-order mark of UTF-16
    (b'{"name":"One"}\n\n{"name":"Two"}\n{"name":"caf\xe9"}\n', 3, 43),  # a late line, after a blank one
    (b'\xef\xbb\xbf{"name":"One"}\n{"name":"caf\xc3', 2, 30),  # cut off inside a character
])
@pytest.mark.parametrize("on_error", ["abort", "skip"])
async def test_an_ndjson_body_not_in_utf8_is_refused_whole(client, session, a, body, row, byte, on_error):
    r = await post_import(client, "organisations", a["lead"], body, f"?on_error={on_error}", NDJSON)
    assert r.status_code == 422 and r.json()["detail"] == f"The body is not UTF-8 (byte {byte})", r.text
    assert [e["row"] for e in r.json()["errors"]] == [row]
    assert await count(session, a.tenant, Organisation) == 0
    assert await audit_events(session, a.tenant, "import") == []


async def test_an_ndjson_line_that_is_utf8_but_not_json_is_still_a_row_error(client, session, a):
    body = '{"name":"One"}\n{"name":"café",\n{"name":"\\ud800"}\n'.encode()
    r = await post_import(client, "organisations", a["lead"], body, "?on_error=skip", NDJSON)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    assert [(e["row"], e["message"]) for e in r.json()["errors"]] == [(2, "The line is not valid JSON"),
                                                                       (3, "The line is not valid JSON")]


# --- yes/no cells with spaces; the article before a label ---

async def test_a_yes_no_cell_with_spaces_around_it_is_read(client, session, a):
    body = "external_id,name,is_champion,contact_consent\nYN-1,Ann, true ,\tyes\nYN-2,Bob, FALSE , 1\n"
    r = await post_import(client, "stakeholders", a["lead"], body)
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    listed = (await client.get("/api/v1/stakeholders", headers=a["admin"])).json()["items"]
    got = {s["external_id"]: (s["is_champion"], s["contact_consent"]) for s in listed}
    assert got == {"YN-1": (True, True), "YN-2": (False, True)}


@pytest.mark.parametrize("resource,article", [("activities", "an activity"), ("organisations", "an organisation"),
                                               ("stakeholders", "a stakeholder")])
async def test_the_template_is_described_with_the_right_article(client, resource, article):
    spec = (await client.get("/openapi.json")).json()
    described = spec["paths"][f"/api/v1/imports/{resource}/template"]["get"]["description"]
    assert described.startswith(f"The CSV header row of {article} import")


async def test_an_ndjson_byte_order_mark_split_over_chunks_is_still_left_out(client, session, a):
    async def chunks():  # a streaming client may send the mark before, and apart from, the first line
        yield b"\xef"
        yield b"\xbb\xbf" + b'{"name": "Alpha"}\n'
        yield b'{"name": "Beta"}\n'

    r = await client.post(ORGANISATIONS, content=chunks(), headers={**a["lead"], **NDJSON})
    assert r.status_code == 200 and (r.json()["created"], r.json()["failed"]) == (2, 0), r.text



@pytest.mark.parametrize("size", [1, 2, 5, 7, 64])
async def test_ndjson_lines_cut_anywhere_by_chunks_are_read_whole_and_placed_by_byte(client, session, a, size):
    good = b'\xef\xbb\xbf{"name": "Alpha"}\n\n{"name": "Beta"}\n{"name": "' + b"G" * 300 + b'"}\n{"name": "Delta"}'
    bad = good.replace(b"Delta", b"caf\xe9")

    def chunks(body):  # the reader must join each line from pieces, and count bytes from the body's start
        async def pieces():
            for i in range(0, len(body), size):
                yield body[i:i + size]
        return pieces()

    r = await client.post(ORGANISATIONS, content=chunks(bad), headers={**a["lead"], **NDJSON})
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == f"The body is not UTF-8 (byte {bad.index(b'caf') + 3})"
    assert [e["row"] for e in r.json()["errors"]] == [4]
    r = await client.post(ORGANISATIONS, content=chunks(good), headers={**a["lead"], **NDJSON})
    assert r.status_code == 200 and (r.json()["created"], r.json()["failed"]) == (4, 0), r.text
