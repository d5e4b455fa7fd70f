"""The demo plan seeded over the demo register shows a real grid at once."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from api.demo import create_demo
from api.models import Organisation, Stakeholder, User
from api.plans.demo import seed_plan
from tests import factories


async def test_the_demo_plan_has_a_full_grid_movement_an_overdue_action_and_every_rag(app, client, session):
    tenant, _, _ = await create_demo(session, admin_email="demo-admin@example.test",
                                     admin_password="demo-password-123")
    admin = (await session.execute(select(User).where(User.tenant_id == tenant.id))).scalar_one()
    stakeholders = list((await session.execute(select(Stakeholder).where(Stakeholder.tenant_id == tenant.id)
                                               .order_by(Stakeholder.created_at))).scalars())
    organisations = list((await session.execute(select(Organisation).where(Organisation.tenant_id == tenant.id)
                                                .order_by(Organisation.created_at))).scalars())
    # Whether or not create_demo already seeds a plan, another one over the same register works the same.
    plan = await seed_plan(session, tenant=tenant, admin=admin, stakeholders=stakeholders,
                           organisations=organisations)
    await session.commit()
    headers = factories.auth_headers(app, admin)

    since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    grid = (await client.get(f"/api/v1/plans/{plan.id}/grid", params={"since": since}, headers=headers)).json()
    assert len(grid["stakeholders"]) == len(stakeholders)  # the whole register is in the audience
    assert all(grid["counts"][q] > 0 for q in ("manage_closely", "keep_satisfied", "keep_informed", "monitor"))
    assert grid["counts"]["unassessed"] == 0 and all(s["source"] == "plan" for s in grid["stakeholders"])
    assert len(grid["moved"]) == 2 and grid["newly_assessed"] == []
    general = (await client.get("/api/v1/stakeholders/grid", headers=headers)).json()
    assert general["counts"]["unassessed"] == 0

    got = (await client.get(f"/api/v1/plans/{plan.id}", headers=headers)).json()
    assert got["status"] == "active" and got["objectives"] and got["key_messages"] and got["budget_total_pence"] > 0
    overdue = (await client.get(f"/api/v1/plans/{plan.id}/actions", params={"overdue": "true"},
                                headers=headers)).json()["items"]
    assert len(overdue) == 1
    risks = (await client.get(f"/api/v1/plans/{plan.id}/risks", headers=headers)).json()["items"]
    assert sorted(r["rag"] for r in risks) == ["amber", "green", "red"]
    history = (await client.get(f"/api/v1/stakeholders/{grid['moved'][0]['stakeholder_id']}/assessments",
                                params={"plan_id": str(plan.id)}, headers=headers)).json()["items"]
    assert [h["is_latest"] for h in history] == [True, False]  # re-assessed for the plan
