"""A restricted person (UK GDPR Art. 18) is read by an admin only: their assessments too."""

import pytest

from tests import factories
from tests.assessments.support import assessments_of, url
from tests.gdpr.support import events

REASON = {"reason": "Accuracy contested by the person (Art. 18(1)(a))"}


async def _restricted(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    row = await factories.assessment(session, person, interest=4, influence=2)
    await session.commit()
    r = await client.post(f"/api/v1/stakeholders/{person.id}/restriction", json=REASON, headers=a["admin"])
    assert r.status_code == 200, r.text
    return person, row


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_other_roles_get_404_for_a_restricted_persons_assessments(client, session, a, role):
    person, row = await _restricted(client, session, a)
    assert (await client.get(url(person.id), headers=a[role])).status_code == 404
    assert (await client.get(f"{url(person.id)}/{row.id}", headers=a[role])).status_code == 404


async def test_a_lead_cannot_assess_a_restricted_person(client, session, a):
    person, _ = await _restricted(client, session, a)
    r = await client.post(url(person.id), json={"interest": 5, "influence": 5}, headers=a["lead"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert len(await assessments_of(session, person)) == 1


async def test_an_admin_still_reads_them(client, session, a):
    person, row = await _restricted(client, session, a)
    r = await client.get(url(person.id), headers=a["admin"])
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [str(row.id)]
    assert (await client.get(f"{url(person.id)}/{row.id}", headers=a["admin"])).status_code == 200


async def test_an_admin_cannot_assess_a_restricted_person_either(client, session, a):
    person, _ = await _restricted(client, session, a)
    r = await client.post(url(person.id), json={"interest": 5, "influence": 5, "rationale": "Profiled"},
                          headers=a["admin"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "restricted" in r.json()["detail"]
    assert len(await assessments_of(session, person)) == 1
    assert (await client.delete(f"/api/v1/stakeholders/{person.id}/restriction", headers=a["admin"])).status_code == 200
    r = await client.post(url(person.id), json={"interest": 5, "influence": 5}, headers=a["admin"])
    assert r.status_code == 201


async def test_every_admin_read_of_a_restricted_persons_records_is_audited(client, session, a):
    """As a read of the person by id is: their assessment history, one assessment, the activities they are on and
    an attendance log naming them (the people the admin sees there, and only those restricted)."""
    person, row = await _restricted(client, session, a)
    other = await factories.stakeholder(session, a.tenant)
    activity = await factories.activity(session, a.tenant)
    await factories.attendance(session, activity, person)
    await factories.attendance(session, activity, other)
    await session.commit()
    reads = [url(person.id), f"{url(person.id)}/{row.id}", f"/api/v1/stakeholders/{person.id}/activities",
             f"/api/v1/activities/{activity.id}/attendance"]
    for path in reads:
        r = await client.get(path, headers=a["admin"])
        assert r.status_code == 200, (path, r.text)
    logged = await events(session, person.id, "read_restricted")
    assert len(logged) == len(reads) and {e.actor_id for e in logged} == {a.users["admin"].id}
    assert await events(session, other.id, "read_restricted") == []
    # a read of the log that names nobody restricted is not one
    assert (await client.get(f"/api/v1/activities/{activity.id}/attendance", headers=a["lead"])).status_code == 200
    assert len(await events(session, person.id, "read_restricted")) == len(reads)
