"""A sealed pack contains every record its evidence cites: evidence may link any activity or feedback of the tenant
(an archived one stays linked, another plan's may be linked), and the pack held only the plan's own live ones."""

import json

from tests import factories
from tests.duty_report.support import evidence, green_plan, requirement

PACK = "/api/v1/plans/{}/evidence-pack"
VERIFY = "/api/v1/evidence-packs/verify"


async def _pack(client, plan, headers) -> dict:
    r = await client.get(PACK.format(plan.id), headers=headers)
    assert r.status_code == 200, r.text
    return json.loads(r.content)


def _cited(pack: dict, field: str) -> set[str]:
    return {i for e in pack["evidence"] for i in e[field]}


async def test_the_pack_holds_an_archived_activity_its_evidence_links(client, session, a):
    world = await green_plan(session, a.tenant)
    act = await factories.activity(session, a.tenant, plan_id=world.plan.id, duty_limb=None, title="Board workshop")
    await factories.attendance(session, act, world.group)
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-a-planning")
    await evidence(session, world.plan, req, summary="Workshop", activity_ids=[str(act.id)])
    await session.commit()
    assert (await client.delete(f"/api/v1/activities/{act.id}", headers=a["lead"])).status_code == 204
    # The person is restricted (UK GDPR Art. 18): the linked record follows the pack's rule, unnamed.
    assert (await client.post(f"/api/v1/stakeholders/{world.group.id}/restriction", headers=a["admin"],
                              json={"reason": "Accuracy contested"})).status_code == 200
    pack = await _pack(client, world.plan, a["admin"])
    present = {x["id"]: x for x in pack["activities"]}
    assert _cited(pack, "activity_ids") <= set(present)
    held = present[str(act.id)]
    assert held["archived_at"] is not None and held["plan_id"] == str(world.plan.id)
    assert held["title"] == "Board workshop"
    assert [(x["stakeholder_id"], x["stakeholder_name"], x["stakeholder_withheld"]) for x in held["attendance"]] \
        == [(str(world.group.id), "***", True)]
    assert list(present)[-1] == str(act.id)  # after the plan's own
    assert "Bridport Traveller Forum" not in json.dumps(pack)
    assert pack["duty_report"]["status"] == "green"  # the report still counts only the plan's live activities
    assert (await client.post(VERIFY, json=pack, headers=a["auditor"])).json()["valid"] is True


async def test_the_pack_holds_another_plans_feedback_its_evidence_links(client, session, a):
    world = await green_plan(session, a.tenant)
    other = await factories.plan(session, a.tenant, title="Other plan")
    fb = await factories.feedback(session, a.tenant, plan_id=other.id, text="Said about the other plan",
                                  stakeholder_id=world.group.id)
    elsewhere = await factories.activity(session, a.tenant, plan_id=other.id, title="Other plan's meeting")
    req = await requirement(session, world.duties["gunning"], "gunning-4")
    await evidence(session, world.plan, req, summary="Considered", feedback_ids=[str(fb.id)],
                   activity_ids=[str(elsewhere.id)])
    await session.commit()
    assert (await client.post(f"/api/v1/stakeholders/{world.group.id}/restriction", headers=a["admin"],
                              json={"reason": "Accuracy contested"})).status_code == 200
    pack = await _pack(client, world.plan, a["lead"])
    feedback = {f["id"]: f for f in pack["feedback"]}
    assert _cited(pack, "feedback_ids") <= set(feedback) and _cited(pack, "activity_ids") <= {
        x["id"] for x in pack["activities"]}
    theirs = feedback[str(fb.id)]
    assert (theirs["plan_id"], theirs["archived_at"], theirs["text"]) == (str(other.id), None,
                                                                          "Said about the other plan")
    assert (theirs["stakeholder_id"], theirs["stakeholder_withheld"]) == (None, True)  # restricted: unlinked
    page = (await client.get(PACK.format(world.plan.id), params={"format": "html"}, headers=a["lead"])).text
    assert "Other feedback the evidence links" in page and f"[plan {other.id}]" in page
    assert "Other activities the evidence links" in page and "Other plan&#x27;s meeting" in page
