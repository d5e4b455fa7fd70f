"""Rows found by a review of this stop's import rules: an update row that changes nothing, an erased person's
feedback kept linked to them, the errors of one row bounded, and a cancelled activity's log imported back."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import ActivityAttendance, Feedback
from tests import factories
from tests.imports.support import JSON, audit_events, post_import

REASON = {"reason": "Accuracy contested by the person (Art. 18(1)(a))"}


@pytest.mark.parametrize("resource,body", [
    ("stakeholders", "id\n{id}\n"),                      # only the record's id
    ("stakeholders", "id,name,is_champion\n{id},, \n"),  # cells that mean "not given" on update
    ("organisations", "id,name\n{id},\n"),
    ("activities", "id,title,starts_at\n{id},,\n"),
    ("feedback", "id,text,received_at\n{id},,\n"),
])
async def test_an_update_row_that_changes_nothing_is_updated_and_left_alone(client, session, a, resource, body):
    record = await {"stakeholders": factories.stakeholder, "organisations": factories.organisation,
                    "activities": factories.activity, "feedback": factories.feedback}[resource](session, a.tenant)
    await session.commit()
    r = await post_import(client, resource, a["lead"], body.format(id=record.id), "?on_conflict=update")
    assert r.status_code == 200 and (r.json()["updated"], r.json()["failed"]) == (1, 0), r.text
    got = (await client.get(f"/api/v1/{resource}/{record.id}", headers=a["lead"])).json()
    assert got["version"] == 1
    assert len(await audit_events(session, a.tenant, "import")) == 1


async def test_an_erased_persons_feedback_stays_linked_to_them(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Chain X", email="chain.x@example.org")
    other = await factories.stakeholder(session, a.tenant, external_id="CRM-2", email="other@example.org")
    theirs = await factories.feedback(session, a.tenant, stakeholder_id=person.id, text="Chain secret words")
    await session.commit()
    assert (await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])).status_code == 200
    for body in (f"id,stakeholder_id\n{theirs.id},\n",                 # unlinked
                 f"id,stakeholder_external_id\n{theirs.id},CRM-2\n"):  # moved to someone else
        r = await post_import(client, "feedback", a["lead"], body, "?on_conflict=update")
        assert r.status_code == 422 and "stays linked" in r.json()["errors"][0]["message"], r.text
    await session.refresh(theirs)  # the requests share the test's session, and the erasure's bulk update left it stale
    for change in ({"stakeholder_id": None}, {"stakeholder_id": str(other.id)}):
        r = await client.patch(f"/api/v1/feedback/{theirs.id}", json=change, headers=a["lead"])
        assert r.status_code == 409, r.text
    fresh = (await session.execute(select(Feedback.stakeholder_id).where(Feedback.id == theirs.id)
                                   .execution_options(populate_existing=True))).scalar_one()
    assert fresh == person.id


async def test_the_errors_of_one_row_are_bounded_and_every_failed_row_is_reported(client, a):
    wide = {f"unknown_{i}": "x" for i in range(500)}
    body = json.dumps([{"name": "Ann", **wide}, {"name": "Bob", **wide}])
    r = await post_import(client, "organisations", a["lead"], body, "", JSON)
    assert r.status_code == 422 and r.json()["failed"] == 2
    errors = r.json()["errors"]
    assert [e["row"] for e in errors] == [1] * 21 + [2] * 21
    assert errors[20]["message"] == "More errors in this row are left out"
    assert len(r.content) < 20_000


async def test_a_cancelled_activitys_log_imports_back_unchanged(client, session, a):
    activity = await factories.activity(session, a.tenant, external_id="ACT-1", status="cancelled",
                                        starts_at=datetime(2026, 3, 1, tzinfo=UTC))
    person = await factories.stakeholder(session, a.tenant, external_id="CRM-1", email="ann@example.org")
    newcomer = await factories.stakeholder(session, a.tenant, external_id="CRM-2")
    await factories.attendance(session, activity, person, invited=True, attended=True)  # before it was cancelled
    await session.commit()
    export = (await client.get("/api/v1/exports/attendance", headers=a["lead"])).text
    r = await post_import(client, "attendance", a["lead"], export, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    r = await post_import(client, "attendance", a["lead"],
                          f"activity_id,stakeholder_id,attended\n{activity.id},{newcomer.id},true\n")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attended", r.text
    assert len((await session.execute(select(ActivityAttendance))).all()) == 1
