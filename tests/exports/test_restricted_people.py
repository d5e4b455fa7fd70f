"""A restricted person (UK GDPR Art. 18) in the engagement exports: their feedback stays in the record, linked by
their id only for an admin (no email or external id leaves) and to nobody for anyone else, as the API's reads show
it; the export still imports back without losing the link."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import Feedback
from tests import factories
from tests.gdpr.support import events
from tests.imports.support import CSV, NDJSON, parse_csv, post_import

RESTRICTED_AT = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize("fmt,content_type", [("csv", CSV), ("ndjson", NDJSON)])
@pytest.mark.parametrize("role", ["admin", "lead"])
async def test_feedback_of_a_restricted_person_names_them_by_id_to_an_admin_only(client, session, a, fmt, content_type,
                                                                                 role):
    rita = await factories.stakeholder(session, a.tenant, name="Rita Restricted", external_id="CRM-R",
                                       email="rita@example.org", restricted_at=RESTRICTED_AT)
    ann = await factories.stakeholder(session, a.tenant, name="Ann Lee", external_id="CRM-1", email="ann@example.org")
    theirs = await factories.feedback(session, a.tenant, stakeholder_id=rita.id, text="The bus is too early")
    await factories.feedback(session, a.tenant, stakeholder_id=ann.id, text="More evening clinics")
    await session.commit()
    r = await client.get(f"/api/v1/exports/feedback?format={fmt}", headers=a[role])
    assert r.status_code == 200 and r.headers["x-total-count"] == "2", r.text
    assert "rita@" not in r.text and "CRM-R" not in r.text
    assert "ann@example.org" in r.text and "CRM-1" in r.text
    if fmt == "csv":
        row = next(row for row in parse_csv(r.text) if row["id"] == str(theirs.id))
        assert (row["stakeholder_id"], row["stakeholder_external_id"], row["stakeholder_email"]) == (
            str(rita.id) if role == "admin" else "", "", "")
    assert (str(rita.id) in r.text) == (role == "admin")
    # Showing an admin whose the feedback is reads the restricted person, audited as the feedback list audits it
    assert len(await events(session, rita.id, "read_restricted")) == (role == "admin")
    assert await events(session, ann.id, "read_restricted") == []
    read = await client.get(f"/api/v1/feedback/{theirs.id}", headers=a[role])  # as the API shows it to them
    assert read.json()["stakeholder_id"] == (str(rita.id) if role == "admin" else None)
    again = await post_import(client, "feedback", a[role], r.text, "?on_conflict=update", content_type)
    assert again.status_code == 200 and again.json()["updated"] == 2, again.text
    fresh = (await session.execute(select(Feedback.stakeholder_id).where(Feedback.id == theirs.id)
                                   .execution_options(populate_existing=True))).scalar_one()
    assert fresh == rita.id


async def test_an_empty_stakeholder_sent_back_by_a_non_admin_keeps_the_link_another_person_replaces_it(client, session,
                                                                                                    a):
    """As PATCH's null: the contributor who logs feedback imports rows naming nobody for a restricted person's
    feedback, which keeps the link they cannot see; naming someone else moves it, as PATCH does; an admin's empty
    cell unlinks, since to an admin the export named the person."""
    rita = await factories.stakeholder(session, a.tenant, name="Rita Restricted", restricted_at=RESTRICTED_AT)
    ann = await factories.stakeholder(session, a.tenant, name="Ann Lee")
    kept, moved, unlinked = [await factories.feedback(session, a.tenant, stakeholder_id=rita.id, text=t)
                             for t in ("Kept", "Moved", "Unlinked")]
    await session.commit()
    body = "id,text,stakeholder_id\n" + f"{kept.id},Kept,\n{moved.id},Moved,{ann.id}\n"
    r = await post_import(client, "feedback", a["contributor"], body, "?on_conflict=update", CSV)
    assert r.status_code == 200 and r.json()["updated"] == 2, r.text
    r = await post_import(client, "feedback", a["admin"], f"id,text,stakeholder_id\n{unlinked.id},Unlinked,\n",
                          "?on_conflict=update", CSV)
    assert r.status_code == 200, r.text
    links = dict((await session.execute(select(Feedback.id, Feedback.stakeholder_id).execution_options(
        populate_existing=True))).all())
    assert (links[kept.id], links[moved.id], links[unlinked.id]) == (rita.id, ann.id, None)


@pytest.mark.parametrize("role", ["admin", "lead"])
async def test_an_admins_export_of_what_a_restricted_person_attended_is_an_audited_read_of_them(client, session, a,
                                                                                              role):
    rita = await factories.stakeholder(session, a.tenant, name="Rita Restricted", restricted_at=RESTRICTED_AT)
    await session.commit()
    r = await client.get(f"/api/v1/exports/activities?stakeholder_id={rita.id}", headers=a[role])
    assert r.status_code == 200, r.text
    listed = await client.get(f"/api/v1/activities?stakeholder_id={rita.id}", headers=a[role])
    assert listed.status_code == 200, listed.text
    assert len(await events(session, rita.id, "read_restricted")) == (2 if role == "admin" else 0)
