import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from api.activities.schemas import ActivityRead
from api.assessments.schemas import Grid
from api.duty_report.schemas import DutyReport
from api.feedback.schemas import FeedbackRead
from api.plans.schemas import PlanRead
from api.schemas import ReadModel, RequestModel

FORMAT = "involve-evidence-pack/1"


class PackFormat(StrEnum):
    json = "json"
    html = "html"
    pdf = "pdf"


class TenantRef(ReadModel):
    id: uuid.UUID = Field(description="The tenant (NHS body) that sealed the pack")
    slug: str = Field(description="Its short name")
    name: str = Field(description="Its name")
    jurisdiction: str = Field(description="england or wales")


class ActorRef(ReadModel):
    type: str = Field(description="user or service_account")
    id: uuid.UUID = Field(description="Who sealed the pack")


class AuditHead(ReadModel):
    seq: int = Field(ge=0, description="Sequence number of the tenant's last audit event when the pack was sealed "
                                       "(0: the chain was empty)")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="That event's SHA-256 (64 zeros for an empty chain)")


class ApplicabilityVersion(ReadModel):
    id: uuid.UUID = Field(description="The version's row")
    number: int = Field(description="Version number, from 1")
    entries: list[dict[str, Any]] = Field(description="Per duty: duty_id, applies, reasons, level, and the duty_code "
                                                      "and duty_title it had when the version was written")
    note: str | None = Field(description="What changed in this version")
    created_at: datetime = Field(description="When it was recorded")
    created_by: uuid.UUID | None = Field(description="Who recorded it")
    signed_off_at: datetime | None = Field(description="When a lead signed it off")
    signed_off_by: uuid.UUID | None = Field(description="Who signed it off")


class AttendanceLine(ReadModel):
    stakeholder_id: uuid.UUID = Field(description="The stakeholder")
    stakeholder_name: str = Field(description="Their name (packs are read only by roles that may see personal data); "
                                              "'***' when their processing is restricted (UK GDPR Art. 18)")
    invited: bool = Field(description="Invited")
    attended: bool = Field(description="Attended")
    role: str | None = Field(description="Their part in it; '***' when their processing is restricted")
    stakeholder_withheld: bool = Field(description="True when the name and role are withheld (restricted processing)")


class PackActivity(ActivityRead):
    attendance: list[AttendanceLine] = Field(description="The attendance log, by name")


class DocumentRef(ReadModel):
    id: uuid.UUID = Field(description="The document")
    consultation_id: uuid.UUID | None = Field(description="The consultation it was published for, if any")
    kind: str = Field(description="consultation_pack, equality_impact_assessment, correspondence, decision_record or "
                                  "other")
    title: str = Field(description="Its title")
    filename: str = Field(description="The uploaded file's name")
    media_type: str = Field(description="Its media type")
    size_bytes: int = Field(description="Its size in bytes")
    sha256: str = Field(description="SHA-256 of its content, hex")
    published_at: datetime | None = Field(description="When it was published")


class PackConsultation(ReadModel):
    id: uuid.UUID = Field(description="The consultation")
    title: str = Field(description="Its title")
    opened_date: date | None = Field(description="When it opened")
    closed_date: date | None = Field(description="When it closed")
    minimum_days: int | None = Field(description="The minimum duration the plan set, in days")
    shorter_reason: str | None = Field(description="Why it was shorter than the minimum, if it was")
    decision_date: date | None = Field(description="When the decision was taken")
    decision_maker: str | None = Field(description="Who took it")
    decision_summary: str | None = Field(description="What was decided")
    archived_at: datetime | None = Field(description="When it was archived; null while live. An archived consultation "
                                                     "is in the pack only because an evidence item names it")
    documents: list[DocumentRef] = Field(description="Documents published for it, with their hashes")


class PackCorrespondence(ReadModel):
    id: uuid.UUID = Field(description="The correspondence")
    direction: str = Field(description="sent, received or meeting")
    correspondence_date: date = Field(description="When")
    summary: str = Field(description="What it said")
    document_id: uuid.UUID | None = Field(description="The letter or minutes, if stored")


class PackScrutinyRecord(ReadModel):
    body: str = Field(description="osc or llais")
    committee_name: str | None = Field(description="The committee")
    substantial_variation: bool | None = Field(description="Whether the change is a substantial variation")
    substantial_variation_reason: str | None = Field(description="Why")
    committee_view: str | None = Field(description="The committee's view")
    committee_view_date: date | None = Field(description="When it gave it")
    sos_notification_required: bool | None = Field(description="Whether the Secretary of State must be notified")
    sos_notified_date: date | None = Field(description="When they were notified")


class PackScrutiny(ReadModel):
    record: PackScrutinyRecord | None = Field(description="The scrutiny record; null if none was kept")
    correspondence: list[PackCorrespondence] = Field(description="Correspondence with the body, by date")


class PackEvidence(ReadModel):
    id: uuid.UUID = Field(description="The evidence item")
    requirement_id: uuid.UUID = Field(description="The requirement it shows met")
    summary: str = Field(description="How it meets it")
    activity_ids: list[str] = Field(description="Activities it links")
    feedback_ids: list[str] = Field(description="Feedback it links")
    document_ids: list[str] = Field(description="Documents it links")
    decision: str | None = Field(description="The decision it records")
    decision_date: date | None = Field(description="When")
    consultation_id: uuid.UUID | None = Field(description="The consultation the decision is about; null: the plan's")


class EvidencePack(ReadModel):
    """The whole record of a plan, sealed: `digest` is the SHA-256 of the canonical JSON of every other field."""

    format: str = Field(description=f"The pack's format: {FORMAT}")
    tenant: TenantRef = Field(description="The tenant that sealed it")
    plan: PlanRead = Field(description="The plan")
    applicability: list[ApplicabilityVersion] = Field(description="Every version of the applicability record")
    grid: Grid = Field(description="The plan's power/interest grid")
    activities: list[PackActivity] = Field(description="The plan's activities with their attendance, then any other "
                                                       "activity an evidence item links (archived, or another "
                                                       "plan's: see archived_at and plan_id)")
    feedback: list[FeedbackRead] = Field(description="Feedback about the plan and its responses, then any other "
                                                     "feedback an evidence item links (archived, or another plan's: "
                                                     "see archived_at and plan_id)")
    consultations: list[PackConsultation] = Field(description="Consultations with their documents and hashes, then "
                                                               "any archived one an evidence item names (see "
                                                               "archived_at)")
    other_documents: list[DocumentRef] = Field(description="The plan's documents not tied to a consultation")
    scrutiny: PackScrutiny = Field(description="The scrutiny log")
    evidence: list[PackEvidence] = Field(description="Evidence items")
    duty_report: DutyReport = Field(description="The duty report at sealing")
    sealed_at: datetime = Field(description="When the pack was sealed")
    sealed_by: ActorRef = Field(description="Who sealed it")
    audit_head: AuditHead = Field(description="The tenant's audit chain head when it was sealed (the sealing event "
                                              "is the next one)")
    digest: str = Field(description="SHA-256 (hex) of the canonical JSON of the pack without this field")


class AuditHeadClaim(AuditHead):
    seq: int = Field(ge=0, strict=True, description="The sequence number the pack claims (an integer)")


class PackToVerify(RequestModel):
    """An evidence pack exactly as GET /plans/{id}/evidence-pack returned it. Only its outline is checked here
    (the members and the claims verification relies on); its content is checked by the digest."""

    format: str = Field(max_length=100, description="The pack's format")
    tenant: TenantRef = Field(description="The tenant it claims sealed it")
    plan: dict[str, Any] = Field(description="The plan")
    applicability: list[dict[str, Any]] = Field(description="The applicability record's versions")
    grid: dict[str, Any] = Field(description="The power/interest grid")
    activities: list[dict[str, Any]] = Field(description="Activities with attendance")
    feedback: list[dict[str, Any]] = Field(description="Feedback and responses")
    consultations: list[dict[str, Any]] = Field(description="Consultations with their documents")
    other_documents: list[dict[str, Any]] = Field(description="Other documents")
    scrutiny: dict[str, Any] = Field(description="The scrutiny log")
    evidence: list[dict[str, Any]] = Field(description="Evidence items")
    duty_report: dict[str, Any] = Field(description="The duty report")
    sealed_at: str = Field(max_length=100, description="When it was sealed")
    sealed_by: dict[str, Any] = Field(description="Who sealed it")
    audit_head: AuditHeadClaim = Field(description="The audit chain head it claims")
    digest: str = Field(max_length=200, description="The digest it claims")


class Verification(ReadModel):
    valid: bool = Field(description="True only when every check passes")
    digest_matches: bool = Field(description="The recomputed digest equals the pack's")
    audit_head_found: bool = Field(description="Your tenant's audit event at audit_head.seq has audit_head.hash")
    sealed_event_found: bool = Field(description="The next audit event records this pack's sealing, with this digest")
    audit_chain_intact: bool = Field(description="Your tenant's whole audit chain holds, from its first event to its "
                                                 "recorded head (as GET /audit-events/verify): no event was rewritten, "
                                                 "removed or unlinked, the sealing event's successors included")
    reasons: list[str] = Field(description="Why it is not valid (empty when valid)")
