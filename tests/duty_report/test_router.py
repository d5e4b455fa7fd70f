import pytest

from api.duties.catalogue import RULES
from api.duty_report.rules import REGISTRY
from tests import factories
from tests.duty_report.support import NIL, REPORT, ROLES, assessment, catalogue, green_plan, item, report


def test_every_catalogue_rule_has_a_function():
    assert set(RULES) <= set(REGISTRY)


async def test_a_plan_meeting_every_requirement_is_green(client, session, a):
    world = await green_plan(session, a.tenant)
    got = await report(client, world.plan, a["lead"])
    assert got["status"] == "green", [(i["code"], i["reason"]) for i in got["items"] if i["status"] != "green"]
    assert got["plan_id"] == str(world.plan.id) and got["assessment"]["number"] == 1
    codes = [i["code"] for i in got["items"]]
    assert codes == ["limb-a-planning", "limb-b-proposals", "limb-c-decisions", "reach", "gunning-1", "gunning-2",
                     "gunning-3", "gunning-4", "due-regard", "osc-consultation", "sos-notification"]
    assert got["counts"] == {"red": 0, "amber": 0, "green": 11}
    planning = item(got, "limb-a-planning")
    assert planning["duty_code"] == "nhs-act-s14z45" and planning["level"] == "consult"
    assert planning["evidence"]["links"] == [{"kind": "activity", "id": str(world.activities["planning"].id),
                                              "title": "Planning workshop"}]
    assert {link["id"] for link in item(got, "gunning-2")["evidence"]["links"]} == {str(world.pack.id),
                                                                                   str(world.eia.id)}


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_the_report(client, session, a, role):
    world = await green_plan(session, a.tenant)
    assert (await report(client, world.plan, a[role]))["status"] == "green"


async def test_a_plan_never_assessed_has_one_red_item(client, session, a):
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    got = await report(client, plan, a["viewer"])
    assert got["status"] == "red" and got["assessment"] is None
    assert [i["code"] for i in got["items"]] == ["applicability"]
    assert got["items"][0]["reason"] == "Whether the duties to involve apply to this plan was never assessed."
    # The gap names the method that writes the record (POST there is a 405).
    assert got["items"][0]["gaps"] == ["Record the applicability of each duty (PUT the plan's duty-assessment)."]
    r = await client.post(f"/api/v1/plans/{plan.id}/duty-assessment", headers=a["lead"], json={})
    assert r.status_code == 405


async def test_an_unsigned_latest_version_adds_an_amber_item(client, session, a):
    world = await green_plan(session, a.tenant)
    await assessment(session, world.plan, world.duties, signed=False)
    got = await report(client, world.plan, a["lead"])
    assert got["status"] == "amber" and got["assessment"]["number"] == 2
    assert item(got, "applicability-sign-off")["reason"] == ("Version 2 of the applicability record has not been "
                                                             "signed off by a lead.")


async def test_only_duties_that_apply_are_reported(client, session, a):
    world = await green_plan(session, a.tenant)
    await assessment(session, world.plan, world.duties, applies=("equality-act-s149",))
    got = await report(client, world.plan, a["lead"])
    assert [i["code"] for i in got["items"]] == ["due-regard"]


async def test_nothing_applies_is_green_and_empty(client, session, a):
    plan = await factories.plan(session, a.tenant)
    await assessment(session, plan, await catalogue(session), applies=())
    got = await report(client, plan, a["lead"])
    assert got["status"] == "green" and got["items"] == []


async def test_a_requirement_without_a_rule_needs_evidence(client, session, a):
    from api.models import Duty, DutyRequirement
    from tests.duty_report.support import evidence

    duty = Duty(tenant_id=a.tenant.id, jurisdiction="england", code="local-charter", title="Our charter")
    session.add(duty)
    await session.flush()
    req = DutyRequirement(duty_id=duty.id, code="charter-1", title="Residents' panel consulted", rule=None)
    session.add(req)
    plan = await factories.plan(session, a.tenant)
    await assessment(session, plan, {"local-charter": duty}, applies=("local-charter",))
    got = item(await report(client, plan, a["lead"]), "charter-1")
    assert got["status"] == "amber" and got["reason"] == "No evidence item is linked to this requirement."
    row = await evidence(session, plan, req)
    got = item(await report(client, plan, a["lead"]), "charter-1")
    assert got["status"] == "green" and got["evidence"]["items"][0]["id"] == str(row.id)


async def test_another_tenants_duty_in_the_record_is_ignored(client, session, a, b):
    from api.models import Duty, DutyRequirement

    theirs = Duty(tenant_id=b.tenant.id, jurisdiction="england", code="b-only", title="B's own")
    session.add(theirs)
    await session.flush()
    session.add(DutyRequirement(duty_id=theirs.id, code="b-1", title="B", rule=None))
    plan = await factories.plan(session, a.tenant)
    await assessment(session, plan, {"b-only": theirs}, applies=("b-only",))
    items = (await report(client, plan, a["lead"]))["items"]
    assert [i["code"] for i in items if i["code"] != "applicability-coverage"] == []  # B's duty gives no items


async def test_another_tenants_plan_is_not_found(client, session, a, b):
    world = await green_plan(session, b.tenant)
    r = await client.get(REPORT.format(world.plan.id), headers=a["admin"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("plan_id, status", [(NIL, 404), ("not-a-uuid", 422)])
async def test_bad_plan_ids(client, a, plan_id, status):
    r = await client.get(REPORT.format(plan_id), headers=a["lead"])
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"


async def test_needs_a_token(client, session, a):
    world = await green_plan(session, a.tenant)
    assert (await client.get(REPORT.format(world.plan.id))).status_code == 401
