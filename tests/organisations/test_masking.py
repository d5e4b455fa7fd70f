"""An organisation's contact details can be a person's (a sole practitioner, an elected member): the viewer role
reads them masked, exactly as a stakeholder's (api.schemas.mask_contact_details)."""

import pytest

from tests import factories

URL = "/api/v1/organisations"
CONTACT = {"email": "cllr.private@example.test", "phone": "+44 1202 123456", "address": "1 High Street, Poole",
           "postcode": "BH15 1AA"}


async def test_viewer_sees_an_organisations_contact_details_masked(client, session, a):
    org = await factories.organisation(session, a.tenant, name="Cllr Jo Bloggs", kind="elected_member",
                                       website="https://example.test", notes="Prefers mornings", **CONTACT)
    one = (await client.get(f"{URL}/{org.id}", headers=a["viewer"])).json()
    listed = (await client.get(URL, headers=a["viewer"])).json()["items"][0]
    person = await factories.stakeholder(session, a.tenant, **{**CONTACT, "email": "other@example.test"})
    stakeholder = (await client.get(f"/api/v1/stakeholders/{person.id}", headers=a["viewer"])).json()
    for got in (one, listed):
        assert {k: got[k] for k in CONTACT} == {k: stakeholder[k] for k in CONTACT} == {k: "***" for k in CONTACT}
        assert got["contact_details_masked"] is True
        assert got["name"] == "Cllr Jo Bloggs" and got["website"] == "https://example.test"


async def test_viewer_sees_an_organisations_missing_contact_details_as_null(client, session, a):
    org = await factories.organisation(session, a.tenant, email=None, phone="01202 999888")
    got = (await client.get(f"{URL}/{org.id}", headers=a["viewer"])).json()
    assert got["email"] is None and got["address"] is None and got["postcode"] is None
    assert got["phone"] == "***" and got["contact_details_masked"] is True


@pytest.mark.parametrize("role", ["admin", "lead", "contributor", "auditor"])
async def test_other_roles_see_an_organisations_contact_details(client, session, a, role):
    org = await factories.organisation(session, a.tenant, **CONTACT)
    one = (await client.get(f"{URL}/{org.id}", headers=a[role])).json()
    listed = (await client.get(URL, headers=a[role])).json()["items"][0]
    for got in (one, listed):
        assert {k: got[k] for k in CONTACT} == CONTACT
        assert got["contact_details_masked"] is False


async def test_viewer_q_does_not_match_an_organisations_email(client, session, a):
    await factories.organisation(session, a.tenant, name="Poole Surgery", email="secret.address@example.test")
    seen = await client.get(URL, params={"q": "secret.address"}, headers=a["viewer"])
    assert seen.status_code == 200 and seen.json()["items"] == []
    by_name = await client.get(URL, params={"q": "poole"}, headers=a["viewer"])
    assert [o["name"] for o in by_name.json()["items"]] == ["Poole Surgery"]
    lead = await client.get(URL, params={"q": "secret.address"}, headers=a["lead"])
    assert [o["name"] for o in lead.json()["items"]] == ["Poole Surgery"]


async def test_writers_see_contact_details_in_write_responses(client, session, a):
    given = {**CONTACT, "email": "sole.gp@example.org"}
    created = await client.post(URL, json={"name": "Sole GP", **given}, headers=a["lead"])
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in CONTACT} == given and created.json()["contact_details_masked"] is False
