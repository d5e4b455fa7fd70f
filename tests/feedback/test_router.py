import asyncio
import os
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories
from tests.activities.support import LOGGERS, READ_ONLY, ROLES, audit_events, audit_text, plan
from tests.erasure_race import erasure_under_way
from tests.feedback.support import COMMENT, URL, count_feedback
from tests.imports.support import post_import
from tests.replay import restore_replays


@pytest.mark.parametrize("role", LOGGERS)
async def test_loggers_record_feedback_with_a_due_date(client, session, a, role):
    who = await factories.stakeholder(session, a.tenant, name="Margaret Okafor")
    r = await client.post(URL, json={**COMMENT, "stakeholder_id": str(who.id)}, headers=a[role])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "received" and body["themes"] == ["transport", "access"]
    # 20 working days after Monday 2 March 2026: the end of Monday 30 March, UK time (BST by then)
    assert body["response_due_at"] == "2026-03-30T23:00:00Z"
    assert body["overdue"] is True  # long past in the tests' present
    assert r.headers["location"] == f"{URL}/{body['id']}" and r.headers["etag"] == '"1"'


async def test_anonymous_feedback_is_allowed(client, a):
    r = await client.post(URL, json={"text": "Parking is impossible"}, headers=a["contributor"])
    assert r.status_code == 201
    assert r.json()["stakeholder_id"] is None and r.json()["overdue"] is False


async def test_feedback_is_not_received_in_the_future_by_the_api_or_an_import(client, session, a):
    """It could never be answered in time, told (told_at may not be ahead of now) or closed."""
    ahead = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r = await client.post(URL, json={"text": "Parking is impossible", "received_at": ahead}, headers=a["contributor"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "received_at"], r.text
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()  # a sender's clock a little fast is not refused
    assert (await client.post(URL, json={"text": "Parking", "received_at": soon}, headers=a["lead"])).status_code == 201
    kept = await factories.feedback(session, a.tenant, text="Kept")
    await session.commit()
    r = await client.patch(f"{URL}/{kept.id}", json={"received_at": ahead}, headers=a["lead"])
    assert r.status_code == 422, r.text
    r = await post_import(client, "feedback", a["lead"], f"text,received_at\nParking,{ahead}\n")
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["received_at"], r.text
    assert [i["text"] for i in (await client.get(URL, headers=a["lead"])).json()["items"]] == ["Parking", "Kept"]


async def test_the_tenants_target_sets_the_due_date(client, session, a):
    a.tenant.settings = {"feedback_response_days": 5}
    await session.flush()
    # received on a Saturday: the five working days are Mon 9 to Fri 13 March
    r = await client.post(URL, json={**COMMENT, "received_at": "2026-03-07T12:00:00Z"}, headers=a["lead"])
    assert r.json()["response_due_at"] == "2026-03-14T00:00:00Z"
    moved = await client.patch(f"{URL}/{r.json()['id']}", json={"received_at": "2026-03-09T12:00:00Z"},
                               headers=a["lead"])
    assert moved.json()["response_due_at"] == "2026-03-17T00:00:00Z"


@pytest.mark.parametrize("moment", ["acknowledged", "considered"])
async def test_receipt_cannot_move_after_the_feedback_was_acknowledged_or_considered(client, session, a, moment):
    """By PATCH or by an import row: the record would say it was dealt with before it arrived."""
    fb = await factories.feedback(session, a.tenant, received_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                                  status=moment, **{f"{moment}_at": datetime(2026, 3, 4, 9, tzinfo=UTC)})
    await session.commit()
    r = await client.patch(f"{URL}/{fb.id}", json={"received_at": "2026-03-05T09:00:00Z"}, headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "received_at"], r.text
    assert f"after its {'acknowledgement' if moment == 'acknowledged' else 'consideration'}" in r.text
    r = await post_import(client, "feedback", a["lead"], f"id,received_at\n{fb.id},2026-03-05T09:00:00Z\n",
                          "?on_conflict=update")
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["received_at"], r.text
    await session.refresh(fb)
    assert (fb.received_at.replace(tzinfo=UTC), fb.version) == (datetime(2026, 3, 2, 9, tzinfo=UTC), 1)


async def test_plan_is_taken_from_the_activity(client, session, a):
    review = await plan(session, a.tenant)
    act = await factories.activity(session, a.tenant, plan_id=review.id)
    r = await client.post(URL, json={**COMMENT, "activity_id": str(act.id)}, headers=a["contributor"])
    assert r.json()["plan_id"] == str(review.id)
    other = await client.post(URL, json={**COMMENT, "external_id": None, "activity_id": str(act.id),
                                         "plan_id": None}, headers=a["contributor"])
    assert other.json()["plan_id"] is None


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_write_nothing(client, session, a, role):
    fb = await factories.feedback(session, a.tenant)
    assert (await client.post(URL, json=COMMENT, headers=a[role])).status_code == 403
    assert (await client.patch(f"{URL}/{fb.id}", json={"status": "acknowledged"}, headers=a[role])).status_code == 403
    assert (await client.delete(f"{URL}/{fb.id}", headers=a[role])).status_code == 403
    r = await client.post(f"{URL}/{fb.id}/response", json={"response_text": "x", "outcome": "information_given"},
                          headers=a[role])
    assert r.status_code == 403
    await session.refresh(fb)
    assert fb.status == "received" and fb.response_text is None and await count_feedback(session, a.tenant) == 1


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads(client, session, a, role):
    fb = await factories.feedback(session, a.tenant)
    assert [i["id"] for i in (await client.get(URL, headers=a[role])).json()["items"]] == [str(fb.id)]
    assert (await client.get(f"{URL}/{fb.id}", headers=a[role])).status_code == 200


@pytest.mark.parametrize("change,field", [
    ({"text": ""}, "text"),
    ({"type": "rant"}, "type"),
    ({"channel": "pigeon"}, "channel"),
    ({"received_at": "2026-03-02T10:00:00"}, "received_at"),
    ({"themes": ["a,b"]}, "themes"),
    ({"status": "closed"}, "status"),  # not settable on create
    ({"stakeholder_id": "00000000-0000-0000-0000-000000000000"}, "stakeholder_id"),
    ({"activity_id": "00000000-0000-0000-0000-000000000000"}, "activity_id"),
    ({"plan_id": "00000000-0000-0000-0000-000000000000"}, "plan_id"),
    ({"publishable": True}, "publishable_summary"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, change, field):
    r = await client.post(URL, json={**COMMENT, **change}, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert any(field in e["loc"] for e in r.json()["errors"]), r.json()
    assert await count_feedback(session, a.tenant) == 0


async def test_another_tenants_references_are_422(client, session, a, b):
    refs = {"stakeholder_id": (await factories.stakeholder(session, b.tenant)).id,
            "activity_id": (await factories.activity(session, b.tenant)).id,
            "plan_id": (await plan(session, b.tenant)).id}
    r = await client.post(URL, json={**COMMENT, **{k: str(v) for k, v in refs.items()}}, headers=a["lead"])
    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["errors"]} == set(refs)


async def test_other_tenants_feedback_is_404_everywhere(client, session, a, b):
    theirs = await factories.feedback(session, b.tenant, text="Theirs")
    for method, path, kwargs in [
        ("GET", f"{URL}/{theirs.id}", {}),
        ("PATCH", f"{URL}/{theirs.id}", {"json": {"status": "acknowledged"}}),
        ("DELETE", f"{URL}/{theirs.id}", {}),
        ("POST", f"{URL}/{theirs.id}/restore", {}),
        ("POST", f"{URL}/{theirs.id}/response", {"json": {"response_text": "x", "outcome": "information_given"}}),
    ]:
        assert (await client.request(method, path, headers=a["admin"], **kwargs)).status_code == 404, (method, path)
    assert (await client.get(URL, params={"include_total": "true"}, headers=a["admin"])).json()["total"] == 0
    await session.refresh(theirs)
    assert theirs.status == "received"


async def test_only_a_lead_or_admin_marks_feedback_publishable(client, session, a):
    fb = await factories.feedback(session, a.tenant, publishable_summary="Evening buses")
    r = await client.patch(f"{URL}/{fb.id}", json={"publishable": True}, headers=a["contributor"])
    assert r.status_code == 403
    assert (await client.patch(f"{URL}/{fb.id}", json={"publishable": True}, headers=a["lead"])).status_code == 200


async def test_a_contributor_may_not_withdraw_the_mark_or_reword_what_it_publishes(client, session, a):
    fb = await factories.feedback(session, a.tenant, publishable=True, publishable_summary="Evening buses")
    for change in ({"publishable": False}, {"publishable_summary": "Something else"}):
        r = await client.patch(f"{URL}/{fb.id}", json=change, headers=a["contributor"])
        assert r.status_code == 403, change
    await session.refresh(fb)
    assert (fb.publishable, fb.publishable_summary, fb.version) == (True, "Evening buses", 1)
    unchanged = {"publishable": True, "publishable_summary": "Evening buses", "themes": ["transport"]}
    assert (await client.patch(f"{URL}/{fb.id}", json=unchanged, headers=a["contributor"])).status_code == 200
    reworded = await client.patch(f"{URL}/{fb.id}", json={"publishable_summary": "Later buses"}, headers=a["lead"])
    assert reworded.status_code == 200 and reworded.json()["publishable_summary"] == "Later buses"


async def test_a_contributor_may_not_move_marked_feedback_onto_another_plans_page_or_off_its_own(client, session, a):
    # What a plan's page publishes is a lead's decision, for that plan.
    review, other = await plan(session, a.tenant, title="Review"), await plan(session, a.tenant, title="Other")
    fb = await factories.feedback(session, a.tenant, plan_id=review.id, publishable=True,
                                  publishable_summary="Approved for Review")
    draft = await factories.feedback(session, a.tenant, plan_id=review.id, publishable_summary="Not marked")
    await session.commit()
    for plan_id in (str(other.id), None):
        r = await client.patch(f"{URL}/{fb.id}", json={"plan_id": plan_id}, headers=a["contributor"])
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", (plan_id, r.text)
    row = f"id,plan_id\n{fb.id},{other.id}\n"
    imported = await post_import(client, "feedback", a["contributor"], row, "?on_conflict=update")
    assert imported.status_code == 422 and imported.json()["errors"][0]["field"] == "plan_id", imported.text
    await session.refresh(fb)
    assert (fb.plan_id, fb.version) == (review.id, 1)
    same = await client.patch(f"{URL}/{fb.id}", json={"plan_id": str(review.id)}, headers=a["contributor"])
    assert same.status_code == 200
    unmarked = await client.patch(f"{URL}/{draft.id}", json={"plan_id": str(other.id)}, headers=a["contributor"])
    assert unmarked.status_code == 200
    moved = await client.patch(f"{URL}/{fb.id}", json={"plan_id": str(other.id)}, headers=a["lead"])
    assert moved.status_code == 200 and moved.json()["plan_id"] == str(other.id)


async def test_a_contributor_may_word_the_paraphrase_before_it_is_marked(client, session, a):
    fb = await factories.feedback(session, a.tenant)
    r = await client.patch(f"{URL}/{fb.id}", json={"publishable_summary": "Evening buses"}, headers=a["contributor"])
    assert r.status_code == 200 and r.json()["publishable"] is False


async def test_external_id_clash_is_409(client, session, a):
    await factories.feedback(session, a.tenant, external_id="FB-1")
    assert (await client.post(URL, json=COMMENT, headers=a["lead"])).status_code == 409


async def test_idempotency_key_replays(client, session, a):
    headers = {**a["contributor"], "Idempotency-Key": "fb-1"}
    first = await client.post(URL, json=COMMENT, headers=headers)
    again = await client.post(URL, json=COMMENT, headers=headers)
    assert first.json() == again.json() and await count_feedback(session, a.tenant) == 1


async def test_delete_archives_and_restore_brings_back(client, session, a):
    fb = await factories.feedback(session, a.tenant)
    assert (await client.delete(f"{URL}/{fb.id}", headers=a["contributor"])).status_code == 204
    assert (await client.get(URL, headers=a["viewer"])).json()["items"] == []
    assert (await client.post(f"{URL}/{fb.id}/restore", headers=a["contributor"])).json()["archived_at"] is None


async def test_a_retried_restore_with_its_key_gets_the_first_response(client, session, a):
    """A client whose restore's response was lost sends it again with its Idempotency-Key: the first answer, not a
    second restore of feedback archived again meanwhile."""
    fb = await factories.feedback(session, a.tenant)
    await restore_replays(client, session, f"{URL}/{fb.id}", a["contributor"], a["lead"])


async def test_a_contributor_may_not_archive_feedback_a_lead_marked_publishable(client, session, a):
    # Archiving takes it off 'you said, we did' as surely as withdrawing the mark, which is a lead's decision
    fb = await factories.feedback(session, a.tenant, publishable=True, publishable_summary="Approved")
    await session.commit()
    r = await client.delete(f"{URL}/{fb.id}", headers=a["contributor"])
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", r.text
    await session.refresh(fb)
    assert (fb.archived_at, fb.version) == (None, 1)
    assert (await client.delete(f"{URL}/{fb.id}", headers=a["lead"])).status_code == 204
    assert (await client.post(f"{URL}/{fb.id}/restore", headers=a["contributor"])).status_code == 200


async def test_audit_keeps_no_text(client, session, a):
    created = (await client.post(URL, json=COMMENT, headers=a["contributor"])).json()
    await client.patch(f"{URL}/{created['id']}", json={"text": "Edited: Margaret says the bus is late",
                                                       "publishable_summary": "Buses stop too early"},
                       headers=a["contributor"])
    events = await audit_events(session, created["id"])
    assert [e.action for e in events] == ["create", "update"]
    text = audit_text(events)
    for secret in ("Margaret", "example.org", "422100", "Buses stop"):
        assert secret not in text
    assert events[1].changes["text"] == {"before": "[personal data]", "after": "[personal data]"}


@pytest.mark.skipif(not os.environ.get("INVOLVE_TEST_DATABASE_URL"), reason="SQLite runs one writer at a time")
async def test_feedback_racing_the_erasure_of_its_person_is_refused_not_left_in_clear():
    # The erasure wipes the text of the person's feedback; feedback created while it runs must wait for it and
    # then be refused (422, erased), not slip in after the wipe with the text in clear.
    async with erasure_under_way("erase_race") as race:
        posting = asyncio.create_task(race.client.post(URL, headers=race.headers, json={
            "text": "Racey says hi", "stakeholder_id": str(race.person.id)}))
        await asyncio.sleep(1.5)
        assert not posting.done(), posting.result().text
        await race.commit()
        r = await posting
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "erased", r.text
