"""Subject access after a feedback import moved feedback from one person to another: the import's one audit event
lists, by id, the feedback it moved, so the report of whoever it was keeps its events up to the move, as after a
PATCH (tests/gdpr/test_subject_access.py)."""

import json

from api.imports.service import MOVED
from tests import factories
from tests.gdpr.support import person_url
from tests.imports.support import audit_events, post_import

REDACTED = "[personal data]"


async def _report(client, a, stakeholder_id) -> dict:
    r = await client.get(person_url(stakeholder_id, "/subject-access"), headers=a["admin"])
    assert r.status_code == 200, r.text
    return r.json()


async def _give(client, a, said_by, external_id: str, edits: list[dict] = ()) -> str:
    """Feedback given by `said_by` (created by a lead), then PATCHed with each of `edits` in turn: its id."""
    r = await client.post("/api/v1/feedback", json={"text": "Buses stop at 6pm", "external_id": external_id,
                                                    "stakeholder_id": str(said_by.id)}, headers=a["lead"])
    assert r.status_code == 201, r.text
    for edit in edits:
        patched = await client.patch(f"/api/v1/feedback/{r.json()['id']}", json=edit, headers=a["lead"])
        assert patched.status_code == 200, patched.text
    return r.json()["id"]


async def _import(client, a, body: str, query: str = "?on_conflict=update") -> dict:
    r = await post_import(client, "feedback", a["lead"], body, query)
    assert r.status_code == 200, r.text
    return r.json()


def _trail(report: dict) -> list[tuple]:
    """The report's feedback events: action, resource id and changes."""
    return [(e["action"], e["resource_id"], e["changes"]) for e in report["audit_events"]
            if e["resource_type"] == "feedback"]


async def test_feedback_moved_by_an_import_stays_in_their_report_up_to_the_move(client, session, a):
    """Ann's feedback, edited, then moved to Bob by an import, then edited again: Ann's report keeps its events up to
    and including the import (of which only her feedback's move is shown, Bob's id withheld), none after. Bob's
    report has it from the move on, Ann's id withheld."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Example", email="ann@example.test")
    bob = await factories.stakeholder(session, a.tenant, name="Bob Other", email="bob@example.test",
                                      external_id="CRM-BOB")
    await session.commit()
    said = await _give(client, a, ann, "FB-1", [{"type": "complaint"}])
    await _import(client, a, "external_id,stakeholder_external_id\nFB-1,CRM-BOB\n")
    patched = await client.patch(f"/api/v1/feedback/{said}", json={"type": "suggestion", "text": "Bob's words"},
                                 headers=a["lead"])
    assert patched.status_code == 200, patched.text
    ann_id, bob_id = str(ann.id), str(bob.id)

    got = await _report(client, a, ann.id)
    assert got["feedback"] == []
    trail = _trail(got)
    assert [(action, resource_id) for action, resource_id, _ in trail] == [
        ("create", said), ("update", said), ("import", None)]
    assert trail[0][2]["stakeholder_id"] == {"after": ann_id} and trail[1][2] == {"type": {"before": "comment",
                                                                                           "after": "complaint"}}
    assert trail[2][2] == {MOVED: {said: {"before": ann_id, "after": REDACTED}}}  # nor the file's counts and digest
    assert bob_id not in json.dumps(got) and "Bob" not in json.dumps(got) and "bob@" not in json.dumps(got)

    got = await _report(client, a, bob.id)
    assert [x["id"] for x in got["feedback"]] == [said]
    assert [(action, sorted(changes)) for action, _, changes in _trail(got)][2:] == [
        ("import", [MOVED]), ("update", ["text", "type"])]
    assert _trail(got)[2][2] == {MOVED: {said: {"before": REDACTED, "after": bob_id}}}
    assert ann_id not in json.dumps(got)


async def test_the_import_event_lists_only_the_feedback_it_moved(client, session, a, b):
    """One event per import, whatever it moved: a dry run records nothing; a real run lists by id the feedback whose
    person changed (to someone, or to nobody), not those it only edited or created, nor any text; an import moving
    nothing has no list at all. Another tenant's trail is untouched."""
    ann = await factories.stakeholder(session, a.tenant, name="Ann Example", external_id="CRM-ANN")
    bob = await factories.stakeholder(session, a.tenant, name="Bob Other", external_id="CRM-BOB")
    await session.commit()
    moved = await _give(client, a, ann, "FB-1")
    unlinked = await _give(client, a, ann, "FB-2")
    await _give(client, a, ann, "FB-3")
    body = ("external_id,stakeholder_external_id,type,text\n"
            "FB-1,CRM-BOB,,\nFB-2,,,\nFB-3,CRM-ANN,complaint,\nFB-4,CRM-ANN,,New words\n")

    dry = await _import(client, a, body, "?on_conflict=update&dry_run=true")
    assert (dry["updated"], dry["created"]) == (3, 1) and await audit_events(session, a.tenant, "import") == []
    assert await _import(client, a, body)
    [event] = await audit_events(session, a.tenant, "import")
    assert event.changes[MOVED] == {moved: {"before": str(ann.id), "after": str(bob.id)},
                                    unlinked: {"before": str(ann.id), "after": None}}
    assert "New words" not in json.dumps(event.changes) and "Ann" not in json.dumps(event.changes)
    assert event.changes["updated"] == 3 and event.changes["created"] == 1

    # The same file again moves nothing: its event is as compact as any other import's
    assert await _import(client, a, body)
    [_, again] = await audit_events(session, a.tenant, "import")
    assert MOVED not in again.changes and again.changes["updated"] == 4

    got = await _report(client, a, ann.id)
    assert [(action, changes) for action, _, changes in _trail(got) if action == "import"] == [
        ("import", {MOVED: {moved: {"before": str(ann.id), "after": REDACTED},
                            unlinked: {"before": str(ann.id), "after": None}}})]
    assert await audit_events(session, b.tenant, "import") == []
