"""A reference's id column (organisation_id, plan_id, stakeholder_id, activity_id): export → import keeps every link,
to records without an external_id (or an email) included; the id must be one of the tenant's records, and the other
columns the row gives for the same reference must name that record."""

import uuid

import pytest
from sqlalchemy import select

from api.imports.specs import SPECS
from api.models import Activity, Feedback, Stakeholder
from tests import factories
from tests.imports.support import CSV, NDJSON, count, csv_text, export_text, post_import

FORMATS = {"csv": CSV, "ndjson": NDJSON}
# The resource, and the links its rows set.
LINKS = {"stakeholders": (Stakeholder, ("organisation_id",)), "activities": (Activity, ("plan_id",)),
         "feedback": (Feedback, ("stakeholder_id", "activity_id", "plan_id"))}
NEW = {"stakeholders": {"name": "Ann Lee"}, "feedback": {"text": "Hello"},
       "activities": {"title": "Walkabout", "method": "focus_group", "starts_at": "2026-03-10T14:00:00+00:00"}}


async def _linked(client, session, world) -> dict[str, uuid.UUID]:
    """One record of each resource, linked to records without external_ids: a stakeholder (no email) of an
    organisation whose name another shares, an activity of a plan, feedback from that stakeholder at that activity
    about that plan (made through the API, which sets its response due date as an import does)."""
    tenant = world.tenant
    org = await factories.organisation(session, tenant, name="Twin Surgery")
    twin = await factories.organisation(session, tenant, name="Twin Surgery")
    person = await factories.stakeholder(session, tenant, name="Bo Chan", email=None, organisation_id=org.id)
    plan = await factories.plan(session, tenant, title="Clinic times")
    activity = await factories.activity(session, tenant, title="PPG briefing", plan_id=plan.id)
    await session.commit()
    r = await client.post("/api/v1/feedback", headers=world["lead"], json={
        "text": "Parking is hard", "stakeholder_id": str(person.id), "activity_id": str(activity.id),
        "plan_id": str(plan.id)})
    assert r.status_code == 201, r.text
    return {"organisation_id": org.id, "twin": twin.id, "stakeholder_id": person.id, "activity_id": activity.id,
            "plan_id": plan.id, "feedback_id": uuid.UUID(r.json()["id"])}


def _record(resource: str, linked: dict[str, uuid.UUID]) -> uuid.UUID:
    return linked[{"stakeholders": "stakeholder_id", "activities": "activity_id", "feedback": "feedback_id"}[resource]]


async def _links(session, tenant, resource) -> list[tuple]:
    model, fields = LINKS[resource]
    rows = await session.execute(select(*(getattr(model, f) for f in fields)).where(model.tenant_id == tenant.id)
                                 .order_by(model.id))  # not the heap's order, which an aborted import may change
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resource", LINKS)
async def test_export_then_import_keeps_links_to_records_without_external_ids(client, session, a, resource, fmt):
    linked = await _linked(client, session, a)
    first = await export_text(client, resource, a["lead"], fmt)
    r = await post_import(client, resource, a["lead"], first, "?on_conflict=update", FORMATS[fmt])
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["created"], r.json()["failed"]) == (1, 0, 0)
    assert await _links(session, a.tenant, resource) == [tuple(linked[f] for f in LINKS[resource][1])]
    assert await export_text(client, resource, a["lead"], fmt) == first


@pytest.mark.parametrize("whose", ["another tenant's", "nobody's"])
@pytest.mark.parametrize("resource,field,label", [
    ("stakeholders", "organisation_id", "organisation"), ("activities", "plan_id", "plan"),
    ("feedback", "stakeholder_id", "stakeholder"), ("feedback", "activity_id", "activity"),
    ("feedback", "plan_id", "plan")])
async def test_a_reference_id_not_in_the_tenant_is_a_row_error(client, session, a, b, resource, field, label, whose):
    theirs = await _linked(client, session, b)
    value = theirs[field] if whose == "another tenant's" else uuid.uuid4()
    r = await post_import(client, resource, a["lead"], csv_text([{**NEW[resource], field: value}]))
    assert r.status_code == 422
    assert [(e["row"], e["field"], e["message"]) for e in r.json()["errors"]] == [
        (1, field, f"No {label} with this id in your tenant")]
    assert await count(session, a.tenant, LINKS[resource][0]) == 0


@pytest.mark.parametrize("resource,field,key,value,message", [
    ("stakeholders", "organisation_id", "organisation_name", "healthwatch dorset",
     "organisation_name names another organisation than organisation_id; empty one of them"),
    ("stakeholders", "organisation_id", "organisation_external_id", "ORG-2",
     "organisation_external_id names another organisation than organisation_id; empty one of them"),
    ("stakeholders", "organisation_id", "organisation_external_id", "NOPE",
     "No organisation with this external_id in your tenant"),
    ("activities", "plan_id", "plan_external_id", "PLAN-2", "plan_external_id names another plan than plan_id; "
                                                           "empty one of them"),
    ("feedback", "stakeholder_id", "stakeholder_email", "ANN@example.org",
     "stakeholder_email names another stakeholder than stakeholder_id; empty one of them"),
    ("feedback", "stakeholder_id", "stakeholder_external_id", "CRM-2",
     "stakeholder_external_id names another stakeholder than stakeholder_id; empty one of them"),
    ("feedback", "activity_id", "activity_external_id", "ACT-2",
     "activity_external_id names another activity than activity_id; empty one of them"),
    ("feedback", "plan_id", "plan_external_id", "PLAN-2", "plan_external_id names another plan than plan_id; "
                                                         "empty one of them"),
])
async def test_a_reference_id_beside_a_key_of_another_record_is_refused(client, session, a, resource, field, key,
                                                                          value, message):
    linked = await _linked(client, session, a)
    await factories.organisation(session, a.tenant, name="Healthwatch Dorset", external_id="ORG-2")
    await factories.stakeholder(session, a.tenant, name="Ann Lee", email="ann@example.org", external_id="CRM-2")
    other_plan = await factories.plan(session, a.tenant, external_id="PLAN-2")
    await factories.activity(session, a.tenant, external_id="ACT-2", plan_id=other_plan.id)
    await session.commit()
    before = await _links(session, a.tenant, resource)
    row = {"id": _record(resource, linked), field: linked[field], key: value}
    r = await post_import(client, resource, a["lead"], csv_text([row]), "?on_conflict=update")
    assert r.status_code == 422
    assert [(e["row"], e["field"], e["message"]) for e in r.json()["errors"]] == [(1, key, message)]
    assert await _links(session, a.tenant, resource) == before


@pytest.mark.parametrize("organisation", ["organisation_id", "twin"])
async def test_a_reference_id_beside_a_shared_name_that_includes_it_is_that_record(client, session, a,
                                                                                     organisation):
    """The name two organisations share is no error beside an id: the id says which (here, possibly the other)."""
    linked = await _linked(client, session, a)
    row = {"id": linked["stakeholder_id"], "organisation_name": "TWIN surgery", "organisation_id": linked[organisation]}
    r = await post_import(client, "stakeholders", a["lead"], csv_text([row]), "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert await _links(session, a.tenant, "stakeholders") == [(linked[organisation],)]


@pytest.mark.parametrize("resource", LINKS)
async def test_every_column_of_a_reference_empty_clears_the_link(client, session, a, resource):
    linked = await _linked(client, session, a)
    columns = [k for ref in SPECS[resource].references if ref.target in LINKS[resource][1] for k in ref.row_keys]
    assert set(LINKS[resource][1]) <= set(columns)  # the id columns among them
    r = await post_import(client, resource, a["lead"], csv_text([{"id": _record(resource, linked)}], ["id", *columns]),
                   "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert await _links(session, a.tenant, resource) == [(None,) * len(LINKS[resource][1])]


async def test_without_a_reference_id_the_other_keys_resolve_as_before(client, session, a):
    linked = await _linked(client, session, a)
    plan = await factories.plan(session, a.tenant, external_id="PLAN-2")
    org = await factories.organisation(session, a.tenant, name="Healthwatch Dorset", external_id="ORG-2")
    await session.commit()
    body = csv_text([{"id": linked["stakeholder_id"], "organisation_name": "Twin Surgery"}],
                    ["id", "organisation_name", "organisation_id"])
    r = await post_import(client, "stakeholders", a["lead"], body, "?on_conflict=update")
    assert [(e["field"], e["message"]) for e in r.json()["errors"]] == [
        ("organisation_name", "2 organisations have this name; use another key to say which")]
    body = f"id,organisation_external_id\n{linked['stakeholder_id']},ORG-2\n"
    r = await post_import(client, "stakeholders", a["lead"], body, "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    r = await post_import(client, "activities", a["lead"], f"id,plan_external_id\n{linked['activity_id']},PLAN-2\n",
                   "?on_conflict=update")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert await _links(session, a.tenant, "stakeholders") == [(org.id,)]
    assert await _links(session, a.tenant, "activities") == [(plan.id,)]
