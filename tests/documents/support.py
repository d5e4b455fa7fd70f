"""Builders for document tests: sample files of every accepted type, an upload helper and rows written
straight to the session."""

import hashlib
import io
import itertools
import zipfile

from sqlalchemy import func, select

from api.models import Consultation, Document
from tests.audit_trail import audit_events  # noqa: F401 (the feature's tests import it from here)

_counter = itertools.count(1)
WRITERS = ("admin", "lead")
READ_ONLY = ("contributor", "viewer", "auditor")
ROLES = WRITERS + READ_ONLY
NIL = "00000000-0000-0000-0000-000000000000"

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64)) + b"\xff\xd9"
TEXT_BYTES = "Minutes of the meeting with Llais, 3 March 2026. Cyfarfod â Llais.\n".encode()
CSV_BYTES = b"theme,count\ntravel,12\nparking,7\n"


def _zip(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members.pop(stored_first), zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx_bytes() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odt_bytes() -> bytes:
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document/>"},
                stored_first="mimetype")


SAMPLES = {  # filename → (bytes, the media type the server should settle on)
    "pack.pdf": (PDF_BYTES, "application/pdf"),
    "eia.docx": (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "budget.xlsx": (xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "letter.odt": (odt_bytes(), "application/vnd.oasis.opendocument.text"),
    "minutes.txt": (TEXT_BYTES, "text/plain"),
    "themes.csv": (CSV_BYTES, "text/csv"),
    "poster.png": (PNG_BYTES, "image/png"),
    "photo.jpg": (JPEG_BYTES, "image/jpeg"),
}


def url(plan_id) -> str:
    return f"/api/v1/plans/{plan_id}/documents"


async def upload(client, headers, plan_id, *, content: bytes = PDF_BYTES, filename: str = "pack.pdf",
                 content_type: str | None = "application/pdf", kind: str = "consultation_pack",
                 title: str = "Consultation pack", **fields):
    """POST a multipart upload; extra fields (consultation_id, published_at) are sent as given."""
    data = {"kind": kind, "title": title, **{k: str(v) for k, v in fields.items() if v is not None}}
    file = (filename, content, content_type) if content_type is not None else (filename, content)
    return await client.post(url(plan_id), data=data, files={"file": file}, headers=headers)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def document(session, plan, *, content: bytes = PDF_BYTES, **values) -> Document:
    n = next(_counter)
    values.setdefault("kind", "consultation_pack")
    values.setdefault("title", f"Document {n}")
    values.setdefault("filename", f"document-{n}.pdf")
    values.setdefault("media_type", "application/pdf")
    row = Document(tenant_id=plan.tenant_id, plan_id=plan.id, size_bytes=len(content), sha256=sha256(content),
                   content=content, **values)
    session.add(row)
    await session.flush()
    return row


async def consultation(session, plan, **values) -> Consultation:
    n = next(_counter)
    values.setdefault("title", f"Consultation {n}")
    row = Consultation(tenant_id=plan.tenant_id, plan_id=plan.id, **values)
    session.add(row)
    await session.flush()
    return row


async def count(session, tenant) -> int:
    return (await session.execute(select(func.count()).select_from(Document).where(Document.tenant_id == tenant.id))
            ).scalar_one()
