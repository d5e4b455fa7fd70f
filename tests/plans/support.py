"""Helpers shared by the plan, action and risk tests."""

from sqlalchemy import func, select

from api.models import Plan
from tests.audit_trail import audit_events  # noqa: F401 (the feature's tests import it from here)

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
