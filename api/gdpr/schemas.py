"""Bodies and answers of the UK GDPR rights endpoints (subject access, restriction, objection, legal hold)."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from api.activities.engagement import IsoDate
from api.activities.schemas import StakeholderActivity
from api.assessments.schemas import AssessmentRead
from api.audit_events.schemas import AuditEventRead
from api.feedback.schemas import FeedbackRead
from api.organisations.schemas import OrganisationRead
from api.schemas import ReadModel, RequestModel
from api.stakeholders.schemas import StakeholderRead

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000,
                                          pattern=r"^[^\x00]+$")]


class RestrictionCreate(RequestModel):
    reason: Reason = Field(description="Why processing is restricted, e.g. 'accuracy contested by the person "
                                       "(Art. 18(1)(a))'")


class ObjectionScope(StrEnum):
    contact = "contact"
    processing = "processing"


class ObjectionOutcome(StrEnum):
    pending = "pending"
    upheld = "upheld"
    not_upheld = "not_upheld"


class ObjectionCreate(RequestModel):
    scope: ObjectionScope = Field(description="contact: to being contacted at all (contact consent is turned off); "
                                              "processing: to processing on legitimate interests or public task")
    grounds: Reason = Field(description="The person's grounds, in their words or summarised")
    objection_date: IsoDate | None = Field(None, description="When they objected, YYYY-MM-DD in 1900–2200 "
                                                             "(default: today in the UK, Europe/London)")
    outcome: ObjectionOutcome = Field(ObjectionOutcome.pending, description="pending, upheld or not_upheld")


class LegalHoldCreate(RequestModel):
    reason: Reason = Field(description="Why the plan's record is held, e.g. 'judicial review claim issued'")


class PlanAudienceMembership(ReadModel):
    plan_id: uuid.UUID = Field(description="The plan")
    plan_title: str = Field(description="Its title")
    named: bool = Field(description="Named in the audience")
    by_organisation: bool = Field(description="In the audience through their organisation")
    by_category: bool = Field(description="In the audience through one of their categories")


class EvidenceMention(ReadModel):
    id: uuid.UUID = Field(description="The evidence item")
    plan_id: uuid.UUID = Field(description="Its plan")
    requirement_id: uuid.UUID = Field(description="The duty requirement it evidences")
    summary: str = Field(description="How it meets the requirement")
    feedback_ids: list[uuid.UUID] = Field(description="The person's feedback it links")
    activity_ids: list[uuid.UUID] = Field(description="Activities it links that the person attended")


class HoldingPlan(ReadModel):
    id: uuid.UUID = Field(description="A plan on legal hold that names the person (their erasure is blocked)")
    title: str = Field(description="Its title")


class SubjectAccessReport(ReadModel):
    generated_at: datetime = Field(description="When this report was put together")
    stakeholder: StakeholderRead = Field(description="The person's record, unmasked")
    organisation: OrganisationRead | None = Field(description="The organisation they belong to")
    assessments: list[AssessmentRead] = Field(description="Every interest/influence assessment of them, newest first")
    plan_audiences: list[PlanAudienceMembership] = Field(description="Plans whose audience they are in")
    attendance: list[StakeholderActivity] = Field(description="Activities they were invited to or attended, "
                                                              "newest first (archived activities included)")
    feedback: list[FeedbackRead] = Field(description="What they said, with our responses, newest first")
    evidence: list[EvidenceMention] = Field(description="Evidence items linking their feedback or activities "
                                                        "they attended")
    legal_holds: list[HoldingPlan] = Field(description="Plans on legal hold that name them")
    audit_events: list[AuditEventRead] = Field(description="Audit events about their record, their feedback, "
                                                           "their assessments and their lines of activities' "
                                                           "attendance logs (those taken off included), oldest "
                                                           "first; of feedback moved from them to someone else "
                                                           "(or to nobody), its events up to that move. Only their "
                                                           "part of each is shown: of a log's change their line "
                                                           "alone, another person's id as '[personal data]', as "
                                                           "personal values appear; id, seq and hashes are the "
                                                           "stored event's")
