import pytest
from sqlalchemy import func, select

from api.activities.demo import ACTIVITIES, FEEDBACK, seed_engagement
from api.models import Activity, ActivityAttendance, Feedback
from tests import factories
from tests.activities.support import plan


@pytest.mark.parametrize("with_plan", [True, False])
async def test_the_demo_season_fills_every_state(client, session, a, with_plan):
    people = [await factories.stakeholder(session, a.tenant) for _ in range(6)]
    review = await plan(session, a.tenant) if with_plan else None
    await seed_engagement(session, tenant=a.tenant, admin=a.users["admin"], stakeholders=people, plan=review)
    statuses = set((await session.execute(select(Feedback.status).where(Feedback.tenant_id == a.tenant.id))).scalars())
    assert statuses == {"received", "acknowledged", "considered", "responded", "closed"}
    assert (await session.execute(select(func.count()).select_from(Activity))).scalar_one() == len(ACTIVITIES)
    assert (await session.execute(select(func.count()).select_from(ActivityAttendance))).scalar_one() > 0
    report = (await client.get("/api/v1/reports/engagement", headers=a["viewer"])).json()
    assert report["stakeholders"]["engaged"] > 0 and report["feedback"]["received"] == len(FEEDBACK)
    assert report["feedback"]["median_days_to_respond"] == 9.0
    assert (await client.get("/api/v1/calendar.ics", headers=a["viewer"])).status_code == 200
    if review is not None:
        summary = (await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])).json()
        assert summary["items"] and summary["themes"]
