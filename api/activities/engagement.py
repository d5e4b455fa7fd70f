"""What "engaged" means, shared by the stakeholder filter, the stakeholder's activities and the report:
a stakeholder attended an activity that was done (and is not archived) and started in the period.

Dates given by users (not_engaged_since, report ranges) are UK calendar days: a day runs from
midnight to midnight Europe/London, whatever the offset (GMT or BST) that day."""

import re
import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator
from sqlalchemy import ColumnElement, and_, exists, select

from api.db import utcnow
from api.errors import Unprocessable
from api.models import Activity, ActivityAttendance

UK = ZoneInfo("Europe/London")
MIN_YEAR, MAX_YEAR = 1900, 2200


def uk_day(moment: datetime) -> date:
    """The UK calendar day of a moment: between midnight and 1 am in summer, UTC's date is still yesterday's."""
    return moment.astimezone(UK).date()


def uk_today() -> date:
    """Today as a UK calendar day."""
    return uk_day(utcnow())


def year_ending(end: date) -> date:
    """The first day of the year that ends on `end`: the day after the same date a year before (1 January for 31
    December, leap years included; 1 March for 29 February), but not before the first supported day."""
    try:
        earlier = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        earlier = end.replace(year=end.year - 1, day=28)
    return max(earlier + timedelta(days=1), date(MIN_YEAR, 1, 1))


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic would otherwise read a number as a Unix timestamp."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    if not isinstance(value, str | date):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


def _supported_year(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


# A calendar date in a query string (YYYY-MM-DD).
IsoDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_supported_year)]


def day_start(day: date) -> datetime:
    """The instant a UK calendar day begins (timezone-aware); 422 for a date no record can have."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise Unprocessable(f"Dates must fall between {MIN_YEAR} and {MAX_YEAR}")
    return datetime.combine(day, time(0), tzinfo=UK)


def day_end(day: date) -> datetime:
    """The instant after a UK calendar day ends (exclusive bound); 422 for a date no record can have. The day
    is what is checked, not the next one: 31 December of the last supported year ends in the year after."""
    day_start(day)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UK)


def engaged(stakeholder_id: Any, tenant_id: uuid.UUID, *, since: datetime | None = None,
            before: datetime | None = None, plan_id: uuid.UUID | None = None) -> ColumnElement[bool]:
    """EXISTS: the stakeholder attended a done, unarchived activity of the tenant starting in [since, before)."""
    conditions = [
        ActivityAttendance.stakeholder_id == stakeholder_id,
        ActivityAttendance.attended.is_(True),
        Activity.tenant_id == tenant_id,
        Activity.status == "done",
        Activity.archived_at.is_(None),
    ]
    if since is not None:
        conditions.append(Activity.starts_at >= since)
    if before is not None:
        conditions.append(Activity.starts_at < before)
    if plan_id is not None:
        conditions.append(Activity.plan_id == plan_id)
    return exists(
        select(ActivityAttendance.activity_id)
        .join(Activity, Activity.id == ActivityAttendance.activity_id)
        .where(and_(*conditions))
    )
