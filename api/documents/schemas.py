import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import UploadFile
from pydantic import BeforeValidator, Field

from api.pagination import Page
from api.schemas import Instant, ReadModel, RequestModel, Text


def _iso_8601(value: Any) -> Any:
    """Only an ISO 8601 string (or a datetime): pydantic alone would also take 0 or "0" as a Unix time."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not an ISO 8601 datetime with an offset") from None
    if not isinstance(value, datetime):
        raise ValueError("not an ISO 8601 datetime with an offset")
    return value


PublishedAt = Annotated[Instant, BeforeValidator(_iso_8601)]


class DocumentKind(StrEnum):
    consultation_pack = "consultation_pack"
    equality_impact_assessment = "equality_impact_assessment"
    correspondence = "correspondence"
    decision_record = "decision_record"
    other = "other"


D = {
    "kind": "What the document is: consultation_pack, equality_impact_assessment, correspondence, decision_record "
            "or other",
    "title": "The document's title",
    "consultation_id": "The consultation of the same plan it belongs to (published for it)",
    "published_at": "When it was published (a consultation's launch documents are published on or before the day "
                    "it opened)",
}


class DocumentUpload(RequestModel):
    """The multipart/form-data of an upload: the file and its metadata (other fields are refused)."""

    file: UploadFile = Field(description="The file: PDF, DOCX, ODT, XLSX, plain text or CSV (UTF-8), PNG or JPEG; "
                                         "its content must match its type and name")
    kind: DocumentKind = Field(description=D["kind"])
    title: Text = Field(description=D["title"])
    consultation_id: uuid.UUID | None = Field(None, description=D["consultation_id"])
    published_at: PublishedAt | None = Field(None, description=D["published_at"])


class DocumentUpdate(RequestModel):
    """Only the metadata given changes; the content never does (upload a new document instead)."""

    kind: DocumentKind = Field(None, description=D["kind"])
    title: Text = Field(None, description=D["title"])
    consultation_id: uuid.UUID | None = Field(None, description=D["consultation_id"] + "; null unlinks it")
    published_at: PublishedAt | None = Field(None, description=D["published_at"] + "; null clears it")


class DocumentRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    plan_id: uuid.UUID = Field(description="The plan it belongs to")
    consultation_id: uuid.UUID | None = Field(description=D["consultation_id"])
    kind: DocumentKind = Field(description=D["kind"])
    title: str = Field(description=D["title"])
    filename: str = Field(description="The file name, made safe, offered on download")
    media_type: str = Field(description="The media type, decided by the server from the name, the declared type "
                                        "and the content")
    size_bytes: int = Field(description="The file's size in bytes")
    sha256: str = Field(description="SHA-256 of the file's bytes, in lowercase hex: anyone holding a copy can "
                                    "check it is the same file")
    published_at: datetime | None = Field(description=D["published_at"])
    created_at: datetime = Field(description="When it was uploaded")
    updated_at: datetime = Field(description="When its metadata last changed")
    created_by: uuid.UUID | None = Field(description="Who uploaded it")
    updated_by: uuid.UUID | None = Field(description="Who last changed its metadata")
    version: int = Field(description="Increases with every change; the ETag")


class DocumentPage(Page[DocumentRead]):
    pass
