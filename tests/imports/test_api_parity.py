"""An import row obeys what PATCH obeys, failing with the API's message: closed feedback keeps what closed its loop,
feedback a lead marked publishable stays on its plan, a held plan's activity keeps what its duty report reads, and
nobody is counted at a cancelled activity."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import Activity, Feedback
from tests import factories
from tests.gdpr.support import held_plan
from tests.imports.support import post_import

TOLD = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


async def _fresh(session, model, row):
    return (await session.execute(select(model).where(model.id == row.id)
                                  .execution_options(populate_existing=True))).scalar_one()


def _refused(r, field: str, message: str) -> bool:
    """The import failed on row 1 alone, by `field`, with the API's message."""
    return r.status_code == 422 and [(e["row"], e["field"], e["message"]) for e in r.json()["errors"]] == [
        (1, field, message)]


async def _patch_refusal(client, url: str, patch: dict, headers: dict, status: int) -> str:
    api = await client.patch(url, json=patch, headers=headers)
    assert api.status_code == status, api.text
    return api.json()["detail"]


# --- feedback ---------------------------------------------------------------------------------------------------

async def _closed_anonymous(session, tenant, plan):
    """Closed without telling anyone: its response is published on the plan's 'you said, we did'."""
    return await factories.feedback(session, tenant, text="Buses", status="closed", plan_id=plan.id, publishable=True,
                                    publishable_summary="Later buses asked for", response_text="Timetable changed",
                                    responded_at=TOLD, closed_at=TOLD)


@pytest.mark.parametrize("body,patch,field", [
    ("id,plan_id\n{id},\n", {"plan_id": None}, "plan_id"),
    ("id,publishable,publishable_summary\n{id},false,\n", {"publishable": False, "publishable_summary": None},
     "publishable"),
    ("id,stakeholder_id\n{id},{person}\n", {"stakeholder_id": "{person}"}, "stakeholder_id"),
])
async def test_a_row_does_not_undo_what_closed_the_loop(client, session, a, body, patch, field):
    plan = await factories.plan(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant)
    feedback = await _closed_anonymous(session, a.tenant, plan)
    await session.commit()
    patch = {k: v.format(person=person.id) if isinstance(v, str) else v for k, v in patch.items()}
    message = await _patch_refusal(client, f"/api/v1/feedback/{feedback.id}", patch, a["lead"], 409)
    r = await post_import(client, "feedback", a["lead"], body.format(id=feedback.id, person=person.id),
                          "?on_conflict=update")
    assert _refused(r, field, message), r.text
    fresh = await _fresh(session, Feedback, feedback)
    assert (fresh.plan_id, fresh.publishable, fresh.stakeholder_id, fresh.version) == (plan.id, True, None, 1)


async def test_closed_feedback_still_changes_where_its_loop_stays_closed(client, session, a):
    plan, other = await factories.plan(session, a.tenant), await factories.plan(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant)
    published = await _closed_anonymous(session, a.tenant, plan)
    told = await factories.feedback(session, a.tenant, text="Parking", status="closed", response_text="More spaces",
                                    responded_at=TOLD, told_at=TOLD, told_how="email", closed_at=TOLD)
    await session.commit()
    body = f"id,plan_id,stakeholder_id,themes\n{published.id},{other.id},,buses\n{told.id},,{person.id},parking\n"
    r = await post_import(client, "feedback", a["lead"], body, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 2, r.text
    assert (await _fresh(session, Feedback, published)).plan_id == other.id
    assert (await _fresh(session, Feedback, told)).stakeholder_id == person.id


async def test_a_contributor_does_not_move_publishable_feedback_off_its_plan(client, session, a):
    plan, other = await factories.plan(session, a.tenant), await factories.plan(session, a.tenant)
    feedback = await factories.feedback(session, a.tenant, plan_id=plan.id, publishable=True,
                                        publishable_summary="Later buses asked for")
    await session.commit()
    for target in (other.id, None):
        message = await _patch_refusal(client, f"/api/v1/feedback/{feedback.id}",
                                       {"plan_id": target and str(target)}, a["contributor"], 403)
        body = f"id,plan_id\n{feedback.id},{target or ''}\n"
        r = await post_import(client, "feedback", a["contributor"], body, "?on_conflict=update")
        assert _refused(r, "plan_id", message), r.text
    kept = f"id,plan_id,themes\n{feedback.id},{plan.id},buses\n"  # its plan sent back as exported is no move
    r = await post_import(client, "feedback", a["contributor"], kept, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    r = await post_import(client, "feedback", a["lead"], f"id,plan_id\n{feedback.id},{other.id}\n",
                          "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert (await _fresh(session, Feedback, feedback)).plan_id == other.id


# --- activities -------------------------------------------------------------------------------------------------

@pytest.fixture
async def held(session, a):
    return await held_plan(session, a.tenant, "Held engagement")


@pytest.mark.parametrize("column,cell,patch,stored", [
    ("starts_at", "2026-03-01T10:00:00Z", {"starts_at": "2026-03-01T10:00:00Z"}, "done"),
    ("ends_at", "2026-03-10T18:00:00Z", {"ends_at": "2026-03-10T18:00:00Z"}, "done"),
    ("duty_limb", "", {"duty_limb": None}, "done"),
    ("duty_limb", "decision", {"duty_limb": "decision"}, "done"),
    ("method", "survey", {"method": "survey"}, "done"),
    ("level", "co-produce", {"level": "co-produce"}, "done"),
    ("audience_categories", "staff", {"audience_categories": ["staff"]}, "done"),
    ("status", "cancelled", {"status": "cancelled"}, "done"),
    ("status", "planned", {"status": "planned"}, "done"),
    ("status", "cancelled", {"status": "cancelled"}, "planned"),
    ("status", "done", {"status": "done"}, "cancelled"),
])
async def test_a_row_keeps_what_the_held_report_reads_of_an_activity(client, session, a, held, column, cell, patch,
                                                                     stored):
    activity = await factories.activity(session, a.tenant, plan_id=held.id, status=stored, duty_limb="proposals")
    await session.commit()
    message = await _patch_refusal(client, f"/api/v1/activities/{activity.id}", patch, a["contributor"], 409)
    body = f"id,{column}\n{activity.id},{cell}\n"
    r = await post_import(client, "activities", a["contributor"], body, "?on_conflict=update")
    assert _refused(r, column, message), r.text
    fresh = await _fresh(session, Activity, activity)
    assert (fresh.status, fresh.duty_limb, fresh.version) == (stored, "proposals", 1)


async def test_a_held_plans_activity_is_done_and_its_progress_imported(client, session, a, held):
    planned = await factories.activity(session, a.tenant, plan_id=held.id, status="planned", duty_limb="proposals")
    moved = await factories.activity(session, a.tenant, plan_id=held.id, status="done")
    await session.commit()
    # What the report reads, sent back as stored, is no change of it.
    body = (f"id,status,duty_limb,method,starts_at,unnamed_attendees,outcome_summary\n"
            f"{planned.id},done,proposals,focus_group,2026-03-10T14:00:00Z,8,Views recorded\n"
            f"{moved.id},,,survey,,,\n")
    r = await post_import(client, "activities", a["contributor"], body, "?on_conflict=update")
    assert r.status_code == 422 and [(e["row"], e["field"]) for e in r.json()["errors"]] == [(2, "method")], r.text
    assert (await _fresh(session, Activity, planned)).version == 1  # the whole import was refused
    r = await post_import(client, "activities", a["contributor"], body, "?on_conflict=update&on_error=skip")
    assert (r.status_code, r.json()["updated"], r.json()["failed"]) == (200, 1, 1), r.text
    fresh = await _fresh(session, Activity, planned)
    assert (fresh.status, fresh.unnamed_attendees, fresh.outcome_summary) == ("done", 8, "Views recorded")
    assert (await _fresh(session, Activity, moved)).method == "focus_group"


async def test_an_unheld_plans_activity_still_changes(client, session, a):
    free = await factories.plan(session, a.tenant, title="Not held")
    activity = await factories.activity(session, a.tenant, plan_id=free.id, status="done")
    await session.commit()
    body = f"id,status,duty_limb,method\n{activity.id},cancelled,decision,survey\n"
    r = await post_import(client, "activities", a["lead"], body, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text


async def test_nobody_is_counted_at_a_cancelled_activity(client, session, a):
    activity = await factories.activity(session, a.tenant, status="cancelled", unnamed_attendees=3)
    await session.commit()
    message = await _patch_refusal(client, f"/api/v1/activities/{activity.id}", {"unnamed_attendees": 4},
                                   a["contributor"], 409)
    for body in (f"id,unnamed_attendees\n{activity.id},4\n",
                 f"id,status,unnamed_attendees\n{activity.id},cancelled,4\n"):
        r = await post_import(client, "activities", a["contributor"], body, "?on_conflict=update")
        assert _refused(r, "unnamed_attendees", message), r.text
    assert (await _fresh(session, Activity, activity)).unnamed_attendees == 3
    created = ("title,method,starts_at,status,unnamed_attendees\n"
               "Cancelled talk,briefing,2026-03-01T10:00:00Z,cancelled,2\n")
    r = await post_import(client, "activities", a["contributor"], created)
    assert _refused(r, "unnamed_attendees", message), r.text
    # A headcount taken before the cancelling stays, and may be lowered.
    r = await post_import(client, "activities", a["contributor"], f"id,unnamed_attendees\n{activity.id},2\n",
                          "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert (await _fresh(session, Activity, activity)).unnamed_attendees == 2


async def test_a_held_plans_activities_and_closed_feedback_export_and_import_back(client, session, a, held):
    """Every value sent back as exported is no change: the rules above refuse changes only."""
    await factories.activity(session, a.tenant, plan_id=held.id, status="done", duty_limb="proposals",
                             level="co-produce", audience_categories=["carer", "patient"], unnamed_attendees=4,
                             ends_at=datetime(2026, 3, 10, 16, 0, tzinfo=UTC))
    await factories.activity(session, a.tenant, plan_id=held.id, status="cancelled")
    person = await factories.stakeholder(session, a.tenant, email="ann.lee@example.org")
    await _closed_anonymous(session, a.tenant, held)
    await factories.feedback(session, a.tenant, text="Parking", status="closed", stakeholder_id=person.id,
                             response_text="More spaces", responded_at=TOLD, told_at=TOLD, told_how="email",
                             closed_at=TOLD)
    await session.commit()
    for resource, model in (("activities", Activity), ("feedback", Feedback)):
        exported = await client.get(f"/api/v1/exports/{resource}", headers=a["lead"])
        r = await post_import(client, resource, a["contributor"], exported.text, "?on_conflict=update")
        assert r.status_code == 200 and r.json()["updated"] == 2, r.text
        versions = (await session.execute(select(model.version).where(model.tenant_id == a.tenant.id)
                                          .execution_options(populate_existing=True))).scalars().all()
        assert set(versions) == {1}
