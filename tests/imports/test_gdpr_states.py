"""Stakeholder imports and the UK GDPR states a record can be in, as PATCH treats them: an erased person (Art. 17)
is never changed again, so an export taken before the erasure cannot bring them back; a restricted person
(Art. 18) is changed by an admin only."""

import pytest
from sqlalchemy import select

from api.models import Stakeholder
from api.stakeholders.service import ERASED_NAME
from tests import factories
from tests.imports.support import EXPORT_STAKEHOLDERS, audit_events, parse_csv, post_import

REASON = {"reason": "Accuracy contested by the person (Art. 18(1)(a))"}


async def _fresh(session, person) -> Stakeholder:
    return (await session.execute(select(Stakeholder).where(Stakeholder.id == person.id)
                                  .execution_options(populate_existing=True))).scalar_one()


async def test_an_export_taken_before_an_erasure_cannot_bring_the_person_back(client, session, a):
    erased = await factories.stakeholder(session, a.tenant, name="Ann Gone", external_id="CRM-1",
                                         email="ann@example.org", phone="+44 1308 422100")
    kept = await factories.stakeholder(session, a.tenant, name="Bob Kept", external_id="CRM-2", email="bob@example.org")
    await session.commit()
    export = (await client.get(f"{EXPORT_STAKEHOLDERS}?format=csv", headers=a["admin"])).text
    assert len(parse_csv(export)) == 2
    r = await client.post(f"/api/v1/stakeholders/{erased.id}/erase", headers=a["admin"])
    assert r.status_code == 200, r.text
    edited = export.replace("Bob Kept", "Bob Renamed")
    for role in ("admin", "lead"):
        refused = await post_import(client, "stakeholders", a[role], edited, "?on_conflict=update")
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["field"] == "id" and "erased" in error["message"]
        assert "Ann" not in refused.text and "ann@" not in refused.text
    skipped = await post_import(client, "stakeholders", a["admin"], edited, "?on_conflict=update&on_error=skip")
    assert skipped.status_code == 200 and (skipped.json()["updated"], skipped.json()["failed"]) == (1, 1)
    person = await _fresh(session, erased)
    assert (person.name, person.email, person.phone, person.external_id) == (ERASED_NAME, None, None, None)
    assert person.erased_at is not None and person.archived_at is not None
    assert (await _fresh(session, kept)).name == "Bob Renamed"
    left_alone = await post_import(client, "stakeholders", a["admin"], export, "?on_conflict=skip")
    assert left_alone.status_code == 200 and left_alone.json()["skipped"] == 2


@pytest.mark.parametrize("match", ["external_id", "email", "id"])
async def test_a_restricted_person_is_changed_by_an_admin_only(client, session, a, match):
    person = await factories.stakeholder(session, a.tenant, name="Rita Restricted", external_id="CRM-R",
                                         email="rita@example.org")
    await session.commit()
    r = await client.post(f"/api/v1/stakeholders/{person.id}/restriction", json=REASON, headers=a["admin"])
    assert r.status_code == 200, r.text
    key = {"external_id": "CRM-R", "email": "RITA@example.org", "id": str(person.id)}[match]
    body = f"{match},name,job_title\n{key},Rita Restricted,Chair\n"
    query = f"?on_conflict=update&match={'external_id' if match == 'id' else match}"
    refused = await post_import(client, "stakeholders", a["lead"], body, query)
    assert refused.status_code == 422, refused.text
    assert [(e["row"], e["field"]) for e in refused.json()["errors"]] == [(1, match)]
    assert "admin" in refused.json()["errors"][0]["message"]
    assert (await _fresh(session, person)).job_title is None
    assert (await client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": "Chair"},
                               headers=a["lead"])).status_code == 404  # the rule the import follows
    done = await post_import(client, "stakeholders", a["admin"], body, query)
    assert done.status_code == 200 and done.json()["updated"] == 1, done.text
    fresh = await _fresh(session, person)
    assert fresh.job_title == "Chair" and fresh.restricted_at is not None
    assert len(await audit_events(session, a.tenant, "import")) == 1
