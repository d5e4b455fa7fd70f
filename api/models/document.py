import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, deferred, mapped_column

from api.db import Base, UTCDateTime
from api.models.mixins import TenantOwned, Tracked


class Document(TenantOwned, Tracked, Base):
    """A file kept as evidence (consultation pack, equality impact assessment, letter to the OSC…).
    The bytes live in the database, beside their SHA-256, so a backup or a transaction holds the file
    and its record together; `content` is deferred so listing never loads it. Content is immutable."""

    __tablename__ = "document"

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    consultation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("consultation.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


Index("ix_document_plan_id", Document.plan_id)
Index("ix_document_consultation_id", Document.consultation_id)
