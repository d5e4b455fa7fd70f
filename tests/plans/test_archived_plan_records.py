"""An archived plan takes no new record of any kind (409, nothing written), as its action plan and risk log take no
new line: a document, an evidence item, a consultation, a scrutiny letter. What it holds may still be read and
corrected, and restoring the plan opens it again."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from api.models import Consultation, Document, Evidence, ScrutinyCorrespondence
from tests import factories
from tests.documents.support import upload
from tests.duties.support import requirement
from tests.scrutiny.support import LETTER

ARCHIVED = "The plan is archived; restore it before linking anything new to it"


async def test_an_archived_plan_takes_no_new_document_evidence_consultation_or_letter(client, session, a):
    plan = await factories.plan(session, a.tenant, archived_at=datetime.now(UTC))
    req = await requirement(session, "nhs-act-s14z45", "limb-b-proposals")
    await session.commit()
    base = f"/api/v1/plans/{plan.id}"
    creates = {
        "document": lambda: upload(client, a["lead"], plan.id),
        "evidence": lambda: client.post(f"{base}/evidence", json={"requirement_id": str(req.id),
                                                                 "summary": "See the minutes"}, headers=a["lead"]),
        "consultation": lambda: client.post(f"{base}/consultations", json={"title": "Early listening"},
                                            headers=a["lead"]),
        "letter": lambda: client.post(f"{base}/scrutiny/correspondence", json=LETTER, headers=a["lead"]),
    }
    for name, create in creates.items():
        r = await create()
        assert r.status_code == 409 and r.json()["detail"] == ARCHIVED, (name, r.text)
    for model in (Document, Evidence, Consultation, ScrutinyCorrespondence):
        assert (await session.execute(select(func.count()).select_from(model))).scalar_one() == 0, model
    assert (await client.post(f"{base}/restore", headers=a["lead"])).status_code == 200
    for name, create in creates.items():
        r = await create()
        assert r.status_code == 201, (name, r.text)
