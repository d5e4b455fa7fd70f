"""Every table, imported in one place so Alembic and the app see the same metadata."""

from api.models.activity import Activity
from api.models.activity_attendance import ActivityAttendance
from api.models.assessment import Assessment
from api.models.audit_event import AuditEvent, AuditHead
from api.models.calendar_token import CalendarToken
from api.models.consultation import Consultation
from api.models.document import Document
from api.models.duty import Duty, DutyRequirement
from api.models.duty_assessment import DutyAssessment
from api.models.evidence import Evidence
from api.models.feedback import Feedback
from api.models.held_erasure import HeldErasure
from api.models.idempotency_record import IdempotencyRecord
from api.models.organisation import Organisation
from api.models.plan import Plan, PlanAudienceOrganisation, PlanAudienceStakeholder
from api.models.plan_action import PlanAction
from api.models.plan_risk import PlanRisk
from api.models.scrutiny import Scrutiny, ScrutinyCorrespondence
from api.models.service_account import ServiceAccount
from api.models.stakeholder import Stakeholder
from api.models.tenant import Tenant
from api.models.user import User

__all__ = [
    "Assessment", "AuditEvent", "AuditHead", "IdempotencyRecord", "Organisation", "Plan", "PlanAction",
    "PlanAudienceOrganisation", "PlanAudienceStakeholder", "PlanRisk", "ServiceAccount", "Stakeholder", "Tenant",
    "User",
    "Activity", "ActivityAttendance", "CalendarToken", "Feedback", "HeldErasure",
    "Consultation", "Document", "Duty", "DutyAssessment", "DutyRequirement", "Evidence", "Scrutiny",
    "ScrutinyCorrespondence",
]
