"""Helpers for the scrutiny tests."""

import itertools
from datetime import date

from sqlalchemy import func, select

from api.models import Scrutiny, ScrutinyCorrespondence

_counter = itertools.count(1)

FULL = {
    "body": "osc",
    "committee_name": "Dorset Health Overview and Scrutiny Committee",
    "substantial_variation": True,
    "substantial_variation_reason": "Moves urgent care for 90,000 residents to one site",
    "committee_view": "Supports the proposal subject to transport mitigations",
    "committee_view_date": "2026-04-20",
    "sos_notification_required": True,
    "sos_notified_date": "2026-04-25",
}
LETTER = {"direction": "sent", "correspondence_date": "2026-02-10",
          "summary": "Briefing to the committee on the proposal and the consultation plan"}


def url(plan_id) -> str:
    return f"/api/v1/plans/{plan_id}/scrutiny"


def letters_url(plan_id) -> str:
    return f"{url(plan_id)}/correspondence"


async def record(session, plan, **values) -> Scrutiny:
    values.setdefault("body", "osc")
    row = Scrutiny(tenant_id=plan.tenant_id, plan_id=plan.id, **values)
    session.add(row)
    await session.flush()
    return row


async def letter(session, plan, **values) -> ScrutinyCorrespondence:
    n = next(_counter)
    values.setdefault("direction", "received")
    values.setdefault("correspondence_date", date(2026, 2, n % 28 + 1))
    values.setdefault("summary", f"Letter {n}")
    row = ScrutinyCorrespondence(tenant_id=plan.tenant_id, plan_id=plan.id, **values)
    session.add(row)
    await session.flush()
    return row


async def counts(session, tenant) -> tuple[int, int]:
    records = (await session.execute(select(func.count()).select_from(Scrutiny)
                                     .where(Scrutiny.tenant_id == tenant.id))).scalar_one()
    letters = (await session.execute(select(func.count()).select_from(ScrutinyCorrespondence)
                                     .where(ScrutinyCorrespondence.tenant_id == tenant.id))).scalar_one()
    return records, letters
