"""POST /imports/activities, /imports/feedback and /imports/attendance, and their exports: references by
external id, roles (contributors log engagement), other tenants' references, broken rows, one audit event."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import Activity, ActivityAttendance, Feedback
from tests import factories
from tests.imports.support import CSV, NDJSON, audit_events, count, csv_text, parse_csv

ACTIVITIES = "/api/v1/imports/activities"
FEEDBACK = "/api/v1/imports/feedback"
ATTENDANCE = "/api/v1/imports/attendance"
LOGGERS = ("admin", "lead", "contributor")
NOT_LOGGERS = ("viewer", "auditor")


def post(client, url, headers, body, query="", content_type=CSV):
    return client.post(f"{url}{query}", content=body, headers={**headers, **content_type})


async def _fresh(session, model, tenant):
    rows = (await session.execute(select(model).where(model.tenant_id == tenant.id)
                                  .execution_options(populate_existing=True))).scalars().all()
    return list(rows)


async def _world(session, tenant):
    plan = await factories.plan(session, tenant, external_id="PLAN-1")
    person = await factories.stakeholder(session, tenant, external_id="CRM-1", email="Ann.Lee@Example.org")
    other = await factories.stakeholder(session, tenant, external_id="CRM-2")
    activity = await factories.activity(session, tenant, external_id="ACT-1", plan_id=plan.id)
    return plan, person, other, activity


ACTIVITY_ROWS = [
    {"external_id": "ACT-10", "title": "Bridport PPG briefing", "method": "briefing", "level": "consult",
     "audience_categories": ["patient", "carer"], "plan_external_id": "PLAN-1", "status": "done",
     "starts_at": "2026-03-10T14:00:00+00:00", "ends_at": "2026-03-10T16:00:00+00:00", "cost_pence": "1250",
     "unnamed_attendees": "12", "accessible_formats": ["translation", "large_print"],
     "translation_languages": ["Polish"]},
    {"external_id": "ACT-11", "title": "Newsletter article", "method": "newsletter_article",
     "starts_at": "2026-04-01T09:00:00+01:00", "recipients": "4000"},
]
ACTIVITY_COLUMNS = ["external_id", "title", "method", "level", "audience_categories", "plan_external_id", "status",
                    "starts_at", "ends_at", "cost_pence", "unnamed_attendees", "accessible_formats",
                    "translation_languages", "recipients"]


# --- activities ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", LOGGERS)
async def test_activities_import_creates_them_with_their_plan(client, session, a, role):
    plan, *_ = await _world(session, a.tenant)
    r = await post(client, ACTIVITIES, a[role], csv_text(ACTIVITY_ROWS, ACTIVITY_COLUMNS))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2 and r.json()["failed"] == 0
    got = {row.external_id: row for row in await _fresh(session, Activity, a.tenant)}
    briefing = got["ACT-10"]
    assert briefing.plan_id == plan.id and briefing.cost_pence == 1250 and briefing.unnamed_attendees == 12
    assert briefing.audience_categories == ["patient", "carer"] and briefing.translation_languages == ["Polish"]
    assert briefing.created_by == a.users[role].id and briefing.version == 1
    assert got["ACT-11"].level == "inform" and got["ACT-11"].status == "planned" and got["ACT-11"].recipients == 4000
    assert got["ACT-11"].starts_at == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    read = (await client.get(f"/api/v1/activities/{briefing.id}", headers=a["viewer"])).json()
    assert read["attended_count"] == 12 and read["plan_id"] == str(plan.id)


@pytest.mark.parametrize("role", NOT_LOGGERS)
async def test_viewers_and_auditors_may_not_import_activities(client, session, a, role):
    await _world(session, a.tenant)
    r = await post(client, ACTIVITIES, a[role], csv_text(ACTIVITY_ROWS, ACTIVITY_COLUMNS))
    assert r.status_code == 403
    assert await count(session, a.tenant, Activity) == 1


async def test_an_activity_import_updates_by_external_id_and_moves_the_version(client, session, a):
    *_, activity = await _world(session, a.tenant)
    version = activity.version
    body = "external_id,title,outcome_summary\nACT-1,Renamed focus group,Three changes agreed\n"
    r = await post(client, ACTIVITIES, a["contributor"], body, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1
    [row] = await _fresh(session, Activity, a.tenant)
    assert row.title == "Renamed focus group" and row.outcome_summary == "Three changes agreed"
    assert row.version == version + 1 and row.method == "focus_group"


async def test_another_tenants_plan_is_a_row_error_and_nothing_is_written(client, session, a, b):
    await factories.plan(session, b.tenant, external_id="PLAN-B")
    body = ("external_id,title,method,starts_at,plan_external_id\n"
            "ACT-1,Good,survey,2026-03-10T10:00:00Z,\n"
            "ACT-2,Other tenant's plan,survey,2026-03-10T10:00:00Z,PLAN-B\n")
    r = await post(client, ACTIVITIES, a["lead"], body)
    assert r.status_code == 422
    assert r.json()["errors"][0] | {"loc": None} == {
        "loc": None, "msg": "No plan with this external_id in your tenant", "type": "import", "row": 2,
        "field": "plan_external_id", "message": "No plan with this external_id in your tenant"}
    assert await count(session, a.tenant, Activity) == 0


async def test_broken_activity_rows_are_each_reported(client, session, a):
    body = ("external_id,title,method,starts_at,ends_at,translation_languages,cost_pence\n"
            "ACT-1,No method,,2026-03-10T10:00:00Z,,,\n"
            "ACT-2,Ends first,survey,2026-03-10T10:00:00Z,2026-03-09T10:00:00Z,,\n"
            "ACT-3,Languages alone,survey,2026-03-10T10:00:00Z,,Polish,\n"
            "ACT-4,Bad cost,survey,not a date,,,-5\n"
            "ACT-5,Fine,survey,2026-03-10T10:00:00Z,,,\n")
    r = await post(client, ACTIVITIES, a["lead"], body)
    assert r.status_code == 422
    fields = {(e["row"], e["field"]) for e in r.json()["errors"]}
    assert {(1, "method"), (2, "ends_at"), (3, "translation_languages"), (4, "starts_at"),
            (4, "cost_pence")} <= fields
    assert r.json()["failed"] == 4 and await count(session, a.tenant, Activity) == 0
    skipped = await post(client, ACTIVITIES, a["lead"], body, "?on_error=skip")
    assert skipped.status_code == 200 and skipped.json()["created"] == 1
    assert [row.external_id for row in await _fresh(session, Activity, a.tenant)] == ["ACT-5"]


async def test_activities_export_imports_back_unchanged(client, session, a, b):
    await _world(session, a.tenant)
    assert (await post(client, ACTIVITIES, a["lead"], csv_text(ACTIVITY_ROWS, ACTIVITY_COLUMNS))).status_code == 200
    exported = await client.get("/api/v1/exports/activities", headers=a["lead"])
    assert exported.status_code == 200
    rows = parse_csv(exported.text)
    assert len(rows) == 3
    template = (await client.get(f"{ACTIVITIES}/template", headers=a["viewer"])).text
    assert exported.text.splitlines()[0] == template.strip()
    briefing = next(r for r in rows if r["external_id"] == "ACT-10")
    assert briefing["plan_external_id"] == "PLAN-1" and briefing["cost_pence"] == "1250"
    assert briefing["accessible_formats"] == "translation;large_print"
    again = await post(client, ACTIVITIES, a["lead"], exported.text, "?on_conflict=update")
    assert again.status_code == 200 and again.json()["updated"] == 3
    assert {row.version for row in await _fresh(session, Activity, a.tenant)} == {1}  # nothing really changed
    assert (await client.get("/api/v1/exports/activities", headers=b["lead"])).text == template


# --- feedback -----------------------------------------------------------------------------------------

FEEDBACK_ROWS = [
    {"external_id": "FB-1", "received_at": "2026-03-10T15:00:00+00:00", "channel": "email", "type": "suggestion",
     "text": "Evening clinics, please", "stakeholder_external_id": "CRM-1", "activity_external_id": "ACT-1",
     "themes": ["access"]},
    {"external_id": "FB-2", "text": "Parking is hard", "stakeholder_email": "ann.lee@example.org",
     "plan_external_id": "PLAN-1"},
    {"text": "Anonymous card from the event"},
]


@pytest.mark.parametrize("role", LOGGERS)
async def test_feedback_import_links_people_activities_and_plans(client, session, a, role):
    plan, person, _, activity = await _world(session, a.tenant)
    body = "\n".join(json.dumps(row) for row in FEEDBACK_ROWS)
    r = await post(client, FEEDBACK, a[role], body, content_type=NDJSON)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 3
    got = {row.text: row for row in await _fresh(session, Feedback, a.tenant)}
    first = got["Evening clinics, please"]
    assert first.stakeholder_id == person.id and first.activity_id == activity.id
    assert first.plan_id == plan.id  # from the activity
    assert first.status == "received" and first.themes == ["access"] and first.publishable is False
    assert first.response_due_at > first.received_at
    assert got["Parking is hard"].stakeholder_id == person.id and got["Parking is hard"].plan_id == plan.id
    anonymous = got["Anonymous card from the event"]
    assert anonymous.stakeholder_id is None and anonymous.channel == "other" and anonymous.type == "comment"
    read = (await client.get(f"/api/v1/feedback/{first.id}", headers=a["lead"]))
    assert read.status_code == 200 and read.json()["status"] == "received"


@pytest.mark.parametrize("role", NOT_LOGGERS)
async def test_viewers_and_auditors_may_not_import_feedback(client, session, a, role):
    r = await post(client, FEEDBACK, a[role], "text\nHello\n")
    assert r.status_code == 403 and await count(session, a.tenant, Feedback) == 0


async def test_only_leads_mark_imported_feedback_publishable(client, session, a):
    body = "text,publishable_summary,publishable\nPlease add ramps,Step-free access asked for,true\n"
    refused = await post(client, FEEDBACK, a["contributor"], body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "publishable"
    no_summary = await post(client, FEEDBACK, a["lead"], "text,publishable\nPlease add ramps,true\n")
    assert no_summary.status_code == 422 and no_summary.json()["errors"][0]["field"] == "publishable_summary"
    assert await count(session, a.tenant, Feedback) == 0
    assert (await post(client, FEEDBACK, a["lead"], body)).status_code == 200
    [row] = await _fresh(session, Feedback, a.tenant)
    assert row.publishable is True


async def test_a_contributor_reimports_marked_feedback_but_may_not_reword_or_unmark_it(client, session, a):
    body = "external_id,text,publishable_summary,publishable,themes\nFB-1,Please add ramps,Step-free access,true,\n"
    assert (await post(client, FEEDBACK, a["lead"], body)).status_code == 200
    same = await post(client, FEEDBACK, a["contributor"], body.replace(",\n", ",access\n"), "?on_conflict=update")
    assert same.status_code == 200 and same.json()["updated"] == 1
    for changed, field in ((body.replace("Step-free access", "Ramps"), "publishable_summary"),
                           (body.replace("true", "false"), "publishable")):
        r = await post(client, FEEDBACK, a["contributor"], changed, "?on_conflict=update")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    [row] = await _fresh(session, Feedback, a.tenant)
    assert (row.publishable, row.publishable_summary, row.themes) == (True, "Step-free access", ["access"])


async def test_feedback_referring_to_another_tenant_fails_per_row(client, session, a, b):
    await _world(session, b.tenant)
    body = ("text,stakeholder_external_id,activity_external_id,plan_external_id\n"
            "One,CRM-1,,\nTwo,,ACT-1,\nThree,,,PLAN-1\n")
    r = await post(client, FEEDBACK, a["lead"], body)
    assert r.status_code == 422
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [
        (1, "stakeholder_external_id"), (2, "activity_external_id"), (3, "plan_external_id")]
    assert await count(session, a.tenant, Feedback) == 0 and await count(session, b.tenant, Feedback) == 0


async def test_reimporting_received_at_moves_the_due_date(client, session, a):
    body = "external_id,text,received_at\nFB-1,Hello,2026-03-10T15:00:00Z\n"
    assert (await post(client, FEEDBACK, a["lead"], body)).status_code == 200
    [before] = await _fresh(session, Feedback, a.tenant)
    due = before.response_due_at
    later = body.replace("2026-03-10", "2026-04-10")
    r = await post(client, FEEDBACK, a["lead"], later, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1
    [after] = await _fresh(session, Feedback, a.tenant)
    assert after.response_due_at > due and after.version == 2 and after.text == "Hello"


async def test_feedback_export_round_trips(client, session, a):
    await _world(session, a.tenant)
    body = "\n".join(json.dumps(row) for row in FEEDBACK_ROWS)
    assert (await post(client, FEEDBACK, a["lead"], body, content_type=NDJSON)).status_code == 200
    exported = await client.get("/api/v1/exports/feedback", headers=a["lead"])
    assert exported.status_code == 200
    rows = parse_csv(exported.text)
    assert len(rows) == 3 and {r["stakeholder_external_id"] for r in rows} == {"CRM-1", ""}
    assert (await client.get("/api/v1/exports/feedback", headers=a["contributor"])).status_code == 403
    with_ids = [r for r in rows if r["external_id"]]
    again = await post(client, FEEDBACK, a["lead"], csv_text(with_ids, list(rows[0])), "?on_conflict=update")
    assert again.status_code == 200 and again.json()["updated"] == 2
    assert {row.version for row in await _fresh(session, Feedback, a.tenant)} == {1}


# --- attendance ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", LOGGERS)
async def test_attendance_import_logs_lines_and_moves_the_activitys_version(client, session, a, role):
    _, person, other, activity = await _world(session, a.tenant)
    version = activity.version
    body = ("activity_external_id,stakeholder_external_id,stakeholder_email,invited,attended,role\n"
            "ACT-1,CRM-1,,true,true,speaker\n"
            "ACT-1,,ANN.LEE@example.org,,,\n"  # the same person by email: refused as a repeat
            "ACT-1,CRM-2,,,true,\n")
    r = await post(client, ATTENDANCE, a[role], body)
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 2
    fixed = body.replace("ACT-1,,ANN.LEE@example.org,,,\n", "")
    r = await post(client, ATTENDANCE, a[role], fixed)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    lines = {line.stakeholder_id: line for line in (await session.execute(
        select(ActivityAttendance).execution_options(populate_existing=True))).scalars()}
    assert lines[person.id].role == "speaker" and lines[person.id].invited and lines[person.id].attended
    assert lines[other.id].attended and not lines[other.id].invited
    [fresh] = await _fresh(session, Activity, a.tenant)
    assert fresh.version == version + 1 and fresh.updated_by == a.users[role].id
    log = (await client.get(f"/api/v1/activities/{activity.id}", headers=a["lead"])).json()
    assert log["attended_count"] == 2 and log["invited_count"] == 1
    assert len(await audit_events(session, a.tenant, "import")) == 1


@pytest.mark.parametrize("role", NOT_LOGGERS)
async def test_viewers_and_auditors_may_not_import_attendance(client, session, a, role):
    await _world(session, a.tenant)
    body = "activity_external_id,stakeholder_external_id,attended\nACT-1,CRM-1,true\n"
    r = await post(client, ATTENDANCE, a[role], body)
    assert r.status_code == 403


async def test_attendance_matches_existing_lines(client, session, a):
    _, person, other, activity = await _world(session, a.tenant)
    await factories.attendance(session, activity, person, invited=True, attended=False)
    body = "activity_external_id,stakeholder_external_id,attended\nACT-1,CRM-1,true\nACT-1,CRM-2,true\n"
    refused = await post(client, ATTENDANCE, a["lead"], body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["row"] == 1
    skipped = await post(client, ATTENDANCE, a["lead"], body, "?on_conflict=skip")
    assert skipped.json() | {"errors": None, "body_sha256": None} == {
        "resource": "attendance", "format": "csv", "dry_run": False, "rows": 2, "created": 1, "updated": 0,
        "skipped": 1, "failed": 0, "errors": None, "body_sha256": None}
    updated = await post(client, ATTENDANCE, a["lead"], body, "?on_conflict=update")
    assert updated.json()["updated"] == 2
    line = (await session.execute(select(ActivityAttendance).where(ActivityAttendance.stakeholder_id == person.id)
                                  .execution_options(populate_existing=True))).scalar_one()
    assert line.invited and line.attended  # invited kept, attended given


async def test_attendance_rows_that_cannot_be_written_fail(client, session, a, b):
    await _world(session, a.tenant)
    await _world(session, b.tenant)
    await factories.activity(session, a.tenant, external_id="ACT-X", status="cancelled")
    body = ("activity_external_id,stakeholder_external_id,invited,attended\n"
            "ACT-1,CRM-404,true,\n"        # no such stakeholder
            ",CRM-1,true,\n"               # no activity
            "ACT-1,,true,\n"               # no stakeholder key
            "ACT-1,CRM-1,false,false\n"    # an empty line
            "ACT-X,CRM-1,,true\n"          # attended a cancelled activity
            "ACT-1,CRM-2,maybe,\n")        # not a boolean
    r = await post(client, ATTENDANCE, a["lead"], body)
    assert r.status_code == 422
    assert sorted((e["row"], e["field"]) for e in r.json()["errors"]) == [
        (1, "stakeholder_external_id"), (2, "activity_external_id"), (3, "stakeholder_external_id"), (4, None),
        (5, "attended"), (6, "invited")]
    assert (await session.execute(select(ActivityAttendance))).first() is None


async def test_nobody_new_is_imported_onto_an_archived_activitys_log(client, session, a):
    _, person, other, activity = await _world(session, a.tenant)
    await factories.attendance(session, activity, person, invited=True, attended=False)
    activity.archived_at = datetime(2026, 1, 1, tzinfo=UTC)
    await session.commit()
    body = "activity_external_id,stakeholder_external_id,attended\nACT-1,CRM-1,true\nACT-1,CRM-2,true\n"
    r = await post(client, ATTENDANCE, a["lead"], body, "?on_conflict=update")
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"], "archived" in e["message"]) for e in r.json()["errors"]] == [
        (2, "activity_external_id", True)]
    r = await post(client, ATTENDANCE, a["lead"], body.replace("ACT-1,CRM-2,true\n", ""), "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text


async def test_a_dry_run_reports_and_writes_nothing(client, session, a):
    _, _, _, activity = await _world(session, a.tenant)
    r = await post(client, ATTENDANCE, a["contributor"],
                   "activity_external_id,stakeholder_external_id,attended\nACT-1,CRM-1,true\n", "?dry_run=true")
    assert r.status_code == 200 and r.json()["created"] == 1 and r.json()["dry_run"] is True
    assert (await session.execute(select(ActivityAttendance))).first() is None
    assert await audit_events(session, a.tenant, "import") == []


async def test_templates_list_the_columns(client, a):
    r = await client.get(f"{ATTENDANCE}/template", headers=a["viewer"])
    assert r.text == ("activity_external_id,activity_id,stakeholder_external_id,stakeholder_email,stakeholder_id,"
                      "invited,attended,role\n")
    assert (await client.get(f"{FEEDBACK}/template", headers=a["viewer"])).text.startswith(
        "id,external_id,received_at,channel,type,text,stakeholder_external_id,stakeholder_email,stakeholder_id,"
        "activity_external_id,activity_id,")


async def test_an_activity_row_done_before_it_starts_fails(client, session, a):
    body = ("external_id,title,method,status,starts_at\n"
            "ACT-1,Public meeting,public_meeting,done,2199-01-01T10:00:00Z\n"
            "ACT-2,Public meeting,public_meeting,planned,2199-01-01T10:00:00Z\n")
    r = await post(client, ACTIVITIES, a["lead"], body)
    assert r.status_code == 422
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, "starts_at")]
    assert await count(session, a.tenant, Activity) == 0


async def test_an_erased_persons_line_takes_no_change_from_an_import(client, session, a):
    _, person, _, activity = await _world(session, a.tenant)
    await factories.attendance(session, activity, person, invited=True, attended=True, role="Ann Lee's carer")
    await session.commit()
    assert (await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])).status_code == 200
    body = f"activity_id,stakeholder_id,invited,attended,role\n{activity.id},{person.id},true,true,ROLE\n"
    r = await post(client, ATTENDANCE, a["lead"], body.replace("ROLE", "Ann Lee's carer"), "?on_conflict=update")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "stakeholder_id", r.text
    assert "erased" in r.json()["errors"][0]["message"]
    unchanged = await post(client, ATTENDANCE, a["lead"], body.replace("ROLE", ""), "?on_conflict=update")
    assert unchanged.status_code == 200 and unchanged.json()["updated"] == 1, unchanged.text
    line = (await session.execute(select(ActivityAttendance).execution_options(populate_existing=True))).scalar_one()
    assert (line.invited, line.attended, line.role) == (True, True, None)


async def test_an_import_unmarks_nobody_on_a_held_plans_log(client, session, a):
    plan, person, other, activity = await _world(session, a.tenant)
    await factories.attendance(session, activity, person, invited=True, attended=True)
    plan.legal_hold_at = datetime(2026, 3, 1, tzinfo=UTC)
    await session.commit()
    body = ("activity_external_id,stakeholder_external_id,invited,attended,role\n"
            "ACT-1,CRM-1,true,false,\n"
            "ACT-1,CRM-2,true,,\n")  # a new line still joins
    r = await post(client, ATTENDANCE, a["lead"], body, "?on_conflict=update")
    assert r.status_code == 422 and [e["row"] for e in r.json()["errors"]] == [1], r.text
    assert "legal hold" in r.json()["errors"][0]["message"]
    fixed = await post(client, ATTENDANCE, a["lead"], body.replace("true,false,", "true,true,chair"),
                       "?on_conflict=update")
    assert fixed.status_code == 200 and (fixed.json()["created"], fixed.json()["updated"]) == (1, 1), fixed.text
