import uuid

import pytest

from tests import factories
from tests.assessments.support import NIL, READ_ONLY, ROLES, WRITERS, assessments_of, audit_events, url


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_assess_a_stakeholder(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    body = {"interest": 4, "influence": 2, "attitude": -1, "rationale": "Worried about travel times"}
    r = await client.post(url(person.id), json=body, headers=a[role])
    assert r.status_code == 201, r.text
    got = r.json()
    assert {k: got[k] for k in body} == body
    assert got["quadrant"] == "keep_informed" and got["is_latest"] is True and got["plan_id"] is None
    assert got["stakeholder_id"] == str(person.id) and got["assessed_by"] == str(a.users[role].id)
    assert got["assessed_at"]
    assert r.headers["location"] == f"{url(person.id)}/{got['id']}"
    one = await client.get(r.headers["location"], headers=a["viewer"])
    assert one.status_code == 200 and one.json() == got


@pytest.mark.parametrize("interest,influence,quadrant", [
    (5, 5, "manage_closely"), (3, 3, "manage_closely"), (2, 3, "keep_satisfied"), (1, 5, "keep_satisfied"),
    (3, 2, "keep_informed"), (5, 1, "keep_informed"), (2, 2, "monitor"), (1, 1, "monitor"),
])
async def test_quadrant_is_derived_from_the_default_threshold(client, session, a, interest, influence, quadrant):
    person = await factories.stakeholder(session, a.tenant)
    r = await client.post(url(person.id), json={"interest": interest, "influence": influence}, headers=a["lead"])
    assert r.json()["quadrant"] == quadrant


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_assess(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    r = await client.post(url(person.id), json={"interest": 3, "influence": 3}, headers=a[role])
    assert r.status_code == 403
    assert await assessments_of(session, person) == []


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_the_history(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant)
    await factories.assessment(session, person, interest=2, influence=2)
    r = await client.get(url(person.id), headers=a[role])
    assert r.status_code == 200 and len(r.json()["items"]) == 1


async def test_a_new_assessment_becomes_the_latest_and_history_is_kept_newest_first(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    ids = []
    for interest in (1, 3, 5):
        r = await client.post(url(person.id), json={"interest": interest, "influence": 4}, headers=a["lead"])
        ids.append(r.json()["id"])
    history = (await client.get(url(person.id), params={"include_total": "true"}, headers=a["viewer"])).json()
    assert [h["id"] for h in history["items"]] == ids[::-1]
    assert [h["is_latest"] for h in history["items"]] == [True, False, False]
    assert [h["quadrant"] for h in history["items"]] == ["manage_closely", "manage_closely", "keep_satisfied"]
    assert history["total"] == 3
    rows = await assessments_of(session, person)
    assert sum(r.is_latest for r in rows) == 1


async def test_general_and_plan_assessments_each_keep_their_own_latest(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant)
    other = await factories.plan(session, a.tenant)
    for body in ({"interest": 2, "influence": 2}, {"interest": 4, "influence": 4, "plan_id": str(plan.id)},
                 {"interest": 5, "influence": 1, "plan_id": str(other.id)}, {"interest": 3, "influence": 3},
                 {"interest": 1, "influence": 5, "plan_id": str(plan.id)}):
        assert (await client.post(url(person.id), json=body, headers=a["lead"])).status_code == 201
    latest = {(r.plan_id, r.interest) for r in await assessments_of(session, person) if r.is_latest}
    assert latest == {(None, 3), (plan.id, 1), (other.id, 5)}
    for params, expected in [({"plan_id": str(plan.id)}, [1, 4]), ({"general": "true"}, [3, 2]),
                             ({"general": "false"}, [1, 5, 4]), ({}, [1, 3, 5, 4, 2])]:
        items = (await client.get(url(person.id), params=params, headers=a["viewer"])).json()["items"]
        assert [i["interest"] for i in items] == expected, params


async def test_history_pages_with_a_cursor(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    for n in range(5):
        await factories.assessment(session, person, interest=n + 1, influence=1)
    first = (await client.get(url(person.id), params={"limit": 2}, headers=a["viewer"])).json()
    second = (await client.get(url(person.id), params={"limit": 2, "cursor": first["next_cursor"]},
                               headers=a["viewer"])).json()
    third = (await client.get(url(person.id), params={"limit": 2, "cursor": second["next_cursor"]},
                              headers=a["viewer"])).json()
    assert [i["interest"] for i in first["items"] + second["items"] + third["items"]] == [5, 4, 3, 2, 1]
    assert third["next_cursor"] is None


async def test_the_quadrant_follows_the_tenants_threshold(client, session, a):
    a.tenant.settings = {"grid_threshold": 5}
    await session.flush()
    person = await factories.stakeholder(session, a.tenant)
    r = await client.post(url(person.id), json={"interest": 4, "influence": 5}, headers=a["lead"])
    assert r.json()["quadrant"] == "keep_satisfied"


@pytest.mark.parametrize("body,field", [
    ({"influence": 3}, "interest"),
    ({"interest": 3}, "influence"),
    ({"interest": 0, "influence": 3}, "interest"),
    ({"interest": 6, "influence": 3}, "interest"),
    ({"interest": 3, "influence": 0}, "influence"),
    ({"interest": 3, "influence": 6}, "influence"),
    ({"interest": 3.5, "influence": 3}, "interest"),
    ({"interest": "high", "influence": 3}, "interest"),
    ({"interest": 3, "influence": 3, "attitude": 3}, "attitude"),
    ({"interest": 3, "influence": 3, "attitude": -3}, "attitude"),
    ({"interest": 3, "influence": 3, "plan_id": "nope"}, "plan_id"),
    ({"interest": 3, "influence": 3, "is_latest": False}, "is_latest"),
    ({"interest": 3, "influence": 3, "assessed_at": "2020-01-01T00:00:00Z"}, "assessed_at"),
    ({"interest": 3, "influence": 3, "quadrant": "monitor"}, "quadrant"),
])
async def test_bad_input_is_422_and_records_nothing(client, session, a, body, field):
    person = await factories.stakeholder(session, a.tenant)
    r = await client.post(url(person.id), json=body, headers=a["lead"])
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await assessments_of(session, person) == []


async def test_a_plan_of_another_tenant_or_none_at_all_is_422(client, session, a, b):
    person = await factories.stakeholder(session, a.tenant)
    theirs = await factories.plan(session, b.tenant)
    for plan_id in (str(theirs.id), NIL):
        r = await client.post(url(person.id), json={"interest": 3, "influence": 3, "plan_id": plan_id},
                              headers=a["lead"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "plan_id"]
    assert await assessments_of(session, person) == []


async def test_an_archived_plan_is_409(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant)
    await client.delete(f"/api/v1/plans/{plan.id}", headers=a["lead"])
    r = await client.post(url(person.id), json={"interest": 3, "influence": 3, "plan_id": str(plan.id)},
                          headers=a["lead"])
    assert r.status_code == 409


async def test_an_archived_stakeholder_is_409_until_restored(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await client.delete(f"/api/v1/stakeholders/{person.id}", headers=a["lead"])
    r = await client.post(url(person.id), json={"interest": 3, "influence": 3}, headers=a["lead"])
    assert r.status_code == 409 and "restore" in r.json()["detail"]
    await client.post(f"/api/v1/stakeholders/{person.id}/restore", headers=a["lead"])
    r = await client.post(url(person.id), json={"interest": 3, "influence": 3}, headers=a["lead"])
    assert r.status_code == 201


async def test_an_erased_stakeholder_is_409_but_its_history_stays_readable(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await factories.assessment(session, person, interest=4, influence=4)
    assert (await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])).status_code == 200
    r = await client.post(url(person.id), json={"interest": 3, "influence": 3}, headers=a["admin"])
    assert r.status_code == 409 and "erased" in r.json()["detail"]
    assert len((await client.get(url(person.id), headers=a["auditor"])).json()["items"]) == 1


async def test_other_tenants_stakeholder_and_assessment_are_404(client, session, a, b):
    theirs = await factories.stakeholder(session, b.tenant)
    their_assessment = await factories.assessment(session, theirs, interest=5, influence=5)
    mine = await factories.stakeholder(session, a.tenant)
    for method, path, body in [
        ("GET", url(theirs.id), None),
        ("POST", url(theirs.id), {"interest": 1, "influence": 1}),
        ("GET", f"{url(theirs.id)}/{their_assessment.id}", None),
        ("GET", f"{url(mine.id)}/{their_assessment.id}", None),
        ("GET", url(NIL), None),
    ]:
        r = await client.request(method, path, json=body, headers=a["admin"])
        assert r.status_code == 404, (method, path)
    assert [x.interest for x in await assessments_of(session, theirs)] == [5]


async def test_assessment_of_another_stakeholder_is_404_under_this_one(client, session, a):
    one, two = await factories.stakeholder(session, a.tenant), await factories.stakeholder(session, a.tenant)
    theirs = await factories.assessment(session, two, interest=1, influence=1)
    assert (await client.get(f"{url(one.id)}/{theirs.id}", headers=a["lead"])).status_code == 404


async def test_there_is_no_way_to_change_or_delete_an_assessment(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    row = await factories.assessment(session, person, interest=1, influence=1)
    for method in ("PATCH", "PUT", "DELETE"):
        r = await client.request(method, f"{url(person.id)}/{row.id}", json={"interest": 5}, headers=a["admin"])
        assert r.status_code == 405, method


async def test_idempotency_key_replays_the_first_assessment(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    headers = {**a["lead"], "Idempotency-Key": "map-1"}
    first = await client.post(url(person.id), json={"interest": 2, "influence": 5}, headers=headers)
    again = await client.post(url(person.id), json={"interest": 2, "influence": 5}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(await assessments_of(session, person)) == 1
    other = await client.post(url(person.id), json={"interest": 3, "influence": 5}, headers=headers)
    assert other.status_code == 422


async def test_assessments_are_audited_without_the_rationale(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant)
    body = {"interest": 4, "influence": 5, "attitude": 2, "plan_id": str(plan.id), "rationale": "Mrs Jones's MP"}
    created = (await client.post(url(person.id), json=body, headers=a["lead"])).json()
    [event] = await audit_events(session, "assessment")
    assert event.action == "create" and event.resource_id == created["id"]
    assert event.actor_id == a.users["lead"].id and event.tenant_id == a.tenant.id
    assert event.changes["interest"] == {"after": 4} and event.changes["influence"] == {"after": 5}
    assert event.changes["stakeholder_id"] == {"after": str(person.id)}
    assert event.changes["plan_id"] == {"after": str(plan.id)}
    assert event.changes["rationale"] == {"after": "[personal data]"}
    assert "Jones" not in str(event.changes)


async def test_a_listed_assessment_is_not_leaked_through_another_stakeholder(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    await factories.assessment(session, await factories.stakeholder(session, a.tenant), interest=1, influence=1)
    assert (await client.get(url(person.id), headers=a["lead"])).json()["items"] == []


async def test_bad_list_parameters_are_4xx_problems(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    for params in ({"sort": "interest"}, {"cursor": "nonsense"}, {"plan_id": "x"}, {"general": "maybe"}):
        r = await client.get(url(person.id), params=params, headers=a["lead"])
        assert r.status_code in (400, 422), params
        assert r.headers["content-type"] == "application/problem+json"


async def test_plan_id_with_general_is_a_422_naming_both(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    plan = await factories.plan(session, a.tenant)
    r = await client.get(url(person.id), params={"plan_id": str(plan.id), "general": "true"}, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["query", "plan_id"], ["query", "general"]]


def test_uuid_helper_is_stable():
    assert uuid.UUID(NIL).int == 0
