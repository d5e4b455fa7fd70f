import pytest

from api import audit
from api.models import Document, Duty, DutyRequirement, Evidence, ScrutinyCorrespondence
from tests import factories
from tests.audit_trail import audit_text
from tests.documents.support import (
    NIL,
    PDF_BYTES,
    READ_ONLY,
    ROLES,
    WRITERS,
    audit_events,
    consultation,
    count,
    document,
    upload,
    url,
)


async def _requirement(session, tenant):
    duty = Duty(tenant_id=tenant.id, jurisdiction="england", code="local-duty", title="Local duty", position=1)
    session.add(duty)
    await session.flush()
    requirement = DutyRequirement(duty_id=duty.id, code="pack", title="Pack published", position=1)
    session.add(requirement)
    await session.flush()
    return requirement


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_lists_and_reads_documents(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    row = await document(session, plan, title="EIA", kind="equality_impact_assessment")
    listing = await client.get(url(plan.id), headers=a[role])
    assert listing.status_code == 200
    [item] = listing.json()["items"]
    assert item["id"] == str(row.id) and item["sha256"] == row.sha256 and "content" not in item
    one = await client.get(f"{url(plan.id)}/{row.id}", headers=a[role])
    assert one.status_code == 200 and one.headers["etag"] == '"1"' and one.json() == item
    content = await client.get(f"{url(plan.id)}/{row.id}/content", headers=a[role])
    assert content.status_code == 200 and content.content == PDF_BYTES
    assert content.headers["cache-control"] == "no-store"  # as every answer: not for a shared workstation's disk


async def test_the_list_filters_by_kind_and_consultation(client, session, a):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan)
    pack = await document(session, plan, consultation_id=consult.id)
    eia = await document(session, plan, kind="equality_impact_assessment")
    other_plan = await factories.plan(session, a.tenant)
    await document(session, other_plan)

    async def ids(**params):
        r = await client.get(url(plan.id), params=params, headers=a["viewer"])
        return [d["id"] for d in r.json()["items"]]

    assert await ids() == [str(pack.id), str(eia.id)]
    assert await ids(kind="equality_impact_assessment") == [str(eia.id)]
    assert await ids(consultation_id=str(consult.id)) == [str(pack.id)]
    assert (await client.get(url(plan.id), params={"include_total": "true"}, headers=a["viewer"])).json()["total"] == 2


async def test_another_tenants_plan_or_document_is_404(client, session, a, b):
    mine = await factories.plan(session, a.tenant)
    theirs = await factories.plan(session, b.tenant)
    their_doc = await document(session, theirs)
    other_plans_doc = await document(session, await factories.plan(session, a.tenant))
    for path in (url(theirs.id), f"{url(theirs.id)}/{their_doc.id}", f"{url(mine.id)}/{their_doc.id}",
                 f"{url(mine.id)}/{their_doc.id}/content", f"{url(mine.id)}/{other_plans_doc.id}", f"{url(NIL)}"):
        r = await client.get(path, headers=a["admin"])
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/problem+json"
    assert (await client.patch(f"{url(mine.id)}/{their_doc.id}", json={"title": "X"}, headers=a["admin"])
            ).status_code == 404
    assert (await client.delete(f"{url(mine.id)}/{their_doc.id}", headers=a["admin"])).status_code == 404
    await session.refresh(their_doc)
    assert their_doc.title != "X" and await count(session, b.tenant) == 1


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_change_metadata_but_never_content(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    consult = await consultation(session, plan)
    row = await document(session, plan)
    body = {"title": "Consultation pack v2", "kind": "decision_record", "published_at": "2026-03-01T10:00:00+00:00",
            "consultation_id": str(consult.id)}
    r = await client.patch(f"{url(plan.id)}/{row.id}", json=body, headers={**a[role], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["title"] == "Consultation pack v2" and got["kind"] == "decision_record"
    assert got["consultation_id"] == str(consult.id) and got["published_at"].startswith("2026-03-01T10:00:00")
    assert got["sha256"] == row.sha256 and got["version"] == 2 and r.headers["etag"] == '"2"'
    events = await audit_events(session, row.id)
    # The title is staff's words, which may name a person: the trail records that it changed, not what to
    # (PERSONAL_FIELDS); the kind, an enum, in clear.
    assert events[-1].action == "update" and events[-1].changes["title"]["after"] == audit.REDACTED
    assert events[-1].changes["kind"]["after"] == "decision_record"
    unlink = await client.patch(f"{url(plan.id)}/{row.id}", json={"consultation_id": None}, headers=a[role])
    assert unlink.status_code == 200 and unlink.json()["consultation_id"] is None


@pytest.mark.parametrize("body,field", [
    ({"content": "bytes"}, "content"),
    ({"sha256": "0" * 64}, "sha256"),
    ({"size_bytes": 1}, "size_bytes"),
    ({"media_type": "text/html"}, "media_type"),
    ({"filename": "x.html"}, "filename"),
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
    ({"kind": "memo"}, "kind"),
    ({"kind": None}, "kind"),
    ({"published_at": "soon"}, "published_at"),
    ({"published_at": 0}, "published_at"),
    ({"consultation_id": NIL}, "consultation_id"),
])
async def test_bad_patches_are_422_and_change_nothing(client, session, a, body, field):
    plan = await factories.plan(session, a.tenant)
    row = await document(session, plan, title="Stay")
    r = await client.patch(f"{url(plan.id)}/{row.id}", json=body, headers=a["lead"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    await session.refresh(row)
    assert row.title == "Stay" and row.version == 1


async def test_a_document_keeps_its_archived_consultation_but_is_not_newly_linked_to_one(client, session, a):
    plan = await factories.plan(session, a.tenant)
    archived = await consultation(session, plan, archived_at=plan.created_at)
    held = await document(session, plan, consultation_id=archived.id, title="Pack")
    r = await client.patch(f"{url(plan.id)}/{held.id}", json={"title": "Pack v2", "consultation_id": str(archived.id)},
                           headers=a["lead"])
    assert r.status_code == 200 and r.json()["consultation_id"] == str(archived.id), r.text
    row = await document(session, plan, title="Stay")
    r = await client.patch(f"{url(plan.id)}/{row.id}", json={"consultation_id": str(archived.id)}, headers=a["lead"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    await session.refresh(row)
    assert row.consultation_id is None and row.version == 1


async def test_a_stale_if_match_is_412(client, session, a):
    plan = await factories.plan(session, a.tenant)
    row = await document(session, plan, title="Stay")
    stale = {**a["lead"], "If-Match": '"7"'}
    assert (await client.patch(f"{url(plan.id)}/{row.id}", json={"title": "X"}, headers=stale)).status_code == 412
    assert (await client.delete(f"{url(plan.id)}/{row.id}", headers=stale)).status_code == 412
    await session.refresh(row)
    assert row.title == "Stay" and await count(session, a.tenant) == 1


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_edit_or_delete(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    row = await document(session, plan, title="Stay")
    assert (await client.patch(f"{url(plan.id)}/{row.id}", json={"title": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(f"{url(plan.id)}/{row.id}", headers=a[role])).status_code == 403
    await session.refresh(row)
    assert row.title == "Stay" and await count(session, a.tenant) == 1


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_delete_a_document_and_the_audit_keeps_its_hash(client, session, a, role):
    plan = await factories.plan(session, a.tenant)
    row = await document(session, plan)
    doc_id, sha = row.id, row.sha256
    r = await client.delete(f"{url(plan.id)}/{doc_id}", headers={**a[role], "If-Match": '"1"'})
    assert r.status_code == 204
    assert await count(session, a.tenant) == 0
    assert (await client.get(f"{url(plan.id)}/{doc_id}", headers=a[role])).status_code == 404
    event = (await audit_events(session, doc_id))[-1]
    assert event.action == "delete" and event.changes["sha256"] == {"before": sha}


async def test_the_audit_trail_keeps_a_documents_title_and_file_name_out_of_its_clear_text(client, session, a):
    """A title or a file name may name a person ("Letter from Hettie Mallinson"): uploaded, retitled or deleted, the
    trail, which an erasure cannot change, records that they were given, and the file by its hash, size and type."""
    plan = await factories.plan(session, a.tenant)
    got = await upload(client, a["lead"], plan.id, title="Letter from Hettie Mallinson",
                       filename="mallinson-objection.pdf", kind="correspondence")
    assert got.status_code == 201, got.text
    item = f"{url(plan.id)}/{got.json()['id']}"
    r = await client.patch(item, json={"title": "Objection of Mrs Mallinson"}, headers={**a["lead"], "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert (await client.delete(item, headers={**a["lead"], "If-Match": '"2"'})).status_code == 204
    created, updated, deleted = await audit_events(session, got.json()["id"])
    assert created.changes["title"] == created.changes["filename"] == {"after": audit.REDACTED}
    assert created.changes["sha256"] == {"after": got.json()["sha256"]}
    assert created.changes["kind"] == {"after": "correspondence"}
    assert updated.changes == {"title": {"before": audit.REDACTED, "after": audit.REDACTED}}
    assert deleted.changes["title"] == deleted.changes["filename"] == {"before": audit.REDACTED}
    assert deleted.changes["media_type"] == {"before": "application/pdf"}
    assert "mallinson" not in audit_text([created, updated, deleted]).lower()


async def test_a_document_cited_by_evidence_cannot_be_deleted(client, session, a):
    plan = await factories.plan(session, a.tenant)
    row = await document(session, plan)
    requirement = await _requirement(session, a.tenant)
    session.add(Evidence(tenant_id=a.tenant.id, plan_id=plan.id, requirement_id=requirement.id, summary="Pack",
                         activity_ids=[], feedback_ids=[], document_ids=[str(row.id)]))
    await session.flush()
    r = await client.delete(f"{url(plan.id)}/{row.id}", headers=a["lead"])
    assert r.status_code == 409 and "evidence" in r.json()["detail"]
    assert await session.get(Document, row.id) is not None


async def test_a_document_cited_by_scrutiny_correspondence_cannot_be_deleted(client, session, a):
    plan = await factories.plan(session, a.tenant)
    row = await document(session, plan, kind="correspondence")
    session.add(ScrutinyCorrespondence(tenant_id=a.tenant.id, plan_id=plan.id, direction="sent",
                                       correspondence_date=plan.created_at.date(), summary="Letter",
                                       document_id=row.id))
    await session.flush()
    r = await client.delete(f"{url(plan.id)}/{row.id}", headers=a["lead"])
    assert r.status_code == 409 and "scrutiny" in r.json()["detail"]
    assert await count(session, a.tenant) == 1
