import json

import pytest

from tests import factories
from tests.gdpr.support import NIL, NOT_ADMIN, attended, events, evidence, is_problem, person_url


async def fetch_report(client, a, stakeholder_id) -> dict:
    """The person's subject access report, as an admin gets it (200)."""
    r = await client.get(person_url(stakeholder_id, "/subject-access"), headers=a["admin"])
    assert r.status_code == 200, r.text
    return r.json()


async def test_admin_gets_everything_held_about_the_person(client, session, a):
    org = await factories.organisation(session, a.tenant, name="Bridport Surgery")
    person = await factories.stakeholder(session, a.tenant, name="Ann Example", email="ann@example.test",
                                         phone="01308 420000", organisation_id=org.id, categories=["patient"])
    other = await factories.stakeholder(session, a.tenant, name="Someone Else")
    named = await factories.plan(session, a.tenant, title="Named plan", audience_stakeholders=[person])
    by_org = await factories.plan(session, a.tenant, title="Org plan", audience_organisations=[org])
    by_category = await factories.plan(session, a.tenant, title="Category plan", audience_categories=["patient"])
    await factories.plan(session, a.tenant, title="Not theirs", audience_stakeholders=[other])
    await factories.assessment(session, person, interest=4, influence=2, rationale="Active in the PPG")
    went = await attended(session, a.tenant, person, title="Focus group", plan_id=named.id)
    invited = await factories.activity(session, a.tenant, title="Briefing")
    await factories.attendance(session, invited, person, attended=False)
    said = await factories.feedback(session, a.tenant, stakeholder_id=person.id, text="Buses stop at 6pm",
                                    response_text="We asked for a later service")
    await factories.feedback(session, a.tenant, stakeholder_id=other.id, text="Not theirs")
    linked = await evidence(session, named, activities=[went], feedback=[said])
    # An activity they were only invited to has them on its log, as a legal hold counts it: its evidence is theirs too
    of_invited = await evidence(session, named, activities=[invited], summary="Briefing minutes")
    await session.commit()
    await client.patch(person_url(person.id), json={"job_title": "Carer"}, headers=a["admin"])

    got = await fetch_report(client, a, person.id)
    assert got["generated_at"]
    assert got["stakeholder"]["email"] == "ann@example.test" and got["stakeholder"]["phone"] == "01308 420000"
    assert got["stakeholder"]["job_title"] == "Carer" and got["organisation"]["name"] == "Bridport Surgery"
    assert [(x["interest"], x["rationale"]) for x in got["assessments"]] == [(4, "Active in the PPG")]
    audiences = {x["plan_title"]: (x["named"], x["by_organisation"], x["by_category"]) for x in got["plan_audiences"]}
    assert audiences == {"Named plan": (True, False, False), "Org plan": (False, True, False),
                         "Category plan": (False, False, True)}
    assert {(x["title"], x["attended"]) for x in got["attendance"]} == {("Focus group", True), ("Briefing", False)}
    assert [(x["text"], x["response_text"]) for x in got["feedback"]] == [("Buses stop at 6pm",
                                                                          "We asked for a later service")]
    assert [x["id"] for x in got["evidence"]] == [str(linked.id), str(of_invited.id)]
    assert got["evidence"][0]["feedback_ids"] == [str(said.id)] and got["evidence"][0]["activity_ids"] == [str(went.id)]
    assert got["evidence"][1]["activity_ids"] == [str(invited.id)]
    assert got["legal_holds"] == []
    assert [e["action"] for e in got["audit_events"]] == ["update"]
    assert got["audit_events"][0]["changes"]["job_title"] == {"before": None, "after": "[personal data]"}
    assert "Not theirs" not in json.dumps(got) and by_org and by_category


async def test_the_audit_events_of_their_feedback_and_assessments_are_theirs_too(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Ann Example")
    other = await factories.stakeholder(session, a.tenant, name="Someone Else")
    await session.commit()
    said = await client.post("/api/v1/feedback", json={"text": "Buses", "stakeholder_id": str(person.id)},
                             headers=a["lead"])
    assessed = await client.post(person_url(person.id, "/assessments"), json={"interest": 4, "influence": 2},
                                 headers=a["lead"])
    await client.post("/api/v1/feedback", json={"text": "Not theirs", "stakeholder_id": str(other.id)},
                      headers=a["lead"])
    assert (said.status_code, assessed.status_code) == (201, 201), (said.text, assessed.text)
    got = await fetch_report(client, a, person.id)
    assert [(e["resource_type"], e["resource_id"], e["action"]) for e in got["audit_events"]] == [
        ("feedback", said.json()["id"], "create"), ("assessment", assessed.json()["id"], "create")]


async def test_every_subject_access_is_audited(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    for _ in range(2):
        await fetch_report(client, a, person.id)
    logged = await events(session, person.id, "subject_access")
    assert len(logged) == 2 and logged[0].actor_id == a.users["admin"].id and logged[0].changes == {}


async def test_report_lists_plans_on_hold_that_name_the_person(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant, title="Held", audience_stakeholders=[person])
    await session.commit()
    await client.post(f"/api/v1/plans/{plan.id}/legal-hold", json={"reason": "Judicial review"}, headers=a["admin"])
    got = await fetch_report(client, a, person.id)
    assert got["legal_holds"] == [{"id": str(plan.id), "title": "Held"}]


async def test_restricted_person_is_still_reported(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    await client.post(person_url(person.id, "/restriction"), json={"reason": "Accuracy contested"},
                      headers=a["admin"])
    assert (await fetch_report(client, a, person.id))["stakeholder"]["restriction_reason"] == "Accuracy contested"


@pytest.mark.parametrize("role", NOT_ADMIN)
async def test_only_admin_may_ask(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    assert is_problem(await client.get(person_url(person.id, "/subject-access"), headers=a[role]), 403)
    assert await events(session, person.id, "subject_access") == []


async def test_other_tenant_and_unknown_ids_are_404(client, session, a, b):
    theirs = await factories.stakeholder(session, b.tenant)
    await session.commit()
    assert is_problem(await client.get(person_url(theirs.id, "/subject-access"), headers=a["admin"]), 404)
    assert is_problem(await client.get(person_url(NIL, "/subject-access"), headers=a["admin"]), 404)
    assert await events(session, theirs.id) == []


async def test_malformed_id_is_422_and_no_token_is_401(client, a):
    assert is_problem(await client.get(person_url("not-a-uuid", "/subject-access"), headers=a["admin"]), 422)
    assert is_problem(await client.get(person_url(NIL, "/subject-access")), 401)


async def test_the_attendance_they_were_taken_off_is_reported_as_their_own_line_alone(client, session, a):
    """The trail keeps their id, marks and role after their line of an activity's log is gone (taken off, or the
    log replaced without them): their report shows those events, with their line and nobody else's (Art. 15)."""
    person = await factories.stakeholder(session, a.tenant, name="Ann Example")
    other = await factories.stakeholder(session, a.tenant, name="Someone Else")
    taken_off = await factories.activity(session, a.tenant, title="Carers' focus group")
    replaced = await factories.activity(session, a.tenant, title="Drop-in")
    not_theirs = await factories.activity(session, a.tenant, title="Not theirs")
    await session.commit()
    for activity in (taken_off, replaced):
        r = await client.post(f"/api/v1/activities/{activity.id}/attendance", headers=a["lead"], json={
            "entries": [{"stakeholder_id": str(person.id), "invited": True, "attended": True, "role": "carer"},
                        {"stakeholder_id": str(other.id), "invited": True}], "unnamed_attendees": 3})
        assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/activities/{not_theirs.id}/attendance", headers=a["lead"],
                          json={"entries": [{"stakeholder_id": str(other.id), "invited": True}]})
    assert r.status_code == 200, r.text
    r = await client.delete(f"/api/v1/activities/{taken_off.id}/attendance/{person.id}", headers=a["lead"])
    assert r.status_code == 204, r.text
    r = await client.put(f"/api/v1/activities/{replaced.id}/attendance", headers=a["lead"],
                         json={"entries": [{"stakeholder_id": str(other.id), "invited": True}]})
    assert r.status_code == 200, r.text

    got = await fetch_report(client, a, person.id)
    assert got["attendance"] == []
    line = {"invited": True, "attended": True, "role": "[personal data]"}
    mine = str(person.id)
    assert [(e["resource_id"], e["action"], e["changes"]) for e in got["audit_events"]] == [
        (str(taken_off.id), "record_attendance", {"attendance": {"before": {mine: None}, "after": {mine: line}}}),
        (str(replaced.id), "record_attendance", {"attendance": {"before": {mine: None}, "after": {mine: line}}}),
        (str(taken_off.id), "remove_attendance", {"attendance": {"before": {mine: line}, "after": {mine: None}}}),
        (str(replaced.id), "replace_attendance", {"attendance": {"before": {mine: line}, "after": {mine: None}}})]
    assert str(other.id) not in json.dumps(got) and str(not_theirs.id) not in json.dumps(got)
    # The trail itself is untouched: the event still holds the other person's line and the headcount
    [stored, *_] = await events(session, taken_off.id, "record_attendance")
    assert str(other.id) in stored.changes["attendance"]["after"] and stored.changes["unnamed_attendees"]


async def test_another_persons_id_in_their_feedback_events_is_not_shown(client, session, a):
    """Feedback first logged against Bob, then corrected to Ann: Ann's report carries its events, but not Bob's id."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Example")
    bob = await factories.stakeholder(session, a.tenant, name="Bob Other")
    await session.commit()
    r = await client.post("/api/v1/feedback", json={"text": "Parking is hard", "stakeholder_id": str(bob.id)},
                          headers=a["lead"])
    assert r.status_code == 201, r.text
    said = r.json()
    r = await client.patch(f"/api/v1/feedback/{said['id']}", json={"stakeholder_id": str(ann.id)}, headers=a["lead"])
    assert r.status_code == 200, r.text
    got = await fetch_report(client, a, ann.id)
    assert [(e["resource_id"], e["action"], e["changes"]["stakeholder_id"]) for e in got["audit_events"]] == [
        (said["id"], "create", {"after": "[personal data]"}),
        (said["id"], "update", {"before": "[personal data]", "after": str(ann.id)})]
    assert str(bob.id) not in json.dumps(got)
    assert got["audit_events"][0]["changes"]["status"] == {"after": "received"}  # the rest of the event is shown


async def _give_and_move(client, a, said_by, edits: list[dict]) -> str:
    """Feedback given by `said_by` (created by a lead), then PATCHed with each of `edits` in turn: its id."""
    r = await client.post("/api/v1/feedback", json={"text": "Buses stop at 6pm", "stakeholder_id": str(said_by.id)},
                          headers=a["lead"])
    assert r.status_code == 201, r.text
    for edit in edits:
        patched = await client.patch(f"/api/v1/feedback/{r.json()['id']}", json=edit, headers=a["lead"])
        assert patched.status_code == 200, patched.text
    return r.json()["id"]


def _trail(report: dict) -> list[tuple]:
    """The report's feedback events: action and the fields changed (stakeholder_id with its values)."""
    return [(e["action"], e["changes"].get("stakeholder_id"), sorted(e["changes"])) for e in report["audit_events"]
            if e["resource_type"] == "feedback"]


async def test_feedback_moved_to_someone_else_stays_in_their_report_up_to_the_move(client, session, a):
    """Feedback given by Ann, edited, then moved to Bob: the trail records that it was hers, so her report keeps its
    events up to and including the move (Art. 15), but nothing of Bob: not his id, name or email, nor his edits since.
    Bob's report has it from the move on, with Ann's id withheld as any other person's is."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Example", email="ann@example.test")
    bob = await factories.stakeholder(session, a.tenant, name="Bob Other", email="bob@example.test")
    await session.commit()
    said = await _give_and_move(client, a, ann, [{"type": "complaint"}, {"stakeholder_id": str(bob.id)},
                                                 {"type": "suggestion", "text": "Bob's words"}])
    ann_id, bob_id = str(ann.id), str(bob.id)
    hers = ("create", {"after": ann_id}, ["channel", "publishable", "received_at", "response_due_at", "stakeholder_id",
                                          "status", "text", "themes", "type"])
    edited = ("update", None, ["type"])

    got = await fetch_report(client, a, ann.id)
    assert got["feedback"] == [] and {e["resource_id"] for e in got["audit_events"]} == {said}
    assert _trail(got) == [hers, edited, ("update", {"before": ann_id, "after": "[personal data]"}, ["stakeholder_id"])]
    assert bob_id not in json.dumps(got) and "Bob" not in json.dumps(got) and "bob@" not in json.dumps(got)

    got = await fetch_report(client, a, bob.id)
    assert [x["id"] for x in got["feedback"]] == [said]
    assert _trail(got)[2:] == [("update", {"before": "[personal data]", "after": bob_id}, ["stakeholder_id"]),
                               ("update", None, ["text", "type"])]
    assert ann_id not in json.dumps(got)


async def test_feedback_that_passed_through_them_is_reported_up_to_its_move_away(client, session, a):
    """Logged against Bob, corrected to Ann, then moved on to Cara: Ann's report has its events up to the move away
    from her, the first one as the report of whoever it is now would show it, and none of Bob's or Cara's ids."""
    ann, bob, cara = [await factories.stakeholder(session, a.tenant, name=name) for name in ("Ann", "Bob", "Cara")]
    await session.commit()
    said = await _give_and_move(client, a, bob, [{"stakeholder_id": str(ann.id)}, {"type": "complaint"},
                                                 {"stakeholder_id": str(cara.id)}, {"type": "suggestion"}])
    ann_id = str(ann.id)
    got = await fetch_report(client, a, ann.id)
    assert [(e["resource_id"], *t[:2]) for e, t in zip(got["audit_events"], _trail(got), strict=True)] == [
        (said, "create", {"after": "[personal data]"}),
        (said, "update", {"before": "[personal data]", "after": ann_id}),
        (said, "update", None),
        (said, "update", {"before": ann_id, "after": "[personal data]"})]
    assert str(bob.id) not in json.dumps(got) and str(cara.id) not in json.dumps(got)


async def test_feedback_moved_to_nobody_is_reported_up_to_the_move(client, session, a):
    """Unlinked (made anonymous) after it was theirs: the events up to the unlinking stay in their report."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Example")
    await session.commit()
    await _give_and_move(client, a, ann, [{"stakeholder_id": None}, {"type": "complaint"}])
    got = await fetch_report(client, a, ann.id)
    assert [t[:2] for t in _trail(got)] == [("create", {"after": str(ann.id)}),
                                            ("update", {"before": str(ann.id), "after": None})]
