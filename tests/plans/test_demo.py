"""The demo plan seeded over the demo register shows a real grid at once."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from api.demo import create_demo
from api.models import Organisation, Stakeholder, User
from api.plans.demo import seed_plan
from tests import factories


async def test_the_demo_plan_has_a_full_grid_movement_an_overdue_action_and_every_rag(app, client, session):
    tenant, _, _ = await create_demo(session, admin_email="demo-admin@example.org",
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


async def test_the_demo_duty_report_shows_the_late_equality_assessment_and_its_evidence_pack_verifies(
        app, client, session):
    tenant, _, _ = await create_demo(session, admin_email="demo-admin@example.org",
                                     admin_password="demo-password-123")
    await session.commit()
    admin = (await session.execute(select(User).where(User.tenant_id == tenant.id))).scalar_one()
    headers = factories.auth_headers(app, admin)
    plans = (await client.get("/api/v1/plans", headers=headers)).json()["items"]
    assert len(plans) == 1
    plan_id = plans[0]["id"]

    record = (await client.get(f"/api/v1/plans/{plan_id}/duty-assessment", headers=headers)).json()
    assert record["number"] == 1 and record["signed_off_by"] == str(admin.id)
    applies = {e["duty_code"]: e["applies"] for e in record["entries"]}
    assert applies["nhs-act-s14z45"] and applies["gunning"] and applies["equality-act-s149"]
    assert applies["health-scrutiny-reg23"] and applies["reconfiguration-notification"] is False
    assert all(e["reasons"] for e in record["entries"])
    # Seeded straight into the table, it must still be what the API accepts: written back, it is version 2.
    again = [{k: e[k] for k in ("duty_id", "applies", "reasons", "level")} for e in record["entries"]]
    r = await client.put(f"/api/v1/plans/{plan_id}/duty-assessment", json={"entries": again}, headers=headers)
    assert r.status_code == 200 and r.json()["number"] == 2, r.text
    await client.post(f"/api/v1/plans/{plan_id}/duty-assessment/sign-off", headers=headers)

    r = await client.get(f"/api/v1/plans/{plan_id}/duty-report", headers=headers)
    assert r.status_code == 200, r.text
    report = r.json()
    items = {i["code"]: i for i in report["items"]}
    assert "applicability-sign-off" not in items  # version 1 is signed off
    assert items["gunning-1"]["status"] == "green"
    assert items["gunning-3"]["status"] == "green"
    assert items["osc-consultation"]["status"] == "green"
    for code in ("gunning-2", "due-regard"):  # the equality impact assessment came a week after launch
        assert items[code]["status"] == "red"
        assert "equality impact assessment was published on" in items[code]["reason"]
        assert "after the consultation opened" in items[code]["reason"]
    assert report["counts"]["green"] > report["counts"]["red"]
    assert "sos-notification" not in items  # the record says that duty does not apply
    evidenced = [i for i in report["items"] if i["evidence"]["items"]]
    assert sorted(i["code"] for i in evidenced) == ["gunning-2", "limb-b-proposals"]

    pack = await client.get(f"/api/v1/plans/{plan_id}/evidence-pack", headers=headers)
    assert pack.status_code == 200, pack.text
    verified = await client.post("/api/v1/evidence-packs/verify", content=pack.content,
                                 headers={**headers, "content-type": "application/json"})
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True

    documents = (await client.get(f"/api/v1/plans/{plan_id}/documents", headers=headers)).json()["items"]
    assert sorted(d["kind"] for d in documents) == ["consultation_pack", "equality_impact_assessment"]
    content = await client.get(f"/api/v1/plans/{plan_id}/documents/{documents[0]['id']}/content", headers=headers)
    assert content.status_code == 200 and content.content.startswith(b"%PDF-")
