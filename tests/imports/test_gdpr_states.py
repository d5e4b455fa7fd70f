"""Stakeholder imports and the UK GDPR states a record can be in, as PATCH treats them: an erased person (Art. 17)
is never changed again, so an export taken before the erasure cannot bring them back; a restricted person
(Art. 18) is changed by an admin only."""

import asyncio
import json
import os
import uuid

import pytest
from sqlalchemy import select

from api.models import ActivityAttendance, Feedback, Stakeholder
from api.stakeholders.service import ERASED_FEEDBACK_TEXT, ERASED_NAME
from tests import factories
from tests.erasure_race import erasure_under_way
from tests.imports.support import EXPORT_STAKEHOLDERS, JSON, audit_events, parse_csv, post_import

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
    # To a lead the person is not there (PATCH and GET are 404): by id, the message of an unknown id; by another
    # key, the key is taken by a stakeholder they cannot see, as POST /stakeholders' 409 says too.
    if match == "id":
        for options in (query, "?on_conflict=skip"):  # skipping would tell them apart too
            mine = await post_import(client, "stakeholders", a["lead"], body, options)
            unknown = await post_import(client, "stakeholders", a["lead"], body.replace(key, str(uuid.uuid4())),
                                        options)
            assert mine.status_code == unknown.status_code == 422
            assert mine.json()["errors"] == unknown.json()["errors"]
    else:
        assert refused.json()["errors"][0]["message"] == f"This {match} is used by another stakeholder in your tenant"
    assert (await _fresh(session, person)).job_title is None
    assert (await client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": "Chair"},
                               headers=a["lead"])).status_code == 404  # the rule the import follows
    done = await post_import(client, "stakeholders", a["admin"], body, query)
    assert done.status_code == 200 and done.json()["updated"] == 1, done.text
    fresh = await _fresh(session, person)
    assert fresh.job_title == "Chair" and fresh.restricted_at is not None
    assert len(await audit_events(session, a.tenant, "import")) == 1


# --- the feedback and attendance of an erased person ---------------------------------------------------------

async def _erased_with_feedback(client, session, a):
    person = await factories.stakeholder(session, a.tenant, name="Chain X", external_id="CH-X",
                                         email="chain.x@example.org")
    other = await factories.stakeholder(session, a.tenant, name="Dee Other", external_id="CH-D")
    theirs = await factories.feedback(session, a.tenant, stakeholder_id=person.id, text="Chain secret words",
                                      themes=["access"])
    activity = await factories.activity(session, a.tenant, external_id="ACT-1")
    await session.commit()
    return person, other, theirs, activity


async def _text(session, feedback) -> str:
    return (await session.execute(select(Feedback.text).where(Feedback.id == feedback.id)
                                  .execution_options(populate_existing=True))).scalar_one()


async def test_an_erased_persons_feedback_keeps_its_text_erased(client, session, a):
    person, _, theirs, _ = await _erased_with_feedback(client, session, a)
    r = await client.post(f"/api/v1/stakeholders/{person.id}/restriction", json=REASON, headers=a["admin"])
    assert r.status_code == 200
    old = (await client.get("/api/v1/exports/feedback?format=csv", headers=a["lead"])).text  # names them by id only
    assert (await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])).status_code == 200
    for body in (old, f"id,text\n{theirs.id},Chain secret words\n"):
        r = await post_import(client, "feedback", a["contributor"], body, "?on_conflict=update")
        assert r.status_code == 422, r.text
        assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, "text")]
        assert "erased" in r.json()["errors"][0]["message"] and "Chain" not in r.text
    assert await _text(session, theirs) == ERASED_FEEDBACK_TEXT
    await session.refresh(theirs)  # the requests share the test's session, and the erasure's bulk update left it stale
    patch = await client.patch(f"/api/v1/feedback/{theirs.id}", json={"text": "Chain secret words"},
                               headers=a["lead"])
    assert patch.status_code == 409 and "erased" in patch.json()["detail"], patch.text
    assert await _text(session, theirs) == ERASED_FEEDBACK_TEXT
    # The rest of the record goes on: an export taken after the erasure imports back, and themes still change.
    after = (await client.get("/api/v1/exports/feedback?format=csv", headers=a["lead"])).text
    again = await post_import(client, "feedback", a["contributor"], after, "?on_conflict=update")
    assert again.status_code == 200 and again.json()["updated"] == 1, again.text
    themes = await post_import(client, "feedback", a["contributor"], f"id,themes\n{theirs.id},access;transport\n",
                               "?on_conflict=update")
    assert themes.status_code == 200, themes.text
    assert (await client.patch(f"/api/v1/feedback/{theirs.id}", json={"themes": ["access"]},
                               headers=a["lead"])).status_code == 200


async def test_nothing_new_is_linked_to_an_erased_person(client, session, a):
    person, other, _, activity = await _erased_with_feedback(client, session, a)
    mine = await factories.feedback(session, a.tenant, stakeholder_id=other.id, text="Mine")
    await session.commit()
    assert (await client.post(f"/api/v1/stakeholders/{person.id}/erase", headers=a["admin"])).status_code == 200
    body = ("id,text,stakeholder_id\n"
            f",New words,{person.id}\n"         # new feedback
            f"{mine.id},,{person.id}\n")         # moved to them
    r = await post_import(client, "feedback", a["contributor"], body, "?on_conflict=update")
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(1, "stakeholder_id"), (2, "stakeholder_id")]
    assert all("erased" in e["message"] for e in r.json()["errors"])
    line = f"activity_id,stakeholder_id,attended\n{activity.id},{person.id},true\n"
    r = await post_import(client, "attendance", a["contributor"], line)
    assert r.status_code == 422 and "erased" in r.json()["errors"][0]["message"], r.text
    assert (await session.execute(select(ActivityAttendance))).first() is None
    api = await client.post("/api/v1/feedback", json={"text": "New words", "stakeholder_id": str(person.id)},
                            headers=a["contributor"])
    assert api.status_code == 422 and api.json()["errors"][0]["type"] == "erased", api.text
    moved = await client.patch(f"/api/v1/feedback/{mine.id}", json={"stakeholder_id": str(person.id)},
                               headers=a["lead"])
    assert moved.status_code == 422, moved.text
    log = await client.post(f"/api/v1/activities/{activity.id}/attendance", headers=a["contributor"],
                            json={"entries": [{"stakeholder_id": str(person.id), "attended": True}]})
    assert log.status_code == 422 and log.json()["errors"][0]["type"] == "erased", log.text
    assert (await session.execute(select(Feedback).where(Feedback.stakeholder_id == person.id))).all() != []
    assert len((await session.execute(select(Feedback).where(Feedback.stakeholder_id == person.id))).all()) == 1


async def test_no_new_feedback_names_a_restricted_person_but_their_feedback_goes_on(client, session, a):
    rita = await factories.stakeholder(session, a.tenant, name="Rita Restricted", external_id="RITA-X",
                                       email="rita.x@example.org")
    theirs = await factories.feedback(session, a.tenant, stakeholder_id=rita.id, text="Earlier words")
    mine = await factories.feedback(session, a.tenant, text="Unlinked words")
    await session.commit()
    assert (await client.post(f"/api/v1/stakeholders/{rita.id}/restriction", json=REASON,
                              headers=a["admin"])).status_code == 200
    for role in ("contributor", "admin"):
        body = ("id,text,stakeholder_email,stakeholder_external_id\n"
                ",New words,rita.x@example.org,\n"
                ",New words,,RITA-X\n"
                f"{mine.id},,,RITA-X\n")
        r = await post_import(client, "feedback", a[role], body, "?on_conflict=update")
        assert r.status_code == 422, r.text
        assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [
            (1, "stakeholder_email"), (2, "stakeholder_external_id"), (3, "stakeholder_external_id")]
        # To all but an admin a restricted person is unknown: not even that they are restricted is said
        told = {"admin": "restricted", "contributor": "No stakeholder with this"}[role]
        assert all(told in e["message"] for e in r.json()["errors"]), r.text
    api = await client.post("/api/v1/feedback", json={"text": "New words", "stakeholder_id": str(rita.id)},
                            headers=a["contributor"])
    assert api.status_code == 422 and api.json()["errors"][0]["type"] == "reference_not_found", api.text
    moved = await client.patch(f"/api/v1/feedback/{mine.id}", json={"stakeholder_id": str(rita.id)}, headers=a["lead"])
    assert moved.status_code == 422, moved.text
    # Their feedback goes on: a row keeping the link it has passes (a lead's export names them by id only).
    export = (await client.get("/api/v1/exports/feedback", headers=a["lead"])).text
    edited = export.replace("Earlier words", "Earlier and edited")
    again = await post_import(client, "feedback", a["contributor"], edited, "?on_conflict=update")
    assert again.status_code == 200 and again.json()["updated"] == 2, again.text
    assert await _text(session, theirs) == "Earlier and edited"


@pytest.mark.skipif(not os.environ.get("INVOLVE_TEST_DATABASE_URL"), reason="SQLite runs one writer at a time")
async def test_an_import_racing_the_erasure_of_a_person_it_names_waits_and_then_refuses_the_row():
    # An import reads who is erased once, before its rows: an erasure committing while it ran went unseen, and its
    # feedback kept its text in clear beside the erased person. It must wait for the erasure, then see it.
    async with erasure_under_way("import_erase_race") as race:
        rows = json.dumps([{"text": "Racey says hi", "stakeholder_id": str(race.person.id)}])
        importing = asyncio.create_task(race.client.post("/api/v1/imports/feedback", content=rows,
                                                         headers={**race.headers, **JSON}))
        await asyncio.sleep(1.5)
        assert not importing.done(), importing.result().text
        await race.commit()
        r = await importing
    assert r.status_code == 422 and r.json()["created"] == 0, r.text
    assert "erased" in r.json()["errors"][0]["message"], r.text
