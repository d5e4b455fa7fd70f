"""GET /exports/attendance, and attendance rows that name activities and stakeholders by id: the lines of the
activities' logs export → import unchanged, even for activities and people without an external id; a restricted
person's lines never leave; filters, roles, tenancy, audit."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select

from api.models import Activity, ActivityAttendance
from tests import factories
from tests.imports.support import (
    CSV,
    NDJSON,
    READ_ONLY,
    WRITERS,
    audit_events,
    parse_csv,
    post_import,
)

EXPORT = "/api/v1/exports/attendance"
COLUMNS = ["activity_external_id", "activity_id", "stakeholder_external_id", "stakeholder_email", "stakeholder_id",
           "invited", "attended", "role"]
ARCHIVED = datetime(2026, 1, 5, tzinfo=UTC)


async def _logs(session, tenant):
    """Two activities (one without an external id), three people (one without external id or email), a restricted
    person's line, and an archived activity's line."""
    with_key = await factories.activity(session, tenant, external_id="ACT-1")
    keyless = await factories.activity(session, tenant, external_id=None)
    archived = await factories.activity(session, tenant, external_id="ACT-OLD", archived_at=ARCHIVED)
    ann = await factories.stakeholder(session, tenant, name="Ann Lee", external_id="CRM-1", email="Ann@example.org")
    bob = await factories.stakeholder(session, tenant, name="Bob Keyless", external_id=None, email=None)
    rita = await factories.stakeholder(session, tenant, name="Rita Restricted", external_id="CRM-R",
                                       email="rita@example.org", restricted_at=ARCHIVED)
    await factories.attendance(session, with_key, ann, invited=True, attended=False, role="=chair")
    await factories.attendance(session, with_key, bob, invited=False, attended=True)
    await factories.attendance(session, keyless, bob, invited=True, attended=True, role="speaker, host")
    await factories.attendance(session, keyless, rita, invited=True, attended=True)
    await factories.attendance(session, archived, ann, invited=True, attended=True)
    await session.commit()
    return with_key, keyless, archived, ann, bob, rita


async def _lines(session, tenant) -> dict[tuple, tuple]:
    rows = (await session.execute(select(ActivityAttendance).where(ActivityAttendance.tenant_id == tenant.id)
                                  .execution_options(populate_existing=True))).scalars()
    return {(r.activity_id, r.stakeholder_id): (r.invited, r.attended, r.role) for r in rows}


def _expected_row(activity, person, invited, attended, role=""):
    return {"activity_external_id": activity.external_id or "", "activity_id": str(activity.id),
            "stakeholder_external_id": person.external_id or "", "stakeholder_email": person.email or "",
            "stakeholder_id": str(person.id), "invited": str(invited).lower(), "attended": str(attended).lower(),
            "role": role}


@pytest.mark.parametrize("role", WRITERS)
async def test_the_export_has_the_templates_columns_and_leaves_out_restricted_people(client, session, a, b, role):
    with_key, keyless, _, ann, bob, _ = await _logs(session, a.tenant)
    await _logs(session, b.tenant)
    template = (await client.get("/api/v1/imports/attendance/template", headers=a["viewer"])).text
    assert template == ",".join(COLUMNS) + "\n"
    r = await client.get(EXPORT, headers=a[role])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv") and r.headers["x-total-count"] == "3"
    assert r.text.splitlines()[0] == ",".join(COLUMNS)
    expected = sorted([_expected_row(with_key, ann, True, False, "'=chair"),
                       _expected_row(with_key, bob, False, True),
                       _expected_row(keyless, bob, True, True, "speaker, host")],
                      key=lambda row: (row["activity_id"], row["stakeholder_id"]))
    assert sorted(parse_csv(r.text), key=lambda row: (row["activity_id"], row["stakeholder_id"])) == expected
    assert "Rita" not in r.text and "rita@" not in r.text and "CRM-R" not in r.text


@pytest.mark.parametrize("fmt,content_type", [("csv", CSV), ("ndjson", NDJSON)])
async def test_export_then_import_is_the_identity(client, session, a, fmt, content_type):
    _, keyless, archived, ann, _, rita = await _logs(session, a.tenant)
    before = await _lines(session, a.tenant)
    export = (await client.get(f"{EXPORT}?format={fmt}", headers=a["lead"])).text
    again = await post_import(client, "attendance", a["lead"], export, "?on_conflict=update", content_type)
    assert again.status_code == 200, again.text
    assert again.json()["updated"] == 3 and again.json()["failed"] == 0
    assert await _lines(session, a.tenant) == before
    await session.execute(delete(ActivityAttendance).where(ActivityAttendance.tenant_id == a.tenant.id))
    await session.commit()
    restored = await post_import(client, "attendance", a["contributor"], export, "", content_type)
    assert restored.status_code == 200, restored.text
    assert restored.json()["created"] == 3
    left_out = {(keyless.id, rita.id), (archived.id, ann.id)}  # restricted; an archived activity's
    assert await _lines(session, a.tenant) == {k: v for k, v in before.items() if k not in left_out}


async def test_filters_select_lines_and_archived_activities_only_when_asked(client, session, a):
    with_key, keyless, archived, ann, bob, _ = await _logs(session, a.tenant)
    cases = {f"?activity_id={keyless.id}": {(str(keyless.id), str(bob.id))},
             f"?stakeholder_id={bob.id}": {(str(with_key.id), str(bob.id)), (str(keyless.id), str(bob.id))},
             f"?stakeholder_id={ann.id}&archived=true": {(str(archived.id), str(ann.id))},
             f"?activity_id={keyless.id}&stakeholder_id={ann.id}": set()}
    for query, expected in cases.items():
        r = await client.get(f"{EXPORT}{query}", headers=a["admin"])
        assert r.status_code == 200, (query, r.text)
        assert {(row["activity_id"], row["stakeholder_id"]) for row in parse_csv(r.text)} == expected, query
    events = await audit_events(session, a.tenant, "export")
    assert [e.resource_type for e in events] == ["attendance"] * 4
    assert events[2].changes == {"format": "csv", "rows": 1,
                                 "filters": {"stakeholder_id": str(ann.id), "archived": True}}


@pytest.mark.parametrize("role", READ_ONLY)
async def test_roles_that_may_not_export_get_403_and_nothing_is_audited(client, session, a, role):
    await _logs(session, a.tenant)
    r = await client.get(EXPORT, headers=a[role])
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert await audit_events(session, a.tenant, "export") == []


async def test_another_tenants_activity_exports_nothing(client, session, a, b):
    await _logs(session, a.tenant)
    theirs, *_ = await _logs(session, b.tenant)
    r = await client.get(f"{EXPORT}?activity_id={theirs.id}", headers=a["lead"])
    assert r.status_code == 200 and r.headers["x-total-count"] == "0"
    assert r.text == ",".join(COLUMNS) + "\n"


@pytest.mark.parametrize("query", ["?activity_id=nope", "?format=xml", "?actvity_id=x", "?status=done"])
async def test_bad_or_unknown_parameters_are_refused(client, session, a, query):
    await _logs(session, a.tenant)
    r = await client.get(f"{EXPORT}{query}", headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert await audit_events(session, a.tenant, "export") == []


# --- attendance rows naming records by id ---------------------------------------------------------------------

async def test_an_activity_and_a_person_without_external_ids_are_found_by_id(client, session, a):
    keyless = await factories.activity(session, a.tenant, external_id=None)
    bob = await factories.stakeholder(session, a.tenant, external_id=None, email=None)
    await session.commit()
    version = keyless.version
    body = f"activity_id,stakeholder_id,attended\n{keyless.id},{bob.id},true\n"
    r = await post_import(client, "attendance", a["contributor"], body)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    assert await _lines(session, a.tenant) == {(keyless.id, bob.id): (False, True, None)}
    fresh = (await session.execute(select(Activity).where(Activity.id == keyless.id)
                                   .execution_options(populate_existing=True))).scalar_one()
    assert fresh.version == version + 1


async def test_ids_must_be_the_tenants_and_agree_with_the_other_keys(client, session, a, b):
    activity = await factories.activity(session, a.tenant, external_id="ACT-1")
    other_activity = await factories.activity(session, a.tenant, external_id="ACT-2")
    ann = await factories.stakeholder(session, a.tenant, external_id="CRM-1", email="ann@example.org")
    bob = await factories.stakeholder(session, a.tenant, external_id="CRM-2", email=None)
    theirs = await factories.activity(session, b.tenant, external_id="ACT-1")
    their_person = await factories.stakeholder(session, b.tenant, external_id="CRM-1")
    await session.commit()
    body = ("activity_id,activity_external_id,stakeholder_id,stakeholder_external_id,stakeholder_email,attended\n"
            f"{theirs.id},,{ann.id},,,true\n"                       # another tenant's activity
            f"{activity.id},,{their_person.id},,,true\n"            # another tenant's person
            f"{activity.id},ACT-2,{ann.id},,,true\n"                # the external id names another activity
            f"{activity.id},,{bob.id},,ann@example.org,true\n"      # the email names another person
            ",,,CRM-2,,true\n"                                       # no activity at all
            f"{activity.id},,,,,true\n"                              # no stakeholder at all
            f"{other_activity.id},ACT-2,{ann.id},CRM-1,ANN@example.org,true\n")  # all agree: fine alone
    r = await post_import(client, "attendance", a["lead"], body)
    assert r.status_code == 422, r.text
    assert sorted((e["row"], e["field"]) for e in r.json()["errors"]) == [
        (1, "activity_id"), (2, "stakeholder_id"), (3, "activity_external_id"), (4, "stakeholder_email"),
        (5, "activity_external_id"), (6, "stakeholder_external_id")]
    assert "Field required (or activity_id)" in r.text
    assert await _lines(session, a.tenant) == {}
    assert await _lines(session, b.tenant) == {}
    fine = body.splitlines()[0] + "\n" + body.splitlines()[-1] + "\n"
    r = await post_import(client, "attendance", a["lead"], fine)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    assert await _lines(session, a.tenant) == {(other_activity.id, ann.id): (False, True, None)}


async def test_no_new_line_for_a_restricted_person_as_through_the_log(client, session, a):
    with_key, keyless, _, _, _, rita = await _logs(session, a.tenant)
    new_line = f"activity_id,stakeholder_external_id,attended\n{with_key.id},CRM-R,true\n"
    r = await post_import(client, "attendance", a["lead"], new_line, "?on_conflict=update")
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, "stakeholder_external_id")]
    # To all but an admin a restricted person is unknown: not even that they are restricted is said
    assert r.json()["errors"][0]["message"] == "No stakeholder with this external_id in your tenant", r.text
    assert "rita" not in r.text.lower()
    api = await client.post(f"/api/v1/activities/{with_key.id}/attendance", headers=a["lead"],
                            json={"entries": [{"stakeholder_id": str(rita.id), "attended": True}]})
    assert api.status_code == 422 and api.json()["errors"][0]["type"] == "reference_not_found"  # as the import
    r = await post_import(client, "attendance", a["admin"], new_line, "?on_conflict=update")
    assert r.status_code == 422 and "restricted" in r.json()["errors"][0]["message"], r.text  # an admin is told
    existing = f"activity_id,stakeholder_id,invited,role\n{keyless.id},{rita.id},false,observer\n"
    r = await post_import(client, "attendance", a["lead"], existing, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert (await _lines(session, a.tenant))[(keyless.id, rita.id)] == (False, True, "observer")
