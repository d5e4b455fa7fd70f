"""A row's `id`: export → import finds every record, those without an external_id (or an email) included, and
an id only ever names a record of the importing tenant."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import Activity, Feedback, Organisation, Stakeholder
from tests import factories
from tests.imports.support import CSV, NDJSON, audit_events, count, export_text, organisations, post_import

MODELS = {"stakeholders": Stakeholder, "organisations": Organisation, "activities": Activity, "feedback": Feedback}
FORMATS = {"csv": CSV, "ndjson": NDJSON}


async def _records(client, session, world):
    """Two of each resource, none with an external_id; one stakeholder has no email either. Feedback is made
    through the API, which sets its response due date as an import does."""
    tenant = world.tenant
    org = await factories.organisation(session, tenant, name="Bridport Medical Centre", tags=["west"])
    await factories.organisation(session, tenant, name="Healthwatch Dorset", kind="healthwatch")
    person = await factories.stakeholder(session, tenant, name="Ann Lee", email="ann@example.org",
                                         organisation_id=org.id, categories=["patient"])
    await factories.stakeholder(session, tenant, name="Bo Chan", email=None, tags=["no-email"])
    await factories.activity(session, tenant, title="PPG briefing")
    await factories.activity(session, tenant, title="Newsletter", method="newsletter_article", recipients=4000)
    await session.commit()
    for values in ({"stakeholder_id": str(person.id), "text": "Parking is hard"},
                   {"text": "Anonymous: longer opening hours please", "received_at": "2026-03-10T15:00:00+00:00"}):
        assert (await client.post("/api/v1/feedback", json=values, headers=world["lead"])).status_code == 201


@pytest.mark.parametrize("on_conflict", ["update", "skip"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resource,match", [("stakeholders", "external_id"), ("stakeholders", "email"),
                                            ("organisations", "external_id"), ("activities", "external_id"),
                                            ("feedback", "external_id")])
async def test_export_then_import_finds_records_without_external_ids(client, session, a, resource, match, fmt,
                                                                      on_conflict):
    await _records(client, session, a)
    model = MODELS[resource]
    first = await export_text(client, resource, a["lead"], fmt)
    r = await post_import(client, resource, a["lead"], first, f"?match={match}&on_conflict={on_conflict}", FORMATS[fmt])
    assert r.status_code == 200, r.text
    counted = {k: r.json()[k] for k in ("rows", "created", "updated", "skipped", "failed")}
    assert counted == {"rows": 2, "created": 0, "updated": 2 if on_conflict == "update" else 0,
                       "skipped": 2 if on_conflict == "skip" else 0, "failed": 0}
    assert await count(session, a.tenant, model) == 2
    versions = await session.execute(select(model.version).where(model.tenant_id == a.tenant.id)
                                      .execution_options(populate_existing=True))
    assert set(versions.scalars()) == {1}  # nothing really changed
    assert await export_text(client, resource, a["lead"], fmt) == first


@pytest.mark.parametrize("body", ["id,name\n{},Bridport Medical Centre\n", "id\n{}\n"])
async def test_an_unknown_id_is_a_row_error_and_nothing_is_created(client, session, a, body):
    body = body.format(uuid.uuid4())
    r = await post_import(client, "organisations", a["lead"], body, "?on_conflict=update")
    assert r.status_code == 422
    assert [(e["row"], e["field"], e["message"]) for e in r.json()["errors"]] == [
        (1, "id", "No organisation with this id in your tenant")]
    assert await count(session, a.tenant, Organisation) == 0


@pytest.mark.parametrize("on_error", ["abort", "skip"])
async def test_another_tenants_id_is_never_matched(client, session, a, b, on_error):
    theirs = await factories.stakeholder(session, b.tenant, name="Not Yours", email="theirs@example.org")
    await session.commit()
    body = json.dumps({"id": str(theirs.id), "name": "Renamed", "email": "theirs@example.org"}) + "\n"
    r = await post_import(client, "stakeholders", a["lead"], body, f"?on_conflict=update&on_error={on_error}", NDJSON)
    assert r.status_code == (422 if on_error == "abort" else 200)
    assert [(e["row"], e["field"], e["message"]) for e in r.json()["errors"]] == [
        (1, "id", "No stakeholder with this id in your tenant")]
    assert (r.json()["created"], r.json()["updated"], r.json()["failed"]) == (0, 0, 1)
    await session.refresh(theirs)
    assert theirs.name == "Not Yours" and theirs.version == 1
    assert await count(session, a.tenant) == 0


async def test_an_id_repeated_in_the_file_fails_the_later_row(client, session, a):
    org = await factories.organisation(session, a.tenant, name="Bridport Medical Centre")
    await session.commit()
    r = await post_import(client, "organisations", a["lead"], f"id,name\n{org.id},First\n{org.id},Second\n",
                   "?on_conflict=update")
    assert r.status_code == 422
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(2, "id")]
    assert r.json()["errors"][0]["message"] == "Row 1 has the same id; each may appear once"
    assert (await organisations(session, a.tenant))["Bridport Medical Centre"].version == org.version


@pytest.mark.parametrize("archived", [False, True])
async def test_an_id_with_on_conflict_error_is_a_conflict(client, session, a, archived):
    org = await factories.organisation(session, a.tenant, name="Bridport Medical Centre",
                                       archived_at=datetime.now(UTC) if archived else None)
    await session.commit()
    r = await post_import(client, "organisations", a["lead"], f"id,name\n{org.id},Renamed\n")
    assert r.status_code == 422
    [error] = r.json()["errors"]
    label = "organisation (archived)" if archived else "organisation"
    assert (error["row"], error["field"]) == (1, "id")
    assert error["message"] == f"An {label} with this id exists already; use on_conflict=update or on_conflict=skip"
    r = await post_import(client, "organisations", a["lead"], f"id,name\n{org.id},Renamed\n", "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1  # an archived record is found, as by external_id
    assert "Renamed" in await organisations(session, a.tenant)


@pytest.mark.parametrize("resource,key,query", [("organisations", "external_id", ""),
                                                ("stakeholders", "external_id", ""),
                                                ("stakeholders", "email", "&match=email")])
async def test_an_id_with_another_records_key_is_refused(client, session, a, resource, key, query):
    build = factories.organisation if resource == "organisations" else factories.stakeholder
    holder = await build(session, a.tenant, name="Holder", external_id="KEY-1",
                         **({"email": "holder@example.org"} if resource == "stakeholders" else {}))
    other = await build(session, a.tenant, name="Other", **({"email": None} if resource == "stakeholders" else {}))
    await session.commit()
    value = {"external_id": "KEY-1", "email": "holder@example.org"}[key]
    r = await post_import(client, resource, a["lead"], f"id,{key}\n{other.id},{value}\n", f"?on_conflict=update{query}")
    assert r.status_code == 422
    assert [(e["row"], e["field"], e["message"]) for e in r.json()["errors"]] == [
        (1, key, f"This {key} is used by another {resource[:-1]} in your tenant")]
    await session.refresh(holder)
    await session.refresh(other)
    assert (holder.version, other.version, other.external_id) == (1, 1, None)


@pytest.mark.parametrize("body,content_type", [("id,name\nnot-a-uuid,Ann\n", CSV),
                                               ('{"id": "not-a-uuid", "name": "Ann"}\n', NDJSON),
                                               ('{"id": 5, "name": "Ann"}\n', NDJSON)])
async def test_a_bad_id_is_a_row_error(client, session, a, body, content_type):
    r = await post_import(client, "stakeholders", a["lead"], body, "?on_conflict=update", content_type)
    assert r.status_code == 422
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, "id")]
    assert await count(session, a.tenant) == 0


@pytest.mark.parametrize("body,content_type,rows", [
    ("id,name\n,Ann Lee\n", CSV, 1),
    ('{"id": null, "name": "Ann Lee"}\n{"name": "Bo Chan"}\n', NDJSON, 2),
])
async def test_a_row_without_an_id_creates_as_before(client, session, a, body, content_type, rows):
    r = await post_import(client, "stakeholders", a["lead"], body, "?on_conflict=update", content_type)
    assert r.status_code == 200 and r.json()["failed"] == 0
    assert r.json()["created"] == await count(session, a.tenant) == rows


async def test_a_dry_run_with_ids_writes_nothing(client, session, a):
    await _records(client, session, a)
    first = await export_text(client, "stakeholders", a["lead"])
    r = await post_import(client, "stakeholders", a["lead"], first.replace("Ann Lee", "Ann Leigh"),
                   "?on_conflict=update&dry_run=true")
    assert r.status_code == 200 and (r.json()["dry_run"], r.json()["updated"], r.json()["created"]) == (True, 2, 0)
    assert await export_text(client, "stakeholders", a["lead"]) == first
    assert await audit_events(session, a.tenant, "import") == []


async def test_on_error_skip_writes_the_good_rows_beside_a_bad_id(client, session, a):
    org = await factories.organisation(session, a.tenant, name="Bridport Medical Centre")
    await session.commit()
    body = f"id,name\n{org.id},Bridport Surgery\n{uuid.uuid4()},Ghost\nnot-a-uuid,Bad\n,Healthwatch Dorset\n"
    r = await post_import(client, "organisations", a["lead"], body, "?on_conflict=update&on_error=skip")
    assert r.status_code == 200
    assert (r.json()["updated"], r.json()["created"], r.json()["failed"]) == (1, 1, 2)
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(2, "id"), (3, "id")]
    got = await organisations(session, a.tenant)
    assert set(got) == {"Bridport Surgery", "Healthwatch Dorset"} and got["Bridport Surgery"].id == org.id
    assert await count(session, a.tenant, Organisation) == 2
