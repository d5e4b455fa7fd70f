import pytest

from api.duties.catalogue import CATALOGUE
from api.models import Duty, DutyRequirement
from tests import factories
from tests.duties.support import (
    NIL,
    OWN_DUTY,
    ROLES,
    URL,
    assessment_version,
    audit_events,
    builtin,
    count,
    evidence,
    own_duty,
    requirement,
    requirements,
)

ENGLAND = [d["code"] for d in CATALOGUE["england"]]
WALES = [d["code"] for d in CATALOGUE["wales"]]


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_lists_its_jurisdictions_catalogue_with_requirements(client, a, role):
    r = await client.get(URL, headers=a[role])
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [d["code"] for d in items] == ENGLAND and r.json()["next_cursor"] is None
    gunning = next(d for d in items if d["code"] == "gunning")
    assert gunning["built_in"] is True and gunning["jurisdiction"] == "england"
    assert [q["code"] for q in gunning["requirements"]] == ["gunning-1", "gunning-2", "gunning-3", "gunning-4"]
    assert gunning["requirements"][2] == {"id": gunning["requirements"][2]["id"], "code": "gunning-3",
                                          "title": "3. Adequate time", "rule": "gunning_time", "position": 2,
                                          "description": CATALOGUE["england"][2]["requirements"][2]["description"]}


async def test_the_other_catalogue_is_listed_on_request(client, a):
    r = await client.get(URL, params={"jurisdiction": "wales"}, headers=a["viewer"])
    assert [d["code"] for d in r.json()["items"]] == WALES
    assert {d["jurisdiction"] for d in r.json()["items"]} == {"wales"}


async def test_a_welsh_tenant_sees_the_welsh_catalogue_by_default(client, session, a):
    a.tenant.jurisdiction = "wales"
    await session.flush()
    r = await client.get(URL, headers=a["lead"])
    assert [d["code"] for d in r.json()["items"]] == WALES


async def test_own_duties_are_listed_after_the_catalogue_and_only_to_their_tenant(client, session, a, b):
    mine = await own_duty(session, a.tenant, code="mine")
    theirs = await own_duty(session, b.tenant, code="theirs")
    codes = [d["code"] for d in (await client.get(URL, headers=a["viewer"])).json()["items"]]
    assert codes == [*ENGLAND, "mine"]
    own = (await client.get(URL, params={"built_in": "false"}, headers=a["viewer"])).json()["items"]
    assert [(d["code"], d["built_in"]) for d in own] == [("mine", False)]
    assert (await client.get(f"{URL}/{theirs.id}", headers=a["admin"])).status_code == 404
    assert (await client.get(f"{URL}/{mine.id}", headers=b["admin"])).status_code == 404


async def test_search_and_paging(client, a):
    r = await client.get(URL, params={"q": "gunning"}, headers=a["viewer"])
    assert [d["code"] for d in r.json()["items"]] == ["gunning"]
    page = (await client.get(URL, params={"limit": 2, "include_total": "true"}, headers=a["viewer"])).json()
    assert [d["code"] for d in page["items"]] == ENGLAND[:2] and page["total"] == len(ENGLAND)
    rest = (await client.get(URL, params={"limit": 50, "cursor": page["next_cursor"]}, headers=a["viewer"])).json()
    assert [d["code"] for d in rest["items"]] == ENGLAND[2:]


@pytest.mark.parametrize("params", [{"jurisdiction": "scotland"}, {"q": ""}, {"sort": "rule"}])
async def test_bad_list_parameters_are_refused(client, a, params):
    r = await client.get(URL, params=params, headers=a["viewer"])
    assert r.status_code in (400, 422) and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_gets_a_built_in_duty_of_either_jurisdiction(client, session, a, role):
    duty = await builtin(session, "llais-consultation", "wales")
    r = await client.get(f"{URL}/{duty.id}", headers=a[role])
    assert r.status_code == 200 and r.headers["etag"] == f'"{duty.version}"'
    assert r.json()["code"] == "llais-consultation" and r.json()["requirements"][0]["rule"] == "scrutiny_consultation"


async def test_an_unknown_duty_is_404(client, a):
    assert (await client.get(f"{URL}/{NIL}", headers=a["viewer"])).status_code == 404
    assert (await client.get(f"{URL}/not-a-uuid", headers=a["viewer"])).status_code == 422


async def test_admin_adds_an_own_duty_in_the_tenants_jurisdiction(client, session, a):
    a.tenant.jurisdiction = "wales"
    await session.flush()
    r = await client.post(URL, json=OWN_DUTY, headers=a["admin"])
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["jurisdiction"] == "wales" and got["built_in"] is False and got["position"] == 100
    assert got["version"] == 1 and r.headers["etag"] == '"1"' and r.headers["location"] == f"{URL}/{got['id']}"
    assert [(q["code"], q["rule"], q["position"]) for q in got["requirements"]] == [
        ("vcs-notice", None, 0), ("vcs-response", "gunning_consideration", 1)]
    assert got["requirements"][0]["description"] == "A letter to the forum"
    assert (await client.get(r.headers["location"], headers=a["viewer"])).json() == got
    events = await audit_events(session, "duty", got["id"])
    assert [e.action for e in events] == ["create"] and events[0].actor_id == a.users["admin"].id
    assert events[0].changes["requirements"]["after"][1]["code"] == "vcs-response"


async def test_idempotent_retry_returns_the_first_response(client, session, a):
    headers = {**a["admin"], "Idempotency-Key": "duty-1"}
    first = await client.post(URL, json=OWN_DUTY, headers=headers)
    again = await client.post(URL, json=OWN_DUTY, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert await count(session, Duty, tenant_id=a.tenant.id) == 1


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_only_an_admin_adds_changes_or_deletes_own_duties(client, session, a, role):
    duty = await own_duty(session, a.tenant)
    assert (await client.post(URL, json=OWN_DUTY, headers=a[role])).status_code == 403
    assert (await client.patch(f"{URL}/{duty.id}", json={"title": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(f"{URL}/{duty.id}", headers=a[role])).status_code == 403
    await session.refresh(duty)
    assert duty.title == "Own duty own-duty" and duty.version == 1
    assert await count(session, Duty, tenant_id=a.tenant.id) == 1


@pytest.mark.parametrize("change,field", [
    ({"requirements": []}, "requirements"),
    ({"requirements": None}, "requirements"),
    ({"code": "Has Spaces"}, "code"),
    ({"title": ""}, "title"),
    ({"requirements": [{"code": "x", "title": "X", "rule": "no_such_rule"}]}, "requirements"),
    ({"requirements": [{"code": "x", "title": "X"}, {"code": "x", "title": "Y"}]}, "requirements"),
    ({"tenant_id": NIL}, "tenant_id"),
    ({"jurisdiction": "wales"}, "jurisdiction"),
])
async def test_a_bad_duty_is_refused_and_nothing_is_written(client, session, a, change, field):
    r = await client.post(URL, json={**OWN_DUTY, **change}, headers=a["admin"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert field in {str(part) for e in r.json()["errors"] for part in e["loc"]}
    assert await count(session, Duty, tenant_id=a.tenant.id) == 0


async def test_a_code_taken_by_the_catalogue_or_another_own_duty_is_409(client, session, a):
    await own_duty(session, a.tenant, code="local-compact")
    assert (await client.post(URL, json=OWN_DUTY, headers=a["admin"])).status_code == 409
    r = await client.post(URL, json={**OWN_DUTY, "code": "gunning"}, headers=a["admin"])
    assert r.status_code == 409 and "built-in" in r.json()["detail"]
    assert await count(session, Duty, tenant_id=a.tenant.id) == 1


async def test_the_same_code_is_free_in_another_tenant(client, session, a, b):
    await own_duty(session, b.tenant, code="local-compact")
    assert (await client.post(URL, json=OWN_DUTY, headers=a["admin"])).status_code == 201


async def test_admin_updates_a_duty_and_replaces_its_requirements_by_code(client, session, a):
    duty = await own_duty(session, a.tenant, requirements=("keep", "drop"))
    keep, drop = await requirements(session, duty)
    body = {"title": "Renamed", "citation": None,
            "requirements": [{"code": "new", "title": "New one"}, {"code": "keep", "title": "Kept, renamed",
                                                                   "rule": "gunning_time"}]}
    r = await client.patch(f"{URL}/{duty.id}", json=body, headers={**a["admin"], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["title"] == "Renamed" and got["version"] == 2 and r.headers["etag"] == '"2"'
    assert [(q["code"], q["title"], q["position"]) for q in got["requirements"]] == [
        ("new", "New one", 0), ("keep", "Kept, renamed", 1)]
    assert got["requirements"][1]["id"] == str(keep.id)
    assert await count(session, DutyRequirement, id=drop.id) == 0
    events = await audit_events(session, "duty", duty.id)
    assert events[-1].action == "update" and set(events[-1].changes) == {"title", "requirements"}


async def test_a_requirements_only_change_moves_the_etag(client, session, a):
    duty = await own_duty(session, a.tenant, requirements=("one",))
    r = await client.patch(f"{URL}/{duty.id}", json={"requirements": [{"code": "one", "title": "Changed"}]},
                           headers=a["admin"])
    assert r.json()["version"] == 2 and r.json()["requirements"][0]["title"] == "Changed"


async def test_an_unchanged_patch_writes_nothing(client, session, a):
    duty = await own_duty(session, a.tenant, requirements=("one",))
    body = {"title": duty.title, "requirements": [{"code": "one", "title": "Requirement one"}]}
    r = await client.patch(f"{URL}/{duty.id}", json=body, headers=a["admin"])
    assert r.status_code == 200 and r.json()["version"] == 1
    assert await audit_events(session, "duty", duty.id) == []


async def test_a_stale_if_match_is_412_and_changes_nothing(client, session, a):
    duty = await own_duty(session, a.tenant)
    r = await client.patch(f"{URL}/{duty.id}", json={"title": "X"}, headers={**a["admin"], "If-Match": '"7"'})
    assert r.status_code == 412
    assert (await client.delete(f"{URL}/{duty.id}", headers={**a["admin"], "If-Match": '"7"'})).status_code == 412
    await session.refresh(duty)
    assert duty.title == "Own duty own-duty" and await count(session, Duty, id=duty.id) == 1


async def test_removing_a_requirement_that_evidence_cites_is_409(client, session, a):
    duty = await own_duty(session, a.tenant, requirements=("cited", "other"))
    cited, _ = await requirements(session, duty)
    await evidence(session, await factories.plan(session, a.tenant), cited)
    r = await client.patch(f"{URL}/{duty.id}", json={"title": "X", "requirements": [{"code": "other", "title": "O"}]},
                           headers=a["admin"])
    assert r.status_code == 409 and "cited" in r.json()["detail"]
    await session.refresh(duty)
    assert duty.title == "Own duty own-duty" and len(await requirements(session, duty)) == 2


async def test_built_in_duties_are_read_only(client, session, a):
    duty = await builtin(session, "gunning")
    r = await client.patch(f"{URL}/{duty.id}", json={"title": "Mine now"}, headers=a["admin"])
    assert r.status_code == 403 and "read-only" in r.json()["detail"]
    assert (await client.delete(f"{URL}/{duty.id}", headers=a["admin"])).status_code == 403
    await session.refresh(duty)
    assert duty.title == "Formal consultation: the Gunning principles"


async def test_another_tenants_duty_cannot_be_changed_or_deleted(client, session, a, b):
    duty = await own_duty(session, b.tenant)
    assert (await client.patch(f"{URL}/{duty.id}", json={"title": "X"}, headers=a["admin"])).status_code == 404
    assert (await client.delete(f"{URL}/{duty.id}", headers=a["admin"])).status_code == 404
    await session.refresh(duty)
    assert duty.title == "Own duty own-duty"


async def test_a_code_clash_on_update_is_409(client, session, a):
    await own_duty(session, a.tenant, code="taken")
    duty = await own_duty(session, a.tenant, code="mine")
    assert (await client.patch(f"{URL}/{duty.id}", json={"code": "taken"}, headers=a["admin"])).status_code == 409
    assert (await client.patch(f"{URL}/{duty.id}", json={"code": "gunning"}, headers=a["admin"])).status_code == 409


async def test_admin_deletes_an_unused_duty(client, session, a):
    duty = await own_duty(session, a.tenant, requirements=("x", "y"))
    r = await client.delete(f"{URL}/{duty.id}", headers={**a["admin"], "If-Match": '"1"'})
    assert r.status_code == 204
    assert await count(session, Duty, id=duty.id) == 0 and await count(session, DutyRequirement, duty_id=duty.id) == 0
    assert (await client.get(f"{URL}/{duty.id}", headers=a["admin"])).status_code == 404
    assert [e.action for e in await audit_events(session, "duty", duty.id)] == ["delete"]


async def test_a_duty_cited_by_evidence_or_an_applicability_record_is_not_deleted(client, session, a):
    plan = await factories.plan(session, a.tenant)
    cited = await own_duty(session, a.tenant, code="cited")
    await evidence(session, plan, (await requirements(session, cited))[0])
    assessed = await own_duty(session, a.tenant, code="assessed")
    await assessment_version(session, plan, [{"duty_id": assessed.id, "applies": False, "reasons": "Not here",
                                              "level": None}])
    for duty in (cited, assessed):
        r = await client.delete(f"{URL}/{duty.id}", headers=a["admin"])
        assert r.status_code == 409, r.text
        assert await count(session, Duty, id=duty.id) == 1


async def test_a_duty_only_quoted_in_another_entrys_reasons_is_not_in_use(client, session, a):
    plan = await factories.plan(session, a.tenant)
    quoted = await own_duty(session, a.tenant, code="quoted")
    other = await own_duty(session, a.tenant, code="other")
    await assessment_version(session, plan, [{"duty_id": other.id, "applies": True,
                                              "reasons": f"As for duty {quoted.id}", "level": "consult"}])
    await session.commit()
    assert (await client.delete(f"{URL}/{quoted.id}", headers=a["admin"])).status_code == 204
    assert (await client.delete(f"{URL}/{other.id}", headers=a["admin"])).status_code == 409


async def test_requirement_helper_finds_catalogue_rows(session):
    assert (await requirement(session, "nhs-act-s14z45", "limb-b-proposals")).rule == "involvement_proposals"
