"""An archived organisation is out of use, as an archived plan is for assessments: no stakeholder newly joins it
(409; an import row gets the same message, tests/imports/test_stakeholders.py), and those who belong to it keep
their link."""

from datetime import UTC, datetime

from api.crud import archived_target
from tests import factories
from tests.imports.support import stakeholders
from tests.stakeholders.support import URL, count

ORGANISATION_ARCHIVED = archived_target("organisation")


async def _archived(session, tenant):
    return await factories.organisation(session, tenant, name="Closed Surgery", external_id="ORG-X",
                                        archived_at=datetime(2026, 1, 5, tzinfo=UTC))


async def test_a_new_stakeholder_cannot_join_an_archived_organisation(client, session, a):
    org = await _archived(session, a.tenant)
    r = await client.post(URL, json={"name": "New Person", "organisation_id": str(org.id)}, headers=a["lead"])
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == ORGANISATION_ARCHIVED
    assert await count(session, a.tenant) == 0


async def test_a_stakeholder_cannot_be_moved_to_an_archived_organisation(client, session, a):
    org = await _archived(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant, name="Mover")
    r = await client.patch(f"{URL}/{person.id}", json={"organisation_id": str(org.id)}, headers=a["lead"])
    assert r.status_code == 409 and r.json()["detail"] == ORGANISATION_ARCHIVED
    assert (await stakeholders(session, a.tenant))["Mover"].organisation_id is None


async def test_a_member_of_an_archived_organisation_keeps_the_link(client, session, a):
    org = await _archived(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant, name="Member", organisation_id=org.id)
    # the form sends the organisation it already has along with the change
    r = await client.patch(f"{URL}/{person.id}", json={"organisation_id": str(org.id), "job_title": "Chair"},
                           headers=a["lead"])
    assert r.status_code == 200, r.text
    assert r.json()["organisation_id"] == str(org.id) and r.json()["job_title"] == "Chair"
