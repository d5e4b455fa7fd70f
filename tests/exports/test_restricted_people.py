"""A restricted person (UK GDPR Art. 18) in the engagement exports: their feedback stays in the record, linked by
their id only (no email or external id leaves), and the export still imports back without losing the link."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import Feedback
from tests import factories
from tests.imports.support import CSV, NDJSON, parse_csv, post_import

RESTRICTED_AT = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize("fmt,content_type", [("csv", CSV), ("ndjson", NDJSON)])
async def test_feedback_of_a_restricted_person_names_them_by_id_only(client, session, a, fmt, content_type):
    rita = await factories.stakeholder(session, a.tenant, name="Rita Restricted", external_id="CRM-R",
                                       email="rita@example.org", restricted_at=RESTRICTED_AT)
    ann = await factories.stakeholder(session, a.tenant, name="Ann Lee", external_id="CRM-1", email="ann@example.org")
    theirs = await factories.feedback(session, a.tenant, stakeholder_id=rita.id, text="The bus is too early")
    await factories.feedback(session, a.tenant, stakeholder_id=ann.id, text="More evening clinics")
    await session.commit()
    r = await client.get(f"/api/v1/exports/feedback?format={fmt}", headers=a["lead"])
    assert r.status_code == 200 and r.headers["x-total-count"] == "2", r.text
    assert "rita@" not in r.text and "CRM-R" not in r.text
    assert "ann@example.org" in r.text and "CRM-1" in r.text
    if fmt == "csv":
        row = next(row for row in parse_csv(r.text) if row["id"] == str(theirs.id))
        assert (row["stakeholder_id"], row["stakeholder_external_id"], row["stakeholder_email"]) == (
            str(rita.id), "", "")
    again = await post_import(client, "feedback", a["lead"], r.text, "?on_conflict=update", content_type)
    assert again.status_code == 200 and again.json()["updated"] == 2, again.text
    fresh = (await session.execute(select(Feedback.stakeholder_id).where(Feedback.id == theirs.id)
                                   .execution_options(populate_existing=True))).scalar_one()
    assert fresh == rita.id
