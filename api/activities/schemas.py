import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from api.pagination import Page
from api.schemas import (
    NOT_IN_A_LINE,
    ONE_LINE,
    ExternalIdStr,
    Instant,
    OptionalLongText,
    ReadModel,
    RequestModel,
    Text,
    Url,
)
from api.stakeholders.schemas import Categories, StakeholderCategory


class ActivityMethod(StrEnum):
    """Methods named in the seeds: Gwent's "Ask the audience" list (§4), Cambridgeshire's continuum
    of involvement (§7.7) and Dorset's participation activities."""

    staff_forum = "staff_forum"
    website_post = "website_post"
    intranet_qa = "intranet_qa"
    focus_group = "focus_group"
    blog = "blog"
    briefing = "briefing"  # a presentation or briefing, e.g. the standard presentation to strategic groups
    one_to_one = "one_to_one"
    breaking_news_email = "breaking_news_email"
    newsletter_article = "newsletter_article"
    survey = "survey"
    public_meeting = "public_meeting"
    citizens_jury = "citizens_jury"
    solution_circle = "solution_circle"
    workshop = "workshop"
    social_media_campaign = "social_media_campaign"
    press_release = "press_release"
    patient_participation_group = "patient_participation_group"
    other = "other"


class InvolvementLevel(StrEnum):
    inform = "inform"
    consult = "consult"
    involve = "involve"
    collaborate = "collaborate"
    co_produce = "co-produce"


class DutyLimb(StrEnum):
    """The limb of the duty to involve (NHS Act 2006 s14Z45 / s242) the activity serves."""

    planning = "planning"
    proposals = "proposals"
    decision = "decision"


class ActivityStatus(StrEnum):
    planned = "planned"
    done = "done"
    cancelled = "cancelled"


class ActivityChannel(StrEnum):
    face_to_face = "face_to_face"
    online_meeting = "online_meeting"
    phone = "phone"
    email = "email"
    post = "post"
    newsletter = "newsletter"
    website = "website"
    intranet = "intranet"
    social_media = "social_media"
    press = "press"
    other = "other"


class AccessibleFormat(StrEnum):
    easy_read = "easy_read"
    large_print = "large_print"
    braille = "braille"
    audio = "audio"
    bsl = "bsl"
    subtitles = "subtitles"
    hearing_loop = "hearing_loop"
    interpreter = "interpreter"
    translation = "translation"
    plain_english = "plain_english"
    other = "other"


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


Formats = Annotated[list[AccessibleFormat], Field(max_length=len(AccessibleFormat)), AfterValidator(_unique)]
# No ';' in a listed language: a CSV cell separates a list's items with ';' (as api.schemas.Tag), and an export
# imported back would split "Chinese (Cantonese; Mandarin)" in two.
ListedLanguage = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100,
                                                 pattern=rf"^[^{NOT_IN_A_LINE};]+$")]
Languages = Annotated[list[ListedLanguage], Field(max_length=20), AfterValidator(_unique)]
Place = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500,
                                         pattern=ONE_LINE)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                              pattern=ONE_LINE)]
Pence = Annotated[int, Field(ge=0, le=100_000_000_000)]
Count = Annotated[int, Field(ge=0, le=10_000_000_000)]
Headcount = Annotated[int, Field(ge=0, le=1_000_000)]

D = {
    "title": "What it was, e.g. 'Bridport PPG briefing on the urgent care review'",
    "description": "What it covered (shown in the calendar feed: no personal data)",
    "method": "How: a method from the documented list (focus_group, briefing, survey…)",
    "level": "Involvement level on the continuum: inform, consult, involve, collaborate, co-produce",
    "audience_categories": "The stakeholder groups it was aimed at",
    "plan_id": "The Communication & Engagement Plan it belongs to; one of your tenant's plans",
    "duty_limb": "The limb of the duty to involve it serves (planning, proposals, decision), or null",
    "status": "planned, done or cancelled",
    "starts_at": "When it starts (or was published); ISO 8601 with an offset",
    "ends_at": "When it ends; not before starts_at",
    "location": "Where it takes place",
    "online_url": "Joining link or web address (http or https)",
    "channel": "The channel it used",
    "led_by": "The user of your tenant who leads it",
    "led_by_name": "Who leads it, when not a user (e.g. a partner's officer)",
    "cost_pence": "What it cost, in pence",
    "unnamed_attendees": "Headcount of attendees not on the attendance log by name",
    "impressions": "Reach of broadcast activities: views or impressions",
    "recipients": "Reach of mailed activities: how many it was sent to",
    "accessible_formats": "Accessible formats and support offered",
    "translation_languages": "Languages translations were offered in (needs 'translation' in accessible_formats)",
    "outcome_summary": "What came of it",
    "external_id": "Your system's id; unique in the tenant",
}


class ActivityCreate(RequestModel):
    title: Text = Field(description=D["title"])
    description: OptionalLongText = Field(None, description=D["description"])
    method: ActivityMethod = Field(description=D["method"])
    level: InvolvementLevel = Field(InvolvementLevel.inform, description=D["level"])
    audience_categories: Categories = Field(default_factory=list, description=D["audience_categories"])
    plan_id: uuid.UUID | None = Field(None, description=D["plan_id"])
    duty_limb: DutyLimb | None = Field(None, description=D["duty_limb"])
    status: ActivityStatus = Field(ActivityStatus.planned, description=D["status"])
    starts_at: Instant = Field(description=D["starts_at"])
    ends_at: Instant | None = Field(None, description=D["ends_at"])
    location: Place | None = Field(None, description=D["location"])
    online_url: Url | None = Field(None, description=D["online_url"])
    channel: ActivityChannel | None = Field(None, description=D["channel"])
    led_by: uuid.UUID | None = Field(None, description=D["led_by"])
    led_by_name: PersonName | None = Field(None, description=D["led_by_name"])
    cost_pence: Pence | None = Field(None, description=D["cost_pence"])
    unnamed_attendees: Headcount = Field(0, description=D["unnamed_attendees"])
    impressions: Count | None = Field(None, description=D["impressions"])
    recipients: Count | None = Field(None, description=D["recipients"])
    accessible_formats: Formats = Field(default_factory=list, description=D["accessible_formats"])
    translation_languages: Languages = Field(default_factory=list, description=D["translation_languages"])
    outcome_summary: OptionalLongText = Field(None, description=D["outcome_summary"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class ActivityUpdate(RequestModel):
    """Only the fields present change; null clears an optional field and is refused for the others."""

    title: Text = Field(None, description=D["title"])
    description: OptionalLongText = Field(None, description=D["description"])
    method: ActivityMethod = Field(None, description=D["method"])
    level: InvolvementLevel = Field(None, description=D["level"])
    audience_categories: Categories = Field(None, description=D["audience_categories"] + " (replaces the list)")
    plan_id: uuid.UUID | None = Field(None, description=D["plan_id"])
    duty_limb: DutyLimb | None = Field(None, description=D["duty_limb"])
    status: ActivityStatus = Field(None, description=D["status"])
    starts_at: Instant = Field(None, description=D["starts_at"])
    ends_at: Instant | None = Field(None, description=D["ends_at"])
    location: Place | None = Field(None, description=D["location"])
    online_url: Url | None = Field(None, description=D["online_url"])
    channel: ActivityChannel | None = Field(None, description=D["channel"])
    led_by: uuid.UUID | None = Field(None, description=D["led_by"])
    led_by_name: PersonName | None = Field(None, description=D["led_by_name"])
    cost_pence: Pence | None = Field(None, description=D["cost_pence"])
    unnamed_attendees: Headcount = Field(None, description=D["unnamed_attendees"])
    impressions: Count | None = Field(None, description=D["impressions"])
    recipients: Count | None = Field(None, description=D["recipients"])
    accessible_formats: Formats = Field(None, description=D["accessible_formats"] + " (replaces the list)")
    translation_languages: Languages = Field(None, description=D["translation_languages"] + " (replaces the list)")
    outcome_summary: OptionalLongText = Field(None, description=D["outcome_summary"])
    external_id: ExternalIdStr | None = Field(None, description=D["external_id"])


class ActivityRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    external_id: str | None = Field(description="Your system's id")
    title: str = Field(description=D["title"])
    description: str | None = Field(description=D["description"])
    method: ActivityMethod = Field(description=D["method"])
    level: InvolvementLevel = Field(description=D["level"])
    audience_categories: list[StakeholderCategory] = Field(description=D["audience_categories"])
    plan_id: uuid.UUID | None = Field(description="The plan it belongs to")
    duty_limb: DutyLimb | None = Field(description=D["duty_limb"])
    status: ActivityStatus = Field(description=D["status"])
    starts_at: datetime = Field(description="When it starts")
    ends_at: datetime | None = Field(description="When it ends")
    location: str | None = Field(description=D["location"])
    online_url: str | None = Field(description=D["online_url"])
    channel: ActivityChannel | None = Field(description=D["channel"])
    led_by: uuid.UUID | None = Field(description=D["led_by"])
    led_by_name: str | None = Field(description=D["led_by_name"])
    cost_pence: int | None = Field(description=D["cost_pence"])
    invited_count: int = Field(description="Stakeholders on the attendance log marked invited")
    attended_count: int = Field(description="Attendees: stakeholders on the log marked attended plus "
                                            "unnamed_attendees (derived, never entered)")
    unnamed_attendees: int = Field(description=D["unnamed_attendees"])
    impressions: int | None = Field(description=D["impressions"])
    recipients: int | None = Field(description=D["recipients"])
    accessible_formats: list[AccessibleFormat] = Field(description=D["accessible_formats"])
    translation_languages: list[str] = Field(description=D["translation_languages"])
    outcome_summary: str | None = Field(description=D["outcome_summary"])
    archived_at: datetime | None = Field(description="When it was archived (deleted); null while active")
    created_at: datetime = Field(description="When it was recorded")
    updated_at: datetime = Field(description="When it (or its attendance log) last changed")
    created_by: uuid.UUID | None = Field(description="Who recorded it (user or service account id)")
    updated_by: uuid.UUID | None = Field(description="Who last changed it")
    version: int = Field(description="Increases with every change, attendance included; the ETag")


class ActivityPage(Page[ActivityRead]):
    pass


Role = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100,
                                        pattern=ONE_LINE)]


class AttendanceEntry(RequestModel):
    """One stakeholder's line; with POST, only the fields given change on an existing line."""

    stakeholder_id: uuid.UUID = Field(description="One of your tenant's stakeholders")
    invited: bool | None = Field(None, description="Invited (false when absent on a new line)")
    attended: bool | None = Field(None, description="Attended (false when absent on a new line); a walk-in "
                                                    "attends without being invited")
    role: Role | None = Field(None, description="Their part in it, e.g. speaker, chair, observer")


class AttendanceRecord(RequestModel):
    entries: list[AttendanceEntry] = Field(default_factory=list, max_length=1000,
                                           description="POST: lines to add or change (upserted by stakeholder_id; "
                                                       "lines not named stay). PUT: the whole log")
    unnamed_attendees: Headcount | None = Field(None, description="Replaces the headcount of unnamed attendees")


class AttendanceRow(ReadModel):
    stakeholder_id: uuid.UUID = Field(description="The stakeholder")
    stakeholder_name: str = Field(description="Their name ('Erased stakeholder' once erased; '***' to anyone but an "
                                              "admin while their processing is restricted)")
    invited: bool = Field(description="Invited")
    attended: bool = Field(description="Attended")
    role: str | None = Field(description="Their part in it ('***' as the name is); '***' sent back keeps it")
    stakeholder_withheld: bool = Field(description="True when the name and role are withheld from the caller "
                                                   "(restricted processing): tells the mask from a name")
    recorded_at: datetime = Field(description="When the line last changed")
    recorded_by: uuid.UUID | None = Field(description="Who last changed the line")


class AttendanceLog(ReadModel):
    activity_id: uuid.UUID = Field(description="The activity")
    items: list[AttendanceRow] = Field(description="Every line of the log, by stakeholder name")
    invited_count: int = Field(description="Lines marked invited")
    attended_count: int = Field(description="Lines marked attended plus unnamed_attendees")
    unnamed_attendees: int = Field(description=D["unnamed_attendees"])
    version: int = Field(description="The activity's version after this change (its ETag)")


class StakeholderActivity(ReadModel):
    activity_id: uuid.UUID = Field(description="The activity")
    title: str = Field(description=D["title"])
    method: ActivityMethod = Field(description=D["method"])
    level: InvolvementLevel = Field(description=D["level"])
    status: ActivityStatus = Field(description=D["status"])
    duty_limb: DutyLimb | None = Field(description=D["duty_limb"])
    plan_id: uuid.UUID | None = Field(description="The plan it belongs to")
    starts_at: datetime = Field(description="When it starts")
    ends_at: datetime | None = Field(description="When it ends")
    invited: bool = Field(description="Whether the stakeholder was invited")
    attended: bool = Field(description="Whether the stakeholder attended")
    role: str | None = Field(description="Their part in it")


class StakeholderActivityPage(Page[StakeholderActivity]):
    pass
