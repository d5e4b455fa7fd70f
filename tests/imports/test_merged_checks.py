"""An update row is checked against the record it changes, as PATCH checks the merged state: a row giving one field
of a rule (ends_at alone, a cleared paraphrase) cannot leave a record that PATCH would have refused."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import Activity, Feedback
from tests import factories
from tests.imports.support import post_import

TEN = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
NOON = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
TOLD = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


async def _fresh(session, model, row):
    return (await session.execute(select(model).where(model.id == row.id)
                                  .execution_options(populate_existing=True))).scalar_one()


@pytest.mark.parametrize("body,patch,field", [
    ("id,ends_at\n{id},2026-04-01T00:00:00Z\n", {"ends_at": "2026-04-01T00:00:00Z"}, "ends_at"),
    ("id,starts_at\n{id},2026-06-01T00:00:00Z\n", {"starts_at": "2026-06-01T00:00:00Z"}, "ends_at"),
    ("id,translation_languages\n{id},cy\n", {"translation_languages": ["cy"]}, "translation_languages"),
])
async def test_an_activity_row_cannot_break_the_stored_activity(client, session, a, body, patch, field):
    activity = await factories.activity(session, a.tenant, starts_at=TEN, ends_at=NOON, accessible_formats=[])
    await session.commit()
    r = await post_import(client, "activities", a["contributor"], body.format(id=activity.id), "?on_conflict=update")
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, field)]
    api = await client.patch(f"/api/v1/activities/{activity.id}", json=patch, headers=a["contributor"])
    assert api.status_code == 422 and api.json()["errors"][0]["loc"] == ["body", field]  # the rule the import follows
    fresh = await _fresh(session, Activity, activity)
    assert (fresh.starts_at, fresh.ends_at, fresh.translation_languages, fresh.version) == (TEN, NOON, [], 1)


async def test_an_activity_row_that_keeps_the_state_whole_passes(client, session, a):
    activity = await factories.activity(session, a.tenant, starts_at=TEN, ends_at=NOON,
                                        accessible_formats=["translation"])
    await session.commit()
    body = f"id,ends_at,translation_languages\n{activity.id},2026-05-01T11:00:00Z,cy\n"
    r = await post_import(client, "activities", a["contributor"], body, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    fresh = await _fresh(session, Activity, activity)
    assert fresh.ends_at == datetime(2026, 5, 1, 11, 0, tzinfo=UTC) and fresh.translation_languages == ["cy"]


async def test_publishable_feedback_keeps_its_paraphrase(client, session, a):
    feedback = await factories.feedback(session, a.tenant, text="Buses", publishable=True,
                                        publishable_summary="People asked for later buses")
    await session.commit()
    cleared = f"id,publishable_summary\n{feedback.id},\n"
    r = await post_import(client, "feedback", a["lead"], cleared, "?on_conflict=update")
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, "publishable_summary")]
    api = await client.patch(f"/api/v1/feedback/{feedback.id}", json={"publishable_summary": None},
                             headers=a["lead"])
    assert api.status_code == 422 and api.json()["errors"][0]["loc"] == ["body", "publishable_summary"]
    assert (await _fresh(session, Feedback, feedback)).publishable_summary == "People asked for later buses"
    withdrawn = f"id,publishable,publishable_summary\n{feedback.id},false,\n"
    r = await post_import(client, "feedback", a["lead"], withdrawn, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    fresh = await _fresh(session, Feedback, feedback)
    assert (fresh.publishable, fresh.publishable_summary) == (False, None)


async def test_feedback_is_not_received_after_its_stakeholder_was_told(client, session, a):
    feedback = await factories.feedback(session, a.tenant, text="Parking", status="responded",
                                        received_at=datetime(2026, 3, 10, tzinfo=UTC), response_text="Done",
                                        responded_at=TOLD, told_at=TOLD, told_how="email")
    await session.commit()
    late = f"id,received_at\n{feedback.id},2026-05-01T00:00:00Z\n"
    r = await post_import(client, "feedback", a["lead"], late, "?on_conflict=update")
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, "received_at")]
    api = await client.patch(f"/api/v1/feedback/{feedback.id}", json={"received_at": "2026-05-01T00:00:00Z"},
                             headers=a["lead"])
    assert api.status_code == 422 and api.json()["errors"][0]["loc"] == ["body", "received_at"]
    earlier = f"id,received_at\n{feedback.id},2026-03-01T00:00:00Z\n"
    r = await post_import(client, "feedback", a["lead"], earlier, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text


async def test_feedback_keeps_its_archived_activity_through_an_export_and_import_back(client, session, a):
    """A link the feedback has is no new link, as PATCH holds: the import took the held activity for a new link to
    an archived one, and refused the round trip (found by a review)."""
    activity = await factories.activity(session, a.tenant, archived_at=TEN)
    feedback = await factories.feedback(session, a.tenant, text="Parking", activity_id=activity.id)
    await session.commit()
    body = f"id,activity_id,themes\n{feedback.id},{activity.id},parking\n"
    r = await post_import(client, "feedback", a["lead"], body, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    fresh = await _fresh(session, Feedback, feedback)
    assert (fresh.activity_id, fresh.themes) == (activity.id, ["parking"])
    other = await factories.activity(session, a.tenant, archived_at=TEN)  # a new link to an archived one stays refused
    await session.commit()
    r = await post_import(client, "feedback", a["lead"], f"id,activity_id\n{feedback.id},{other.id}\n",
                          "?on_conflict=update")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "activity_id", r.text
