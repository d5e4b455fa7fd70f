"""UK GDPR Art. 18: a person whose processing is restricted is out of plan audiences to anyone but an admin, who
sees them (each read audited); nobody restricted joins an audience, and a PATCH keeps those its caller cannot see."""

import pytest
from sqlalchemy import select

from api.models import AuditEvent, PlanAudienceStakeholder
from tests import factories
from tests.plans.support import NIL, READ_ONLY, URL

NOT_ADMIN = ("lead", *READ_ONLY)


async def world(client, session, a, **values):
    """A plan naming a restricted person and one who is not."""
    hidden = await factories.stakeholder(session, a.tenant, name="Rita Restricted")
    kept = await factories.stakeholder(session, a.tenant, name="Kept Person")
    plan = await factories.plan(session, a.tenant, audience_stakeholders=[hidden, kept], **values)
    await session.commit()
    r = await client.post(f"/api/v1/stakeholders/{hidden.id}/restriction", json={"reason": "Accuracy contested"},
                          headers=a["admin"])
    assert r.status_code == 200, r.text
    return plan, hidden, kept


async def named(session, plan) -> set[str]:
    return {str(i) for i in (await session.execute(select(PlanAudienceStakeholder.stakeholder_id).where(
        PlanAudienceStakeholder.plan_id == plan.id))).scalars()}


async def restricted_reads(session, person) -> list[AuditEvent]:
    return list((await session.execute(select(AuditEvent).where(
        AuditEvent.resource_id == str(person.id), AuditEvent.action == "read_restricted"))).scalars())


@pytest.mark.parametrize("role", NOT_ADMIN)
async def test_others_do_not_see_a_restricted_person_in_an_audience(client, session, a, role):
    plan, hidden, kept = await world(client, session, a)
    one = (await client.get(f"{URL}/{plan.id}", headers=a[role])).json()
    [listed] = (await client.get(URL, headers=a[role])).json()["items"]
    for got in (one, listed):
        assert got["audience_stakeholder_ids"] == [str(kept.id)] and got["audience_withheld"] is True
    assert await restricted_reads(session, hidden) == []


async def test_an_admin_sees_them_and_each_read_is_audited(client, session, a):
    plan, hidden, kept = await world(client, session, a)
    one = (await client.get(f"{URL}/{plan.id}", headers=a["admin"])).json()
    [listed] = (await client.get(URL, headers=a["admin"])).json()["items"]
    for got in (one, listed):
        assert set(got["audience_stakeholder_ids"]) == {str(hidden.id), str(kept.id)}
        assert got["audience_withheld"] is False
    reads = await restricted_reads(session, hidden)
    assert len(reads) == 2 and {e.actor_id for e in reads} == {a.users["admin"].id}


async def test_nothing_is_withheld_from_an_audience_without_restricted_people(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant, audience_stakeholders=[person])
    await session.commit()
    got = (await client.get(f"{URL}/{plan.id}", headers=a["viewer"])).json()
    assert got["audience_stakeholder_ids"] == [str(person.id)] and got["audience_withheld"] is False


@pytest.mark.parametrize("sent", ["kept_and_new", "none"])
async def test_a_lead_editing_the_audience_it_sees_keeps_the_restricted_person(client, session, a, sent):
    plan, hidden, kept = await world(client, session, a)
    new = await factories.stakeholder(session, a.tenant)
    await session.commit()
    ids = [str(kept.id), str(new.id)] if sent == "kept_and_new" else []
    r = await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": ids}, headers=a["lead"])
    assert r.status_code == 200, r.text
    assert set(r.json()["audience_stakeholder_ids"]) == set(ids) and r.json()["audience_withheld"] is True
    assert await named(session, plan) == {*ids, str(hidden.id)}


async def test_a_held_plans_audience_resaved_by_a_lead_drops_nobody(client, session, a):
    plan, hidden, kept = await world(client, session, a)
    r = await client.post(f"{URL}/{plan.id}/legal-hold", json={"reason": "Judicial review"}, headers=a["admin"])
    assert r.status_code == 200, r.text
    new = await factories.stakeholder(session, a.tenant)
    await session.commit()
    r = await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": [str(kept.id), str(new.id)]},
                           headers=a["lead"])
    assert r.status_code == 200, r.text
    assert await named(session, plan) == {str(hidden.id), str(kept.id), str(new.id)}


@pytest.mark.parametrize("already_named", [True, False])
async def test_to_a_lead_a_restricted_id_is_as_unknown_as_one_outside_the_tenant(client, session, a, b,
                                                                                   already_named):
    plan, hidden, kept = await world(client, session, a)
    if not already_named:
        plan = await factories.plan(session, a.tenant, audience_stakeholders=[kept])
        await session.commit()
    before = (await client.get(f"{URL}/{plan.id}", headers=a["admin"])).json()
    theirs = await factories.stakeholder(session, b.tenant)
    await session.commit()
    answers = [await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": [str(kept.id), str(ref)]},
                                  headers=a["lead"]) for ref in (hidden.id, NIL, theirs.id)]
    bodies = [(r.status_code, r.headers["content-type"], {k: v for k, v in r.json().items() if k != "request_id"})
              for r in answers]
    assert bodies[0][0] == 422 and bodies[0] == bodies[1] == bodies[2]
    assert bodies[0][2]["errors"][0]["loc"] == ["body", "audience_stakeholder_ids", 1]
    assert (await client.get(f"{URL}/{plan.id}", headers=a["admin"])).json() == before


async def test_a_lead_cannot_create_a_plan_naming_a_restricted_person(client, session, a):
    _, hidden, _ = await world(client, session, a)
    r = await client.post(URL, json={"title": "Stroke review", "audience_stakeholder_ids": [str(hidden.id)]},
                          headers=a["lead"])
    unknown = await client.post(URL, json={"title": "Stroke review", "audience_stakeholder_ids": [NIL]},
                                headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"] == unknown.json()["errors"]
    assert r.json()["detail"] == unknown.json()["detail"]
    assert len((await client.get(URL, headers=a["admin"])).json()["items"]) == 1


async def test_an_admin_is_told_a_restricted_person_joins_no_audience(client, session, a):
    plan, hidden, kept = await world(client, session, a)
    other = await factories.plan(session, a.tenant, audience_stakeholders=[kept])
    await session.commit()
    for r in (await client.patch(f"{URL}/{other.id}", json={"audience_stakeholder_ids": [str(hidden.id)]},
                                 headers=a["admin"]),
              await client.post(URL, json={"title": "New", "audience_stakeholder_ids": [str(hidden.id)]},
                                headers=a["admin"])):
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["errors"][0]["type"] == "restricted" and "Art. 18" in r.json()["errors"][0]["msg"]
    assert await named(session, other) == {str(kept.id)}


async def test_an_admin_may_keep_or_drop_a_restricted_person_already_named(client, session, a):
    plan, hidden, kept = await world(client, session, a)
    both = [str(hidden.id), str(kept.id)]
    r = await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": both}, headers=a["admin"])
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    r = await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": [str(kept.id)]},
                           headers=a["admin"])
    assert r.status_code == 200 and r.json()["audience_withheld"] is False
    assert await named(session, plan) == {str(kept.id)}


@pytest.mark.parametrize("role", ("contributor", "viewer", "auditor"))
async def test_read_only_roles_cannot_change_the_audience(client, session, a, role):
    plan, hidden, kept = await world(client, session, a)
    r = await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": []}, headers=a[role])
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert await named(session, plan) == {str(hidden.id), str(kept.id)}


async def test_another_tenant_gets_404(client, session, a, b):
    plan, hidden, kept = await world(client, session, a)
    assert (await client.get(f"{URL}/{plan.id}", headers=b["admin"])).status_code == 404
    r = await client.patch(f"{URL}/{plan.id}", json={"audience_stakeholder_ids": []}, headers=b["lead"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert await named(session, plan) == {str(hidden.id), str(kept.id)}
    assert await restricted_reads(session, hidden) == []


async def test_a_sealed_pack_shows_the_audience_as_a_non_admin_sees_it(client, session, a):
    plan, hidden, kept = await world(client, session, a)
    got = (await client.get(f"{URL}/{plan.id}/evidence-pack", headers=a["admin"])).json()["plan"]
    assert got["audience_stakeholder_ids"] == [str(kept.id)] and got["audience_withheld"] is True
