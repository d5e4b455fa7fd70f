"""Rows found by a third adversarial pass over imports (stop 19): a consent time out of range, two rows reaching one
record by different keys, and a misspelt option."""

import pytest

from api.models import Organisation, Stakeholder
from tests import factories
from tests.imports.support import audit_events, count, export_text, post_import

OUT_OF_RANGE = ["9999-12-31T23:59:59-05:00",  # overflows when converted to UTC: was a 500
                "0001-01-01T00:00:00+01:00",  # the same, the other way
                "0001-01-01T00:00:00+00:00",  # stored, then a broken NDJSON export and an empty CSV cell
                "1899-12-31T23:00:00+00:00"]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
async def test_a_consent_time_out_of_range_is_a_row_error_and_a_422_not_a_500(client, session, a, moment):
    body = f"external_id,name,consent_recorded_at\nOK-1,Fine,2026-01-01T10:00:00Z\nX-1,Odd,{moment}\n"
    for query in ("?dry_run=true&on_error=skip", "?on_error=skip"):
        r = await post_import(client, "stakeholders", a["lead"], body, query)
        assert r.status_code == 200, r.text
        assert (r.json()["created"], r.json()["failed"]) == (1, 1)
        assert r.json()["errors"][0]["row"] == 2 and r.json()["errors"][0]["field"] == "consent_recorded_at"
    r = await client.post("/api/v1/stakeholders", headers=a["lead"],
                          json={"name": "Api", "consent_recorded_at": moment})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "consent_recorded_at"], r.text
    person = await factories.stakeholder(session, a.tenant)
    await session.commit()
    r = await client.patch(f"/api/v1/stakeholders/{person.id}", headers=a["lead"], json={"consent_recorded_at": moment})
    assert r.status_code == 422, r.text
    assert await count(session, a.tenant) == 2  # the good row and the PATCHed person
    assert "Fine" in await export_text(client, "stakeholders", a["lead"], "ndjson")


async def test_a_consent_time_is_stored_in_utc_and_round_trips(client, a):
    r = await client.post("/api/v1/stakeholders", headers=a["lead"],
                          json={"name": "Api", "consent_recorded_at": "2026-03-01T12:00:00+05:30"})
    assert r.status_code == 201 and r.json()["consent_recorded_at"].startswith("2026-03-01T06:30:00"), r.text


@pytest.mark.parametrize("on_conflict", ["update", "error"])
async def test_two_rows_reaching_one_record_by_different_keys_fail_the_second(client, session, a, on_conflict):
    record = await factories.organisation(session, a.tenant, name="Surgery", external_id="RR-A")
    await session.commit()
    # Row 1 finds it by id and changes its external id; row 2 finds it by the external id it had.
    body = f"id,external_id,name\n{record.id},RR-A2,Renamed\n,RR-A,Second row\n"
    for query in (f"?dry_run=true&on_conflict={on_conflict}", f"?on_conflict={on_conflict}"):
        r = await post_import(client, "organisations", a["lead"], body, query)
        assert r.status_code == 422, r.text
        assert r.json()["failed"] == (2 if on_conflict == "error" else 1)  # with "error", row 1 fails too
        second = [e for e in r.json()["errors"] if e["row"] == 2]
        assert second and ("Row 1 is for the same organisation" in second[0]["message"]
                           or on_conflict == "error"), r.text
    await session.refresh(record)
    assert (record.external_id, record.name, record.version) == ("RR-A", "Surgery", 1)
    r = await post_import(client, "organisations", a["lead"], body, "?on_conflict=update&on_error=skip")
    assert (r.json()["updated"], r.json()["failed"]) == (1, 1), r.text
    await session.refresh(record)
    assert (record.external_id, record.name) == ("RR-A2", "Renamed")


async def test_two_rows_for_one_person_by_email_and_id_fail_the_second(client, session, a):
    person = await factories.stakeholder(session, a.tenant, email="ann@example.org")
    await session.commit()
    body = f"id,email,name\n{person.id},ann.new@example.org,Ann\n,ann@example.org,Ann again\n"
    r = await post_import(client, "stakeholders", a["lead"], body, "?match=email&on_conflict=update")
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 2, r.text
    assert "Row 1 is for the same stakeholder" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize("query", ["?dryrun=true", "?dry-run=true", "?DRY_RUN=true", "?onconflict=update",
                                   "?dry_run=true&format=csv"])
async def test_a_misspelt_import_option_is_refused_before_anything_is_written(client, session, a, query):
    r = await post_import(client, "organisations", a["lead"], "name\nSurgery\n", query)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert "Unknown query parameter" in r.json()["detail"] and r.json()["errors"][0]["loc"][0] == "query"
    assert await count(session, a.tenant, Organisation) == 0
    assert await audit_events(session, a.tenant, "import") == []


async def test_every_documented_import_option_is_taken(client, session, a):
    r = await post_import(client, "stakeholders", a["lead"], "name\nAnn\n",
                          "?dry_run=false&match=external_id&on_conflict=update&on_error=abort")
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    assert await count(session, a.tenant, Stakeholder) == 1


@pytest.mark.parametrize("role,status", [("viewer", 403), ("contributor", 403)])
async def test_a_role_that_may_not_import_gets_its_403_before_a_misspelt_option(client, a, role, status):
    r = await post_import(client, "organisations", a[role], "name\nSurgery\n", "?dryrun=true")
    assert r.status_code == status, r.text


@pytest.mark.parametrize("retry", ["?on_conflict=update&match=external_id",  # the same options in another order
                                   "?match=external_id&on_conflict=update&on_error=abort",  # a default spelt out
                                   "?match=external_id&on_conflict=update&dry_run=false"])
async def test_an_import_retried_with_its_options_spelt_another_way_is_replayed(client, session, a, retry):
    body, key = "external_id,name\nORG-1,Surgery\n", {"Idempotency-Key": "spelling-1"}
    first = await post_import(client, "organisations", {**a["lead"], **key}, body,
                              "?match=external_id&on_conflict=update")
    assert first.status_code == 200 and first.json()["created"] == 1, first.text
    again = await post_import(client, "organisations", {**a["lead"], **key}, body, retry)
    assert again.status_code == 200 and again.headers.get("idempotent-replayed") == "true", again.text
    assert again.json() == first.json()
    assert await count(session, a.tenant, Organisation) == 1
    other = await post_import(client, "organisations", {**a["lead"], **key}, body,
                              "?match=external_id&on_conflict=skip")
    assert other.status_code == 422, other.text  # other options are another request


@pytest.mark.parametrize("query", ["?dry_run=true&dry_run=false", "?on_error=abort&on_error=skip",
                                   "?on_conflict=error&match=external_id&on_conflict=error"])
async def test_an_import_option_given_twice_is_refused_not_taken_at_its_last_value(client, session, a, query):
    # The last value won: a dry run asked for first wrote for real.
    r = await post_import(client, "organisations", a["lead"], "name\nSurgery\n", query)
    assert r.status_code == 422 and "Repeated query parameter" in r.json()["detail"], r.text
    assert r.json()["errors"][0]["loc"][0] == "query"
    assert await count(session, a.tenant, Organisation) == 0
    assert await audit_events(session, a.tenant, "import") == []
