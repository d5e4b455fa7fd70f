"""Nobody archived joins a plan's named audience; those it names already stay."""

from datetime import UTC, datetime

from tests import factories

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
