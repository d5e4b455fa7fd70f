"""The demo tenant that `make run` creates once: an admin and a small register to explore."""

import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.activities.demo import seed_engagement
from api.db import utcnow
from api.duty_assessments.demo import seed_duty
from api.models import Organisation, Stakeholder, Tenant
from api.plans.demo import seed_plan
from api.tenants import create_tenant, create_user, find_tenant

DEMO_SLUG = "demo"

ORGANISATIONS = [
    ("Bridport Medical Centre", "gp_practice", "DT6 3AJ", ["west-dorset"]),
    ("Healthwatch Dorset", "healthwatch", "BH15 1SZ", ["statutory"]),
    ("Dorset Council Health Scrutiny Committee", "local_authority", "DT1 1XJ", ["scrutiny"]),
    ("Dorset County Hospital NHS Foundation Trust", "nhs_trust", "DT1 2JY", ["provider"]),
    ("West Dorset Carers' Forum", "voluntary_group", "DT6 5BX", ["carers", "west-dorset"]),
]

# (name, kind, categories, organisation index or None, job title, champion, tags)
STAKEHOLDERS = [
    ("Dr Amira Khan", "person", ["gp_member"], 0, "GP partner", True, ["clinical-lead"]),
    ("Tom Hardy", "person", ["patient", "public"], None, None, False, ["seldom-heard"]),
    ("Healthwatch Dorset", "organisation", ["voluntary_sector"], 1, None, False, ["statutory"]),
    ("Cllr Jane Moore", "person", ["elected_representative", "influencer"], 2, "Chair", False, ["scrutiny"]),
    ("Priya Shah", "person", ["staff"], 3, "Head of Patient Experience", True, []),
    ("West Dorset Carers' Forum", "group", ["carer", "voluntary_sector"], 4, None, False, ["carers"]),
]


async def create_demo(session: AsyncSession, *, admin_email: str | None,
                      admin_password: str | None) -> tuple[Tenant, str, str | None] | None:
    """Create the demo tenant unless it exists. Returns (tenant, admin email, generated password or
    None when the password came from the environment); None when the demo already existed."""
    if await find_tenant(session, DEMO_SLUG):
        return None
    tenant = await create_tenant(session, slug=DEMO_SLUG, name="Demo Integrated Care Board")
    email = admin_email or "admin@demo.involve.example"
    generated = None if admin_password else secrets.token_urlsafe(12)
    admin = await create_user(session, tenant=tenant, email=email, password=admin_password or generated,
                              role="admin", full_name="Demo Administrator")
    orgs = []
    for name, kind, postcode, tags in ORGANISATIONS:
        org = Organisation(tenant_id=tenant.id, name=name, kind=kind, postcode=postcode, tags=tags)
        session.add(org)
        orgs.append(org)
    await session.flush()
    stakeholders = []
    for n, (name, kind, categories, org_index, job, champion, tags) in enumerate(STAKEHOLDERS, start=1):
        stakeholders.append(Stakeholder(
            tenant_id=tenant.id, name=name, kind=kind, categories=categories,
            organisation_id=orgs[org_index].id if org_index is not None else None, job_title=job,
            email=f"demo.contact{n}@example.org", is_champion=champion, tags=tags, contact_consent=True,
            consent_basis="public_task", consent_recorded_at=utcnow(), preferred_channels=["email"],
            communication_needs=[]))
    session.add_all(stakeholders)
    await session.flush()
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="seed", resource_type="tenant",
                       resource_id=tenant.id, changes={"organisations": len(ORGANISATIONS),
                                                       "stakeholders": len(STAKEHOLDERS)})
    plan = await seed_plan(session, tenant=tenant, admin=admin, stakeholders=stakeholders, organisations=orgs)
    await seed_engagement(session, tenant=tenant, admin=admin, stakeholders=stakeholders, plan=plan)
    await seed_duty(session, tenant=tenant, admin=admin, plan=plan)
    return tenant, email, generated
