"""Which files a document may be: the allow-list of media types, the file name each must carry, and the
check that the bytes really are what the name and the declared type say (a '.pdf' that is not a PDF is
refused). The server decides the media type; a client's claim is only a hint that must agree."""

import codecs
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import IO

from api.errors import UnsupportedMediaType

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
CSV = "text/csv"
PNG = "image/png"
JPEG = "image/jpeg"

# Media type → the file extensions it may carry; the first is added to a name that has none.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",), DOCX: (".docx",), XLSX: (".xlsx",), ODT: (".odt",), TEXT: (".txt",), CSV: (".csv",),
    PNG: (".png",), JPEG: (".jpg", ".jpeg"),
}
ALLOWED = tuple(EXTENSIONS)
BY_EXTENSION = {ext: media for media, exts in EXTENSIONS.items() for ext in exts}
# What a client sends when it does not know: the extension decides.
GENERIC = {"", "application/octet-stream", "binary/octet-stream"}
HEAD_BYTES = 128
_UNSAFE = set('\\/:*?"<>|;')


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def safe_filename(raw: str | None) -> str:
    """The name kept and offered on download: its last path segment, NFC, without control characters or
    characters that mean something to a file system or a header; never empty."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if ch in _UNSAFE or unicodedata.category(ch)[0] == "C" else ch for ch in name)
    name = name.strip(" .")
    if len(name) > 200:
        ext = _extension(name)
        name = name[: 200 - len(ext)] + ext
    return name or "document"


def resolve(declared: str | None, filename: str) -> tuple[str, str]:
    """(media type, file name) for an upload: the declared type unless it is generic, else the one the
    extension names; it must be allowed and agree with the extension. A name without an extension gets
    the media type's own."""
    declared = (declared or "").split(";", 1)[0].strip().lower()
    ext = _extension(filename)
    media = BY_EXTENSION.get(ext) if declared in GENERIC else declared
    if media not in EXTENSIONS:
        shown = declared if declared not in GENERIC else (ext or "no extension")
        raise UnsupportedMediaType(f"Files of type {shown!r} are not accepted; send PDF, DOCX, ODT, XLSX, plain "
                                   "text, CSV, PNG or JPEG")
    if ext and ext not in EXTENSIONS[media]:
        raise UnsupportedMediaType(f"The file name ends in {ext!r} but the file is declared as {media}")
    if not ext:
        filename += EXTENSIONS[media][0]
    return media, filename


@dataclass
class Sniffer:
    """Watches the bytes go by (once, as they are hashed): keeps the first few and whether they are
    UTF-8 text without NUL."""

    head: bytes = b""
    text: bool = True
    _decoder: codecs.IncrementalDecoder = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")())

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        if self.text:
            try:
                self._decoder.decode(chunk)
                self.text = b"\x00" not in chunk
            except UnicodeDecodeError:
                self.text = False

    def finish(self) -> None:
        if self.text:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.text = False


def _zip_has(file: IO[bytes], *names: str) -> bool:
    """The file is a ZIP archive holding these members (read from its central directory, nothing unpacked)."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            members = set(archive.namelist())
    except Exception:  # a damaged archive can fail in many ways; each means "not this type"
        return False
    finally:
        file.seek(0)
    return all(name in members for name in names)


def content_matches(media: str, sniffer: Sniffer, file: IO[bytes]) -> bool:
    """Do the bytes have the signature of `media`? (Blocking: a ZIP's directory may be read from disk.)"""
    head = sniffer.head
    if media == PDF:
        return head.startswith(b"%PDF-")
    if media == PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if media == JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if media == ODT:  # OpenDocument: an uncompressed 'mimetype' member first, naming the type
        return head.startswith(b"PK\x03\x04") and head[30:38] == b"mimetype" and head[38:38 + len(ODT)] == ODT.encode()
    if media == DOCX:
        return head.startswith(b"PK\x03\x04") and _zip_has(file, "[Content_Types].xml", "word/document.xml")
    if media == XLSX:
        return head.startswith(b"PK\x03\x04") and _zip_has(file, "[Content_Types].xml", "xl/workbook.xml")
    return sniffer.text  # text/plain and text/csv: UTF-8 without NUL


def served_type(media: str) -> str:
    """The Content-Type a download carries (text is always UTF-8 here)."""
    return f"{media}; charset=utf-8" if media.startswith("text/") else media
