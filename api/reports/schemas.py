import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from api.schemas import ReadModel


class ReportFormat(StrEnum):
    json = "json"
    csv = "csv"


class EngagedShare(ReadModel):
    key: str = Field(description="The quadrant (or 'unassessed') or the stakeholder category")
    stakeholders: int = Field(description="Active stakeholders in it")
    engaged: int = Field(description="Of those, how many attended a done activity in the period")
    share: float | None = Field(description="engaged / stakeholders, to 4 decimal places; null when there are none")


class ActivityCount(ReadModel):
    key: str | None = Field(description="The method, level or duty limb (null: serves no limb)")
    total: int = Field(description="Activities starting in the period")
    planned: int = Field(description="Of those, planned")
    done: int = Field(description="Of those, done")
    cancelled: int = Field(description="Of those, cancelled")


class Reach(ReadModel):
    activities_done: int = Field(description="Done activities starting in the period (what reach and cost cover)")
    invited: int = Field(description="Attendance-log lines marked invited")
    attended_named: int = Field(description="Attendance-log lines marked attended")
    unnamed_attendees: int = Field(description="Unnamed headcount")
    attended: int = Field(description="attended_named + unnamed_attendees")
    impressions: int = Field(description="Sum of impressions")
    recipients: int = Field(description="Sum of recipients")
    cost_pence: int = Field(description="Sum of costs, in pence")


class KeyCount(ReadModel):
    key: str = Field(description="The status or type")
    count: int = Field(description="How many")


class FeedbackFigures(ReadModel):
    received: int = Field(description="Feedback received in the period")
    responded: int = Field(description="Of those, with a response (responded or closed)")
    closed: int = Field(description="Of those, with the loop closed")
    overdue: int = Field(description="Of those, with no response past the due date")
    median_days_to_respond: float | None = Field(description="Median of (first response − receipt) in calendar "
                                                             "days, to 1 decimal place; null with no response")
    by_status: list[KeyCount] = Field(description="Counts per workflow status")
    by_type: list[KeyCount] = Field(description="Counts per type of feedback")


class EngagementReport(ReadModel):
    period_from: date = Field(description="First UK day of the period")
    period_to: date = Field(description="Last UK day of the period (inclusive)")
    plan_id: uuid.UUID | None = Field(description="The plan the report is limited to; null for the whole tenant")
    generated_at: datetime = Field(description="When the figures were counted")
    stakeholders: EngagedShare = Field(description="All active stakeholders (key 'all')")
    quadrants: list[EngagedShare] = Field(description="Per quadrant of the power/interest grid (latest general "
                                                      "scores, or the plan's when plan_id is given), and unassessed")
    categories: list[EngagedShare] = Field(description="Per stakeholder category (a stakeholder counts in each of "
                                                       "theirs)")
    activities: ActivityCount = Field(description="All activities starting in the period (key 'all')")
    by_method: list[ActivityCount] = Field(description="Activities per method")
    by_level: list[ActivityCount] = Field(description="Activities per involvement level")
    by_duty_limb: list[ActivityCount] = Field(description="Activities per limb of the duty to involve")
    reach: Reach = Field(description="Reach and cost of the done activities")
    feedback: FeedbackFigures = Field(description="Feedback received in the period and the loop's closure")
