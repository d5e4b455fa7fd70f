import uuid
from datetime import UTC, datetime

import pytest

from api import audit
from api.models import Evidence
from tests import factories
from tests.documents.support import document
from tests.duties.support import (
    EDITORS,
    NIL,
    NOT_EDITORS,
    ROLES,
    audit_events,
    count,
    evidence,
    own_duty,
    requirement,
    requirements,
)
from tests.evidence.support import body, linked_world, url
from tests.replay import restore_replays


@pytest.mark.parametrize("role", EDITORS)
async def test_writers_add_evidence_with_its_links_expanded(client, session, a, role):
    plan, activity, feedback, doc, req = await linked_world(session, a.tenant)
    r = await client.post(url(plan), json=body(req, activity, feedback, doc), headers=a[role])
    assert r.status_code == 201, r.text
    got = r.json()
    assert r.headers["location"] == f"{url(plan)}/{got['id']}" and r.headers["etag"] == '"1"'
    assert got["requirement_id"] == str(req.id) and got["requirement_code"] == "limb-b-proposals"
    assert got["duty_id"] == str(req.duty_id) and got["duty_code"] == "nhs-act-s14z45"
    assert got["activities"] == [{"id": str(activity.id), "title": "Bridport focus group",
                                  "starts_at": "2026-03-10T14:00:00Z", "duty_limb": "proposals"}]
    assert got["feedback"] == [{"id": str(feedback.id), "status": "responded", "responded_at": "2026-03-20T09:00:00Z",
                                "told_at": "2026-03-21T09:00:00Z"}]
    assert got["documents"] == [{"id": str(doc.id), "title": "Consultation pack", "kind": "consultation_pack",
                                 "sha256": doc.sha256}]
    assert got["decision_date"] == "2026-04-02" and got["external_id"] == "EV-1" and got["archived_at"] is None
    assert got["created_by"] == str(a.users[role].id) and got["version"] == 1
    assert "clinic times" not in r.text and "later bus" not in r.text  # no personal text from the feedback
    assert (await client.get(r.headers["location"], headers=a["viewer"])).json() == got
    events = await audit_events(session, "evidence", got["id"])
    assert [e.action for e in events] == ["create"] and events[0].changes["summary"] == {"after": audit.REDACTED}


async def test_the_audit_trail_marks_the_texts_changed_without_their_words(client, session, a):
    """Summary and decision may name people, and the trail outlives their erasure (as activities' texts)."""
    plan, activity, feedback, doc, req = await linked_world(session, a.tenant)
    created = await client.post(url(plan), json=body(req, activity, summary="Ann Example spoke for the carers",
                                                     decision="Ann Example's option B chosen"), headers=a["lead"])
    item_url = created.headers["location"]
    r = await client.patch(item_url, json={"summary": "Bo Other spoke", "decision": None}, headers=a["lead"])
    assert r.status_code == 200, r.text
    got = await client.get("/api/v1/audit-events", params={"resource_type": "evidence", "sort": "seq"},
                          headers=a["auditor"])
    assert "Ann Example" not in got.text and "Bo Other" not in got.text
    create, update = got.json()["items"]
    assert (create["changes"]["summary"], create["changes"]["decision"]) == ({"after": audit.REDACTED},) * 2
    assert update["changes"] == {"summary": {"before": audit.REDACTED, "after": audit.REDACTED},
                                 "decision": {"before": audit.REDACTED, "after": None}}
    assert create["changes"]["activity_ids"] == {"after": [str(activity.id)]}  # the links are no personal data


async def test_only_a_summary_and_a_requirement_are_needed(client, session, a):
    plan = await factories.plan(session, a.tenant)
    req = await requirement(session, "gunning", "gunning-4")
    r = await client.post(url(plan), json={"requirement_id": str(req.id), "summary": "See minutes"},
                          headers=a["lead"])
    assert r.status_code == 201
    got = r.json()
    assert got["activity_ids"] == got["feedback_ids"] == got["document_ids"] == [] and got["decision"] is None


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_evidence(client, session, a, role):
    plan, activity, feedback, doc, req = await linked_world(session, a.tenant)
    item = await evidence(session, plan, req, activity_ids=[activity.id])
    listing = (await client.get(url(plan), headers=a[role])).json()
    assert [e["id"] for e in listing["items"]] == [str(item.id)]
    assert listing["items"][0]["activities"][0]["title"] == "Bridport focus group"
    one = await client.get(f"{url(plan)}/{item.id}", headers=a[role])
    assert one.status_code == 200 and one.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", NOT_EDITORS)
async def test_other_roles_write_nothing(client, session, a, role):
    plan, activity, feedback, doc, req = await linked_world(session, a.tenant)
    item = await evidence(session, plan, req, summary="Stays")
    assert (await client.post(url(plan), json=body(req), headers=a[role])).status_code == 403
    assert (await client.patch(f"{url(plan)}/{item.id}", json={"summary": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(f"{url(plan)}/{item.id}", headers=a[role])).status_code == 403
    await session.refresh(item)
    assert item.summary == "Stays" and item.archived_at is None and item.version == 1
    assert await count(session, Evidence, plan_id=plan.id) == 1


async def test_another_tenants_plan_or_item_is_404(client, session, a, b):
    plan, activity, feedback, doc, req = await linked_world(session, b.tenant)
    item = await evidence(session, plan, req, summary="Theirs")
    item_url = f"{url(plan)}/{item.id}"
    assert (await client.get(url(plan), headers=a["admin"])).status_code == 404
    assert (await client.post(url(plan), json=body(req), headers=a["admin"])).status_code == 404
    assert (await client.get(item_url, headers=a["admin"])).status_code == 404
    assert (await client.patch(item_url, json={"summary": "X"}, headers=a["admin"])).status_code == 404
    assert (await client.delete(item_url, headers=a["admin"])).status_code == 404
    await session.refresh(item)
    assert item.summary == "Theirs" and item.archived_at is None
    assert await count(session, Evidence, plan_id=plan.id) == 1


async def test_an_item_of_another_plan_is_404(client, session, a):
    plan, _, _, _, req = await linked_world(session, a.tenant)
    other = await factories.plan(session, a.tenant)
    item = await evidence(session, plan, req)
    assert (await client.get(f"{url(other)}/{item.id}", headers=a["lead"])).status_code == 404
    assert (await client.get(f"{url(plan)}/{NIL}", headers=a["lead"])).status_code == 404


async def test_links_must_exist_in_the_tenant_and_documents_in_the_plan(client, session, a, b):
    plan, activity, feedback, doc, req = await linked_world(session, a.tenant)
    _, their_activity, their_feedback, _, _ = await linked_world(session, b.tenant)
    other_plan_doc = await document(session, await factories.plan(session, a.tenant))
    their_req = (await requirements(session, await own_duty(session, b.tenant)))[0]
    bad = body(their_req, activity_ids=[str(activity.id), str(their_activity.id)],
               feedback_ids=[str(their_feedback.id)], document_ids=[str(doc.id), str(uuid.uuid4()),
                                                                    str(other_plan_doc.id)])
    r = await client.post(url(plan), json=bad, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert sorted(e["loc"] for e in r.json()["errors"]) == sorted([
        ["body", "requirement_id"], ["body", "activity_ids", 1], ["body", "feedback_ids", 0],
        ["body", "document_ids", 1], ["body", "document_ids", 2]])
    assert await count(session, Evidence, plan_id=plan.id) == 0


async def test_requirements_of_own_duties_and_either_catalogue_are_accepted(client, session, a):
    plan = await factories.plan(session, a.tenant)
    mine = (await requirements(session, await own_duty(session, a.tenant)))[0]
    welsh = await requirement(session, "llais-consultation", "llais-consultation", "wales")
    for req in (mine, welsh):
        r = await client.post(url(plan), json=body(req, external_id=None), headers=a["lead"])
        assert r.status_code == 201, r.text


@pytest.mark.parametrize("change,field", [
    ({"summary": ""}, "summary"),
    ({"summary": None}, "summary"),
    ({"requirement_id": "not-a-uuid"}, "requirement_id"),
    ({"activity_ids": ["nope"]}, "activity_ids"),
    ({"decision_date": "2 April"}, "decision_date"),
    ({"plan_id": NIL}, "plan_id"),
    ({"external_id": ""}, "external_id"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, change, field):
    plan, activity, feedback, doc, req = await linked_world(session, a.tenant)
    r = await client.post(url(plan), json=body(req, **change), headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert field in {str(p) for e in r.json()["errors"] for p in e["loc"]}
    assert await count(session, Evidence, plan_id=plan.id) == 0


@pytest.mark.parametrize("decision_date", [0, "0", 1775088000, "0001-01-01", "9999-12-31", "2026-04-02T10:00:00Z"])
async def test_a_decision_date_is_an_iso_date_in_the_supported_years(client, session, a, decision_date):
    # As a consultation's decision_date: not a number read as a Unix time (0 was stored as 1970-01-01),
    # nor a year no record is about.
    plan, _, _, _, req = await linked_world(session, a.tenant)
    r = await client.post(url(plan), json=body(req, decision_date=decision_date), headers=a["lead"])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "decision_date"]
    item = await evidence(session, plan, req, summary="Stays")
    r = await client.patch(f"{url(plan)}/{item.id}", json={"decision_date": decision_date}, headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "decision_date"]
    assert await count(session, Evidence, plan_id=plan.id) == 1


async def test_a_missing_summary_is_422(client, session, a):
    plan, _, _, _, req = await linked_world(session, a.tenant)
    r = await client.post(url(plan), json={"requirement_id": str(req.id)}, headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "summary"]


async def test_repeated_link_ids_are_kept_once(client, session, a):
    plan, activity, _, _, req = await linked_world(session, a.tenant)
    r = await client.post(url(plan), json=body(req, activity_ids=[str(activity.id)] * 3), headers=a["lead"])
    assert r.json()["activity_ids"] == [str(activity.id)] and len(r.json()["activities"]) == 1


async def test_a_taken_external_id_is_409(client, session, a):
    plan, _, _, _, req = await linked_world(session, a.tenant)
    await evidence(session, plan, req, external_id="EV-1")
    assert (await client.post(url(plan), json=body(req), headers=a["lead"])).status_code == 409
    assert await count(session, Evidence, plan_id=plan.id) == 1


async def test_idempotency_key_replays_and_refuses_another_body(client, session, a):
    plan, activity, _, _, req = await linked_world(session, a.tenant)
    headers = {**a["lead"], "Idempotency-Key": "ev-42"}
    first = await client.post(url(plan), json=body(req), headers=headers)
    again = await client.post(url(plan), json=body(req), headers=headers)
    assert again.status_code == 201 and again.json() == first.json() and again.headers["idempotent-replayed"]
    other = await client.post(url(plan), json=body(req, summary="Another"), headers=headers)
    assert other.status_code == 422
    assert await count(session, Evidence, plan_id=plan.id) == 1


async def test_filters_by_requirement_duty_code_search_and_archived(client, session, a):
    plan, _, _, _, req = await linked_world(session, a.tenant)
    gunning = await requirement(session, "gunning", "gunning-1")
    limb = await evidence(session, plan, req, summary="Focus groups")
    formative = await evidence(session, plan, gunning, summary="Options still open", decision="Board minute 12")
    gone = await evidence(session, plan, gunning, summary="Recorded in error")
    await client.delete(f"{url(plan)}/{gone.id}", headers=a["lead"])

    async def ids(**params):
        r = await client.get(url(plan), params=params, headers=a["viewer"])
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json()["items"]]

    assert await ids() == [str(limb.id), str(formative.id)]
    assert await ids(requirement_id=str(gunning.id)) == [str(formative.id)]
    assert await ids(duty_code="nhs-act-s14z45") == [str(limb.id)]
    assert await ids(duty_code="gunning", archived="true") == [str(gone.id)]
    assert await ids(q="minute") == [str(formative.id)]
    assert await ids(duty_code="no-such-duty") == []


@pytest.mark.parametrize("params", [{"duty_code": "Bad Code"}, {"requirement_id": "x"}, {"sort": "summary"},
                                    {"cursor": "garbage"}])
async def test_bad_list_parameters_are_refused(client, session, a, params):
    plan = await factories.plan(session, a.tenant)
    r = await client.get(url(plan), params=params, headers=a["viewer"])
    assert r.status_code in (400, 422) and r.headers["content-type"] == "application/problem+json"


async def test_writers_update_evidence_with_if_match(client, session, a):
    plan, activity, feedback, doc, req = await linked_world(session, a.tenant)
    item = await evidence(session, plan, req, activity_ids=[activity.id])
    gunning = await requirement(session, "gunning", "gunning-2")
    change = {"requirement_id": str(gunning.id), "document_ids": [str(doc.id)], "activity_ids": [],
              "decision_date": None}
    r = await client.patch(f"{url(plan)}/{item.id}", json=change, headers={**a["admin"], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["requirement_code"] == "gunning-2" and got["duty_code"] == "gunning" and got["version"] == 2
    assert got["activities"] == [] and got["documents"][0]["sha256"] == doc.sha256 and r.headers["etag"] == '"2"'
    events = await audit_events(session, "evidence", item.id)
    assert events[-1].action == "update" and set(events[-1].changes) == {"requirement_id", "document_ids",
                                                                        "activity_ids"}


async def test_a_stale_or_bad_update_changes_nothing(client, session, a, b):
    plan, activity, _, _, req = await linked_world(session, a.tenant)
    _, their_activity, _, _, _ = await linked_world(session, b.tenant)
    item = await evidence(session, plan, req, summary="Stays")
    item_url = f"{url(plan)}/{item.id}"
    r = await client.patch(item_url, json={"summary": "X"}, headers={**a["lead"], "If-Match": '"9"'})
    assert r.status_code == 412
    r = await client.patch(item_url, json={"summary": "X", "activity_ids": [str(their_activity.id)]},
                           headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "activity_ids", 0]
    assert (await client.patch(item_url, json={"requirement_id": NIL}, headers=a["lead"])).status_code == 422
    assert (await client.patch(item_url, json={"summary": None}, headers=a["lead"])).status_code == 422
    await session.refresh(item)
    assert item.summary == "Stays" and item.version == 1 and item.activity_ids == []


async def test_delete_archives_and_repeating_it_changes_nothing(client, session, a):
    plan, _, _, _, req = await linked_world(session, a.tenant)
    item = await evidence(session, plan, req)
    item_url = f"{url(plan)}/{item.id}"
    assert (await client.delete(item_url, headers={**a["lead"], "If-Match": '"5"'})).status_code == 412
    assert (await client.delete(item_url, headers={**a["lead"], "If-Match": '"1"'})).status_code == 204
    assert (await client.delete(item_url, headers=a["lead"])).status_code == 204
    assert (await client.get(url(plan), headers=a["viewer"])).json()["items"] == []
    archived = await client.get(item_url, headers=a["viewer"])
    assert archived.status_code == 200 and archived.json()["archived_at"]
    assert [e.action for e in await audit_events(session, "evidence", item.id)] == ["archive"]


async def test_links_to_records_since_removed_are_kept_but_not_expanded(client, session, a):
    plan, _, _, doc, req = await linked_world(session, a.tenant)
    item = await evidence(session, plan, req, document_ids=[doc.id])
    await session.delete(doc)
    await session.flush()
    got = (await client.get(f"{url(plan)}/{item.id}", headers=a["viewer"])).json()
    assert got["document_ids"] == [str(doc.id)] and got["documents"] == []


async def test_a_new_link_to_an_archived_activity_or_feedback_is_409_a_held_one_stays(client, session, a):
    plan, activity, feedback, _, req = await linked_world(session, a.tenant)
    gone = datetime(2026, 4, 1, tzinfo=UTC)
    old_activity = await factories.activity(session, a.tenant, plan_id=plan.id, archived_at=gone)
    old_feedback = await factories.feedback(session, a.tenant, plan_id=plan.id, archived_at=gone)
    for links in ({"activity_ids": [str(activity.id), str(old_activity.id)]},
                  {"feedback_ids": [str(old_feedback.id)]}):
        r = await client.post(url(plan), json=body(req, **links, external_id=None), headers=a["lead"])
        assert r.status_code == 409 and "archived" in r.json()["detail"], r.text
    assert await count(session, Evidence, plan_id=plan.id) == 0
    # Linked while live, then archived: the item keeps the link through later edits, and gains no new one.
    item = await evidence(session, plan, req, activity_ids=[old_activity.id], feedback_ids=[feedback.id])
    item_url = f"{url(plan)}/{item.id}"
    r = await client.patch(item_url, json={"activity_ids": [str(old_activity.id), str(activity.id)]},
                           headers=a["lead"])
    assert r.status_code == 200, r.text
    r = await client.patch(item_url, json={"feedback_ids": [str(feedback.id), str(old_feedback.id)]},
                           headers=a["lead"])
    assert r.status_code == 409, r.text
    await session.refresh(item)
    assert item.feedback_ids == [str(feedback.id)] and item.version == 2


async def test_writers_restore_an_item_archived_in_error(client, session, a, b):
    plan, _, _, _, req = await linked_world(session, a.tenant)
    item = await evidence(session, plan, req)
    item_url = f"{url(plan)}/{item.id}"
    assert (await client.delete(item_url, headers=a["lead"])).status_code == 204
    for role in NOT_EDITORS:
        assert (await client.post(f"{item_url}/restore", headers=a[role])).status_code == 403, role
    assert (await client.post(f"{item_url}/restore", headers=b["admin"])).status_code == 404
    r = await client.post(f"{item_url}/restore", headers=a["admin"])
    assert r.status_code == 200 and r.json()["archived_at"] is None and r.headers["etag"] == '"3"', r.text
    again = await client.post(f"{item_url}/restore", headers=a["lead"])
    assert again.status_code == 200 and again.json()["version"] == 3
    assert [i["id"] for i in (await client.get(url(plan), headers=a["viewer"])).json()["items"]] == [str(item.id)]
    assert [e.action for e in await audit_events(session, "evidence", item.id)] == ["archive", "restore"]


async def test_a_retried_restore_with_its_key_gets_the_first_response(client, session, a):
    """A client whose restore's response was lost sends it again with its Idempotency-Key: the first answer, not a
    second restore of an item archived again meanwhile."""
    plan, _, _, _, req = await linked_world(session, a.tenant)
    item_url = f"{url(plan)}/{(await evidence(session, plan, req)).id}"
    await restore_replays(client, session, item_url, a["lead"], a["admin"])
