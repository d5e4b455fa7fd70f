import base64
import json

import pytest
from sqlalchemy import select

from api.models import AuditEvent, PlanRisk
from api.risks.scoring import Rag, rag_condition, rag_of
from tests import factories
from tests.plans.support import NIL, READ_ONLY, ROLES, WRITERS
from tests.risks.support import risk, url


async def risks_of(session, plan) -> list[PlanRisk]:
    return list((await session.execute(select(PlanRisk).where(PlanRisk.plan_id == plan.id))).scalars().all())


@pytest.fixture
async def plan(session, a):
    return await factories.plan(session, a.tenant, title="Risky")


@pytest.mark.parametrize("likelihood,impact,score,rag", [
    (1, 1, 1, "green"), (2, 3, 6, "green"), (2, 4, 8, "amber"), (3, 4, 12, "amber"), (3, 5, 15, "red"),
    (5, 5, 25, "red"),
])
async def test_score_and_rag_are_derived(client, a, plan, likelihood, impact, score, rag):
    body = {"kind": "issue", "description": "Public confidence", "likelihood": likelihood, "impact": impact,
            "owner_name": "Head of Comms", "mitigation": "Early briefings", "review_date": "2026-02-01"}
    r = await client.post(url(plan.id), json=body, headers=a["lead"])
    assert r.status_code == 201, r.text
    got = r.json()
    assert {k: got[k] for k in body} == body
    assert (got["score"], got["rag"], got["status"]) == (score, rag, "open")
    assert r.headers["location"] == url(plan.id, got["id"]) and r.headers["etag"] == '"1"'


def test_the_bands_cover_the_whole_matrix():
    assert {s: rag_of(s) for s in (6, 7, 12, 13)} == {6: Rag.green, 7: Rag.amber, 12: Rag.amber, 13: Rag.red}


async def test_sql_and_python_agree_on_every_cell(session, a, plan):
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            await risk(session, plan, likelihood=likelihood, impact=impact)
    for rag in Rag:
        rows = (await session.execute(select(PlanRisk).where(PlanRisk.plan_id == plan.id, rag_condition(rag))
                                      )).scalars().all()
        assert rows and all(rag_of(r.score) == rag for r in rows)
        assert len(rows) == sum(1 for x in range(1, 6) for y in range(1, 6) if rag_of(x * y) == rag)


async def test_score_and_rag_follow_an_update(client, session, a, plan):
    row = await risk(session, plan, likelihood=1, impact=2)
    r = await client.patch(url(plan.id, row.id), json={"likelihood": 5, "impact": 4}, headers=a["lead"])
    assert (r.json()["score"], r.json()["rag"]) == (20, "red") and r.headers["etag"] == '"2"'


async def test_filters_and_sorting(client, session, a, plan):
    await risk(session, plan, description="low", likelihood=1, impact=2)
    await risk(session, plan, description="mid", likelihood=2, impact=5, kind="issue")
    await risk(session, plan, description="high", likelihood=4, impact=5, status="managed",
               owner_id=a.users["lead"].id)
    await risk(session, plan, description="closed high", likelihood=5, impact=5, status="closed")
    await risk(session, await factories.plan(session, a.tenant), description="another plan's")

    async def names(**params):
        r = await client.get(url(plan.id), params=params, headers=a["viewer"])
        assert r.status_code == 200, r.text
        return [x["description"] for x in r.json()["items"]]

    assert await names() == ["closed high", "high", "mid", "low"]  # highest score first
    assert await names(sort="score") == ["low", "mid", "high", "closed high"]
    assert await names(rag="red") == ["closed high", "high"]
    assert await names(rag="amber") == ["mid"]
    assert await names(rag="green") == ["low"]
    assert await names(min_score=10) == ["closed high", "high", "mid"]
    assert await names(kind="issue") == ["mid"]
    assert await names(status="open") == ["mid", "low"]
    assert await names(owner_id=str(a.users["lead"].id)) == ["high"]
    assert await names(rag="red", status="managed") == ["high"]
    first = (await client.get(url(plan.id), params={"limit": 3}, headers=a["viewer"])).json()
    rest = (await client.get(url(plan.id), params={"limit": 3, "cursor": first["next_cursor"]},
                             headers=a["viewer"])).json()
    assert [x["description"] for x in first["items"] + rest["items"]] == ["closed high", "high", "mid", "low"]


@pytest.mark.parametrize("score", [2**31, -(2**31) - 1, 2**63, 10**30])
async def test_a_cursor_with_a_score_out_of_the_columns_range_is_a_400(client, session, a, plan, score):
    # A tampered cursor's number past what the sort key's integer type holds (32 bits on PostgreSQL, 64 on
    # SQLite) failed in the driver as the statement ran: a 500.
    await risk(session, plan, description="one")
    await risk(session, plan, description="two")
    first = (await client.get(url(plan.id), params={"limit": 1}, headers=a["viewer"])).json()
    doc = json.loads(base64.urlsafe_b64decode(first["next_cursor"] + "=" * (-len(first["next_cursor"]) % 4)))
    doc["v"][0] = score
    cursor = base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
    r = await client.get(url(plan.id), params={"limit": 1, "cursor": cursor}, headers=a["viewer"])
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json", r.text
    r = await client.get(url(plan.id), params={"limit": 1, "cursor": first["next_cursor"]}, headers=a["viewer"])
    assert r.status_code == 200 and len(r.json()["items"]) == 1


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_write(client, session, a, plan, role):
    row = await risk(session, plan)
    body = {"description": "X", "likelihood": 1, "impact": 1}
    assert (await client.post(url(plan.id), json=body, headers=a[role])).status_code == 403
    assert (await client.patch(url(plan.id, row.id), json={"impact": 5}, headers=a[role])).status_code == 403
    assert (await client.delete(url(plan.id, row.id), headers=a[role])).status_code == 403
    await session.refresh(row)
    assert row.impact == 3 and len(await risks_of(session, plan)) == 1


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads(client, session, a, plan, role):
    row = await risk(session, plan)
    assert [x["id"] for x in (await client.get(url(plan.id), headers=a[role])).json()["items"]] == [str(row.id)]
    assert (await client.get(url(plan.id, row.id), headers=a[role])).headers["etag"] == '"1"'


@pytest.mark.parametrize("role", WRITERS)
async def test_delete_removes_the_entry_and_the_audit_keeps_its_assessment(client, session, a, plan, role):
    # Its words are personal data to the trail (they may name someone), its assessment is not
    row = await risk(session, plan, description="Logged by mistake")
    rid = row.id
    assert (await client.delete(url(plan.id, rid), headers=a[role])).status_code == 204
    assert (await client.get(url(plan.id, rid), headers=a[role])).status_code == 404
    assert (await client.delete(url(plan.id, rid), headers=a[role])).status_code == 404
    [event] = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == str(rid)))).scalars().all()
    assert event.action == "delete" and event.changes["description"] == {"before": "[personal data]"}
    assert event.changes["likelihood"] == {"before": row.likelihood}


async def test_stale_if_match_is_412(client, session, a, plan):
    row = await risk(session, plan)
    await client.patch(url(plan.id, row.id), json={"impact": 4}, headers=a["lead"])
    stale = {**a["lead"], "If-Match": '"1"'}
    assert (await client.patch(url(plan.id, row.id), json={"impact": 5}, headers=stale)).status_code == 412
    assert (await client.delete(url(plan.id, row.id), headers=stale)).status_code == 412
    await session.refresh(row)
    assert row.impact == 4


@pytest.mark.parametrize("body,field", [
    ({"likelihood": 3, "impact": 3}, "description"),
    ({"description": "X", "impact": 3}, "likelihood"),
    ({"description": "X", "likelihood": 0, "impact": 3}, "likelihood"),
    ({"description": "X", "likelihood": 3, "impact": 6}, "impact"),
    ({"description": "X", "likelihood": 3, "impact": 3, "kind": "threat"}, "kind"),
    ({"description": "X", "likelihood": 3, "impact": 3, "status": "dead"}, "status"),
    ({"description": "X", "likelihood": 3, "impact": 3, "score": 9}, "score"),
    ({"description": "X", "likelihood": 3, "impact": 3, "rag": "red"}, "rag"),
    ({"description": "X", "likelihood": 3, "impact": 3, "owner_id": NIL}, "owner_id"),
    ({"description": "X", "likelihood": 3, "impact": 3, "review_date": "1700000000"}, "review_date"),
    ({"description": "X", "likelihood": 3, "impact": 3, "review_date": "9999-12-31"}, "review_date"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, plan, body, field):
    r = await client.post(url(plan.id), json=body, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await risks_of(session, plan) == []


@pytest.mark.parametrize("params", [{"rag": "purple"}, {"min_score": 0}, {"min_score": 26}, {"sort": "rag"},
                                    {"kind": "x"}])
async def test_bad_list_parameters_are_4xx(client, a, plan, params):
    r = await client.get(url(plan.id), params=params, headers=a["viewer"])
    assert r.status_code in (400, 422) and r.headers["content-type"] == "application/problem+json"


async def test_another_tenants_plan_and_risk_are_404_everywhere(client, session, a, b, plan):
    their_plan = await factories.plan(session, b.tenant)
    theirs = await risk(session, their_plan)
    mine = await risk(session, plan)
    other_plan = await factories.plan(session, a.tenant)
    for method, path, body in [
        ("GET", url(their_plan.id), None),
        ("POST", url(their_plan.id), {"description": "X", "likelihood": 1, "impact": 1}),
        ("GET", url(their_plan.id, theirs.id), None),
        ("PATCH", url(their_plan.id, theirs.id), {"impact": 5}),
        ("DELETE", url(their_plan.id, theirs.id), None),
        ("GET", url(plan.id, theirs.id), None),
        ("DELETE", url(plan.id, theirs.id), None),
        ("GET", url(other_plan.id, mine.id), None),
        ("PATCH", url(other_plan.id, mine.id), {"impact": 5}),
        ("DELETE", url(other_plan.id, mine.id), None),
    ]:
        r = await client.request(method, path, json=body, headers=a["admin"])
        assert r.status_code == 404, (method, path)
    assert len(await risks_of(session, their_plan)) == 1 and len(await risks_of(session, plan)) == 1
    await session.refresh(mine)
    assert mine.impact == 3 and mine.version == 1


async def test_writes_are_audited(client, session, a, plan):
    created = (await client.post(url(plan.id), json={"description": "Audited", "likelihood": 2, "impact": 2},
                                 headers=a["lead"])).json()
    await client.patch(url(plan.id, created["id"]), json={"status": "closed"}, headers=a["admin"])
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == created["id"])
                                    .order_by(AuditEvent.seq))).scalars().all()
    assert [e.action for e in events] == ["create", "update"]
    assert all(e.resource_type == "plan_risk" for e in events)
    assert events[1].changes == {"status": {"before": "open", "after": "closed"}}


async def test_idempotency_key_replays(client, session, a, plan):
    headers = {**a["lead"], "Idempotency-Key": "risk-1"}
    body = {"description": "Once", "likelihood": 2, "impact": 2}
    first = await client.post(url(plan.id), json=body, headers=headers)
    again = await client.post(url(plan.id), json=body, headers=headers)
    assert first.json() == again.json() and len(await risks_of(session, plan)) == 1


async def test_an_owner_who_is_not_a_user_is_never_named_in_the_audit_trail(client, session, a, plan):
    body = {"description": "Venue falls through", "likelihood": 2, "impact": 3, "owner_name": "Jane Partner"}
    created = (await client.post(url(plan.id), json=body, headers=a["lead"])).json()
    await client.patch(url(plan.id, created["id"]), json={"owner_name": "John Officer"}, headers=a["lead"])
    assert (await client.delete(url(plan.id, created["id"]), headers=a["lead"])).status_code == 204
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == created["id"])
                                    .order_by(AuditEvent.seq))).scalars().all()
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert [e.changes["owner_name"] for e in events] == [
        {"after": "[personal data]"}, {"before": "[personal data]", "after": "[personal data]"},
        {"before": "[personal data]"}]
    assert events[2].changes["description"] == {"before": "[personal data]"}


async def test_what_staff_write_of_a_risk_is_never_in_the_audit_trail_in_clear(client, session, a, plan):
    """It may give a person's contact, which an erasure scrubs from the row: the trail must not keep it."""
    body = {"description": "Ann (07700 900123) may complain", "likelihood": 2, "impact": 3,
            "mitigation": "Write to ann@example.org"}
    created = (await client.post(url(plan.id), json=body, headers=a["lead"])).json()
    await client.patch(url(plan.id, created["id"]), json={"mitigation": "Phone 07700 900123"}, headers=a["lead"])
    text = str([e.changes for e in (await session.execute(select(AuditEvent).where(
        AuditEvent.resource_id == created["id"]))).scalars()])
    assert "07700" not in text and "ann@" not in text and "[personal data]" in text


async def test_a_closed_plan_takes_no_new_risk_but_its_own_may_be_updated(client, session, a, b):
    """A closed plan's Risk & Issue Log is finished: a new entry is a 409 and nothing is written, while an entry it
    holds may still be updated and closed; another tenant's closed plan stays a 404."""
    plan = await factories.plan(session, a.tenant, status="closed")
    row = await risk(session, plan)
    body = {"description": "Low turnout", "likelihood": 3, "impact": 3}
    r = await client.post(url(plan.id), json=body, headers=a["lead"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"].startswith("The plan is closed: its Risk & Issue Log is finished"), r.text
    assert [i["id"] for i in (await client.get(url(plan.id), headers=a["lead"])).json()["items"]] == [str(row.id)]
    assert (await session.execute(select(AuditEvent).where(AuditEvent.resource_type == "plan_risk"))).all() == []
    r = await client.patch(url(plan.id, row.id), json={"status": "closed", "impact": 2}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["impact"] == 2, r.text
    theirs = await factories.plan(session, b.tenant, status="closed")
    assert (await client.post(url(theirs.id), json=body, headers=a["admin"])).status_code == 404
