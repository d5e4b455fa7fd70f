import uuid
from datetime import date, datetime

from pydantic import Field

from api.duty_report.rules import Status
from api.schemas import ReadModel


class EvidenceItem(ReadModel):
    id: uuid.UUID = Field(description="The evidence item")
    summary: str = Field(description="How it meets the requirement")
    activity_ids: list[str] = Field(description="Activities it links")
    feedback_ids: list[str] = Field(description="Feedback it links")
    document_ids: list[str] = Field(description="Documents it links")
    decision: str | None = Field(description="The decision it records")
    decision_date: date | None = Field(description="When the decision was taken")
    consultation_id: uuid.UUID | None = Field(description="The consultation of this plan the decision is about. Null: "
                                                          "the decision is the plan's, and the report reads it "
                                                          "against each of the plan's consultations (Gunning 1 and 4)")


class FoundLink(ReadModel):
    kind: str = Field(description="activity, document, feedback, consultation or correspondence")
    id: str = Field(description="The record's id")
    title: str = Field(description="Its title (or a short description)")


class ItemEvidence(ReadModel):
    items: list[EvidenceItem] = Field(description="Evidence items recorded for the requirement")
    links: list[FoundLink] = Field(description="Records the rule found that show the requirement met")


class ReportItem(ReadModel):
    duty_id: uuid.UUID | None = Field(description="The duty (null for the applicability items)")
    duty_code: str | None = Field(description="The duty's code")
    duty_title: str | None = Field(description="The duty's title")
    level: str | None = Field(description="The level chosen for the duty: inform, engage or consult")
    requirement_id: uuid.UUID | None = Field(description="The requirement (null for the applicability items)")
    code: str = Field(description="The requirement's code (e.g. gunning-1), or 'applicability' / "
                                  "'applicability-sign-off'")
    title: str = Field(description="The requirement's title")
    rule: str | None = Field(description="The rule that checked it; null when evidence alone decides")
    status: Status = Field(description="red, amber or green")
    reason: str = Field(description="Why, in plain English")
    gaps: list[str] = Field(description="What is missing")
    evidence: ItemEvidence = Field(description="The evidence: items recorded and records found")


class AssessmentRef(ReadModel):
    id: uuid.UUID = Field(description="The applicability record's version row")
    number: int = Field(description="Its version number")
    created_at: datetime = Field(description="When it was recorded")
    signed_off_at: datetime | None = Field(description="When a lead signed it off; null if not yet")
    signed_off_by: uuid.UUID | None = Field(description="Who signed it off")


class StatusCounts(ReadModel):
    red: int = Field(description="Items that are red")
    amber: int = Field(description="Items that are amber")
    green: int = Field(description="Items that are green")


class DutyReport(ReadModel):
    plan_id: uuid.UUID = Field(description="The plan")
    plan_title: str = Field(description="The plan's title")
    generated_at: datetime = Field(description="When the report was worked out")
    status: Status = Field(description="The worst status of any item")
    counts: StatusCounts = Field(description="Items per status")
    assessment: AssessmentRef | None = Field(description="The latest applicability record the report follows; null "
                                                         "when it was never assessed")
    items: list[ReportItem] = Field(description="One per requirement of every duty that applies")
