"""GET /exports/{resource}: the template's columns, formula cells neutralised, filters, tenancy, roles, audit,
and export → import is the identity."""

import json
from datetime import UTC, datetime

import pytest

from api.models import Stakeholder
from tests import factories
from tests.imports.support import (
    CSV,
    EXPORT_ORGANISATIONS,
    EXPORT_STAKEHOLDERS,
    NDJSON,
    ORGANISATIONS,
    READ_ONLY,
    STAKEHOLDERS,
    WRITERS,
    audit_events,
    parse_csv,
    without_ids,
)

CONSENT_DATE = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
FORMULAS = ["=HYPERLINK(\"http://evil.example\")", "+44 1308 422100", "-1", "@SUM(A1)", "\tindented", "'=quoted",
            "''+twice", "'plain apostrophe", "O'Brien", "\rreturn, with a comma"]


async def _register(session, tenant):
    """Organisations and stakeholders with every kind of value, formula-looking ones included."""
    org = await factories.organisation(session, tenant, name="=Bridport Medical Centre", external_id="-ORG-1")
    await factories.stakeholder(
        session, tenant, name="Margaret Okafor", external_id="CRM-1", email="Margaret@example.org",
        phone="+44 1308 422100", postcode="DT6 3NQ", categories=["patient", "carer"], organisation_id=org.id,
        preferred_channels=["email", "post"], communication_needs=["interpreter"], interpreter_language="Yoruba",
        contact_consent=True, consent_basis="consent", consent_recorded_at=CONSENT_DATE,
        tags=["=west", "a b", 'quote"d'], is_champion=True,
        address="1 High Street\nBridport", notes="\n".join(FORMULAS), job_title="@chair")
    for i, value in enumerate(FORMULAS):
        await factories.stakeholder(session, tenant, name=f"Formula {i}", external_id=f"F{i}", email=None,
                                    notes=value, job_title=value if value == value.strip() else None)
    await factories.stakeholder(session, tenant, name="Archived", external_id="ARC", email=None,
                                archived_at=org.created_at)
    await session.commit()


@pytest.mark.parametrize("role", WRITERS)
async def test_csv_export_has_the_templates_columns_in_creation_order(client, session, a, b, role):
    await _register(session, a.tenant)
    await factories.stakeholder(session, b.tenant, name="Other Tenant", external_id="CRM-1")
    await session.commit()
    r = await client.get(EXPORT_STAKEHOLDERS, headers=a[role])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    template = (await client.get("/api/v1/imports/stakeholders/template", headers=a[role])).text
    assert r.text.splitlines()[0] + "\n" == template
    rows = parse_csv(r.text)
    assert [row["name"] for row in rows] == ["Margaret Okafor"] + [f"Formula {i}" for i in range(len(FORMULAS))]
    assert r.headers["x-total-count"] == str(len(rows))
    margaret = rows[0]
    assert margaret["categories"] == "patient;carer" and margaret["tags"] == "'=west;a b;quote\"d"
    assert margaret["organisation_external_id"] == "'-ORG-1"
    assert margaret["organisation_name"] == "'=Bridport Medical Centre"
    assert margaret["phone"] == "'+44 1308 422100" and margaret["job_title"] == "'@chair"
    assert margaret["contact_consent"] == "true" and margaret["is_public_representative"] == "false"
    assert margaret["consent_recorded_at"] == "2025-03-01T09:30:00.000000+00:00" and margaret["owner_id"] == ""


async def test_formula_cells_get_one_apostrophe(client, session, a):
    await _register(session, a.tenant)
    rows = {row["name"]: row for row in parse_csv((await client.get(EXPORT_STAKEHOLDERS, headers=a["lead"])).text)}
    notes = [rows[f"Formula {i}"]["notes"] for i in range(len(FORMULAS))]
    assert notes == ["'=HYPERLINK(\"http://evil.example\")", "'+44 1308 422100", "'-1", "'@SUM(A1)", "'\tindented",
                     "''=quoted", "'''+twice", "'plain apostrophe", "O'Brien", "'\rreturn, with a comma"]


@pytest.mark.parametrize("fmt,content_type", [("csv", CSV), ("ndjson", NDJSON)])
async def test_export_then_import_is_the_identity(client, session, a, b, fmt, content_type):
    """Into the same tenant as an update (nothing changes), and into an empty tenant (organisations first):
    exporting again gives the same bytes."""
    await _register(session, a.tenant)
    first = (await client.get(f"{EXPORT_STAKEHOLDERS}?format={fmt}", headers=a["lead"])).text
    r = await client.post(f"{STAKEHOLDERS}?on_conflict=update", content=first, headers={**a["lead"], **content_type})
    assert r.status_code == 200 and r.json()["updated"] == 1 + len(FORMULAS), r.text
    versions = (await session.execute(
        Stakeholder.__table__.select().where(Stakeholder.tenant_id == a.tenant.id))).all()
    assert {row.name for row in versions if row.version != 1} == set()  # nothing really changed
    assert (await client.get(f"{EXPORT_STAKEHOLDERS}?format={fmt}", headers=a["lead"])).text == first

    organisations = (await client.get(f"{EXPORT_ORGANISATIONS}?format={fmt}", headers=a["lead"])).text
    r = await client.post(ORGANISATIONS, content=without_ids(organisations), headers={**b["lead"], **content_type})
    assert r.json()["created"] == 1, r.text
    r = await client.post(STAKEHOLDERS, content=without_ids(first), headers={**b["lead"], **content_type})
    assert r.json()["created"] == 1 + len(FORMULAS), r.text
    again = (await client.get(f"{EXPORT_STAKEHOLDERS}?format={fmt}", headers=b["lead"])).text
    assert without_ids(again) == without_ids(first) and again != first  # b's records have ids of their own


async def test_ndjson_export_has_the_same_keys(client, session, a):
    await _register(session, a.tenant)
    r = await client.get(f"{EXPORT_STAKEHOLDERS}?format=ndjson", headers=a["admin"])
    assert r.headers["content-type"] == "application/x-ndjson"
    rows = [json.loads(line) for line in r.text.splitlines()]
    template = (await client.get("/api/v1/imports/stakeholders/template", headers=a["admin"])).text
    assert list(rows[0]) == template.strip().split(",")
    assert rows[0]["tags"] == ["=west", "a b", 'quote"d'] and rows[0]["notes"].startswith("=HYPERLINK")


async def test_archived_rows_only_when_asked_and_filters_apply(client, session, a):
    await _register(session, a.tenant)
    archived = parse_csv((await client.get(f"{EXPORT_STAKEHOLDERS}?archived=true", headers=a["lead"])).text)
    assert [row["name"] for row in archived] == ["Archived"]
    carers = parse_csv((await client.get(f"{EXPORT_STAKEHOLDERS}?category=carer", headers=a["lead"])).text)
    assert [row["name"] for row in carers] == ["Margaret Okafor"]
    found = parse_csv((await client.get(f"{EXPORT_STAKEHOLDERS}?q=formula%203", headers=a["lead"])).text)
    assert [row["name"] for row in found] == ["Formula 3"]


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_export(client, session, a, role):
    await _register(session, a.tenant)
    for url in (EXPORT_STAKEHOLDERS, EXPORT_ORGANISATIONS):
        r = await client.get(url, headers=a[role])
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
        assert "Margaret" not in r.text
    assert await audit_events(session, a.tenant, "export") == []


async def test_one_audit_event_per_export_without_personal_data(client, session, a):
    await _register(session, a.tenant)
    r = await client.get(f"{EXPORT_STAKEHOLDERS}?email=margaret@example.org&champion=true", headers=a["admin"])
    assert len(parse_csv(r.text)) == 1
    events = await audit_events(session, a.tenant, "export")
    assert len(events) == 1
    event = events[0]
    assert event.resource_type == "stakeholder" and event.actor_id == a.users["admin"].id
    assert event.changes == {"format": "csv", "rows": 1,
                             "filters": {"email": "[personal data]", "champion": True}}


async def test_organisations_export(client, session, a, b):
    org = await factories.organisation(session, a.tenant, name="Bridport Medical Centre", external_id="ORG-1",
                                       tags=["west", "gp"], website="https://bmc.example.org")
    await factories.organisation(session, b.tenant, name="Not Ours")
    await session.commit()
    r = await client.get(EXPORT_ORGANISATIONS, headers=a["lead"])
    rows = parse_csv(r.text)
    assert rows == [{"id": str(org.id), "external_id": "ORG-1", "name": "Bridport Medical Centre",
                     "kind": "gp_practice", "email": "", "phone": "", "website": "https://bmc.example.org",
                     "address": "", "postcode": "", "notes": "", "tags": "west;gp"}]


@pytest.mark.parametrize("url", [
    f"{EXPORT_STAKEHOLDERS}?not_engaged_since=0",  # pydantic alone would take it for a Unix timestamp
    f"{EXPORT_STAKEHOLDERS}?not_engaged_since=20250301",  # the list's rule: YYYY-MM-DD only
    f"{EXPORT_STAKEHOLDERS}?min_interest=9",
    f"{EXPORT_STAKEHOLDERS}?format=xml",
    f"{EXPORT_ORGANISATIONS}?kind=castle",
    "/api/v1/exports/activities?method=telepathy",
    "/api/v1/exports/feedback?plan_id=not-a-uuid",
])
async def test_bad_filters_are_refused_before_anything_is_audited(client, session, a, url):
    await _register(session, a.tenant)
    r = await client.get(url, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert "Margaret" not in r.text
    assert await audit_events(session, a.tenant, "export") == []


@pytest.mark.parametrize("url,unknown", [
    (f"{EXPORT_STAKEHOLDERS}?catgory=carer", ["catgory"]),  # a typo would otherwise export the whole register
    (f"{EXPORT_STAKEHOLDERS}?format=csv&category=carer&Category=patient&sort=name", ["Category", "sort"]),
    (f"{EXPORT_ORGANISATIONS}?knd=gp_practice", ["knd"]),
    ("/api/v1/exports/activities?stauts=done", ["stauts"]),
    ("/api/v1/exports/feedback?limit=10&cursor=x", ["cursor", "limit"]),  # a list's paging: an export has none
])
async def test_an_unknown_query_parameter_is_refused_not_ignored(client, session, a, url, unknown):
    await _register(session, a.tenant)
    r = await client.get(url, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["query", name] for name in unknown]
    assert "Margaret" not in r.text
    assert await audit_events(session, a.tenant, "export") == []


@pytest.mark.parametrize("url", [f"{EXPORT_STAKEHOLDERS}?category=carer&category=patient",  # was patients only
                                 f"{EXPORT_STAKEHOLDERS}?format=ndjson&format=csv"])
async def test_a_query_parameter_given_twice_is_refused_not_taken_at_its_last_value(client, session, a, url):
    await _register(session, a.tenant)
    r = await client.get(url, headers=a["lead"])
    assert r.status_code == 422 and "Repeated query parameter" in r.json()["detail"], r.text
    assert "Margaret" not in r.text
    assert await audit_events(session, a.tenant, "export") == []


@pytest.mark.parametrize("role", READ_ONLY)
async def test_a_role_that_may_not_export_gets_its_403_whatever_the_parameters(client, a, role):
    r = await client.get(f"{EXPORT_STAKEHOLDERS}?catgory=carer", headers=a[role])
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"


async def test_every_filter_an_export_documents_is_known(client, session, app, a):
    """The check reads the operation's parameters, its dependencies' included: each documented one passes it."""
    spec = app.openapi()["paths"]
    for path in ("/api/v1/exports/stakeholders", "/api/v1/exports/organisations", "/api/v1/exports/activities",
                 "/api/v1/exports/feedback", "/api/v1/exports/attendance"):
        names = [p["name"] for p in spec[path]["get"]["parameters"] if p["in"] == "query"]
        assert len(names) > 3, path
        r = await client.get(path, params={name: "x" for name in names}, headers=a["lead"])
        unknown = [e for e in r.json().get("errors", []) if e.get("type") == "extra_forbidden"]
        assert unknown == [], (path, unknown)
        assert r.status_code == 422  # "x" is no valid value for most of them: refused by the filters themselves


async def test_another_tenants_ids_export_nothing(client, session, a, b):
    await _register(session, a.tenant)
    theirs = await factories.organisation(session, b.tenant, name="Theirs")
    await factories.stakeholder(session, b.tenant, name="Their Person", organisation_id=theirs.id)
    await session.commit()
    for url in (f"{EXPORT_STAKEHOLDERS}?organisation_id={theirs.id}",
                f"/api/v1/exports/feedback?plan_id={theirs.id}"):
        r = await client.get(url, headers=a["lead"])
        assert r.status_code == 200 and r.headers["x-total-count"] == "0", r.text
        assert len(r.text.splitlines()) == 1 and "Their Person" not in r.text


async def test_audited_filters_flatten_the_score_filters(client, session, a):
    await _register(session, a.tenant)
    r = await client.get(f"{EXPORT_STAKEHOLDERS}?archived=true&min_interest=2&format=ndjson", headers=a["lead"])
    assert r.status_code == 200
    r = await client.get("/api/v1/exports/activities?status=done", headers=a["lead"])
    assert r.status_code == 200
    events = await audit_events(session, a.tenant, "export")
    assert [e.changes for e in events] == [
        {"format": "ndjson", "rows": 0, "filters": {"archived": True, "min_interest": 2}},
        {"format": "csv", "rows": 0, "filters": {"status": "done"}},
    ]


async def test_an_export_records_what_was_typed_into_its_filters_as_given_never_its_value(client, session, a):
    """A feedback theme, a search, a tag or an external id is text the caller typed, which may name a person (themes
    do: the feedback module treats them as personal). The trail, which an erasure cannot change, records that it was
    given; a choice from a list, an id, a date, a yes/no or a score in clear."""
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    r = await client.get("/api/v1/exports/feedback", headers=a["lead"], params={
        "theme": "Annabel Quaintance complaint", "q": "Quaintance", "external_id": "QUAINTANCE-1", "status": "received",
        "plan_id": str(plan.id), "received_from": "2026-01-01", "overdue": "false"})
    assert r.status_code == 200, r.text
    r = await client.get(EXPORT_STAKEHOLDERS, params={"tag": "quaintance-family", "min_interest": 2},
                         headers=a["lead"])
    assert r.status_code == 200, r.text
    feedback, people = await audit_events(session, a.tenant, "export")
    assert feedback.changes["filters"] == {
        "theme": "[personal data]", "q": "[personal data]", "external_id": "[personal data]", "status": "received",
        "plan_id": str(plan.id), "received_from": "2026-01-01", "overdue": False}
    assert people.changes["filters"] == {"tag": "[personal data]", "min_interest": 2}
    assert "quaintance" not in str([feedback.changes, people.changes]).lower()


@pytest.mark.parametrize("resource", ["stakeholders", "organisations", "activities", "feedback"])
async def test_an_export_takes_every_filter_of_its_list(app, resource):
    spec = app.openapi()["paths"]
    paging = {"limit", "cursor", "sort", "include_total"}

    def query(path: str) -> set[str]:
        return {p["name"] for p in spec[path]["get"]["parameters"] if p["in"] == "query"}

    assert query(f"/api/v1/{resource}") - paging <= query(f"/api/v1/exports/{resource}")


async def test_engagement_exports_filter_as_their_lists(client, session, a):
    early = await factories.activity(session, a.tenant, title="Bus forum", starts_at=datetime(2026, 2, 1, tzinfo=UTC))
    await factories.activity(session, a.tenant, title="Clinic walk", starts_at=datetime(2026, 6, 1, tzinfo=UTC))
    late = await factories.feedback(session, a.tenant, text="Later buses please", themes=["transport"])
    await factories.feedback(session, a.tenant, text="Parking", themes=["access"])
    await session.commit()
    for query, want in (("activities?starts_to=2026-03-01&q=bus", early.id),
                        ("feedback?theme=transport&q=buses", late.id),
                        ("feedback?theme=transport&overdue=true", late.id)):  # overdue: an IN list (COPY's SQL)
        for fmt in ("csv", "ndjson"):
            r = await client.get(f"/api/v1/exports/{query}&format={fmt}", headers=a["lead"])
            assert r.status_code == 200, (query, r.text)
            rows = parse_csv(r.text) if fmt == "csv" else [json.loads(line) for line in r.text.splitlines()]
            items = (await client.get(f"/api/v1/{query}", headers=a["lead"])).json()["items"]
            assert [row["id"] for row in rows] == [item["id"] for item in items] == [str(want)], (query, fmt)
