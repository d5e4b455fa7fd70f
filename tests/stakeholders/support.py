"""Helpers shared by the stakeholder tests."""

from sqlalchemy import func, select

from api.models import Stakeholder
from api.stakeholders.hot_reads import HotReads
from tests.audit_trail import audit_events, audit_text  # noqa: F401 (the feature's tests import it from here)

URL = "/api/v1/stakeholders"
WRITERS = ("admin", "lead")
READ_ONLY = ("contributor", "viewer", "auditor")
ROLES = WRITERS + READ_ONLY
PASSED_ON = 599  # the answer of the app behind hot_reads_alone: the hot reads passed the request on


async def _passed_on(scope, receive, send):
    await send({"type": "http.response.start", "status": PASSED_ON, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def hot_reads_alone(app) -> HotReads:
    """The app's hot reads (api/stakeholders/hot_reads.py) in front of an app answering PASSED_ON: a request they
    answer themselves gets their answer, one they pass on gets PASSED_ON."""
    return HotReads(_passed_on, fastapi_app=app)

# A person with every personal field filled in.
PERSON = {
    "kind": "person",
    "name": "Margaret Okafor",
    "categories": ["patient", "carer"],
    "job_title": "Chair, Bridport Patient Group",
    "email": "Margaret.Okafor@Example.org",
    "phone": "+44 1308 422100",
    "address": "12 South Street, Bridport",
    "postcode": "dt6 3nq",
    "preferred_channels": ["email", "post"],
    "communication_needs": ["large_print", "interpreter"],
    "interpreter_language": "Yoruba",
    "contact_consent": True,
    "consent_basis": "consent",
    "is_champion": True,
    "is_public_representative": True,
    "tags": ["west-dorset"],
    "notes": "Prefers morning calls; daughter is her carer",
    "external_id": "CRM-000123",
}
PERSONAL_VALUES = ("Margaret", "Okafor", "example.org", "1308 422100", "South Street", "DT6 3NQ", "Chair, Bridport",
                   "Yoruba", "morning calls", "CRM-000123", "west-dorset", "large_print")


async def count(session, tenant) -> int:
    return (await session.execute(select(func.count()).select_from(Stakeholder)
                                  .where(Stakeholder.tenant_id == tenant.id))).scalar_one()
