"""Every table, imported in one place so Alembic and the app see the same metadata."""

from api.models.audit_event import AuditEvent
from api.models.idempotency_record import IdempotencyRecord
from api.models.organisation import Organisation
from api.models.service_account import ServiceAccount
from api.models.stakeholder import Stakeholder
from api.models.tenant import Tenant
from api.models.user import User

__all__ = ["AuditEvent", "IdempotencyRecord", "Organisation", "ServiceAccount", "Stakeholder", "Tenant", "User"]
