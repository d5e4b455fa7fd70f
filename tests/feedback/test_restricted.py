"""Feedback of a person whose processing is restricted (UK GDPR Art. 18): it stays the organisation's record of what
was said, but only an admin sees that it is theirs, and that read is audited."""

import pytest

from tests import factories
from tests.feedback.support import URL
from tests.gdpr.support import NOT_ADMIN, events

REASON = {"reason": "Accuracy contested by the person (Art. 18(1)(a))"}


async def _restricted_feedback(client, session, a):
    person = await factories.stakeholder(session, a.tenant)
    said = await factories.feedback(session, a.tenant, stakeholder_id=person.id)
    await session.commit()
    r = await client.post(f"/api/v1/stakeholders/{person.id}/restriction", json=REASON, headers=a["admin"])
    assert r.status_code == 200, r.text
    return person, said


@pytest.mark.parametrize("role", NOT_ADMIN)
async def test_others_see_the_feedback_but_not_whose_it_is(client, session, a, role):
    person, said = await _restricted_feedback(client, session, a)
    r = await client.get(f"{URL}?stakeholder_id={person.id}", headers=a[role])
    assert r.status_code == 200 and r.json()["items"] == []  # as for an unknown id
    anonymous = await factories.feedback(session, a.tenant)
    await session.commit()
    r = await client.get(URL, headers=a[role])
    assert sorted((i["id"], i["stakeholder_id"], i["stakeholder_withheld"]) for i in r.json()["items"]) == sorted(
        [(str(said.id), None, True), (str(anonymous.id), None, False)])  # withheld, told apart from anonymous
    r = await client.get(f"{URL}/{said.id}", headers=a[role])
    assert r.status_code == 200 and r.json()["stakeholder_id"] is None and r.json()["stakeholder_withheld"] is True
    assert await events(session, person.id, "read_restricted") == []


async def test_the_null_a_contributor_read_sent_back_keeps_the_link(client, session, a):
    person, said = await _restricted_feedback(client, session, a)
    r = await client.patch(f"{URL}/{said.id}", json={"stakeholder_id": None, "themes": ["transport"]},
                           headers=a["contributor"])
    assert r.status_code == 200 and r.json()["stakeholder_id"] is None and r.json()["themes"] == ["transport"]
    await session.refresh(said)
    assert said.stakeholder_id == person.id


async def test_an_admins_read_of_whose_it_is_is_audited(client, session, a):
    person, said = await _restricted_feedback(client, session, a)
    other = await factories.stakeholder(session, a.tenant)
    await factories.feedback(session, a.tenant, stakeholder_id=other.id)
    await session.commit()
    r = await client.get(f"{URL}?stakeholder_id={person.id}", headers=a["admin"])
    assert [(i["id"], i["stakeholder_id"]) for i in r.json()["items"]] == [(str(said.id), str(person.id))]
    r = await client.get(f"{URL}/{said.id}", headers=a["admin"])
    assert r.status_code == 200 and r.json()["stakeholder_id"] == str(person.id)
    assert r.json()["stakeholder_withheld"] is False
    logged = await events(session, person.id, "read_restricted")
    assert len(logged) == 2 and {e.actor_id for e in logged} == {a.users["admin"].id}
    assert await events(session, other.id, "read_restricted") == []


@pytest.mark.parametrize("role", ["lead", "contributor"])
async def test_a_restricted_person_is_an_unknown_id_to_all_but_an_admin(client, session, a, role):
    person, _ = await _restricted_feedback(client, session, a)
    mine = await factories.feedback(session, a.tenant)
    await session.commit()
    for method, path in (("POST", URL), ("PATCH", f"{URL}/{mine.id}")):
        r = await client.request(method, path, json={"text": "New words", "stakeholder_id": str(person.id)},
                                 headers=a[role])
        assert r.status_code == 422, r.text
        assert [(e["loc"], e["type"]) for e in r.json()["errors"]] == [(["body", "stakeholder_id"],
                                                                        "reference_not_found")]
        assert "restricted" not in r.text.lower()
    told = await client.post(URL, json={"text": "New words", "stakeholder_id": str(person.id)}, headers=a["admin"])
    assert told.status_code == 422 and told.json()["errors"][0]["type"] == "restricted"
    await session.refresh(mine)
    assert mine.stakeholder_id is None
