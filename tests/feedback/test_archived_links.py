"""No new feedback is linked to an archived activity or plan, through the API or an import; links held stay."""

from datetime import UTC, datetime

from tests import factories
from tests.activities.support import plan
from tests.feedback.support import COMMENT, URL, count_feedback

GONE = datetime(2026, 1, 1, tzinfo=UTC)


async def test_no_new_feedback_on_an_archived_activity_or_plan(client, session, a):
    old_plan = await plan(session, a.tenant, archived_at=GONE)
    old_activity = await factories.activity(session, a.tenant, archived_at=GONE)
    held = await factories.feedback(session, a.tenant, plan_id=old_plan.id, activity_id=old_activity.id)
    await session.commit()
    before = await count_feedback(session, a.tenant)
    for link in ({"plan_id": str(old_plan.id)}, {"activity_id": str(old_activity.id)}):
        r = await client.post(URL, json={**COMMENT, "external_id": None, **link}, headers=a["contributor"])
        assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
        assert "archived" in r.json()["detail"]
    assert await count_feedback(session, a.tenant) == before
    other = await factories.feedback(session, a.tenant)
    await session.commit()
    r = await client.patch(f"{URL}/{other.id}", json={"plan_id": str(old_plan.id)}, headers=a["contributor"])
    assert r.status_code == 409
    r = await client.patch(f"{URL}/{held.id}", json={"plan_id": str(old_plan.id), "activity_id": str(old_activity.id),
                                                     "themes": ["parking"]}, headers=a["contributor"])
    assert r.status_code == 200 and r.json()["themes"] == ["parking"]


async def test_an_import_row_linking_feedback_to_an_archived_plan_is_a_row_error(client, session, a):
    old_plan = await plan(session, a.tenant, archived_at=GONE)
    await session.commit()
    before = await count_feedback(session, a.tenant)
    row = {k: v for k, v in COMMENT.items() if k != "themes"}
    r = await client.post("/api/v1/imports/feedback", json=[{**row, "plan_id": str(old_plan.id)}],
                          headers=a["lead"])
    assert r.status_code == 422, r.text
    assert "archived" in r.text and await count_feedback(session, a.tenant) == before


async def test_feedback_from_an_activity_does_not_copy_its_archived_plan(client, session, a):
    """The plan copied from the activity is a new link like one sent: 409 (a row error in an import), while an
    explicit plan_id null records the feedback without it."""
    old_plan = await plan(session, a.tenant, archived_at=GONE)
    live = await factories.activity(session, a.tenant, plan_id=old_plan.id)
    await session.commit()
    before = await count_feedback(session, a.tenant)
    body = {**COMMENT, "external_id": None, "activity_id": str(live.id)}
    r = await client.post(URL, json=body, headers=a["contributor"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    assert "archived" in r.json()["detail"]
    row = {k: v for k, v in body.items() if k != "themes"}
    r = await client.post("/api/v1/imports/feedback", json=[row], headers=a["lead"])
    assert r.status_code == 422 and "archived" in r.text, r.text
    assert await count_feedback(session, a.tenant) == before
    r = await client.post(URL, json={**body, "plan_id": None}, headers=a["contributor"])
    assert r.status_code == 201 and r.json()["plan_id"] is None, r.text
