"""Nobody archived joins a plan's named audience; those it names already stay."""

from datetime import UTC, datetime

import pytest

from api.models import Plan
from tests import factories
from tests.plans.support import READ_ONLY, audit_events

GONE = datetime(2026, 1, 1, tzinfo=UTC)


async def test_an_archived_organisation_or_stakeholder_joins_no_audience(client, session, a):
    org = await factories.organisation(session, a.tenant, archived_at=GONE)
    person = await factories.stakeholder(session, a.tenant, archived_at=GONE)
    held = await factories.plan(session, a.tenant, audience_stakeholders=[person], audience_organisations=[org])
    await session.commit()
    for field, ref in (("audience_organisation_ids", org.id), ("audience_stakeholder_ids", person.id)):
        r = await client.post("/api/v1/plans", json={"title": "Stroke review", field: [str(ref)]}, headers=a["lead"])
        assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
        assert "archived" in r.json()["detail"]
    live = await factories.stakeholder(session, a.tenant)
    await session.commit()
    r = await client.patch(f"/api/v1/plans/{held.id}", json={
        "audience_stakeholder_ids": [str(person.id), str(live.id)], "audience_organisation_ids": [str(org.id)]},
        headers=a["lead"])
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/plans", headers=a["lead"])
    assert [p["title"] for p in r.json()["items"]] == [held.title]


async def test_an_archived_plan_names_nobody_new_but_may_drop_someone(client, session, a):
    """Nothing new is linked to an archived record: its audience gains nobody until it is restored (409), while
    taking someone out of it, or sending back those it names, is still a correction."""
    kept = await factories.stakeholder(session, a.tenant)
    dropped = await factories.organisation(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant)
    org = await factories.organisation(session, a.tenant)
    plan = await factories.plan(session, a.tenant, audience_stakeholders=[kept], audience_organisations=[dropped])
    await session.commit()
    assert (await client.delete(f"/api/v1/plans/{plan.id}", headers=a["lead"])).status_code == 204
    url = f"/api/v1/plans/{plan.id}"
    for field, ids in (("audience_stakeholder_ids", [kept.id, person.id]), ("audience_organisation_ids", [org.id])):
        r = await client.patch(url, json={field: [str(i) for i in ids]}, headers=a["lead"])
        assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
        assert "archived; restore it before naming anyone new" in r.json()["detail"] and field in r.json()["detail"]
    r = await client.patch(url, json={"audience_stakeholder_ids": [str(kept.id)], "audience_organisation_ids": []},
                           headers=a["lead"])
    assert r.status_code == 200, r.text
    assert r.json()["audience_stakeholder_ids"] == [str(kept.id)] and r.json()["audience_organisation_ids"] == []
    restored = await client.post(f"{url}/restore", headers=a["lead"])
    assert restored.status_code == 200
    r = await client.patch(url, json={"audience_organisation_ids": [str(org.id)]}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["audience_organisation_ids"] == [str(org.id)]


@pytest.mark.parametrize("role", READ_ONLY)
async def test_a_read_only_role_cannot_reactivate_an_archived_plan(client, session, a, role):
    plan = await factories.plan(session, a.tenant, status="approved", archived_at=GONE)
    await session.commit()
    version = plan.version  # read now: the row below is this same object, refreshed
    r = await client.patch(f"/api/v1/plans/{plan.id}", json={"status": "active"}, headers=a[role])
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", r.text
    row = await session.get(Plan, plan.id, populate_existing=True)
    assert (row.status, row.archived_at, row.version) == ("approved", GONE, version)
    assert await audit_events(session, plan.id) == []


async def test_another_tenants_archived_plan_is_404_to_a_lead(client, session, a, b):
    theirs = await factories.plan(session, b.tenant, status="approved", archived_at=GONE)
    await session.commit()
    version = theirs.version
    r = await client.patch(f"/api/v1/plans/{theirs.id}", json={"status": "active"}, headers=a["lead"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json", r.text
    row = await session.get(Plan, theirs.id, populate_existing=True)
    assert (row.status, row.archived_at, row.version) == ("approved", GONE, version)
    assert await audit_events(session, theirs.id) == []


@pytest.mark.parametrize(("field", "gain", "drop"), [
    ("audience_categories", lambda a: ["patient", "carer"], lambda a: []),
    ("lead_id", lambda a: str(a.users["admin"].id), lambda a: None),
], ids=["audience_categories", "lead_id"])
async def test_an_archived_plan_takes_no_new_audience_category_or_lead_but_may_drop_one(client, session, a, field,
                                                                                        gain, drop):
    """A category added to the audience takes in everyone in it, and a new lead is someone newly named on the plan:
    both wait for the plan's restore (409, nothing written), while dropping one is still a correction."""
    plan = await factories.plan(session, a.tenant, audience_categories=["patient"], lead_id=a.users["lead"].id)
    await session.commit()
    url = f"/api/v1/plans/{plan.id}"
    assert (await client.delete(url, headers=a["lead"])).status_code == 204
    before = await client.get(url, headers=a["lead"])
    events = [e.seq for e in await audit_events(session, plan.id)]
    r = await client.patch(url, json={field: gain(a)}, headers=a["lead"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    assert r.json()["detail"] == ("The plan is archived; restore it before naming anyone new in its audience or as "
                                  f"its lead ({field})")
    after = await client.get(url, headers=a["lead"])
    assert (after.json(), after.headers["etag"]) == (before.json(), before.headers["etag"])
    assert [e.seq for e in await audit_events(session, plan.id)] == events
    r = await client.patch(url, json={field: before.json()[field]}, headers=a["lead"])  # resent as it is
    assert r.status_code == 200, r.text
    r = await client.patch(url, json={field: drop(a)}, headers=a["lead"])
    assert r.status_code == 200 and r.json()[field] == drop(a), r.text
    assert (await client.post(f"{url}/restore", headers=a["lead"])).status_code == 200
    r = await client.patch(url, json={field: gain(a)}, headers=a["lead"])
    assert r.status_code == 200 and r.json()[field] == gain(a), r.text
