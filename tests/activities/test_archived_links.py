"""Nothing new is linked to an archived plan (as nobody new joins an archived organisation); links held stay."""

from datetime import UTC, datetime

from tests import factories
from tests.activities.support import URL, count_activities, plan

BODY = {"title": "Drop-in", "method": "survey", "level": "consult", "starts_at": "2026-04-01T10:00:00+00:00"}


async def test_no_new_activity_for_an_archived_plan_but_its_own_stay(client, session, a):
    old = await plan(session, a.tenant, archived_at=datetime(2026, 1, 1, tzinfo=UTC))
    held = await factories.activity(session, a.tenant, plan_id=old.id)
    await session.commit()
    before = await count_activities(session, a.tenant)
    r = await client.post(URL, json={**BODY, "plan_id": str(old.id)}, headers=a["lead"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "archived" in r.json()["detail"] and await count_activities(session, a.tenant) == before
    r = await client.patch(f"{URL}/{held.id}", json={"plan_id": str(old.id), "title": "Renamed"}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["plan_id"] == str(old.id)


async def test_nobody_new_is_logged_at_an_archived_activity_but_its_lines_may_be_corrected(client, session, a):
    old = await factories.activity(session, a.tenant, status="done", archived_at=datetime(2026, 1, 1, tzinfo=UTC))
    held, new = [await factories.stakeholder(session, a.tenant) for _ in range(2)]
    await factories.attendance(session, old, held, invited=True, attended=False)
    await session.commit()
    r = await client.post(f"{URL}/{old.id}/attendance", headers=a["lead"],
                          json={"entries": [{"stakeholder_id": str(new.id), "attended": True}]})
    assert r.status_code == 409 and "archived" in r.json()["detail"], r.text
    r = await client.post(f"{URL}/{old.id}/attendance", headers=a["lead"],
                          json={"entries": [{"stakeholder_id": str(held.id), "attended": True}]})
    assert r.status_code == 200 and [i["attended"] for i in r.json()["items"]] == [True], r.text
