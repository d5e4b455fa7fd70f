"""An admin's read of a plan naming a restricted person (UK GDPR Art. 18) is audited, and the GET commits that event:
seen with the app's own sessions, since the suite's shared session would see it uncommitted."""

from datetime import UTC, datetime

import pytest

from api.models import User
from api.tenants import create_tenant
from tests import factories
from tests.plans.support import URL, committed_events, live_app


@pytest.fixture(scope="module")
async def live():
    async with live_app("plan_read_audit") as (client, db, app):
        async with db.write_sessions() as session:
            tenant = await create_tenant(session, slug="reads", name="Reads Health Board")
            admin = User(tenant_id=tenant.id, email="admin@reads.test", full_name="Admin", password_hash="x",
                         role="admin")
            session.add(admin)
            await session.commit()
        yield client, db, tenant, factories.auth_headers(app, admin)


async def restricted_plan(db, tenant, title):
    """A plan whose named audience holds a restricted person."""
    async with db.write_sessions() as session:
        person = await factories.stakeholder(session, tenant, restricted_at=datetime.now(UTC),
                                             restriction_reason="Accuracy contested")
        plan = await factories.plan(session, tenant, title=title, audience_stakeholders=[person])
        await session.commit()
    return plan, person


async def test_an_admins_get_of_a_plan_commits_the_audit_of_its_restricted_person(live):
    client, db, tenant, admin = live
    plan, person = await restricted_plan(db, tenant, "Stroke services")
    r = await client.get(f"{URL}/{plan.id}", headers=admin)
    assert r.status_code == 200 and r.json()["audience_stakeholder_ids"] == [str(person.id)]
    assert await committed_events(db, action="read_restricted", resource_id=person.id) == 1


async def test_an_admins_list_of_plans_commits_the_audit_of_a_restricted_person(live):
    client, db, tenant, admin = live
    plan, person = await restricted_plan(db, tenant, "Urgent care")
    r = await client.get(URL, params={"q": "Urgent care"}, headers=admin)
    assert r.status_code == 200 and [p["audience_stakeholder_ids"] for p in r.json()["items"]] == [[str(person.id)]]
    assert await committed_events(db, action="read_restricted", resource_id=person.id) == 1
