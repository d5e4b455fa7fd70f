import pytest
from sqlalchemy import select

from api.models import DutyAssessment
from tests import factories
from tests.duties.support import EDITORS, NIL, NOT_EDITORS, ROLES, audit_events, builtin, count, own_duty
from tests.duty_assessments.support import entries, url
from tests.replay import keyed_replays


@pytest.mark.parametrize("role", EDITORS)
async def test_writers_write_the_first_version(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    body = {"entries": await entries(session), "note": "Agreed at the programme board"}
    r = await client.put(url(plan), json=body, headers=a[role])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["number"] == 1 and r.headers["etag"] == '"1"' and got["current"] is True
    assert got["plan_id"] == str(plan.id) and got["note"] == "Agreed at the programme board"
    assert got["created_by"] == str(a.users[role].id) and got["created_at"]
    assert got["signed_off_at"] is None and got["signed_off_by"] is None
    first = got["entries"][0]
    assert first == {**body["entries"][0], "duty_code": "nhs-act-s14z45",
                     "duty_title": "Duty to involve the public (integrated care boards)"}
    assert got["entries"][1]["level"] is None and got["entries"][1]["applies"] is False
    events = await audit_events(session, "duty_assessment")
    assert [e.action for e in events] == ["create"] and events[0].changes["number"] == {"after": 1}


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_the_current_version_and_its_history(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    await client.put(url(plan), json={"entries": await entries(session)}, headers=a["lead"])
    r = await client.get(url(plan), headers=a[role])
    assert r.status_code == 200 and r.headers["etag"] == '"1"' and r.json()["number"] == 1
    assert (await client.get(f"{url(plan)}/versions", headers=a[role])).status_code == 200
    assert (await client.get(f"{url(plan)}/versions/1", headers=a[role])).json() == r.json()


async def test_no_record_yet_is_404_and_an_empty_history(client, session, a):
    plan = await factories.plan(session, a.tenant)
    r = await client.get(url(plan), headers=a["viewer"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{url(plan)}/versions", headers=a["viewer"])).json()["items"] == []
    assert (await client.get(f"{url(plan)}/versions/1", headers=a["viewer"])).status_code == 404


async def test_every_put_is_a_new_version_and_the_history_is_kept(client, session, a):
    plan = await factories.plan(session, a.tenant)
    first = await entries(session)
    await client.put(url(plan), json={"entries": first}, headers=a["lead"])
    second = [{**first[1], "applies": True, "level": "consult", "reasons": "The board chose formal consultation"}]
    r = await client.put(url(plan), json={"entries": second, "note": "Now consulting"},
                         headers={**a["admin"], "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["number"] == 2 and r.headers["etag"] == '"2"'
    assert (await client.get(url(plan), headers=a["viewer"])).json()["entries"][0]["reasons"] == \
        "The board chose formal consultation"
    history = (await client.get(f"{url(plan)}/versions", headers=a["auditor"])).json()["items"]
    assert [(v["number"], v["current"]) for v in history] == [(2, True), (1, False)]
    old = (await client.get(f"{url(plan)}/versions/1", headers=a["auditor"])).json()
    assert [e["duty_code"] for e in old["entries"]] == ["nhs-act-s14z45", "gunning"] and old["current"] is False
    paged = (await client.get(f"{url(plan)}/versions", params={"limit": 1}, headers=a["auditor"])).json()
    assert [v["number"] for v in paged["items"]] == [2] and paged["next_cursor"]
    assert await count(session, DutyAssessment, plan_id=plan.id) == 2


async def test_a_stale_if_match_is_412_and_writes_nothing(client, session, a):
    plan = await factories.plan(session, a.tenant)
    body = {"entries": await entries(session)}
    r = await client.put(url(plan), json=body, headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 412  # no version exists yet
    await client.put(url(plan), json=body, headers=a["lead"])
    assert (await client.put(url(plan), json=body, headers={**a["lead"], "If-Match": '"3"'})).status_code == 412
    assert await count(session, DutyAssessment, plan_id=plan.id) == 1


@pytest.mark.parametrize("role", NOT_EDITORS)
async def test_other_roles_cannot_write_or_sign_off(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    body = {"entries": await entries(session)}
    assert (await client.put(url(plan), json=body, headers=a[role])).status_code == 403
    await client.put(url(plan), json=body, headers=a["lead"])
    assert (await client.post(f"{url(plan)}/sign-off", headers=a[role])).status_code == 403
    rows = (await client.get(f"{url(plan)}/versions", headers=a[role])).json()["items"]
    assert [(v["number"], v["signed_off_at"]) for v in rows] == [(1, None)]


async def test_another_tenants_plan_is_404(client, session, a, b):
    plan = await factories.plan(session, b.tenant)
    body = {"entries": await entries(session)}
    await client.put(url(plan), json=body, headers=b["lead"])
    assert (await client.get(url(plan), headers=a["admin"])).status_code == 404
    assert (await client.put(url(plan), json=body, headers=a["admin"])).status_code == 404
    assert (await client.get(f"{url(plan)}/versions", headers=a["admin"])).status_code == 404
    assert (await client.get(f"{url(plan)}/versions/1", headers=a["admin"])).status_code == 404
    assert (await client.post(f"{url(plan)}/sign-off", headers=a["admin"])).status_code == 404
    assert await count(session, DutyAssessment, plan_id=plan.id) == 1
    assert (await client.get(f"/api/v1/plans/{NIL}/duty-assessment", headers=a["admin"])).status_code == 404


async def test_own_duties_and_the_other_jurisdictions_catalogue_may_be_assessed(client, session, a):
    plan = await factories.plan(session, a.tenant)
    mine = await own_duty(session, a.tenant)
    welsh = await builtin(session, "llais-consultation", "wales")
    body = {"entries": [{"duty_id": str(mine.id), "applies": True, "reasons": "Our compact", "level": "engage"},
                        {"duty_id": str(welsh.id), "applies": False, "reasons": "Cross-border patients only"}]}
    r = await client.put(url(plan), json=body, headers=a["lead"])
    assert r.status_code == 200, r.text
    assert [e["duty_code"] for e in r.json()["entries"]] == ["own-duty", "llais-consultation"]


async def test_a_signed_version_keeps_the_duty_words_it_was_written_with(client, session, a):
    plan = await factories.plan(session, a.tenant)
    mine = await own_duty(session, a.tenant, code="local-compact")
    await session.commit()
    body = {"entries": [{"duty_id": str(mine.id), "applies": True, "reasons": "Partners are affected",
                         "level": "engage"}]}
    assert (await client.put(url(plan), json=body, headers=a["lead"])).status_code == 200
    assert (await client.post(f"{url(plan)}/sign-off", headers=a["lead"])).status_code == 200
    rename = {"code": "vcs-compact", "title": "Something else entirely"}
    assert (await client.patch(f"/api/v1/duties/{mine.id}", json=rename, headers=a["admin"])).status_code == 200
    as_signed = {"duty_code": "local-compact", "duty_title": "Own duty local-compact"}
    for read in (url(plan), f"{url(plan)}/versions/1"):
        entry = (await client.get(read, headers=a["auditor"])).json()["entries"][0]
        assert {k: entry[k] for k in as_signed} == as_signed, read
    pack = (await client.get(f"/api/v1/plans/{plan.id}/evidence-pack", headers=a["auditor"])).json()
    assert {k: pack["applicability"][0]["entries"][0][k] for k in as_signed} == as_signed
    printed = (await client.get(f"/api/v1/plans/{plan.id}/evidence-pack", params={"format": "html"},
                                headers=a["auditor"])).text
    assert "local-compact (Own duty local-compact): applies (engage)" in printed  # it printed the duty's id
    report = (await client.get(f"/api/v1/plans/{plan.id}/duty-report", headers=a["auditor"])).json()
    assert [{k: i[k] for k in as_signed} for i in report["items"] if i["duty_id"] == str(mine.id)] == [as_signed]
    r = await client.put(url(plan), json=body, headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert {k: r.json()["entries"][0][k] for k in as_signed} == {"duty_code": "vcs-compact",
                                                                "duty_title": "Something else entirely"}
    old = (await client.get(f"{url(plan)}/versions/1", headers=a["auditor"])).json()["entries"][0]
    assert old["duty_title"] == "Own duty local-compact"


async def test_a_version_written_before_duty_words_were_kept_shows_the_duty_as_it_is_now(client, session, a):
    plan = await factories.plan(session, a.tenant)
    mine = await own_duty(session, a.tenant, code="local-compact")
    session.add(DutyAssessment(tenant_id=a.tenant.id, plan_id=plan.id, number=1, entries=[
        {"duty_id": str(mine.id), "applies": True, "reasons": "Partners are affected", "level": "engage"}]))
    await session.commit()
    rename = {"title": "Something else entirely"}
    assert (await client.patch(f"/api/v1/duties/{mine.id}", json=rename, headers=a["admin"])).status_code == 200
    entry = (await client.get(f"{url(plan)}/versions/1", headers=a["auditor"])).json()["entries"][0]
    assert (entry["duty_code"], entry["duty_title"]) == ("local-compact", "Something else entirely")


def _entry(duty_id, **values):
    return {"duty_id": str(duty_id), "applies": True, "reasons": "Because", "level": "inform", **values}


@pytest.mark.parametrize("make,loc", [
    (lambda d, o: [_entry(NIL)], ["body", "entries", 0, "duty_id"]),
    (lambda d, o: [_entry(d), _entry(o)], ["body", "entries", 1, "duty_id"]),
    (lambda d, o: [_entry(d), _entry(d)], ["body", "entries"]),
    (lambda d, o: [_entry(d, level=None)], ["body", "entries", 0, "level"]),  # named, so a form shows it there
    (lambda d, o: [_entry(d, applies=False)], ["body", "entries", 0, "level"]),
    (lambda d, o: [_entry(d, reasons="")], ["body", "entries", 0, "reasons"]),
    (lambda d, o: [_entry(d, reasons="   ")], ["body", "entries", 0, "reasons"]),
    (lambda d, o: [{k: v for k, v in _entry(d).items() if k != "reasons"}], ["body", "entries", 0, "reasons"]),
    (lambda d, o: [_entry(d, level="co-produce")], ["body", "entries", 0, "level"]),
    (lambda d, o: [], ["body", "entries"]),
])
async def test_a_bad_record_is_422_and_writes_nothing(client, session, a, b, make, loc):
    plan = await factories.plan(session, a.tenant)
    duty = await builtin(session, "gunning")
    others = await own_duty(session, b.tenant)
    r = await client.put(url(plan), json={"entries": make(duty.id, others.id)}, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][:len(loc)] == loc for e in r.json()["errors"]), r.json()["errors"]
    assert await count(session, DutyAssessment, plan_id=plan.id) == 0


@pytest.mark.parametrize("role", EDITORS)
async def test_writers_sign_off_the_current_version(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    await client.put(url(plan), json={"entries": await entries(session)}, headers=a["lead"])
    r = await client.post(f"{url(plan)}/sign-off", headers={**a[role], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["signed_off_by"] == str(a.users[role].id) and r.json()["signed_off_at"]
    assert r.headers["etag"] == '"1"'
    assert (await client.get(url(plan), headers=a["viewer"])).json()["signed_off_at"] == r.json()["signed_off_at"]
    events = await audit_events(session, "duty_assessment")
    assert [e.action for e in events] == ["create", "sign_off"]
    assert events[1].changes["signed_off_by"] == {"before": None, "after": str(a.users[role].id)}


async def test_a_retried_sign_off_with_its_key_gets_the_first_response(client, session, a):
    """A client whose sign-off's response was lost sends it again with its Idempotency-Key: the first answer, not a
    409 for a version already signed off."""
    plan = await factories.plan(session, a.tenant)
    await client.put(url(plan), json={"entries": await entries(session)}, headers=a["lead"])
    # The JSON has no id (a version is named by its number): the plan's only version's id, from its row
    only = select(DutyAssessment.id).where(DutyAssessment.plan_id == plan.id)
    version_id = (await session.execute(only)).scalar_one()
    await keyed_replays(client, session, f"{url(plan)}/sign-off", {**a["lead"], "If-Match": '"1"'}, etag='"1"',
                        resource_id=version_id, actions=["create", "sign_off"])
    assert [e.action for e in await audit_events(session, "duty_assessment")] == ["create", "sign_off"]


async def test_signing_twice_is_409_and_a_new_version_needs_its_own_sign_off(client, session, a):
    plan = await factories.plan(session, a.tenant)
    body = {"entries": await entries(session)}
    await client.put(url(plan), json=body, headers=a["lead"])
    signed = (await client.post(f"{url(plan)}/sign-off", headers=a["lead"])).json()
    again = await client.post(f"{url(plan)}/sign-off", headers=a["admin"])
    assert again.status_code == 409
    assert (await client.get(url(plan), headers=a["lead"])).json()["signed_off_by"] == str(a.users["lead"].id)
    second = (await client.put(url(plan), json=body, headers=a["lead"])).json()
    assert second["number"] == 2 and second["signed_off_at"] is None
    assert (await client.get(f"{url(plan)}/versions/1", headers=a["lead"])).json()["signed_off_at"] == \
        signed["signed_off_at"]
    assert (await client.post(f"{url(plan)}/sign-off", headers=a["admin"])).json()["number"] == 2


async def test_sign_off_of_a_stale_version_is_412(client, session, a):
    plan = await factories.plan(session, a.tenant)
    body = {"entries": await entries(session)}
    await client.put(url(plan), json=body, headers=a["lead"])
    await client.put(url(plan), json=body, headers=a["lead"])
    r = await client.post(f"{url(plan)}/sign-off", headers={**a["admin"], "If-Match": '"1"'})
    assert r.status_code == 412
    assert (await client.get(url(plan), headers=a["lead"])).json()["signed_off_at"] is None


async def test_sign_off_without_a_record_is_404(client, session, a):
    plan = await factories.plan(session, a.tenant)
    assert (await client.post(f"{url(plan)}/sign-off", headers=a["lead"])).status_code == 404


@pytest.mark.parametrize("number", ["0", "-1", "x", "99999999999"])
async def test_a_bad_version_number_is_422(client, session, a, number):
    plan = await factories.plan(session, a.tenant)
    assert (await client.get(f"{url(plan)}/versions/{number}", headers=a["viewer"])).status_code == 422
