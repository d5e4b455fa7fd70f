"""POST /imports/stakeholders: formats, row errors, matching, references, tenancy and roles."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from api.crud import archived_target
from api.models import Stakeholder
from tests import factories
from tests.imports.support import (
    CSV,
    JSON,
    NDJSON,
    READ_ONLY,
    STAKEHOLDERS,
    WRITERS,
    count,
    csv_text,
    stakeholders,
)

ORGANISATION_ARCHIVED = archived_target("organisation")

PEOPLE = [
    {"external_id": "CRM-1", "name": "Margaret Okafor", "categories": ["patient", "carer"],
     "email": "Margaret.Okafor@Example.ORG", "phone": "+44 1308 422100", "postcode": "dt6 3nq",
     "contact_consent": True, "consent_basis": "consent", "tags": ["west-dorset"], "notes": "Prefers mornings"},
    {"external_id": "CRM-2", "name": "Tom Hardy", "kind": "person", "categories": ["public"],
     "email": "tom@example.com", "preferred_channels": ["post", "email"]},
]
COLUMNS = ["external_id", "name", "kind", "categories", "email", "phone", "postcode", "contact_consent",
           "consent_basis", "preferred_channels", "tags", "notes"]


def post(client, headers, body, query="", content_type=CSV):
    return client.post(f"{STAKEHOLDERS}{query}", content=body, headers={**headers, **content_type})


@pytest.mark.parametrize("role", WRITERS)
async def test_csv_import_creates_rows_as_the_api_would(client, session, a, role):
    r = await post(client, a[role], csv_text(PEOPLE, COLUMNS))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report | {"errors": None, "body_sha256": None} == {
        "resource": "stakeholders", "format": "csv", "dry_run": False, "rows": 2, "created": 2, "updated": 0,
        "skipped": 0, "failed": 0, "errors": None, "body_sha256": None}
    got = await stakeholders(session, a.tenant)
    margaret = got["Margaret Okafor"]
    assert margaret.email == "Margaret.Okafor@example.org"  # the domain normalised, the local part kept
    assert margaret.postcode == "DT6 3NQ" and margaret.categories == ["patient", "carer"]
    assert margaret.contact_consent is True and margaret.consent_recorded_at is not None
    assert margaret.version == 1 and margaret.created_by == a.users[role].id == margaret.updated_by
    assert margaret.created_at is not None and margaret.kind == "person" and margaret.archived_at is None
    assert got["Tom Hardy"].preferred_channels == ["post", "email"] and got["Tom Hardy"].tags == []
    # It reads back through the API like any other stakeholder.
    read = (await client.get(f"/api/v1/stakeholders/{margaret.id}", headers=a["lead"])).json()
    assert read["email"] == "Margaret.Okafor@example.org" and read["version"] == 1


async def test_json_array_import(client, session, a):
    r = await post(client, a["lead"], json.dumps(PEOPLE), content_type=JSON)
    assert r.status_code == 200 and r.json()["created"] == 2 and r.json()["format"] == "json"
    assert (await stakeholders(session, a.tenant))["Tom Hardy"].categories == ["public"]


async def test_ndjson_import(client, session, a):
    body = "\n".join(json.dumps(p) for p in PEOPLE) + "\n\n"
    r = await post(client, a["lead"], body, content_type=NDJSON)
    assert r.status_code == 200 and r.json()["created"] == 2 and r.json()["rows"] == 2
    assert await count(session, a.tenant) == 2


async def test_a_byte_order_mark_is_accepted(client, session, a):
    body = "\ufeff" + csv_text(PEOPLE, COLUMNS)
    r = await post(client, a["lead"], body.encode("utf-8"))
    assert r.status_code == 200 and r.json()["created"] == 2
    assert "Margaret Okafor" in await stakeholders(session, a.tenant)


async def test_quoted_newlines_stay_inside_the_cell(client, session, a):
    body = 'name,address,notes\r\n"Ann Lee","1 High Street\r\nBridport","said ""yes""\nthen left"\r\nBo Chan,,\r\n'
    r = await post(client, a["lead"], body)
    assert r.status_code == 200 and r.json()["rows"] == 2, r.text
    got = await stakeholders(session, a.tenant)
    assert got["Ann Lee"].address == "1 High Street\r\nBridport" and got["Ann Lee"].notes == 'said "yes"\nthen left'


async def test_a_body_streamed_in_small_chunks_parses_the_same(client, session, a):
    text = csv_text([{**PEOPLE[0], "notes": 'Prefers\nmornings, "always"'}, PEOPLE[1]], COLUMNS)

    async def chunks():
        data = text.encode()
        for i in range(0, len(data), 7):
            yield data[i:i + 7]

    r = await client.post(STAKEHOLDERS, content=chunks(), headers={**a["lead"], **CSV})
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    assert (await stakeholders(session, a.tenant))["Margaret Okafor"].notes == 'Prefers\nmornings, "always"'


async def test_dry_run_writes_nothing_and_reports_what_would_happen(client, session, a):
    await factories.stakeholder(session, a.tenant, name="Old", external_id="CRM-1", email="old@example.org")
    await session.commit()
    r = await post(client, a["lead"], csv_text(PEOPLE, COLUMNS), "?dry_run=true&on_conflict=update")
    assert r.status_code == 200
    assert (r.json()["dry_run"], r.json()["created"], r.json()["updated"]) == (True, 1, 1)
    got = await stakeholders(session, a.tenant)
    assert set(got) == {"Old"} and got["Old"].version == 1


async def test_broken_rows_refuse_the_import_and_write_nothing(client, session, a):
    rows = [PEOPLE[0], {"name": "Bad Email", "email": "not-an-email"}, {"name": "Bad Postcode", "postcode": "nowhere"},
            {"name": "Bad Category", "categories": ["king"], "contact_consent": "perhaps"}]
    r = await post(client, a["lead"], csv_text(rows, ["name", "email", "postcode", "categories", "contact_consent"]))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["failed"] == 3 and problem["created"] == 1
    found = {(e["row"], e["field"]) for e in problem["errors"]}
    assert found == {(2, "email"), (3, "postcode"), (4, "categories"), (4, "contact_consent")}
    assert all(e["message"] and e["msg"] == e["message"] and e["loc"][:2] == ["body", e["row"]]
               for e in problem["errors"])
    assert "not-an-email" not in r.text and "nowhere" not in r.text  # values are never echoed
    assert await count(session, a.tenant) == 0


async def test_on_error_skip_writes_the_good_rows(client, session, a):
    rows = [PEOPLE[0], {"name": "Bad Email", "email": "not-an-email"}, PEOPLE[1]]
    r = await post(client, a["lead"], csv_text(rows, ["external_id", "name", "email"]), "?on_error=skip")
    assert r.status_code == 200
    assert (r.json()["created"], r.json()["failed"]) == (2, 1)
    assert r.json()["errors"] == [{"row": 2, "field": "email", "message": r.json()["errors"][0]["message"]}]
    assert set(await stakeholders(session, a.tenant)) == {"Margaret Okafor", "Tom Hardy"}


@pytest.mark.parametrize("field,values", [("external_id", ["X-1", "X-1"]),
                                          ("email", ["Same@example.org", "same@EXAMPLE.org"])])
async def test_keys_repeated_in_the_file_are_row_errors(client, session, a, field, values):
    rows = [{"name": "First", field: values[0]}, {"name": "Second", field: values[1]}]
    r = await post(client, a["lead"], csv_text(rows, ["name", field]))
    assert r.status_code == 422
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(2, field)]
    assert "Row 1" in r.json()["errors"][0]["message"]
    assert await count(session, a.tenant) == 0


async def test_unknown_or_repeated_columns_refuse_the_header(client, session, a):
    r = await post(client, a["lead"], "name,colour,name\nX,red,Y\n")
    assert r.status_code == 422
    assert {(e["row"], e["field"]) for e in r.json()["errors"]} == {(0, "colour"), (0, "name")}


async def test_a_row_with_the_wrong_number_of_cells_is_a_row_error(client, session, a):
    r = await post(client, a["lead"], "name,email\nAnn,ann@example.org\nBo\n", "?on_error=skip")
    assert r.json()["created"] == 1
    assert r.json()["errors"][0] | {"message": None} == {"row": 2, "field": None, "message": None}


async def test_nul_characters_are_refused(client, session, a):
    r = await post(client, a["lead"], "name,job_title\nAnn,Chair\x00\n")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "job_title"
    r = await post(client, a["lead"], '{"name": "Ann", "job_title": "x\\u0000"}\n', content_type=NDJSON)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "job_title"
    assert await count(session, a.tenant) == 0


async def test_json_rows_must_be_objects_with_known_keys(client, session, a):
    body = json.dumps([{"name": "Ann", "tenant_id": str(uuid.uuid4())}, ["Bo"], {"name": None}])
    r = await post(client, a["lead"], body, content_type=JSON)
    assert r.status_code == 422
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, "tenant_id"), (2, None), (3, "name")]
    r = await post(client, a["lead"], '{"name": "Ann"}', content_type=JSON)
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 0


async def test_a_name_is_required_to_create_but_not_to_update(client, session, a):
    await factories.stakeholder(session, a.tenant, name="Kept", external_id="CRM-9", email="kept@example.org")
    await session.commit()
    body = "external_id,job_title\nCRM-9,Chair\nCRM-10,Chair\n"
    r = await post(client, a["lead"], body, "?on_conflict=update&on_error=skip")
    assert (r.json()["updated"], r.json()["failed"]) == (1, 1)
    assert r.json()["errors"][0]["field"] == "name" and r.json()["errors"][0]["row"] == 2
    assert (await stakeholders(session, a.tenant))["Kept"].job_title == "Chair"


async def test_match_external_id_on_conflict_error_skip_update(client, session, a):
    old = await factories.stakeholder(session, a.tenant, name="Old Name", external_id="CRM-1",
                                      email="old@example.org", notes="keep me", tags=["old"])
    await session.commit()
    body = "external_id,name,tags\nCRM-1,New Name,new;newer\n"
    r = await post(client, a["lead"], body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "external_id"
    r = await post(client, a["lead"], body, "?on_conflict=skip")
    assert (r.json()["skipped"], r.json()["created"]) == (1, 0)
    r = await post(client, a["lead"], body, "?on_conflict=update")
    assert r.json()["updated"] == 1
    got = (await stakeholders(session, a.tenant))["New Name"]
    assert got.id == old.id and got.tags == ["new", "newer"] and got.version == 2
    assert got.notes == "keep me" and got.email == "old@example.org"  # columns not in the file are left alone
    assert got.updated_by == a.users["lead"].id
    # The same file again matches and changes nothing: no new version.
    r = await post(client, a["lead"], body, "?on_conflict=update")
    assert r.json()["updated"] == 1
    assert (await stakeholders(session, a.tenant))["New Name"].version == 2


async def test_match_email_whatever_its_case(client, session, a):
    old = await factories.stakeholder(session, a.tenant, name="Ann", email="Ann.Lee@example.org", external_id="A1")
    await session.commit()
    body = "email,job_title\nann.lee@EXAMPLE.org,Chair\n"
    r = await post(client, a["lead"], body, "?match=email")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "email"
    r = await post(client, a["lead"], body, "?match=email&on_conflict=skip")
    assert r.json()["skipped"] == 1
    r = await post(client, a["lead"], body, "?match=email&on_conflict=update")
    assert r.json()["updated"] == 1
    got = (await stakeholders(session, a.tenant))["Ann"]
    assert got.id == old.id and got.job_title == "Chair" and got.email == "ann.lee@example.org"
    assert got.external_id == "A1"


async def test_an_email_is_one_stakeholders_whatever_the_case_of_a_non_ascii_letter(client, session, a):
    old = await factories.stakeholder(session, a.tenant, name="Élodie", email="Élodie@example.org")
    await session.commit()
    refused = await post(client, a["lead"], "external_id,name,email\nNEW,New,élodie@example.org\n")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "email"
    assert await count(session, a.tenant) == 1
    r = await post(client, a["lead"], "email,job_title\nÉLODIE@example.org,Chair\n", "?match=email&on_conflict=update")
    assert r.json()["updated"] == 1 and r.json()["created"] == 0
    got = (await stakeholders(session, a.tenant))["Élodie"]
    assert got.id == old.id and got.job_title == "Chair" and got.email == "ÉLODIE@example.org"


async def test_an_imported_email_is_keyed_as_the_api_keys_it(client, session, a):
    """Rows go in behind the ORM (COPY, INSERT … SELECT): they carry the key the API's checks compare."""
    r = await post(client, a["lead"], "external_id,name,email\nE1,Élodie,Élodie@example.org\nZ1,Zoë,zoe@example.org\n")
    assert r.json()["created"] == 2
    r = await post(client, a["lead"], "external_id,email\nZ1,ZOË@example.org\n", "?on_conflict=update")
    assert r.json()["updated"] == 1
    for email in ("élodie@example.org", "zoë@example.org"):
        again = await client.post("/api/v1/stakeholders", json={"name": "Twin", "email": email}, headers=a["lead"])
        assert again.status_code == 409, email
        listed = await client.get("/api/v1/stakeholders", params={"email": email.upper()}, headers=a["lead"])
        assert len(listed.json()["items"]) == 1, email
    freed = await client.post("/api/v1/stakeholders", json={"name": "New", "email": "zoe@example.org"},
                              headers=a["lead"])
    assert freed.status_code == 201  # the old address's key went with it


async def test_a_key_held_by_another_record_is_a_row_error(client, session, a):
    await factories.stakeholder(session, a.tenant, name="Holder", email="taken@example.org", external_id="H1")
    await factories.stakeholder(session, a.tenant, name="Other", email="other@example.org", external_id="O1")
    await session.commit()
    r = await post(client, a["lead"], "external_id,name,email\nNEW,New,TAKEN@example.org\nO1,Other,taken@example.org\n",
                   "?on_conflict=update")
    assert r.status_code == 422
    errors = [(e["row"], e["field"], e["message"][:8]) for e in r.json()["errors"]]
    assert errors == [(1, "email", "This ema"), (2, "email", "Row 1 ha"), (2, "email", "This ema")]


async def test_consent_given_on_update_is_dated_now(client, session, a):
    await factories.stakeholder(session, a.tenant, name="Ann", external_id="A1", email="ann@example.org")
    await session.commit()
    r = await post(client, a["lead"], "external_id,contact_consent,consent_basis\nA1,true,consent\n",
                   "?on_conflict=update")
    assert r.json()["updated"] == 1
    got = (await stakeholders(session, a.tenant))["Ann"]
    assert got.contact_consent is True and got.consent_basis == "consent" and got.consent_recorded_at is not None
    given = "2025-03-01T09:30:00+00:00"
    await post(client, a["lead"], f"external_id,consent_recorded_at\nA1,{given}\n", "?on_conflict=update")
    got = (await stakeholders(session, a.tenant))["Ann"]
    assert got.consent_recorded_at == datetime.fromisoformat(given)


async def test_organisations_are_referred_to_by_external_id_or_name(client, session, a, b):
    bridport = await factories.organisation(session, a.tenant, name="Bridport Medical Centre", external_id="ORG-1")
    await factories.organisation(session, a.tenant, name="Twin Surgery")
    await factories.organisation(session, a.tenant, name="twin surgery")
    await factories.organisation(session, b.tenant, name="Elsewhere", external_id="ORG-B")
    await session.commit()
    body = csv_text([
        {"name": "By Id", "organisation_external_id": "ORG-1"},
        {"name": "By Name", "organisation_name": "BRIDPORT medical centre"},
        {"name": "Id Wins", "organisation_external_id": "ORG-1", "organisation_name": "Twin Surgery"},
        {"name": "Unknown", "organisation_external_id": "ORG-404"},
        {"name": "Ambiguous", "organisation_name": "Twin Surgery"},
        {"name": "Other Tenant", "organisation_external_id": "ORG-B"},
    ], ["name", "organisation_external_id", "organisation_name"])
    r = await post(client, a["lead"], body, "?on_error=skip")
    assert r.json()["created"] == 3
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [
        (4, "organisation_external_id"), (5, "organisation_name"), (6, "organisation_external_id")]
    assert "2 organisations" in r.json()["errors"][1]["message"]
    got = await stakeholders(session, a.tenant)
    assert got["By Id"].organisation_id == got["By Name"].organisation_id == got["Id Wins"].organisation_id \
        == bridport.id


async def test_an_owner_must_be_a_user_of_the_tenant(client, session, a, b):
    body = f"name,owner_id\nMine,{a.users['lead'].id}\nTheirs,{b.users['lead'].id}\n"
    r = await post(client, a["lead"], body, "?on_error=skip")
    assert r.json()["created"] == 1 and r.json()["errors"][0]["field"] == "owner_id"
    assert (await stakeholders(session, a.tenant))["Mine"].owner_id == a.users["lead"].id


async def test_another_tenants_records_are_never_matched(client, session, a, b):
    theirs = await factories.stakeholder(session, b.tenant, name="Theirs", external_id="CRM-1",
                                         email="margaret.okafor@example.org")
    await session.commit()
    r = await post(client, a["lead"], csv_text(PEOPLE, COLUMNS), "?on_conflict=update")
    assert r.json()["created"] == 2 and r.json()["updated"] == 0
    r = await post(client, a["lead"], csv_text(PEOPLE, COLUMNS), "?match=email&on_conflict=update")
    assert r.json()["updated"] == 2
    row = await session.get(Stakeholder, theirs.id, populate_existing=True)
    assert row.name == "Theirs" and row.version == 1
    assert await count(session, b.tenant) == 1


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_import(client, session, a, role):
    r = await post(client, a[role], csv_text(PEOPLE, COLUMNS))
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 0


async def test_anonymous_gets_401(client):
    r = await client.post(STAKEHOLDERS, content="name\nX\n", headers=CSV)
    assert r.status_code == 401


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "text/csv; charset=latin-1", ""])
async def test_other_media_types_get_415(client, session, a, content_type):
    r = await client.post(STAKEHOLDERS, content="name\nX\n", headers={**a["lead"], "Content-Type": content_type})
    assert r.status_code == 415
    assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 0


async def test_match_by_email_is_for_stakeholders_only(client, a):
    r = await client.post("/api/v1/imports/organisations?match=email", content="name\nX\n",
                          headers={**a["lead"], **CSV})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][:2] == ["query", "match"]


async def test_the_body_must_be_utf8(client, session, a):
    r = await post(client, a["lead"], "name\nJos\xe9\n".encode("latin-1"))
    assert r.status_code == 422 and "UTF-8" in r.json()["detail"]


async def test_an_import_row_cannot_link_to_an_archived_organisation(client, session, a):
    """As the API: no row joins an archived organisation, and a member's row naming it keeps the link."""
    org = await factories.organisation(session, a.tenant, name="Closed Surgery", external_id="ORG-X",
                                       archived_at=datetime(2026, 1, 5, tzinfo=UTC))
    await factories.stakeholder(session, a.tenant, name="Member", external_id="S-1", organisation_id=org.id)
    await factories.stakeholder(session, a.tenant, name="Outsider", external_id="S-2")
    await session.commit()
    body = csv_text([
        {"external_id": "S-1", "name": "Member", "organisation_external_id": "ORG-X", "job_title": "Chair"},
        {"external_id": "S-2", "name": "Outsider", "organisation_external_id": "ORG-X"},
        {"external_id": "S-3", "name": "Newcomer", "organisation_id": str(org.id)},
    ], ["external_id", "name", "organisation_id", "organisation_external_id", "job_title"])
    r = await post(client, a["lead"], body, "?on_conflict=update&on_error=skip")
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"]) == (0, 1)
    assert [(e["row"], e["field"], e["message"]) for e in r.json()["errors"]] == [
        (2, "organisation_external_id", ORGANISATION_ARCHIVED), (3, "organisation_id", ORGANISATION_ARCHIVED)]
    got = await stakeholders(session, a.tenant)
    assert got["Member"].organisation_id == org.id and got["Member"].job_title == "Chair"
    assert got["Outsider"].organisation_id is None and "Newcomer" not in got
