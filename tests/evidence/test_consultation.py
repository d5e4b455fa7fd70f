"""An evidence item may name the consultation its decision is about (the duty report then reads the decision against
that consultation only): a consultation of the same plan, not archived when newly named, kept while the plan is on
legal hold."""

import uuid
from datetime import UTC, datetime

import pytest

from api.models import Evidence
from tests import factories
from tests.documents.support import consultation
from tests.duties.support import EDITORS, NOT_EDITORS, ROLES, audit_events, count, evidence, requirement
from tests.evidence.support import body, url
from tests.gdpr.support import held_plan, is_held


async def world(session, tenant, plan=None):
    plan = plan or await factories.plan(session, tenant)
    return plan, await requirement(session, "gunning", "gunning-1")


@pytest.mark.parametrize("role", EDITORS)
async def test_writers_name_the_consultation_a_decision_is_about_and_unlink_it_with_null(client, session, a, role):
    plan, req = await world(session, a.tenant)
    first = await consultation(session, plan, title="Urgent care")
    second = await consultation(session, plan, title="Maternity")
    r = await client.post(url(plan), json=body(req, consultation_id=str(first.id)), headers=a[role])
    assert r.status_code == 201, r.text
    assert r.json()["consultation_id"] == str(first.id)
    item_url = r.headers["location"]
    assert (await client.get(item_url, headers=a["viewer"])).json()["consultation_id"] == str(first.id)
    r = await client.patch(item_url, json={"consultation_id": str(second.id)}, headers=a[role])
    assert r.status_code == 200 and r.json()["consultation_id"] == str(second.id), r.text
    r = await client.patch(item_url, json={"consultation_id": None}, headers=a[role])
    assert r.status_code == 200 and r.json()["consultation_id"] is None, r.text
    assert (await client.get(item_url, headers=a["viewer"])).json()["consultation_id"] is None
    events = await audit_events(session, "evidence", r.json()["id"])
    assert events[0].changes["consultation_id"] == {"after": str(first.id)}
    assert [e.changes for e in events[1:]] == [{"consultation_id": {"before": str(first.id), "after": str(second.id)}},
                                               {"consultation_id": {"before": str(second.id), "after": None}}]


async def test_an_item_names_no_consultation_unless_told(client, session, a):
    plan, req = await world(session, a.tenant)
    r = await client.post(url(plan), json=body(req), headers=a["lead"])
    assert r.status_code == 201 and r.json()["consultation_id"] is None, r.text


@pytest.mark.parametrize("role", NOT_EDITORS)
async def test_other_roles_cannot_name_a_consultation(client, session, a, role):
    plan, req = await world(session, a.tenant)
    named = await consultation(session, plan)
    item = await evidence(session, plan, req)
    assert (await client.post(url(plan), json=body(req, consultation_id=str(named.id)),
                              headers=a[role])).status_code == 403
    r = await client.patch(f"{url(plan)}/{item.id}", json={"consultation_id": str(named.id)}, headers=a[role])
    assert r.status_code == 403
    await session.refresh(item)
    assert item.consultation_id is None and item.version == 1
    assert await count(session, Evidence, plan_id=plan.id) == 1


@pytest.mark.parametrize("whose", ["another plan's", "another tenant's", "unknown"])
async def test_a_consultation_not_of_the_plan_is_422_and_changes_nothing(client, session, a, b, whose):
    plan, req = await world(session, a.tenant)
    if whose == "another plan's":
        ref = (await consultation(session, await factories.plan(session, a.tenant))).id
    elif whose == "another tenant's":
        ref = (await consultation(session, await factories.plan(session, b.tenant), title="Their secret")).id
    else:
        ref = uuid.uuid4()
    item = await evidence(session, plan, req, summary="Stays")
    for r in (await client.post(url(plan), json=body(req, consultation_id=str(ref)), headers=a["lead"]),
              await client.patch(f"{url(plan)}/{item.id}", json={"consultation_id": str(ref)}, headers=a["lead"])):
        assert r.status_code == 422, r.text
        # The same words whoever's it is: another tenant's consultation is not disclosed
        assert r.json()["errors"] == [{"loc": ["body", "consultation_id"], "type": "reference_not_found",
                                       "msg": "No consultation with this id in this plan"}]
        assert "Their secret" not in r.text
    await session.refresh(item)
    assert item.consultation_id is None and item.version == 1
    assert await count(session, Evidence, plan_id=plan.id) == 1


async def test_a_new_link_to_an_archived_consultation_is_409_a_held_one_stays(client, session, a):
    plan, req = await world(session, a.tenant)
    gone = await consultation(session, plan, archived_at=datetime(2026, 4, 1, tzinfo=UTC))
    r = await client.post(url(plan), json=body(req, consultation_id=str(gone.id)), headers=a["lead"])
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == "The consultation is archived; restore it before linking anything new to it"
    assert await count(session, Evidence, plan_id=plan.id) == 0
    # Named while live, then archived: the item keeps it through later edits, and names no other archived one.
    item = await evidence(session, plan, req, consultation_id=gone.id)
    item_url = f"{url(plan)}/{item.id}"
    r = await client.patch(item_url, json={"summary": "Minutes", "consultation_id": str(gone.id)}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["consultation_id"] == str(gone.id), r.text
    other = await consultation(session, plan, archived_at=datetime(2026, 4, 2, tzinfo=UTC))
    r = await client.patch(item_url, json={"consultation_id": str(other.id)}, headers=a["lead"])
    assert r.status_code == 409 and "archived" in r.json()["detail"], r.text
    await session.refresh(item)
    assert item.consultation_id == gone.id and item.version == 2


@pytest.mark.parametrize("role", EDITORS)
@pytest.mark.parametrize("named,change", [("first", "second"), ("first", None), (None, "first")])
async def test_a_held_plans_evidence_keeps_the_consultation_it_names(client, session, a, role, named, change):
    plan, req = await world(session, a.tenant, await held_plan(session, a.tenant, "Held evidence"))
    consultations = {"first": await consultation(session, plan), "second": await consultation(session, plan)}
    before = consultations[named].id if named else None
    item = await evidence(session, plan, req, summary="Minutes", consultation_id=before)
    item_url = f"{url(plan)}/{item.id}"
    after = str(consultations[change].id) if change else None
    r = await client.patch(item_url, json={"summary": "Board minutes", "consultation_id": after}, headers=a[role])
    assert is_held(r, "Held evidence"), r.text
    assert "consultation_id" in r.json()["detail"]
    await session.refresh(item)
    assert (item.summary, item.consultation_id, item.version) == ("Minutes", before, 1)
    # Sent back as it was read, it is no change: the rest of the item still changes
    same = str(before) if before else None
    r = await client.patch(item_url, json={"summary": "Board minutes", "consultation_id": same}, headers=a[role])
    assert r.status_code == 200 and r.json()["summary"] == "Board minutes", r.text


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_lists_the_evidence_about_one_consultation(client, session, a, role):
    plan, req = await world(session, a.tenant)
    first = await consultation(session, plan, title="Urgent care")
    second = await consultation(session, plan, title="Maternity")
    about_first = await evidence(session, plan, req, consultation_id=first.id)
    about_second = await evidence(session, plan, req, consultation_id=second.id)
    await evidence(session, plan, req)  # the plan's decision: it names no consultation
    gone = await evidence(session, plan, req, consultation_id=first.id, archived_at=datetime(2026, 4, 1, tzinfo=UTC))

    async def ids(**params):
        r = await client.get(url(plan), params=params, headers=a[role])
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json()["items"]]

    assert await ids(consultation_id=str(first.id)) == [str(about_first.id)]
    assert await ids(consultation_id=str(second.id)) == [str(about_second.id)]
    assert await ids(consultation_id=str(first.id), archived="true") == [str(gone.id)]
    assert await ids(consultation_id=str(first.id), requirement_id=str(req.id)) == [str(about_first.id)]
    assert (await client.get(url(plan), params={"consultation_id": str(first.id)})).status_code == 401


@pytest.mark.parametrize("whose", ["another plan's", "another tenant's", "unknown"])
async def test_a_consultation_not_of_the_plan_matches_nothing(client, session, a, b, whose):
    plan, req = await world(session, a.tenant)
    await evidence(session, plan, req, consultation_id=(await consultation(session, plan)).id)
    if whose == "another plan's":
        other = await factories.plan(session, a.tenant)
        ref = (await consultation(session, other)).id
        await evidence(session, other, req, consultation_id=ref)
    elif whose == "another tenant's":
        theirs = await factories.plan(session, b.tenant)
        ref = (await consultation(session, theirs, title="Their secret")).id
        await evidence(session, theirs, req, summary="Their minute", consultation_id=ref)
    else:
        ref = uuid.uuid4()
    # As the other id filters (documents' consultation_id, feedback's plan_id): an empty page, the same whoever's it is
    r = await client.get(url(plan), params={"consultation_id": str(ref), "include_total": "true"}, headers=a["lead"])
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "next_cursor": None, "total": 0}


async def test_another_tenants_plan_is_404_with_the_filter_too(client, session, a, b):
    theirs, req = await world(session, b.tenant)
    named = await consultation(session, theirs, title="Their secret")
    await evidence(session, theirs, req, summary="Their minute", consultation_id=named.id)
    r = await client.get(url(theirs), params={"consultation_id": str(named.id)}, headers=a["admin"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert "Their" not in r.text


async def test_a_malformed_consultation_id_filter_is_422(client, session, a):
    plan, req = await world(session, a.tenant)
    await evidence(session, plan, req)
    r = await client.get(url(plan), params={"consultation_id": "not-a-uuid"}, headers=a["viewer"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert [(e["loc"], e["type"]) for e in r.json()["errors"]] == [(["query", "consultation_id"], "uuid_parsing")]
