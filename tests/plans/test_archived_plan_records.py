"""An archived plan takes no new record of any kind (409, nothing written), as its action plan and risk log take no
new line: a document, an evidence item, a consultation, a scrutiny letter, a first scrutiny record or applicability
record. What it holds may still be read and corrected, and restoring the plan opens it again."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from api.models import Consultation, Document, DutyAssessment, Evidence, Scrutiny, ScrutinyCorrespondence
from tests import factories
from tests.duties.support import requirement
from tests.plans.support import applicability, record_creates
from tests.scrutiny.support import FULL

ARCHIVED = "The plan is archived; restore it before linking anything new to it"


async def test_an_archived_plan_takes_no_new_document_evidence_consultation_or_letter(client, session, a):
    plan = await factories.plan(session, a.tenant, archived_at=datetime.now(UTC))
    req = await requirement(session, "nhs-act-s14z45", "limb-b-proposals")
    await session.commit()
    base = f"/api/v1/plans/{plan.id}"
    creates = record_creates(client, a["lead"], plan.id, req)
    for name, create in creates.items():
        r = await create()
        assert r.status_code == 409 and r.json()["detail"] == ARCHIVED, (name, r.text)
    for model in (Document, Evidence, Consultation, ScrutinyCorrespondence, Scrutiny, DutyAssessment):
        assert (await session.execute(select(func.count()).select_from(model))).scalar_one() == 0, model
    assert (await client.post(f"{base}/restore", headers=a["lead"])).status_code == 200
    for name, create in creates.items():
        r = await create()
        assert r.status_code in (200, 201), (name, r.text)


async def test_an_archived_plans_scrutiny_and_applicability_records_may_still_be_corrected(client, session, a):
    plan = await factories.plan(session, a.tenant)
    req = await requirement(session, "nhs-act-s14z45", "limb-b-proposals")
    await session.commit()
    base = f"/api/v1/plans/{plan.id}"
    assert (await client.put(f"{base}/scrutiny", json=FULL, headers=a["lead"])).status_code == 201
    assert (await client.put(f"{base}/duty-assessment", json=applicability(req), headers=a["lead"])).status_code == 200
    assert (await client.delete(base, headers=a["lead"])).status_code == 204
    corrected = await client.put(f"{base}/scrutiny", json={**FULL, "committee_view": "Supports it"},
                                 headers={**a["lead"], "If-Match": '"1"'})
    assert corrected.status_code == 200 and corrected.json()["committee_view"] == "Supports it", corrected.text
    second = await client.put(f"{base}/duty-assessment", json={**applicability(req), "note": "Typo fixed"},
                              headers={**a["lead"], "If-Match": '"1"'})
    assert second.status_code == 200 and second.json()["number"] == 2, second.text
