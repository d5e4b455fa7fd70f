"""Helpers shared by the plan, action and risk tests."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
from sqlalchemy import func, select

from api.db import Database
from api.main import create_app
from api.migrate import upgrade
from api.models import AuditEvent, Plan
from tests.audit_trail import audit_events  # noqa: F401 (the feature's tests import it from here)
from tests.conftest import make_settings
from tests.dbtools import scratch_database_url
from tests.documents.support import upload
from tests.scrutiny.support import FULL, LETTER

URL = "/api/v1/plans"
WRITERS = ("admin", "lead")
READ_ONLY = ("contributor", "viewer", "auditor")
ROLES = WRITERS + READ_ONLY
NIL = "00000000-0000-0000-0000-000000000000"

FULL_PLAN = {
    "title": "Urgent treatment centre, West Dorset",
    "programme": "Integrated urgent care",
    "delivery_group": "West Dorset cluster",
    "stage": "develop",
    "purpose": "Involve people in the design of the new urgent treatment centre",
    "situation_analysis": "Two public meetings held in 2025; Healthwatch report on travel times",
    "approach": "Focus groups, an online survey and a public meeting in Bridport",
    "start_date": "2026-01-05",
    "end_date": "2026-06-30",
    "objectives": [{"statement": "Hear from 300 residents by April", "measure": "Survey responses",
                    "target": "300", "due_date": "2026-04-30", "status": "on_track"}],
    "key_messages": [{"text": "Care closer to home, open 12 hours a day", "approval_status": "approved"}],
    "channels": ["Staff newsletter", "Healthwatch newsletter"],
    "budget_lines": [{"item": "Venue hire", "amount_pence": 45000, "funded_from": "Comms budget"},
                     {"item": "Easy read translation", "amount_pence": 120050}],
    "evaluation_measures": [{"name": "Attendance at events", "target": "150"}],
    "audience_categories": ["patient", "carer"],
    "external_id": "PLAN-7",
}


async def count(session, tenant) -> int:
    return (await session.execute(select(func.count()).select_from(Plan).where(Plan.tenant_id == tenant.id))
            ).scalar_one()


@contextlib.asynccontextmanager
async def live_app(suffix: str) -> AsyncIterator[tuple[httpx.AsyncClient, Database, object]]:
    """(client, db, app): the app on a scratch database of its own, each request in a session of its own as in
    production (no shared test transaction, as tests/test_concurrency.py). Only this shows that a request committed
    what it wrote, such as the audit of an admin's read of a restricted person: the shared session sees it anyway."""
    url = await asyncio.to_thread(scratch_database_url, suffix)
    await asyncio.to_thread(upgrade, url)
    app = create_app(make_settings(url))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            yield client, app.state.db, app
    finally:
        await app.state.db.dispose()


async def committed_events(db: Database, *, action: str, resource_id: uuid.UUID) -> int:
    """How many `action` events about the resource are committed, read in a session of their own."""
    async with db.read_sessions() as session:
        return (await session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.resource_id == str(resource_id)))).scalar_one()


def applicability(req) -> dict:
    """A duty-assessment body: the requirement's duty applies, at the consult level."""
    return {"entries": [{"duty_id": str(req.duty_id), "applies": True, "reasons": "Changes how services are provided",
                         "level": "consult"}]}


def record_creates(client: httpx.AsyncClient, headers: dict, plan_id: uuid.UUID, req) -> dict[str, Callable]:
    """By name, a call adding each kind of record of what happened on the plan (not to its action plan or log): what
    an archived plan refuses and a closed one still takes (api.plans.children.open_plan)."""
    base = f"{URL}/{plan_id}"
    return {
        "document": lambda: upload(client, headers, plan_id),
        "evidence": lambda: client.post(f"{base}/evidence", json={"requirement_id": str(req.id),
                                                                 "summary": "Minutes of the decision meeting"},
                                        headers=headers),
        "consultation": lambda: client.post(f"{base}/consultations", json={"title": "Formal consultation"},
                                            headers=headers),
        "letter": lambda: client.post(f"{base}/scrutiny/correspondence", json=LETTER, headers=headers),
        "scrutiny record": lambda: client.put(f"{base}/scrutiny", json=FULL, headers=headers),
        "applicability record": lambda: client.put(f"{base}/duty-assessment", json=applicability(req),
                                                   headers=headers),
    }
