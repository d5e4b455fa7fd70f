"""A restricted person (UK GDPR Art. 18) is read by an admin only: their assessments too."""

import pytest

from tests import factories
from tests.assessments.support import assessments_of, url

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
