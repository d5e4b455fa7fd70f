from datetime import UTC, datetime

import pytest

from tests import factories
from tests.activities.support import LOGGERS, READ_ONLY, ROLES, URL, audit_events


@pytest.fixture
async def event(session, a):
    act = await factories.activity(session, a.tenant, title="Carers' focus group", status="done")
    people = [await factories.stakeholder(session, a.tenant, name=name) for name in ("Bob", "Ann", "Cath")]
    return act, people


def log_url(act) -> str:
    return f"{URL}/{act.id}/attendance"


@pytest.mark.parametrize("role", LOGGERS)
async def test_loggers_record_attendance_and_counts_derive(client, a, event, role):
    act, (bob, ann, cath) = event
    r = await client.post(log_url(act), headers=a[role], json={
        "entries": [{"stakeholder_id": str(bob.id), "invited": True, "attended": True, "role": "speaker"},
                    {"stakeholder_id": str(ann.id), "invited": True},
                    {"stakeholder_id": str(cath.id), "attended": True}],
        "unnamed_attendees": 12})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(i["stakeholder_name"], i["invited"], i["attended"]) for i in body["items"]] == [
        ("Ann", True, False), ("Bob", True, True), ("Cath", False, True)]
    assert (body["invited_count"], body["attended_count"], body["unnamed_attendees"]) == (2, 14, 12)
    assert r.headers["etag"] == '"2"'
    one = (await client.get(f"{URL}/{act.id}", headers=a["viewer"])).json()
    assert (one["invited_count"], one["attended_count"], one["version"]) == (2, 14, 2)


async def test_upsert_changes_only_the_given_fields(client, a, event):
    act, (bob, *_rest) = event
    await client.post(log_url(act), json={"entries": [{"stakeholder_id": str(bob.id), "invited": True}]},
                      headers=a["contributor"])
    r = await client.post(log_url(act), json={"entries": [{"stakeholder_id": str(bob.id), "attended": True}]},
                          headers=a["contributor"])
    assert [(i["invited"], i["attended"]) for i in r.json()["items"]] == [(True, True)]
    listing = (await client.get(URL, headers=a["viewer"])).json()["items"][0]
    assert listing["attended_count"] == 1


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_the_log(client, session, a, event, role):
    act, (bob, *_rest) = event
    await factories.attendance(session, act, bob)
    r = await client.get(log_url(act), headers=a[role])
    assert r.status_code == 200 and [i["stakeholder_name"] for i in r.json()["items"]] == ["Bob"]
    assert r.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_touch_the_log(client, session, a, event, role):
    act, (bob, *_rest) = event
    await factories.attendance(session, act, bob)
    r = await client.post(log_url(act), json={"unnamed_attendees": 3}, headers=a[role])
    assert r.status_code == 403
    assert (await client.delete(f"{log_url(act)}/{bob.id}", headers=a[role])).status_code == 403
    assert len((await client.get(log_url(act), headers=a["lead"])).json()["items"]) == 1


async def test_another_tenants_stakeholder_is_422_and_nothing_is_written(client, session, a, b, event):
    act, (bob, *_rest) = event
    theirs = await factories.stakeholder(session, b.tenant, name="Theirs")
    r = await client.post(log_url(act), headers=a["lead"], json={
        "entries": [{"stakeholder_id": str(bob.id), "attended": True},
                    {"stakeholder_id": str(theirs.id), "attended": True}], "unnamed_attendees": 5})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "entries", 1, "stakeholder_id"]
    log = (await client.get(log_url(act), headers=a["lead"])).json()
    assert log["items"] == [] and log["unnamed_attendees"] == 0


@pytest.mark.parametrize("entries", [
    [{"stakeholder_id": "BOB"}],  # neither invited nor attended
    [{"stakeholder_id": "BOB", "attended": True}, {"stakeholder_id": "BOB", "invited": True}],
    [{"stakeholder_id": "BOB", "attended": True, "name": "x"}],
    [{"stakeholder_id": "not-a-uuid", "attended": True}],
])
async def test_bad_lines_are_422(client, a, event, entries):
    act, (bob, *_rest) = event
    body = {"entries": [{**e, "stakeholder_id": e["stakeholder_id"].replace("BOB", str(bob.id))} for e in entries]}
    r = await client.post(log_url(act), json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert (await client.get(log_url(act), headers=a["lead"])).json()["items"] == []


async def test_negative_headcount_is_422(client, a, event):
    act, _ = event
    assert (await client.post(log_url(act), json={"unnamed_attendees": -1}, headers=a["lead"])).status_code == 422


async def test_nobody_attends_a_cancelled_activity(client, session, a):
    act = await factories.activity(session, a.tenant, status="cancelled")
    ann = await factories.stakeholder(session, a.tenant, name="Ann")
    r = await client.post(log_url(act), json={"entries": [{"stakeholder_id": str(ann.id), "attended": True}]},
                          headers=a["lead"])
    assert r.status_code == 409
    invited = await client.post(log_url(act), json={"entries": [{"stakeholder_id": str(ann.id), "invited": True}]},
                                headers=a["lead"])
    assert invited.status_code == 200


async def test_a_line_attended_before_the_cancelling_stays_through_a_put_of_the_log(client, session, a, event):
    # PATCH may cancel an activity whose log has attended lines (an import keeps them too): the log read back and
    # PUT with one more person must not be refused for the line that was already there.
    act, (bob, ann, cath) = event
    await factories.attendance(session, act, bob, invited=True, attended=True)
    cancelled = await client.patch(f"{URL}/{act.id}", json={"status": "cancelled"}, headers=a["lead"])
    assert cancelled.status_code == 200, cancelled.text
    r = await client.put(log_url(act), headers=a["lead"], json={"entries": [
        {"stakeholder_id": str(bob.id), "invited": True, "attended": True},
        {"stakeholder_id": str(ann.id), "invited": True}]})
    assert r.status_code == 200, r.text
    assert [(i["stakeholder_name"], i["attended"]) for i in r.json()["items"]] == [("Ann", False), ("Bob", True)]
    newly = await client.post(log_url(act), headers=a["lead"], json={"entries": [
        {"stakeholder_id": str(cath.id), "attended": True}]})
    assert newly.status_code == 409


async def test_delete_a_line_and_404_when_absent(client, session, a, event):
    act, (bob, ann, _) = event
    await factories.attendance(session, act, bob)
    assert (await client.delete(f"{log_url(act)}/{bob.id}", headers=a["contributor"])).status_code == 204
    assert (await client.delete(f"{log_url(act)}/{bob.id}", headers=a["contributor"])).status_code == 404
    assert (await client.delete(f"{log_url(act)}/{ann.id}", headers=a["contributor"])).status_code == 404
    assert (await client.get(log_url(act), headers=a["lead"])).json()["items"] == []


async def test_stale_if_match_on_the_log_is_412(client, a, event):
    act, (bob, *_rest) = event
    headers = {**a["lead"], "If-Match": '"1"'}
    first = await client.post(log_url(act), json={"unnamed_attendees": 2}, headers=headers)
    second = await client.post(log_url(act), json={"unnamed_attendees": 9}, headers=headers)
    assert (first.status_code, second.status_code) == (200, 412)


async def test_attendance_writes_are_audited_on_the_activity(client, session, a, event):
    act, (bob, *_rest) = event
    await client.post(log_url(act), json={"entries": [{"stakeholder_id": str(bob.id), "attended": True}],
                                          "unnamed_attendees": 4}, headers=a["contributor"])
    await client.delete(f"{log_url(act)}/{bob.id}", headers=a["contributor"])
    events = await audit_events(session, act.id)
    assert [e.action for e in events] == ["record_attendance", "remove_attendance"]
    assert events[0].changes["unnamed_attendees"] == {"before": 0, "after": 4}
    assert events[0].changes["attendance"]["after"][str(bob.id)]["attended"] is True
    assert "Bob" not in str(events[0].changes)


async def test_a_lines_role_reaches_the_audit_trail_as_changed_never_its_value(client, session, a, event):
    # The trail is hash-chained and outlives an erasure, so free text about a named person is recorded as changed
    # (as feedback's texts and an assessment's rationale are), never in clear.
    act, (bob, *_rest) = event
    await client.post(log_url(act), json={"entries": [{"stakeholder_id": str(bob.id), "attended": True,
                                                       "role": "Bob Smith's carer"}]}, headers=a["contributor"])
    await client.put(log_url(act), json={"entries": [{"stakeholder_id": str(bob.id), "attended": True}]},
                     headers=a["contributor"])
    await client.delete(f"{log_url(act)}/{bob.id}", headers=a["contributor"])
    events = await audit_events(session, act.id)
    assert [e.action for e in events] == ["record_attendance", "replace_attendance", "remove_attendance"]
    assert "carer" not in str([e.changes for e in events])
    assert events[0].changes["attendance"]["after"][str(bob.id)]["role"] == "[personal data]"
    assert events[1].changes["attendance"]["after"][str(bob.id)]["role"] is None


async def test_stakeholders_activities_with_dates(client, session, a, b):
    ann = await factories.stakeholder(session, a.tenant, name="Ann")
    jan = await factories.activity(session, a.tenant, title="Jan", starts_at=datetime(2026, 1, 5, tzinfo=UTC))
    feb = await factories.activity(session, a.tenant, title="Feb", starts_at=datetime(2026, 2, 5, tzinfo=UTC))
    gone = await factories.activity(session, a.tenant, title="Gone", archived_at=datetime(2026, 2, 6, tzinfo=UTC))
    await factories.activity(session, a.tenant, title="Not hers")
    await factories.attendance(session, jan, ann, attended=False)
    await factories.attendance(session, feb, ann, role="chair")
    await factories.attendance(session, gone, ann)
    r = await client.get(f"/api/v1/stakeholders/{ann.id}/activities", headers=a["viewer"])
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(i["title"], i["invited"], i["attended"], i["role"]) for i in items] == [
        ("Feb", True, True, "chair"), ("Jan", True, False, None)]
    assert items[0]["starts_at"] == "2026-02-05T00:00:00Z"
    attended = await client.get(f"/api/v1/stakeholders/{ann.id}/activities", params={"attended": "true"},
                                headers=a["viewer"])
    assert [i["title"] for i in attended.json()["items"]] == ["Feb"]
    theirs = await factories.stakeholder(session, b.tenant)
    assert (await client.get(f"/api/v1/stakeholders/{theirs.id}/activities", headers=a["viewer"])).status_code == 404


async def test_put_replaces_the_whole_log(client, session, a, event):
    act, (bob, ann, cath) = event
    await factories.attendance(session, act, bob)
    await factories.attendance(session, act, ann, attended=False, role="chair")
    r = await client.put(log_url(act), headers=a["contributor"], json={
        "entries": [{"stakeholder_id": str(ann.id), "attended": True}, {"stakeholder_id": str(cath.id),
                                                                       "invited": True}]})
    assert r.status_code == 200, r.text
    assert [(i["stakeholder_name"], i["invited"], i["attended"], i["role"]) for i in r.json()["items"]] == [
        ("Ann", False, True, None), ("Cath", True, False, None)]
    assert r.json()["unnamed_attendees"] == 0 and r.headers["etag"] == '"2"'
    events = await audit_events(session, act.id)
    assert events[-1].action == "replace_attendance"
    assert events[-1].changes["attendance"]["after"][str(bob.id)] is None


async def test_put_with_a_bad_line_changes_nothing(client, session, a, b, event):
    act, (bob, *_rest) = event
    await factories.attendance(session, act, bob)
    theirs = await factories.stakeholder(session, b.tenant)
    r = await client.put(log_url(act), json={"entries": [{"stakeholder_id": str(theirs.id), "attended": True}]},
                         headers=a["lead"])
    assert r.status_code == 422
    assert [i["stakeholder_name"] for i in (await client.get(log_url(act), headers=a["lead"])).json()["items"]] == [
        "Bob"]


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_a_restricted_persons_activities_are_404_but_to_an_admin(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    await factories.attendance(session, await factories.activity(session, a.tenant), person)
    await session.commit()
    r = await client.post(f"/api/v1/stakeholders/{person.id}/restriction",
                          json={"reason": "Accuracy contested (Art. 18(1)(a))"}, headers=a["admin"])
    assert r.status_code == 200, r.text
    path = f"/api/v1/stakeholders/{person.id}/activities"
    assert (await client.get(path, headers=a[role])).status_code == 404
    r = await client.get(path, headers=a["admin"])
    assert r.status_code == 200 and len(r.json()["items"]) == 1


async def _restricted_on_a_log(client, session, a):
    activity = await factories.activity(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant, name="Restricted Person")
    await factories.attendance(session, activity, person)
    newcomer = await factories.stakeholder(session, a.tenant, name="Not Yet Invited")
    await session.commit()
    for who in (person, newcomer):
        r = await client.post(f"/api/v1/stakeholders/{who.id}/restriction", json={"reason": "Art. 18(1)(a)"},
                              headers=a["admin"])
        assert r.status_code == 200, r.text
    return activity, person, newcomer


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_a_restricted_persons_line_keeps_its_count_but_hides_the_name_but_from_an_admin(client, session, a,
                                                                                               role):
    activity, person, _ = await _restricted_on_a_log(client, session, a)
    body = (await client.get(f"{URL}/{activity.id}/attendance", headers=a[role])).json()
    assert [(i["stakeholder_id"], i["stakeholder_name"]) for i in body["items"]] == [(str(person.id), "***")]
    assert body["attended_count"] == 1
    admin = (await client.get(f"{URL}/{activity.id}/attendance", headers=a["admin"])).json()
    assert admin["items"][0]["stakeholder_name"] == "Restricted Person"


async def test_a_restricted_person_gets_no_new_line_but_their_line_may_change(client, session, a):
    activity, person, newcomer = await _restricted_on_a_log(client, session, a)
    path = f"{URL}/{activity.id}/attendance"
    r = await client.post(path, json={"entries": [{"stakeholder_id": str(newcomer.id), "invited": True}]},
                          headers=a["admin"])
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "restricted"
    assert [i["stakeholder_id"] for i in (await client.get(path, headers=a["admin"])).json()["items"]] == \
        [str(person.id)]
    r = await client.post(path, json={"entries": [{"stakeholder_id": str(person.id), "role": "observer"}]},
                          headers=a["contributor"])
    assert r.status_code == 200 and r.json()["items"][0]["role"] == "***"
    assert (await client.get(path, headers=a["admin"])).json()["items"][0]["role"] == "observer"


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_a_restricted_persons_role_is_hidden_as_their_name_is(client, session, a, role):
    """The role is written about the person ("Bob's carer"), as erasure treats it."""
    activity, person, _ = await _restricted_on_a_log(client, session, a)
    path = f"{URL}/{activity.id}/attendance"
    assert (await client.post(path, json={"entries": [{"stakeholder_id": str(person.id), "role": "Bob's carer"}]},
                              headers=a["admin"])).status_code == 200
    shown = (await client.get(path, headers=a[role])).json()["items"]
    assert [(i["stakeholder_name"], i["role"], i["stakeholder_withheld"]) for i in shown] == [("***", "***", True)]
    admin = (await client.get(path, headers=a["admin"])).json()["items"]
    assert [(i["stakeholder_name"], i["role"], i["stakeholder_withheld"]) for i in admin] == [
        ("Restricted Person", "Bob's carer", False)]


async def test_a_log_read_with_masks_and_put_back_keeps_the_hidden_role(client, session, a):
    activity, person, _ = await _restricted_on_a_log(client, session, a)
    path = f"{URL}/{activity.id}/attendance"
    assert (await client.post(path, json={"entries": [{"stakeholder_id": str(person.id), "role": "chair"}]},
                              headers=a["admin"])).status_code == 200
    guest = await factories.stakeholder(session, a.tenant, name="Guest Speaker")
    await session.commit()
    read = (await client.get(path, headers=a["lead"])).json()
    entries = [{k: i[k] for k in ("stakeholder_id", "invited", "attended", "role")} for i in read["items"]]
    r = await client.put(path, json={"entries": [*entries, {"stakeholder_id": str(guest.id), "attended": True}]},
                         headers={**a["lead"], "If-Match": f'"{read["version"]}"'})
    assert r.status_code == 200, r.text
    admin = (await client.get(path, headers=a["admin"])).json()["items"]
    assert {(i["stakeholder_name"], i["role"]) for i in admin} == {("Restricted Person", "chair"),
                                                                   ("Guest Speaker", None)}


async def test_erasure_clears_the_role_on_their_attendance_lines(client, session, a, event):
    # The role is free text written about the person on their line ("Zebedee's carer"): erasure takes it with
    # the rest of what was written about them, and keeps the line (the counts and the evidence still add up).
    act, (bob, ann, _) = event
    await factories.attendance(session, act, bob, role="Bob Smith's carer")
    await factories.attendance(session, act, ann, role="chair")
    assert (await client.post(f"/api/v1/stakeholders/{bob.id}/erase", headers=a["admin"])).status_code == 200
    body = (await client.get(log_url(act), headers=a["admin"])).json()
    assert [(i["stakeholder_name"], i["attended"], i["role"]) for i in body["items"]] == [
        ("Ann", True, "chair"), ("Erased stakeholder", True, None)]
    mine = await client.get(f"/api/v1/stakeholders/{bob.id}/activities", headers=a["admin"])
    assert "carer" not in mine.text


async def test_an_erased_persons_line_takes_no_change_but_may_be_sent_back_unchanged(client, session, a, event):
    # The erasure cleared the role written about them: a new one would put their personal data back.
    act, (bob, *_rest) = event
    await factories.attendance(session, act, bob, role="Bob Smith's carer")
    await session.commit()
    assert (await client.post(f"/api/v1/stakeholders/{bob.id}/erase", headers=a["admin"])).status_code == 200
    for method, entry in [("POST", {"role": "Bob Smith, 07700 900123, carer of Jane"}),
                          ("PUT", {"invited": True, "attended": True, "role": "carer"}),
                          ("POST", {"invited": False})]:
        r = await client.request(method, log_url(act), headers=a["contributor"],
                                 json={"entries": [{"stakeholder_id": str(bob.id), **entry}]})
        assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    read = (await client.get(log_url(act), headers=a["lead"])).json()
    assert [(i["invited"], i["attended"], i["role"]) for i in read["items"]] == [(True, True, None)]
    entries = [{k: i[k] for k in ("stakeholder_id", "invited", "attended", "role")} for i in read["items"]]
    r = await client.put(log_url(act), headers=a["contributor"], json={"entries": entries, "unnamed_attendees": 3})
    assert r.status_code == 200 and r.json()["attended_count"] == 4, r.text


async def test_a_cancelled_activity_takes_no_more_headcount_but_keeps_the_one_it_had(client, session, a):
    act = await factories.activity(session, a.tenant, status="cancelled", unnamed_attendees=5)
    r = await client.post(log_url(act), json={"unnamed_attendees": 40}, headers=a["lead"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    assert (await client.get(log_url(act), headers=a["lead"])).json()["unnamed_attendees"] == 5
    for count in (5, 2):
        r = await client.post(log_url(act), json={"unnamed_attendees": count}, headers=a["lead"])
        assert r.status_code == 200 and r.json()["unnamed_attendees"] == count, r.text


@pytest.mark.parametrize("role", ["lead", "contributor"])
async def test_a_restricted_person_is_an_unknown_id_to_all_but_an_admin(client, session, a, role):
    activity, _, newcomer = await _restricted_on_a_log(client, session, a)
    r = await client.post(log_url(activity), json={"entries": [{"stakeholder_id": str(newcomer.id), "invited": True}]},
                          headers=a[role])
    assert r.status_code == 422
    assert r.json()["errors"] == [{"loc": ["body", "entries", 0, "stakeholder_id"], "type": "reference_not_found",
                                   "msg": "No stakeholder with this id in your tenant"}]
    assert "restricted" not in r.text.lower()
    assert len((await client.get(log_url(activity), headers=a["admin"])).json()["items"]) == 1
