import base64
import hashlib
import os

import pytest

from tests import factories
from tests.documents.support import (
    NIL,
    PDF_BYTES,
    PNG_BYTES,
    READ_ONLY,
    SAMPLES,
    TEXT_BYTES,
    WRITERS,
    audit_events,
    consultation,
    count,
    docx_bytes,
    upload,
    url,
    xlsx_bytes,
)


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_upload_a_pdf_and_get_its_hash_size_and_type(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    r = await upload(client, a[role], plan.id, published_at="2026-02-01T09:00:00+00:00")
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert got["size_bytes"] == len(PDF_BYTES) and got["media_type"] == "application/pdf"
    assert got["filename"] == "pack.pdf" and got["kind"] == "consultation_pack" and got["title"] == "Consultation pack"
    assert got["plan_id"] == str(plan.id) and got["consultation_id"] is None and got["version"] == 1
    assert got["published_at"].startswith("2026-02-01T09:00:00")
    assert got["created_by"] == str(a.users[role].id)
    assert r.headers["location"] == f"{url(plan.id)}/{got['id']}" and r.headers["etag"] == '"1"'
    assert "content" not in got


@pytest.mark.parametrize("filename", sorted(SAMPLES))
async def test_every_accepted_type_round_trips_byte_for_byte(client, session, a, filename):
    plan = await factories.plan(session, a.tenant)
    content, media_type = SAMPLES[filename]
    r = await upload(client, a["lead"], plan.id, content=content, filename=filename, content_type=media_type)
    assert r.status_code == 201, r.text
    assert r.json()["media_type"] == media_type and r.json()["sha256"] == hashlib.sha256(content).hexdigest()
    download = await client.get(f"{url(plan.id)}/{r.json()['id']}/content", headers=a["viewer"])
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"].split(";")[0] == media_type


async def test_a_large_file_is_hashed_in_full(client, session, a):
    """Past Starlette's 1 MiB in-memory spool the file is read from disk: the digest still covers every byte."""
    plan = await factories.plan(session, a.tenant)
    content = PDF_BYTES + os.urandom(3 * 1024 * 1024)
    r = await upload(client, a["lead"], plan.id, content=content)
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(content).hexdigest() and r.json()["size_bytes"] == len(content)
    download = await client.get(f"{url(plan.id)}/{r.json()['id']}/content", headers=a["auditor"])
    assert download.content == content


async def test_the_type_comes_from_the_name_when_the_client_sends_octet_stream(client, session, a):
    plan = await factories.plan(session, a.tenant)
    r = await upload(client, a["lead"], plan.id, content=PNG_BYTES, filename="poster.PNG",
                     content_type="application/octet-stream")
    assert r.status_code == 201 and r.json()["media_type"] == "image/png"


async def test_a_name_without_extension_gets_its_types_own(client, session, a):
    plan = await factories.plan(session, a.tenant)
    r = await upload(client, a["lead"], plan.id, filename="Consultation pack")
    assert r.status_code == 201 and r.json()["filename"] == "Consultation pack.pdf"


async def test_a_path_in_the_file_name_is_dropped(client, session, a):
    plan = await factories.plan(session, a.tenant)
    r = await upload(client, a["lead"], plan.id, filename='..\\..\\etc/pass:wd;.pdf')
    assert r.status_code == 201 and r.json()["filename"] == "pass_wd_.pdf"


async def test_download_is_an_attachment_with_nosniff_and_digests(client, session, a):
    plan = await factories.plan(session, a.tenant)
    created = (await upload(client, a["lead"], plan.id, filename="Ymgynghoriad â Llais.pdf")).json()
    r = await client.get(f"{url(plan.id)}/{created['id']}/content", headers=a["contributor"])
    assert r.status_code == 200 and r.content == PDF_BYTES
    b64 = base64.b64encode(hashlib.sha256(PDF_BYTES).digest()).decode()
    assert r.headers["repr-digest"] == f"sha-256=:{b64}:" and r.headers["digest"] == f"sha-256={b64}"
    assert r.headers["x-content-type-options"] == "nosniff"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Ymgynghoriad _ Llais.pdf"')
    assert "filename*=UTF-8''Ymgynghoriad%20%C3%A2%20Llais.pdf" in disposition


async def test_text_is_served_as_utf8(client, session, a):
    plan = await factories.plan(session, a.tenant)
    created = (await upload(client, a["lead"], plan.id, content=TEXT_BYTES, filename="minutes.txt",
                            content_type="text/plain", kind="correspondence")).json()
    r = await client.get(f"{url(plan.id)}/{created['id']}/content", headers=a["lead"])
    assert r.headers["content-type"] == "text/plain; charset=utf-8" and r.content == TEXT_BYTES


async def test_an_upload_is_audited_with_its_hash_never_its_content(client, session, a):
    plan = await factories.plan(session, a.tenant)
    got = (await upload(client, a["lead"], plan.id)).json()
    [event] = await audit_events(session, got["id"])
    assert event.action == "create" and event.resource_type == "document"
    assert event.changes["sha256"]["after"] == got["sha256"] and event.changes["size_bytes"]["after"] == len(PDF_BYTES)
    assert "content" not in event.changes and "PDF" not in str(event.changes)


async def test_an_upload_may_belong_to_a_consultation_of_the_plan(client, session, a):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan)
    r = await upload(client, a["lead"], plan.id, consultation_id=consult.id)
    assert r.status_code == 201 and r.json()["consultation_id"] == str(consult.id)


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_upload(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    r = await upload(client, a[role], plan.id)
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 0


async def test_another_tenants_plan_is_404(client, session, a, b):
    theirs = await factories.plan(session, b.tenant)
    r = await upload(client, a["lead"], theirs.id)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert await count(session, b.tenant) == 0


async def test_a_consultation_of_another_plan_or_tenant_is_422_an_archived_one_409(client, session, a, b):
    plan = await factories.plan(session, a.tenant)
    other = await consultation(session, await factories.plan(session, a.tenant))
    theirs = await consultation(session, await factories.plan(session, b.tenant))
    for consult in (other, theirs):
        r = await upload(client, a["lead"], plan.id, consultation_id=consult.id)
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "consultation_id"]
    archived = await consultation(session, plan, archived_at=plan.created_at)
    r = await upload(client, a["lead"], plan.id, consultation_id=archived.id)
    assert r.status_code == 409 and "consultation is archived" in r.json()["detail"], r.text
    assert await count(session, a.tenant) == 0


@pytest.mark.parametrize("content,filename,content_type", [
    (b"<html><script>alert(1)</script></html>", "page.html", "text/html"),
    (b"<html></html>", "page.html", "application/octet-stream"),
    (PDF_BYTES, "pack.pdf", "application/x-msdownload"),
    (PDF_BYTES, "pack.exe", "application/pdf"),          # the name says another type
    (PDF_BYTES, "pack.png", "application/pdf"),
    (b"MZ\x90\x00 not a pdf", "pack.pdf", "application/pdf"),  # a .pdf that is not %PDF
    (PDF_BYTES, "poster.png", "image/png"),
    (PNG_BYTES, "photo.jpg", "image/jpeg"),
    (docx_bytes(), "budget.xlsx", None),                 # a Word file named as a spreadsheet
    (xlsx_bytes(), "eia.docx", None),
    (b"PK\x03\x04 broken zip", "eia.docx", None),
    (b"PK\x03\x04 broken zip", "letter.odt", None),
    (b"caf\xe9 latin-1", "minutes.txt", "text/plain"),   # text must be UTF-8
    (b"a,b\n1,\x00\n", "themes.csv", "text/csv"),
    (PDF_BYTES, "noextension", None),
])
async def test_a_type_not_accepted_or_content_not_matching_is_415(client, session, a, content, filename,
                                                                  content_type):
    plan = await factories.plan(session, a.tenant)
    r = await upload(client, a["lead"], plan.id, content=content, filename=filename,
                     content_type=content_type or "application/octet-stream")
    assert r.status_code == 415, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 0


async def test_an_empty_file_is_422(client, session, a):
    plan = await factories.plan(session, a.tenant)
    r = await upload(client, a["lead"], plan.id, content=b"")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "file"]
    assert await count(session, a.tenant) == 0


@pytest.mark.parametrize("data,field", [
    ({"kind": "memo", "title": "X"}, "kind"),
    ({"kind": "other", "title": ""}, "title"),
    ({"kind": "other"}, "title"),
    ({"title": "X"}, "kind"),
    ({"kind": "other", "title": "X", "consultation_id": "nope"}, "consultation_id"),
    ({"kind": "other", "title": "X", "published_at": "yesterday"}, "published_at"),
    ({"kind": "other", "title": "X", "published_at": "0"}, "published_at"),
    ({"kind": "other", "title": "X", "published_at": "2026-02-01T09:00:00"}, "published_at"),  # no offset
    ({"kind": "other", "title": "X", "sha256": "0" * 64}, "sha256"),  # the server computes it
    ({"kind": "other", "title": "X", "plan_id": NIL}, "plan_id"),
])
async def test_bad_fields_are_422(client, session, a, data, field):
    plan = await factories.plan(session, a.tenant)
    r = await client.post(url(plan.id), data=data, files={"file": ("pack.pdf", PDF_BYTES, "application/pdf")},
                          headers=a["lead"])
    assert r.status_code == 422, r.text
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await count(session, a.tenant) == 0


async def test_a_missing_file_is_422(client, session, a):
    plan = await factories.plan(session, a.tenant)
    r = await client.post(url(plan.id), data={"kind": "other", "title": "X"}, headers=a["lead"])
    assert r.status_code == 422
    assert await count(session, a.tenant) == 0


@pytest.fixture
def small_limit(app):
    """INVOLVE_MAX_DOCUMENT_BYTES of 1 KiB for one test."""
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"max_document_bytes": 1024})
    yield 1024
    app.state.settings = settings


async def test_a_file_over_the_limit_is_413(client, session, a, small_limit):
    plan = await factories.plan(session, a.tenant)
    just_fits = await upload(client, a["lead"], plan.id, content=PDF_BYTES + b" " * (small_limit - len(PDF_BYTES)))
    assert just_fits.status_code == 201, just_fits.text
    r = await upload(client, a["lead"], plan.id, content=PDF_BYTES + b" " * (small_limit + 1 - len(PDF_BYTES)))
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert str(small_limit) in r.json()["detail"]
    assert await count(session, a.tenant) == 1


async def test_a_body_far_over_the_limit_is_cut_off_with_413(client, session, a, small_limit):
    plan = await factories.plan(session, a.tenant)
    r = await upload(client, a["lead"], plan.id, content=PDF_BYTES + b" " * (2 * 1024 * 1024))
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"

    async def chunked():  # no Content-Length: counted as it arrives
        yield b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-"
        for _ in range(64):
            yield b" " * 16384

    headers = {**a["lead"], "Content-Type": "multipart/form-data; boundary=x"}
    r = await client.post(url(plan.id), content=chunked(), headers=headers)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 0


async def test_malformed_multipart_is_a_problem_not_a_500(client, session, a):
    plan = await factories.plan(session, a.tenant)
    for content_type, body in (("multipart/form-data", b"--x\r\n"), ("multipart/form-data; boundary=x", b"junk"),
                               ("application/json", b'{"kind": "other"}')):
        r = await client.post(url(plan.id), content=body, headers={**a["lead"], "Content-Type": content_type})
        assert r.status_code in (400, 422), (content_type, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 0


async def test_idempotency_key_replays_an_upload_and_refuses_another_file(client, session, a):
    plan = await factories.plan(session, a.tenant)
    headers = {**a["lead"], "Idempotency-Key": "upload-1"}
    first = await upload(client, headers, plan.id)
    again = await upload(client, headers, plan.id)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and again.headers["location"] == first.headers["location"]
    other = await upload(client, headers, plan.id, content=PDF_BYTES + b"%changed")
    assert other.status_code == 422 and other.headers["content-type"] == "application/problem+json"
    renamed = await upload(client, headers, plan.id, title="Another title")
    assert renamed.status_code == 422
    # The same bytes under another name, or as another type, are another file: not a retry of the first.
    another_name = await upload(client, headers, plan.id, filename="final-pack.pdf")
    assert another_name.status_code == 422, another_name.text
    table = {**a["lead"], "Idempotency-Key": "upload-2"}
    fields = {"content": b"a,b\n1,2\n", "kind": "other", "title": "Responses"}
    assert (await upload(client, table, plan.id, filename="responses.txt", content_type="text/plain",
                         **fields)).status_code == 201
    as_csv = await upload(client, table, plan.id, filename="responses.csv", content_type="text/csv", **fields)
    assert as_csv.status_code == 422, as_csv.text
    assert await count(session, a.tenant) == 2
