import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, JSONType, UTCDateTime, new_id


class AuditEvent(Base):
    """One entry of a tenant's hash-chained audit trail. Rows are only ever appended."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_type: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(40), nullable=False)
    resource_id: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


Index("ix_audit_event_tenant_resource", AuditEvent.tenant_id, AuditEvent.resource_type, AuditEvent.resource_id)
Index("ix_audit_event_tenant_occurred_at", AuditEvent.tenant_id, AuditEvent.occurred_at)


class AuditHead(Base):
    """The last event of each tenant's chain, written with it: removing events from the chain's end leaves a chain
    that verifies from its start, but no longer reaches this head (api.audit.verify). The application may insert and
    update a head, never delete one (PostgreSQL grants, migration 0017)."""

    __tablename__ = "audit_head"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
