import uuid

import pytest

from api.auth.principal import Principal, Role
from api.stakeholders.schemas import READ_FIELDS, read_rows
from tests import factories
from tests.stakeholders.support import URL

CONTACT = {"email": "Hidden.Person@example.test", "phone": "+44 1202 123456", "address": "1 High Street, Poole",
           "postcode": "BH15 1AA"}


async def test_viewer_sees_masked_contact_details(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Hidden Person", job_title="Governor", **CONTACT)
    one = (await client.get(f"{URL}/{person.id}", headers=a["viewer"])).json()
    listed = (await client.get(URL, headers=a["viewer"])).json()["items"][0]
    for got in (one, listed):
        assert {k: got[k] for k in CONTACT} == {k: "***" for k in CONTACT}
        assert got["contact_details_masked"] is True
        assert got["name"] == "Hidden Person" and got["job_title"] == "Governor"


async def test_viewer_sees_missing_contact_details_as_null(client, session, a):
    person = await factories.stakeholder(session, a.tenant, email=None, phone="01202 999888")
    got = (await client.get(f"{URL}/{person.id}", headers=a["viewer"])).json()
    assert got["email"] is None and got["address"] is None and got["postcode"] is None
    assert got["phone"] == "***" and got["contact_details_masked"] is True


@pytest.mark.parametrize("role", ["admin", "lead", "contributor", "auditor"])
async def test_other_roles_see_contact_details(client, session, a, role):
    person = await factories.stakeholder(session, a.tenant, **CONTACT)
    one = (await client.get(f"{URL}/{person.id}", headers=a[role])).json()
    listed = (await client.get(URL, headers=a[role])).json()["items"][0]
    for got in (one, listed):
        assert {k: got[k] for k in CONTACT} == CONTACT
        assert got["contact_details_masked"] is False


async def test_writer_sees_contact_details_in_write_responses(client, session, a):
    person = await factories.stakeholder(session, a.tenant, **CONTACT)
    r = await client.patch(f"{URL}/{person.id}", json={"notes": "n"}, headers=a["lead"])
    assert r.json()["email"] == CONTACT["email"]


async def test_viewer_q_does_not_match_email(client, session, a):
    await factories.stakeholder(session, a.tenant, name="Hidden Person", email="secret.address@example.test")
    seen = await client.get(URL, params={"q": "secret.address"}, headers=a["viewer"])
    assert seen.status_code == 200 and seen.json()["items"] == []
    by_name = await client.get(URL, params={"q": "hidden"}, headers=a["viewer"])
    assert [s["name"] for s in by_name.json()["items"]] == ["Hidden Person"]
    # the same search by a lead does find the address
    lead = await client.get(URL, params={"q": "secret.address"}, headers=a["lead"])
    assert [s["name"] for s in lead.json()["items"]] == ["Hidden Person"]


async def test_viewer_email_filter_is_403(client, session, a):
    await factories.stakeholder(session, a.tenant, email="probe@example.test")
    for email in ("probe@example.test", "nobody@example.test"):
        r = await client.get(URL, params={"email": email}, headers=a["viewer"])
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
        assert "email" in r.json()["detail"]


@pytest.mark.parametrize("role", ["admin", "viewer"])
async def test_reads_write_exactly_what_the_response_model_would(client, session, a, role):
    """The list and the read by id serialise plain dicts (api.responses), not models: every field, its format
    (UTC as Z, dates, ids) and nothing more must be what StakeholderRead itself writes."""
    from datetime import UTC, date, datetime

    from api.stakeholders.schemas import StakeholderPage, StakeholderRead

    organisation = await factories.organisation(session, a.tenant)
    person = await factories.stakeholder(
        session, a.tenant, external_id="X-1", job_title="Chair", categories=["patient", "carer"], tags=["north"],
        preferred_channels=["email"], communication_needs=["easy_read"], interpreter_language="Welsh",
        organisation_id=organisation.id, contact_consent=True, consent_basis="consent", notes="Likes mornings",
        consent_recorded_at=datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC), objection_date=date(2026, 4, 2),
        objection_scope="contact", objection_grounds="Too many letters", objection_outcome="pending", **CONTACT)
    one = await client.get(f"{URL}/{person.id}", headers=a[role])
    page = await client.get(URL, headers=a[role])
    assert one.status_code == page.status_code == 200
    assert one.json()["consent_recorded_at"] == "2026-03-01T09:30:15.123456Z"
    assert StakeholderRead.model_validate(one.json()).model_dump(mode="json") == one.json()
    assert StakeholderPage.model_validate(page.json()).model_dump(mode="json") == page.json()


def test_read_rows_refuses_rows_whose_columns_are_in_another_order():
    """read_rows, where contact details are masked, takes values by position: rows of a statement whose columns
    moved would put one field's value under another's name (an email as "name", never masked), so it refuses them."""
    viewer = Principal(uuid.uuid4(), "user", uuid.uuid4(), Role.viewer)
    in_order = {name: f"{name} value" for name in READ_FIELDS}
    [read] = read_rows([in_order], viewer)
    assert read["name"] == "name value" and read["email"] == "***" and read["contact_details_masked"] is True
    email_first = {"email": in_order["email"], **{k: v for k, v in in_order.items() if k != "email"}}
    with pytest.raises(ValueError, match="READ_FIELDS"):
        read_rows([email_first], viewer)
    assert read_rows([], viewer) == []
