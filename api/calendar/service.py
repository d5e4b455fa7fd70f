"""Calendar tokens and the iCalendar feed.

A calendar token is 32 random bytes (256 bits) from `secrets`. It is stored only as its SHA-256:
a slow password hash (argon2) protects secrets people choose, which can be guessed; nobody can guess
a 256-bit random value, so a fast hash loses nothing, and it lets the feed find the token by an
indexed equality on every poll instead of verifying argon2 against each of the tenant's tokens.
The token is read-only and good for the calendar feed alone. Access logs record paths without query
strings, so `?token=` never reaches a log.

The feed carries no personal data: no attendees, no leader names, no notes or outcomes; and an activity's
description and location, which staff write for it, lose the names, emails, phone numbers, postal addresses and
postcodes of the people it names (its attendance log, the feedback it drew), as a last guard: a home visit's location
is someone's home. The venue's address stays."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from icalendar import Calendar, Event, Timezone
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, rls
from api.activities.engagement import day_end, day_start, year_ending
from api.auth.principal import Principal
from api.crud import ensure_not_archived, get_owned
from api.db import utcnow
from api.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from api.models import Activity, ActivityAttendance, CalendarToken, Feedback, Plan, Stakeholder, Tenant
from api.pagination import PageParams, PageResult, paginate
from api.plans.audience import check_references
from api.scrub import Contacts, remove_people

PREFIX = "ical_"
HINT_LENGTH = 10
DEFAULT_PAST_DAYS = 365
SORTABLE = {"id": CalendarToken.id}
ICS_STATUS = {"planned": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(*, session: AsyncSession, caller: Principal, label: str,
                       plan_id: uuid.UUID | None) -> tuple[CalendarToken, str]:
    """A new token; the secret is returned to show once and is never stored."""
    await check_references(session, tenant_id=caller.tenant_id, values={"plan_id": plan_id},
                           references=(("plan_id", Plan, "plan"),))
    await ensure_not_archived(session, Plan, tenant_id=caller.tenant_id, ids=plan_id, label="plan")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = CalendarToken(tenant_id=caller.tenant_id, label=label, plan_id=plan_id, token_hash=digest(secret),
                        token_hint=secret[:HINT_LENGTH], created_by=caller.id)
    session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                       resource_type="calendar_token", resource_id=row.id,
                       changes=audit.diff(None, {"label": label, "plan_id": plan_id}))
    return row, secret


async def list_tokens(*, session: AsyncSession, caller: Principal, revoked: bool | None,
                      page: PageParams) -> PageResult:
    stmt = select(CalendarToken).where(CalendarToken.tenant_id == caller.tenant_id)
    if revoked is not None:
        stmt = stmt.where(CalendarToken.revoked_at.is_not(None) if revoked else CalendarToken.revoked_at.is_(None))
    return await paginate(session, stmt, params=page, sortable=SORTABLE, default_sort="id")


async def revoke(*, session: AsyncSession, caller: Principal, token_id: uuid.UUID) -> CalendarToken:
    """Revoke a token at once; revoking it again changes nothing."""
    row = await get_owned(session, CalendarToken, tenant_id=caller.tenant_id, id=token_id, label="calendar token")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = utcnow(), caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="revoke",
                           resource_type="calendar_token", resource_id=row.id,
                           changes=audit.diff({"revoked_at": None}, {"revoked_at": row.revoked_at}))
    return row


@dataclass(frozen=True)
class FeedAccess:
    tenant_id: uuid.UUID
    plan_id: uuid.UUID | None  # the token's scope, if any
    by_token: bool = False  # a subscription publishes no archived plan


async def access_by_token(session: AsyncSession, token: str) -> FeedAccess:
    """The tenant (and plan) a calendar token opens; 401 when unknown or revoked, or when its plan is archived (until
    the plan is restored), as an unknown token is."""
    await rls.bypass(session)  # the token names its tenant: found across tenants, then scoped to it
    row = (await session.execute(
        select(CalendarToken.tenant_id, CalendarToken.plan_id, CalendarToken.revoked_at, Plan.archived_at)
        .outerjoin(Plan, Plan.id == CalendarToken.plan_id).where(CalendarToken.token_hash == digest(token)))).first()
    if row is None or row.revoked_at is not None or row.archived_at is not None:
        raise Unauthorized("The calendar token is unknown, was revoked, or its plan is archived")
    await rls.scope(session, row.tenant_id)
    return FeedAccess(row.tenant_id, row.plan_id, by_token=True)


async def feed(*, session: AsyncSession, access: FeedAccess, plan_id: uuid.UUID | None, start: date | None,
               end: date | None) -> bytes:
    """The tenant's (or one plan's) activities as an iCalendar document."""
    if access.plan_id is not None and plan_id not in (None, access.plan_id):
        raise Forbidden("This calendar token is limited to another plan")
    plan_id = plan_id or access.plan_id
    if start and end and start > end:  # as the reports answer it: an empty feed would hide the mistake
        raise Unprocessable("from is after to", errors=[
            {"loc": ["query", "to"], "msg": "must not be before from", "type": "date_range"}])
    # Without `from`: a year back from `to` when given (an older `to` gave an empty feed), else from now
    since = (day_start(start) if start else day_start(year_ending(end)) if end
             else utcnow() - timedelta(days=DEFAULT_PAST_DAYS))
    stmt = select(Activity).where(Activity.tenant_id == access.tenant_id, Activity.archived_at.is_(None),
                                  Activity.starts_at >= since)
    if end:
        stmt = stmt.where(Activity.starts_at < day_end(end))
    if access.by_token:  # a subscription publishes nothing of an archived plan (staff may still read it)
        archived = select(Plan.id).where(Plan.tenant_id == access.tenant_id, Plan.archived_at.is_not(None))
        stmt = stmt.where(or_(Activity.plan_id.is_(None), Activity.plan_id.not_in(archived)))
    name = (await session.execute(select(Tenant.name).where(Tenant.id == access.tenant_id))).scalar_one()
    if plan_id is not None:
        plan = (await session.execute(select(Plan.title, Plan.archived_at).where(
            Plan.id == plan_id, Plan.tenant_id == access.tenant_id))).first()
        if plan is None or (access.by_token and plan.archived_at is not None):
            raise NotFound(f"No plan with id {plan_id}")
        name = f"{name}: {plan.title}"
        stmt = stmt.where(Activity.plan_id == plan_id)
    rows = (await session.execute(stmt.order_by(Activity.starts_at, Activity.id))).scalars().all()
    return render(name, rows, await _people(session, [row.id for row in rows]))


async def _people(session: AsyncSession, activity_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Stakeholder]]:
    """The people each activity names: on its attendance log, or as the source of feedback it drew (groups and
    organisations are not people: their names stay)."""
    found: dict[uuid.UUID, list[Stakeholder]] = {}
    for link in (ActivityAttendance, Feedback):
        for activity_id, person in (await session.execute(
                select(link.activity_id, Stakeholder).join(Stakeholder, Stakeholder.id == link.stakeholder_id)
                .where(link.activity_id.in_(activity_ids), Stakeholder.kind == "person"))).all():
            found.setdefault(activity_id, []).append(person)
    return found


def _without(text: str, people: list[Stakeholder]) -> str:
    """What staff wrote about these people, as an erasure scrubs it: their names, emails, phones, postcodes and the
    lines of their addresses that are theirs go, their house's name too, never a town (api.scrub.remove_people)."""
    return remove_people(text, names=[p.name for p in people if p.erased_at is None],
                         contacts=[Contacts(p.email, p.phone, p.address, p.postcode) for p in people])


@cache
def _uk_timezone() -> Timezone:
    """Europe/London as a VTIMEZONE, built from the zoneinfo database (no network), once per process."""
    return Timezone.from_tzid("Europe/London")


def render(name: str, activities, people: dict[uuid.UUID, list[Stakeholder]]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Involve//Engagement calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Engagement: {name}")
    # RFC 5545 §3.6: a VCALENDAR holds at least one component, and a tenant, plan or period without activities
    # would give none. The events are in UTC; the UK's time zone is what their times mean to the readers.
    cal.add_component(_uk_timezone())
    for act in activities:
        event = Event()
        event.add("uid", f"{act.id}@involve")
        event.add("dtstamp", act.updated_at)
        event.add("created", act.created_at)
        event.add("last-modified", act.updated_at)
        event.add("sequence", act.version)
        named = people.get(act.id, [])
        event.add("summary", _without(act.title, named))
        event.add("dtstart", act.starts_at)
        # RFC 5545 §3.8.2.2: DTEND is later than DTSTART. An activity may end as it starts, or within the second
        # (iCalendar counts whole seconds): then no DTEND, which for a date-time start means an instant.
        if act.ends_at is not None and act.ends_at.replace(microsecond=0) > act.starts_at.replace(microsecond=0):
            event.add("dtend", act.ends_at)
        event.add("status", ICS_STATUS.get(act.status, "CONFIRMED"))
        event.add("categories", [act.method, act.level])
        details = [f"Method: {act.method.replace('_', ' ')}", f"Involvement: {act.level}"]
        if act.duty_limb:
            details.append(f"Duty to involve: {act.duty_limb}")
        if act.description:
            details.append(_without(act.description, named))
        event.add("description", "\n".join(details))
        if act.location:
            event.add("location", _without(act.location, named))
        if act.online_url:
            event.add("url", act.online_url)
        cal.add_component(event)
    return cal.to_ical()
