"""A held plan's activities keep what the duty report and the evidence pack read of them (method, level, audience,
limb, dates; a status moves only from planned to done), and their attendance logs keep their evidence: no line is
unmarked and no headcount lowered. Their outcome and other progress still change."""

import pytest

from tests import factories
from tests.activities.support import LOGGERS, URL, audit_events
from tests.gdpr.support import evidence, held_plan
from tests.gdpr.support import is_held as is_hold_problem


@pytest.fixture
async def held(session, a):
    return await held_plan(session, a.tenant, "Held engagement")


def is_held(r) -> bool:
    return is_hold_problem(r, "Held engagement")


async def unchanged(session, row) -> bool:
    """As built, and nothing audited: the version compared with its first (the test shares the app's session, so a
    written row would read back its new version on either side of a comparison with itself)."""
    await session.refresh(row)
    return row.version == 1 and await audit_events(session, row.id) == []


@pytest.mark.parametrize("role", LOGGERS)
@pytest.mark.parametrize("change", [
    {"starts_at": "2026-03-01T10:00:00Z"}, {"ends_at": "2026-03-10T18:00:00Z"}, {"duty_limb": None},
    {"duty_limb": "decision"}, {"method": "survey"}, {"level": "co-produce"}, {"audience_categories": ["staff"]},
    {"status": "cancelled"}])
async def test_what_the_held_report_reads_of_an_activity_cannot_change(client, session, a, held, role, change):
    act = await factories.activity(session, a.tenant, plan_id=held.id, status="done", duty_limb="proposals")
    r = await client.patch(f"{URL}/{act.id}", json=change, headers=a[role])
    assert is_held(r), r.text
    assert await unchanged(session, act) and act.status == "done" and act.duty_limb == "proposals"


@pytest.mark.parametrize(("stored", "sent"), [("done", "planned"), ("planned", "cancelled"),
                                              ("cancelled", "planned"), ("cancelled", "done")])
async def test_a_held_activitys_status_moves_only_from_planned_to_done(client, session, a, held, stored, sent):
    act = await factories.activity(session, a.tenant, plan_id=held.id, status=stored)
    assert is_held(await client.patch(f"{URL}/{act.id}", json={"status": sent}, headers=a["lead"]))
    assert await unchanged(session, act) and act.status == stored


async def test_a_held_activity_is_done_and_its_progress_recorded(client, session, a, held):
    act = await factories.activity(session, a.tenant, plan_id=held.id, status="planned", duty_limb="proposals")
    # What the report reads, sent back as it was read, is no change of it.
    r = await client.patch(f"{URL}/{act.id}", headers=a["contributor"], json={
        "status": "done", "duty_limb": "proposals", "starts_at": "2026-03-10T14:00:00Z",
        "outcome_summary": "Views recorded", "unnamed_attendees": 8, "title": "Carers' focus group"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outcome_summary"], r.json()["attended_count"]) == ("done", "Views recorded",
                                                                                             8)


async def test_an_activity_of_no_plan_or_an_unheld_one_still_changes(client, session, a):
    free = await factories.plan(session, a.tenant, title="Not held")
    for plan_id in (None, free.id):
        act = await factories.activity(session, a.tenant, plan_id=plan_id, status="done")
        r = await client.patch(f"{URL}/{act.id}", json={"status": "cancelled", "duty_limb": "decision"},
                               headers=a["lead"])
        assert r.status_code == 200, r.text


async def _held_log(session, a, held):
    act = await factories.activity(session, a.tenant, plan_id=held.id, status="done", unnamed_attendees=20)
    bob = await factories.stakeholder(session, a.tenant, name="Bob")
    await factories.attendance(session, act, bob, invited=True, attended=True)
    return act, bob


@pytest.mark.parametrize(("method", "body"), [
    ("PUT", {"entries": [{"stakeholder_id": "BOB", "invited": True}], "unnamed_attendees": 20}),  # attended omitted
    ("POST", {"entries": [{"stakeholder_id": "BOB", "attended": False}]}),
    ("POST", {"entries": [{"stakeholder_id": "BOB", "invited": False}]}),
    ("POST", {"unnamed_attendees": 19}),
])
async def test_a_held_plans_attendance_evidence_cannot_be_emptied(client, session, a, held, method, body):
    act, bob = await _held_log(session, a, held)
    body = {**body, "entries": [{**e, "stakeholder_id": str(bob.id)} for e in body.get("entries", [])]}
    r = await client.request(method, f"{URL}/{act.id}/attendance", json=body, headers=a["contributor"])
    assert is_held(r), r.text
    log = (await client.get(f"{URL}/{act.id}/attendance", headers=a["lead"])).json()
    assert [(i["invited"], i["attended"]) for i in log["items"]] == [(True, True)]
    assert log["unnamed_attendees"] == 20 and log["version"] == 1


async def test_a_held_activitys_headcount_does_not_fall_by_patch_or_import(client, session, a, held):
    # The attendance log refused it, while a PATCH of the activity (and an import row) lowered it
    act, _ = await _held_log(session, a, held)
    await session.commit()
    r = await client.patch(f"{URL}/{act.id}", json={"unnamed_attendees": 0}, headers=a["lead"])
    assert is_held(r), r.text
    imported = await client.post("/api/v1/imports/activities?on_conflict=update", headers={
        **a["lead"], "Content-Type": "text/csv"}, content=f"id,unnamed_attendees\n{act.id},0\n")
    assert imported.status_code == 422, imported.text
    assert imported.json()["errors"][0]["message"] == r.json()["detail"]
    await session.refresh(act)
    assert (act.unnamed_attendees, act.version) == (20, 1)
    raised = await client.patch(f"{URL}/{act.id}", json={"unnamed_attendees": 21}, headers=a["lead"])
    assert raised.status_code == 200, raised.text


async def test_the_headcount_of_an_activity_a_held_plans_evidence_cites_does_not_fall(client, session, a, held):
    # The check stopped at the activity's own plan: one of no plan that the held plan's evidence cites was lowered,
    # by PATCH and then (once PATCH refused it) still by an import row
    act = await factories.activity(session, a.tenant, status="done", unnamed_attendees=20)
    await evidence(session, held, activities=[act])
    await session.commit()
    r = await client.patch(f"{URL}/{act.id}", json={"unnamed_attendees": 0}, headers=a["lead"])
    assert is_hold_problem(r), r.text
    imported = await client.post("/api/v1/imports/activities?on_conflict=update", headers={
        **a["lead"], "Content-Type": "text/csv"}, content=f"id,unnamed_attendees\n{act.id},0\n")
    assert imported.status_code == 422, imported.text
    assert imported.json()["errors"][0]["field"] == "unnamed_attendees"
    assert "legal hold" in imported.json()["errors"][0]["message"]
    await session.refresh(act)
    assert (act.unnamed_attendees, act.version) == (20, 1)


async def test_a_held_plans_attendance_may_grow_and_be_put_back_unchanged(client, session, a, held):
    act, bob = await _held_log(session, a, held)
    ann = await factories.stakeholder(session, a.tenant, name="Ann")
    r = await client.put(f"{URL}/{act.id}/attendance", headers=a["contributor"], json={
        "entries": [{"stakeholder_id": str(bob.id), "invited": True, "attended": True, "role": "chair"},
                    {"stakeholder_id": str(ann.id), "attended": True}], "unnamed_attendees": 25})
    assert r.status_code == 200, r.text
    assert r.json()["attended_count"] == 27
