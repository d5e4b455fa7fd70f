"""The consultation an evidence item's decision is about is in the pack: the item names it (consultation_id), the pack
holds it (an archived one too, as every record the evidence cites), and the printed pack shows its title next to the
decision."""

import json
from datetime import date

from tests.duty_report.support import consultation, evidence, green_plan, requirement

PACK = "/api/v1/plans/{}/evidence-pack"
VERIFY = "/api/v1/evidence-packs/verify"


async def named_world(session, tenant):
    """The green plan, a second consultation, and a minute deciding it filed as evidence."""
    world = await green_plan(session, tenant)
    later = await consultation(session, world.plan, title="Maternity consultation", opened_date=date(2026, 5, 1),
                               closed_date=date(2026, 6, 30), decision_date=date(2026, 7, 15))
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-c-decisions")
    item = await evidence(session, world.plan, req, summary="Board minute", decision="Keep the maternity unit",
                          decision_date=date(2026, 7, 15), consultation_id=later.id)
    await session.commit()
    return world, later, item


def _evidence_section(page: str) -> str:
    return page.split("<h2>Evidence</h2>", 1)[1].split("<script", 1)[0]


async def test_the_pack_names_the_consultation_and_prints_its_title_next_to_the_decision(client, session, a):
    world, later, item = await named_world(session, a.tenant)
    r = await client.get(PACK.format(world.plan.id), headers=a["lead"])
    assert r.status_code == 200, r.text
    pack = json.loads(r.content)
    assert {e["id"]: e["consultation_id"] for e in pack["evidence"]} == {str(item.id): str(later.id)}
    assert [(c["title"], c["archived_at"]) for c in pack["consultations"]] == [
        ("Urgent care consultation", None), ("Maternity consultation", None)]
    assert (await client.post(VERIFY, json=pack, headers=a["auditor"])).json()["valid"] is True
    page = (await client.get(PACK.format(world.plan.id), params={"format": "html"}, headers=a["lead"])).text
    assert "Keep the maternity unit; Consultation: Maternity consultation" in _evidence_section(page)


async def test_the_pack_holds_an_archived_consultation_its_evidence_names(client, session, a):
    # The pack held only the live consultations: an item naming one archived since cited a record the pack lacked
    world, later, item = await named_world(session, a.tenant)
    url = f"/api/v1/plans/{world.plan.id}/consultations/{later.id}"
    assert (await client.delete(url, headers=a["lead"])).status_code == 204
    pack = json.loads((await client.get(PACK.format(world.plan.id), headers=a["lead"])).content)
    held = {c["id"]: c for c in pack["consultations"]}
    assert list(held)[-1] == str(later.id)  # after the plan's live ones
    assert held[str(later.id)]["title"] == "Maternity consultation" and held[str(later.id)]["archived_at"]
    assert pack["duty_report"]["status"] == "green"  # the report still reads only the live consultations
    assert (await client.post(VERIFY, json=pack, headers=a["auditor"])).json()["valid"] is True
    page = (await client.get(PACK.format(world.plan.id), params={"format": "html"}, headers=a["lead"])).text
    assert "Keep the maternity unit; Consultation: Maternity consultation [archived " in _evidence_section(page)
    assert "<h3>Maternity consultation [archived " in page
