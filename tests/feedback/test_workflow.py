from datetime import UTC, datetime

import pytest

from api.feedback.workflow import response_days, response_due
from tests import factories
from tests.activities.support import audit_events, plan
from tests.feedback.support import COMMENT, URL, respond


async def patch(client, headers, fb_id, **body):
    return await client.patch(f"{URL}/{fb_id}", json=body, headers=headers)


async def test_the_whole_loop(client, session, a):
    who = await factories.stakeholder(session, a.tenant, name="Margaret Okafor")
    fb = (await client.post(URL, json={**COMMENT, "stakeholder_id": str(who.id)}, headers=a["contributor"])).json()
    ack = await patch(client, a["contributor"], fb["id"], status="acknowledged")
    assert ack.status_code == 200 and ack.json()["acknowledged_at"] is not None
    considered = await patch(client, a["contributor"], fb["id"], status="considered")
    assert considered.json()["status"] == "considered" and considered.json()["overdue"] is True
    r = await respond(client, a["contributor"], fb["id"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "responded" and body["responded_by"] == str(a.users["contributor"].id)
    assert body["overdue"] is False and body["outcome"] == "changed"
    # not told yet: the loop cannot close
    assert (await patch(client, a["lead"], fb["id"], status="closed")).status_code == 409
    told = await patch(client, a["lead"], fb["id"], told_how="letter", told_at="2026-04-02T09:00:00+01:00")
    assert told.status_code == 200 and told.json()["told_at"] == "2026-04-02T08:00:00Z"
    closed = await patch(client, a["lead"], fb["id"], status="closed")
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None
    assert [e.action for e in await audit_events(session, fb["id"])] == [
        "create", "update", "update", "respond", "update", "update"]


async def test_response_with_how_they_were_told_then_close(client, session, a):
    who = await factories.stakeholder(session, a.tenant)
    fb = await factories.feedback(session, a.tenant, stakeholder_id=who.id)
    r = await respond(client, a["contributor"], fb.id, told_how="email")
    assert r.json()["told_how"] == "email" and r.json()["told_at"] is not None
    assert (await patch(client, a["contributor"], fb.id, status="closed")).status_code == 200


@pytest.mark.parametrize("path,target", [
    (["received"], "responded"),
    (["received"], "closed"),
    (["acknowledged"], "received"),
    (["considered"], "acknowledged"),
    (["considered"], "closed"),
])
async def test_illegal_transitions_are_409(client, session, a, path, target):
    fb = await factories.feedback(session, a.tenant, status=path[-1])
    r = await patch(client, a["lead"], fb.id, status=target)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    await session.refresh(fb)
    assert fb.status == path[-1]


async def test_closed_feedback_cannot_move_or_be_answered_again(client, session, a):
    fb = await factories.feedback(session, a.tenant, status="closed", response_text="Done", outcome="changed",
                                  told_how="email", told_at=datetime(2026, 3, 20, tzinfo=UTC))
    assert (await patch(client, a["lead"], fb.id, status="considered")).status_code == 409
    assert (await respond(client, a["lead"], fb.id)).status_code == 409
    assert (await patch(client, a["lead"], fb.id, told_how="phone")).status_code == 409
    # but its themes can still be curated
    assert (await patch(client, a["lead"], fb.id, themes=["transport"])).status_code == 200


async def test_told_needs_a_response_first(client, session, a):
    fb = await factories.feedback(session, a.tenant, status="considered")
    assert (await patch(client, a["lead"], fb.id, told_how="email")).status_code == 409


async def test_anonymous_feedback_closes_once_published(client, session, a):
    review = await plan(session, a.tenant)
    fb = await factories.feedback(session, a.tenant, plan_id=review.id)
    await respond(client, a["contributor"], fb.id)
    assert (await patch(client, a["lead"], fb.id, status="closed")).status_code == 409
    r = await patch(client, a["lead"], fb.id, publishable_summary="Buses stop too early", publishable=True,
                    status="closed")
    assert r.status_code == 200 and r.json()["status"] == "closed"


@pytest.mark.parametrize("change", ["stakeholder", "plan_id", "publishable"])
async def test_a_change_that_would_undo_what_closed_the_loop_is_409_and_changes_nothing(client, session, a, change):
    """Closed because its response was published: linking a person who was never told, or taking the response off
    the page, would leave a closed loop that is not."""
    review = await plan(session, a.tenant)
    who = await factories.stakeholder(session, a.tenant, name="Ann Example")
    fb = await factories.feedback(session, a.tenant, plan_id=review.id)
    await session.commit()
    assert (await respond(client, a["contributor"], fb.id)).status_code == 200
    closed = await patch(client, a["lead"], fb.id, publishable_summary="Buses stop early", publishable=True,
                         status="closed")
    assert closed.status_code == 200, closed.text
    body = {"stakeholder": {"stakeholder_id": str(who.id)}, "plan_id": {"plan_id": None},
            "publishable": {"publishable": False}}[change]
    r = await patch(client, a["lead"], fb.id, **body)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    after = (await client.get(f"{URL}/{fb.id}", headers=a["lead"])).json()
    assert {k: after[k] for k in ("version", "stakeholder_id", "plan_id", "publishable")} == {
        k: closed.json()[k] for k in ("version", "stakeholder_id", "plan_id", "publishable")}
    assert (await patch(client, a["lead"], fb.id, themes=["transport"], plan_id=str(review.id))).status_code == 200


async def test_closed_feedback_whose_person_was_told_may_still_change_its_links(client, session, a):
    review = await plan(session, a.tenant)
    who = await factories.stakeholder(session, a.tenant)
    fb = await factories.feedback(session, a.tenant, stakeholder_id=who.id, plan_id=review.id, status="closed",
                                  response_text="Done", outcome="changed", told_how="email",
                                  told_at=datetime(2026, 3, 20, tzinfo=UTC))
    await session.commit()
    assert (await patch(client, a["lead"], fb.id, plan_id=None)).status_code == 200


@pytest.mark.parametrize("body", [
    {"response_text": "", "outcome": "information_given"},
    {"response_text": "We changed it", "outcome": "changed"},  # no action_taken
    {"response_text": "Sorry", "outcome": "no_change_possible"},  # no reason
    {"response_text": "Sorry", "outcome": "maybe"},
    {"response_text": "x", "outcome": "information_given", "told_at": "2026-03-20T10:00:00Z"},  # no told_how
    {"response_text": "x", "outcome": "information_given", "told_how": "email", "told_at": "2026-01-01T10:00:00Z"},
    {"response_text": "x", "outcome": "information_given", "told_how": "email", "told_at": "2099-01-01T10:00:00Z"},
    {"response_text": "x", "outcome": "information_given", "responded_by": "00000000-0000-0000-0000-000000000000"},
])
async def test_bad_responses_are_422_and_change_nothing(client, session, a, body):
    fb = await factories.feedback(session, a.tenant)
    r = await client.post(f"{URL}/{fb.id}/response", json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    await session.refresh(fb)
    assert fb.status == "received" and fb.response_text is None


@pytest.mark.parametrize("body,field", [
    ({"response_text": "We changed it", "outcome": "changed"}, "action_taken"),
    ({"response_text": "Sorry", "outcome": "no_change_possible"}, "reason_no_change"),
    ({"response_text": "x", "outcome": "information_given", "told_at": "2026-03-20T10:00:00Z"}, "told_at"),
])
async def test_a_rule_between_fields_names_the_field_it_asks_for(client, session, a, body, field):
    # So the "we did" form shows the message beside the box to fill in, not as a message about the whole form
    fb = await factories.feedback(session, a.tenant)
    r = await client.post(f"{URL}/{fb.id}/response", json=body, headers=a["lead"])
    assert r.status_code == 422 and [e["loc"] for e in r.json()["errors"]] == [["body", field]], r.text


async def test_a_stale_if_match_on_the_response_is_412(client, session, a):
    fb = await factories.feedback(session, a.tenant)
    await patch(client, a["lead"], fb.id, status="acknowledged")
    r = await client.post(f"{URL}/{fb.id}/response", json={"response_text": "x", "outcome": "information_given"},
                          headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 412


async def test_filters(client, session, a, b):
    review = await plan(session, a.tenant)
    act = await factories.activity(session, a.tenant)
    who = await factories.stakeholder(session, a.tenant)
    future = datetime(2099, 1, 1, tzinfo=UTC)
    rows = {
        "late": await factories.feedback(session, a.tenant, text="late", themes=["transport"], plan_id=review.id),
        "answered": await factories.feedback(session, a.tenant, text="answered", status="responded", type="complaint",
                                             responded_at=datetime(2026, 3, 12, tzinfo=UTC), activity_id=act.id),
        "fresh": await factories.feedback(session, a.tenant, text="fresh", response_due_at=future,
                                          stakeholder_id=who.id, received_at=datetime(2026, 5, 1, tzinfo=UTC)),
    }
    await factories.feedback(session, b.tenant, text="theirs", themes=["transport"])

    async def texts(**params):
        r = await client.get(URL, params=params, headers=a["viewer"])
        assert r.status_code == 200, r.text
        return sorted(i["text"] for i in r.json()["items"])

    assert await texts(overdue="true") == ["late"]
    assert await texts(overdue="false") == ["answered", "fresh"]
    assert await texts(status="responded") == ["answered"]
    assert await texts(type="complaint") == ["answered"]
    assert await texts(theme="transport") == ["late"]
    assert await texts(plan_id=str(review.id)) == ["late"]
    assert await texts(activity_id=str(act.id)) == ["answered"]
    assert await texts(stakeholder_id=str(who.id)) == ["fresh"]
    assert await texts(received_from="2026-04-01") == ["fresh"]
    assert await texts(q="ANSW") == ["answered"]
    page = (await client.get(URL, params={"sort": "received_at", "limit": 2}, headers=a["viewer"])).json()
    rest = (await client.get(URL, params={"sort": "received_at", "limit": 2, "cursor": page["next_cursor"]},
                             headers=a["viewer"])).json()
    assert len(page["items"]) + len(rest["items"]) == 3 and rows["fresh"].text == rest["items"][-1]["text"]


@pytest.mark.parametrize("received,days,due", [
    (datetime(2026, 3, 2, 10, tzinfo=UTC), 20, datetime(2026, 3, 30, 23, tzinfo=UTC)),  # → end of Mon 30 Mar BST
    (datetime(2026, 3, 6, 10, tzinfo=UTC), 1, datetime(2026, 3, 10, 0, tzinfo=UTC)),  # Fri → end of Mon 9
    (datetime(2026, 3, 7, 10, tzinfo=UTC), 1, datetime(2026, 3, 10, 0, tzinfo=UTC)),  # Sat → end of Mon 9
    (datetime(2026, 3, 25, 10, tzinfo=UTC), 5, datetime(2026, 4, 1, 23, tzinfo=UTC)),  # across the clocks change
    (datetime(2026, 3, 2, 23, 30, tzinfo=UTC), 0, datetime(2026, 3, 3, 0, tzinfo=UTC)),
])
def test_response_due_counts_uk_working_days(received, days, due):
    assert response_due(received, days) == due


@pytest.mark.parametrize("settings,days", [({}, 20), ({"feedback_response_days": 10}, 10),
                                           ({"feedback_response_days": "ten"}, 20),
                                           ({"feedback_response_days": -1}, 20), (None, 20)])
def test_response_days_reads_the_tenants_setting(settings, days):
    assert response_days(settings) == days


async def test_receipt_sent_back_as_read_keeps_its_due_date_after_the_target_changes(client, session, a):
    # The target applies to feedback received from then on: a client (or an export imported back) resending the
    # receipt it read must not re-date old feedback by the new target. A real change of receipt does.
    received = "2026-03-02T10:00:00Z"
    made = await client.post(URL, json={**COMMENT, "received_at": received}, headers=a["lead"])
    due = made.json()["response_due_at"]
    r = await client.patch("/api/v1/tenant/settings", json={"feedback_response_days": 5}, headers=a["admin"])
    assert r.status_code == 200, r.text
    again = await patch(client, a["lead"], made.json()["id"], received_at=received, channel="email")
    assert again.status_code == 200 and again.json()["response_due_at"] == due, again.text
    exported = await client.get("/api/v1/exports/feedback", headers=a["lead"])
    imported = await client.post("/api/v1/imports/feedback?on_conflict=update", content=exported.text,
                                 headers={**a["lead"], "Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.text
    assert (await client.get(f"{URL}/{made.json()['id']}", headers=a["lead"])).json()["response_due_at"] == due
    moved = await patch(client, a["lead"], made.json()["id"], received_at="2026-03-03T10:00:00Z")
    assert moved.json()["response_due_at"] == "2026-03-11T00:00:00Z"  # five working days, by the new target


async def test_receipt_cannot_move_after_the_response(client, session, a):
    # The report's median days to respond went negative: the record said it was answered before it arrived
    fb = await factories.feedback(session, a.tenant, received_at=datetime(2026, 3, 1, tzinfo=UTC), status="responded",
                                  responded_at=datetime(2026, 3, 5, tzinfo=UTC), response_text="Done",
                                  outcome="information_given")
    await session.commit()
    r = await patch(client, a["lead"], fb.id, received_at="2026-03-25T10:00:00Z")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "received_at"], r.text
    imported = await client.post("/api/v1/imports/feedback?on_conflict=update",
                                 content=f"id,received_at\n{fb.id},2026-03-25T10:00:00Z\n",
                                 headers={**a["lead"], "Content-Type": "text/csv"})
    assert imported.status_code == 422, imported.text
    assert imported.json()["errors"][0]["message"] == "After its response"
    await session.refresh(fb)
    assert fb.received_at == datetime(2026, 3, 1, tzinfo=UTC)


async def test_told_at_is_checked_against_the_receipt_the_same_request_sets(client, session, a):
    fb = await factories.feedback(session, a.tenant, received_at=datetime(2026, 3, 10, tzinfo=UTC))
    await session.commit()
    assert (await respond(client, a["lead"], fb.id)).status_code == 200
    r = await patch(client, a["lead"], fb.id, received_at="2026-03-01T10:00:00Z", told_at="2026-03-05T10:00:00Z",
                    told_how="letter")
    assert r.status_code == 200, r.text
