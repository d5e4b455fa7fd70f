import json
import uuid

import pytest

from api import audit
from api.db import utcnow
from api.errors import Conflict
from api.legal_hold import ensure_not_held
from api.models import Plan, Stakeholder
from tests import factories
from tests.audit_trail import audit_text
from tests.gdpr.support import (
    NIL,
    NOT_ADMIN,
    attended,
    events,
    evidence,
    hold_url,
    is_problem,
    lift_honours_if_match,
    person_url,
)
from tests.imports.support import JSON, post_import
from tests.replay import keyed_replays

REASON = {"reason": "Judicial review claim issued"}


async def hold(client, a, plan):
    r = await client.post(hold_url(plan.id), json=REASON, headers=a["admin"])
    assert r.status_code == 200, r.text
    return r


async def test_admin_puts_a_plan_on_hold_and_lifts_it(client, session, a):
    plan = await factories.plan(session, a.tenant, title="Bridport UTC")
    await session.commit()
    got = (await hold(client, a, plan)).json()
    assert got["legal_hold_at"] and got["legal_hold_reason"] == REASON["reason"]
    assert got["legal_hold_by"] == str(a.users["admin"].id)
    shown = (await client.get(f"/api/v1/plans/{plan.id}", headers=a["viewer"])).json()
    assert shown["legal_hold_reason"] == REASON["reason"]
    r = await client.delete(hold_url(plan.id), headers=a["admin"])
    assert r.status_code == 200 and r.json()["legal_hold_at"] is None and r.json()["legal_hold_by"] is None
    assert [e.action for e in await events(session, plan.id)] == ["legal_hold", "lift_legal_hold"]


async def test_the_audit_trail_records_a_holds_reason_without_its_words(client, session, a):
    """A hold's reason may name the claimant: put on or lifted, the trail, which an erasure cannot change, records
    that it was given, never what it said; when and by whom in clear."""
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    r = await client.post(hold_url(plan.id), json={"reason": "Judicial review claim by Hettie Mallinson"},
                          headers=a["admin"])
    assert r.status_code == 200, r.text
    assert (await client.delete(hold_url(plan.id), headers=a["admin"])).status_code == 200
    held, lifted = await events(session, plan.id)
    assert held.changes["legal_hold_reason"] == {"before": None, "after": audit.REDACTED}
    assert held.changes["legal_hold_by"] == {"before": None, "after": str(a.users["admin"].id)}
    assert lifted.changes["legal_hold_reason"] == {"before": audit.REDACTED, "after": None}
    assert "mallinson" not in audit_text([held, lifted]).lower()


async def test_a_retried_hold_with_its_key_gets_the_first_response(client, session, a):
    """A client whose hold's response was lost sends it again with its Idempotency-Key: the first answer, not a 409
    for a plan already on hold."""
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    await keyed_replays(client, session, hold_url(plan.id), a["admin"], body=REASON, etag='"2"', resource_id=plan.id,
                        actions=["legal_hold"])


async def test_a_held_plan_cannot_be_archived_until_the_hold_is_lifted(client, session, a):
    plan = await factories.plan(session, a.tenant, title="Held plan")
    await session.commit()
    await hold(client, a, plan)
    r = await client.delete(f"/api/v1/plans/{plan.id}", headers=a["lead"])
    assert is_problem(r, 409) and "Held plan" in r.json()["detail"] and str(plan.id) in r.json()["detail"]
    assert r.json()["type"].endswith("legal-hold")
    await client.delete(hold_url(plan.id), headers=a["admin"])
    assert (await client.delete(f"/api/v1/plans/{plan.id}", headers=a["lead"])).status_code == 204


async def test_ensure_not_held_guards_evidence_and_documents(session, a):
    held = await factories.plan(session, a.tenant, legal_hold_at=utcnow())
    free = await factories.plan(session, a.tenant)
    with pytest.raises(Conflict) as caught:
        await ensure_not_held(session, a.tenant.id, held.id)
    assert str(held.id) in caught.value.detail
    await ensure_not_held(session, a.tenant.id, free.id)
    await ensure_not_held(session, a.tenant.id, uuid.UUID(NIL))  # not found is the caller's 404


@pytest.mark.parametrize("link", ["feedback_evidence", "activity_evidence", "audience", "plan_activity",
                                  "plan_feedback", "feedback_on_plan_activity", "feedback_on_evidence_activity"])
async def test_erasure_of_a_person_the_held_plan_names_is_409_naming_the_plan(client, session, a, link):
    # feedback_on_*: feedback (with no plan of its own) on an activity of the held plan, or one its evidence links;
    # the erasure scrubs such an activity of the person's words, so it too is the held record (found by a review).
    person = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant, title="Held plan",
                                audience_stakeholders=[person] if link == "audience" else [])
    if link == "feedback_evidence":
        await evidence(session, plan, feedback=[await factories.feedback(session, a.tenant, stakeholder_id=person.id)])
    elif link == "activity_evidence":
        await evidence(session, plan, activities=[await attended(session, a.tenant, person)])
    elif link == "plan_activity":
        await attended(session, a.tenant, person, plan_id=plan.id)
    elif link == "plan_feedback":
        await factories.feedback(session, a.tenant, stakeholder_id=person.id, plan_id=plan.id)
    elif link.startswith("feedback_on"):
        activity = await factories.activity(session, a.tenant, description=f"Visit to {person.name}",
                                            plan_id=plan.id if link == "feedback_on_plan_activity" else None)
        await factories.feedback(session, a.tenant, stakeholder_id=person.id, activity_id=activity.id, plan_id=None)
        if link == "feedback_on_evidence_activity":
            await evidence(session, plan, activities=[activity])
    await session.commit()
    await hold(client, a, plan)
    r = await client.post(person_url(person.id, "/erase"), headers=a["admin"])
    assert is_problem(r, 409) and "Held plan" in r.json()["detail"] and str(plan.id) in r.json()["detail"]
    assert (await session.get(Stakeholder, person.id, populate_existing=True)).erased_at is None
    await client.delete(hold_url(plan.id), headers=a["admin"])
    assert (await client.post(person_url(person.id, "/erase"), headers=a["admin"])).status_code == 200


@pytest.mark.parametrize("link", ["audience", "feedback_evidence", "activity_evidence"])
async def test_a_held_plan_cannot_be_edited_to_stop_naming_a_person(client, session, a, link):
    # Dropping the person from the held plan's audience or evidence, then erasing them, got round the hold.
    person = await factories.stakeholder(session, a.tenant)
    other = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant, title="Held plan",
                                audience_stakeholders=[person] if link == "audience" else [])
    item = None
    if link == "feedback_evidence":
        item = await evidence(session, plan, feedback=[await factories.feedback(session, a.tenant,
                                                                                stakeholder_id=person.id)])
    elif link == "activity_evidence":
        item = await evidence(session, plan, activities=[await attended(session, a.tenant, person)])
    await session.commit()
    await hold(client, a, plan)
    if item is None:
        url, change = f"/api/v1/plans/{plan.id}", {"audience_stakeholder_ids": [str(other.id)]}
    else:
        field = "feedback_ids" if link == "feedback_evidence" else "activity_ids"
        url, change = f"/api/v1/plans/{plan.id}/evidence/{item.id}", {field: []}
    r = await client.patch(url, json=change, headers=a["lead"])
    assert is_problem(r, 409) and r.json()["type"].endswith("legal-hold") and "Held plan" in r.json()["detail"]
    r = await client.post(person_url(person.id, "/erase"), headers=a["admin"])
    assert is_problem(r, 409)
    if item is None:  # adding to the record is still allowed
        r = await client.patch(url, json={"audience_stakeholder_ids": [str(person.id), str(other.id)]},
                               headers=a["lead"])
        assert r.status_code == 200, r.text
    await client.delete(hold_url(plan.id), headers=a["admin"])
    assert (await client.patch(url, json=change, headers=a["lead"])).status_code == 200


async def test_erasure_is_allowed_when_the_held_plan_does_not_name_the_person(client, session, a):
    person = await factories.stakeholder(session, a.tenant, categories=["patient"])
    someone = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant, audience_categories=["patient"], audience_stakeholders=[someone])
    await evidence(session, plan, feedback=[await factories.feedback(session, a.tenant, stakeholder_id=someone.id)])
    unheld = await factories.plan(session, a.tenant, audience_stakeholders=[person])
    await session.commit()
    await hold(client, a, plan)
    assert unheld
    assert (await client.post(person_url(person.id, "/erase"), headers=a["admin"])).status_code == 200


@pytest.mark.parametrize("role", NOT_ADMIN)
async def test_only_admin_holds_or_lifts(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    assert is_problem(await client.post(hold_url(plan.id), json=REASON, headers=a[role]), 403)
    await hold(client, a, plan)
    assert is_problem(await client.delete(hold_url(plan.id), headers=a[role]), 403)
    assert (await session.get(Plan, plan.id, populate_existing=True)).legal_hold_at is not None


async def test_other_tenant_and_unknown_plans_are_404(client, session, a, b):
    theirs = await factories.plan(session, b.tenant)
    await session.commit()
    for plan_id in (theirs.id, NIL):
        assert is_problem(await client.post(hold_url(plan_id), json=REASON, headers=a["admin"]), 404)
        assert is_problem(await client.delete(hold_url(plan_id), headers=a["admin"]), 404)
    assert (await session.get(Plan, theirs.id, populate_existing=True)).legal_hold_at is None


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x\x00"}, {"reason": "ok", "legal_hold_by": NIL}])
async def test_bad_bodies_are_422_and_change_nothing(client, session, a, body):
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    assert is_problem(await client.post(hold_url(plan.id), json=body, headers=a["admin"]), 422)
    assert (await session.get(Plan, plan.id, populate_existing=True)).legal_hold_at is None


async def test_holding_twice_and_lifting_an_unheld_plan_are_409(client, session, a):
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    assert is_problem(await client.delete(hold_url(plan.id), headers=a["admin"]), 409)
    await hold(client, a, plan)
    assert is_problem(await client.post(hold_url(plan.id), json=REASON, headers=a["admin"]), 409)


async def test_lifting_honours_if_match(client, session, a):
    """DESIGN: a DELETE honours If-Match; a stale ETag is 412 and the hold stays, unaudited."""
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    current = (await hold(client, a, plan)).headers["ETag"]
    await lift_honours_if_match(client, session, hold_url(plan.id), a["admin"], current, Plan, plan.id,
                                "legal_hold_at", ["legal_hold"])


async def test_plan_update_cannot_set_or_clear_a_hold(client, session, a):
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    await hold(client, a, plan)
    r = await client.patch(f"/api/v1/plans/{plan.id}", json={"legal_hold_at": None}, headers=a["admin"])
    assert is_problem(r, 422)
    assert (await session.get(Plan, plan.id, populate_existing=True)).legal_hold_at is not None


async def test_a_held_plans_evidence_documents_consultations_and_letters_cannot_be_deleted(client, session, a):
    from tests.documents import support as docs
    from tests.scrutiny import support as scrutiny

    plan = await factories.plan(session, a.tenant, title="Held record")
    item = await evidence(session, plan)
    document = await docs.document(session, plan)
    consultation = await docs.consultation(session, plan)
    letter = await scrutiny.letter(session, plan)
    await session.commit()
    await hold(client, a, plan)
    base = f"/api/v1/plans/{plan.id}"
    paths = [f"{base}/evidence/{item.id}", f"{base}/documents/{document.id}",
             f"{base}/consultations/{consultation.id}", f"{base}/scrutiny/correspondence/{letter.id}"]
    for path in paths:
        r = await client.delete(path, headers=a["lead"])
        assert is_problem(r, 409) and "Held record" in r.json()["detail"], (path, r.text)
        kept = await client.get(path, headers=a["auditor"])
        assert kept.status_code == 200 and kept.json().get("archived_at") is None, path  # still there, unarchived
    await client.delete(hold_url(plan.id), headers=a["admin"])
    for path in paths:
        assert (await client.delete(path, headers=a["lead"])).status_code == 204, path


async def test_a_held_plans_activities_feedback_attendance_and_risks_cannot_be_removed(client, session, a):
    from api.models import PlanRisk

    plan = await factories.plan(session, a.tenant, title="Held engagement")
    activity = await factories.activity(session, a.tenant, plan_id=plan.id)
    person = await factories.stakeholder(session, a.tenant)
    await factories.attendance(session, activity, person)
    said = await factories.feedback(session, a.tenant, plan_id=plan.id)
    risk = PlanRisk(tenant_id=a.tenant.id, plan_id=plan.id, description="Low turnout", likelihood=3, impact=3)
    session.add(risk)
    await session.commit()
    await hold(client, a, plan)
    removals = [("DELETE", f"/api/v1/activities/{activity.id}", None),
                ("DELETE", f"/api/v1/feedback/{said.id}", None),
                ("DELETE", f"/api/v1/activities/{activity.id}/attendance/{person.id}", None),
                ("PUT", f"/api/v1/activities/{activity.id}/attendance", {"entries": []}),
                ("DELETE", f"/api/v1/plans/{plan.id}/risks/{risk.id}", None)]
    for method, path, body in removals:
        r = await client.request(method, path, json=body, headers=a["admin"])
        assert is_problem(r, 409) and "Held engagement" in r.json()["detail"], (method, path, r.text)
    log = (await client.get(f"/api/v1/activities/{activity.id}/attendance", headers=a["auditor"])).json()
    assert [i["stakeholder_id"] for i in log["items"]] == [str(person.id)]
    assert (await client.get(f"/api/v1/activities/{activity.id}", headers=a["auditor"])).json()["archived_at"] is None
    await client.delete(hold_url(plan.id), headers=a["admin"])
    for method, path, body in removals:
        r = await client.request(method, path, json=body, headers=a["admin"])
        assert r.status_code in (200, 204), (method, path, r.text)


@pytest.mark.parametrize("where", ["no plan", "another plan"])
async def test_nobody_leaves_the_log_of_an_activity_a_held_plans_evidence_links(client, session, a, where):
    """Evidence may link any activity of the tenant: its log then names the people on it for the held plan, wherever
    the activity sits, so taking someone off it (and then erasing them) waits for the hold to be lifted."""
    person = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant, title="Held plan")
    elsewhere = await factories.plan(session, a.tenant, title="Another plan")
    activity = await attended(session, a.tenant, person, plan_id=elsewhere.id if where == "another plan" else None)
    await evidence(session, plan, activities=[activity])
    await session.commit()
    await hold(client, a, plan)
    removals = [("DELETE", f"/api/v1/activities/{activity.id}/attendance/{person.id}", None),
                ("PUT", f"/api/v1/activities/{activity.id}/attendance", {"entries": []})]
    for method, path, body in removals:
        r = await client.request(method, path, json=body, headers=a["contributor"])
        assert is_problem(r, 409) and "Held plan" in r.json()["detail"], (method, path, r.text)
    assert is_problem(await client.post(person_url(person.id, "/erase"), headers=a["admin"]), 409)
    log = (await client.get(f"/api/v1/activities/{activity.id}/attendance", headers=a["auditor"])).json()
    assert [i["stakeholder_id"] for i in log["items"]] == [str(person.id)]
    await client.delete(hold_url(plan.id), headers=a["admin"])
    r = await client.delete(removals[0][1], headers=a["contributor"])
    assert r.status_code == 204, r.text


# Moving a held plan's activity or feedback to another plan (or none), or giving a held plan's feedback another
# person, took the person out of what the hold names, and their erasure then went through: PATCH and imports alike.
LEAVING = [
    ("activity", "plan_activity", {"plan_id": None}),
    ("activity", "plan_activity", {"plan_id": "other"}),
    ("feedback", "plan_feedback", {"plan_id": None}),
    ("feedback", "plan_feedback", {"stakeholder_id": None}),
    ("feedback", "feedback_evidence", {"stakeholder_id": "someone"}),
]


async def _held_record(session, a, link):
    person = await factories.stakeholder(session, a.tenant)
    someone = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant, title="Held plan")
    other = await factories.plan(session, a.tenant, title="Another plan")
    if link == "plan_activity":
        record = await attended(session, a.tenant, person, plan_id=plan.id)
    elif link == "plan_feedback":
        record = await factories.feedback(session, a.tenant, stakeholder_id=person.id, plan_id=plan.id)
    else:
        record = await factories.feedback(session, a.tenant, stakeholder_id=person.id)
        await evidence(session, plan, feedback=[record])
    await session.commit()
    values = {"other": str(other.id), "someone": str(someone.id), None: None}
    return person, plan, record, values


@pytest.mark.parametrize("resource,link,change", LEAVING)
async def test_a_held_plans_activity_or_feedback_cannot_leave_its_record(client, session, a, resource, link, change):
    person, plan, record, values = await _held_record(session, a, link)
    await hold(client, a, plan)
    url = f"/api/v1/{'activities' if resource == 'activity' else 'feedback'}/{record.id}"
    body = {name: values[value] for name, value in change.items()}
    version = (await client.get(url, headers=a["lead"])).json()["version"]
    r = await client.patch(url, json=body, headers=a["lead"])
    assert is_problem(r, 409) and r.json()["type"].endswith("legal-hold"), r.text
    assert f"its {next(iter(change))} cannot change" in r.json()["detail"]
    assert (await client.get(url, headers=a["lead"])).json()["version"] == version
    assert is_problem(await client.post(person_url(person.id, "/erase"), headers=a["admin"]), 409)
    await client.delete(hold_url(plan.id), headers=a["admin"])
    assert (await client.patch(url, json=body, headers=a["lead"])).status_code == 200


async def test_a_held_plans_feedback_may_still_be_answered_and_gain_a_person(client, session, a):
    plan = await factories.plan(session, a.tenant, title="Held plan")
    anonymous = await factories.feedback(session, a.tenant, plan_id=plan.id)
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    await hold(client, a, plan)
    r = await client.patch(f"/api/v1/feedback/{anonymous.id}", json={"stakeholder_id": str(person.id),
                                                                      "themes": ["access"]}, headers=a["lead"])
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("resource,link,change", LEAVING)
async def test_an_import_cannot_take_a_held_plans_activity_or_feedback_out_of_its_record(
        client, session, a, resource, link, change):
    person, plan, record, values = await _held_record(session, a, link)
    await hold(client, a, plan)
    name = "activities" if resource == "activity" else "feedback"
    field = next(iter(change))
    row = {"id": str(record.id), field: values[change[field]]}
    r = await post_import(client, name, a["lead"], json.dumps([row]), "?on_conflict=update",
                          content_type=JSON)
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, field)], r.text
    assert "legal hold" in r.json()["errors"][0]["message"]
    assert is_problem(await client.post(person_url(person.id, "/erase"), headers=a["admin"]), 409)
    await client.delete(hold_url(plan.id), headers=a["admin"])
    r = await post_import(client, name, a["lead"], json.dumps([row]), "?on_conflict=update",
                          content_type=JSON)
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text


@pytest.mark.parametrize("role", ["contributor", "admin"])
async def test_no_role_may_move_a_held_plans_activity_off_it(client, session, a, role):
    # The hold binds every role that may log engagement, an admin's included: only lifting it frees the record.
    _, plan, record, _ = await _held_record(session, a, "plan_activity")
    await hold(client, a, plan)
    r = await client.patch(f"/api/v1/activities/{record.id}", json={"plan_id": None}, headers=a[role])
    assert is_problem(r, 409) and r.json()["type"].endswith("legal-hold"), r.text
