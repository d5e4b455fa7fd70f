"""Helpers for the evidence tests."""

from datetime import UTC, datetime

from tests import factories
from tests.documents.support import document
from tests.duties.support import requirement


def url(plan) -> str:
    return f"/api/v1/plans/{plan.id}/evidence"


async def linked_world(session, tenant):
    """A plan with an activity, responded feedback and a document to link to limb (b) of s14Z45."""
    plan = await factories.plan(session, tenant)
    activity = await factories.activity(session, tenant, plan_id=plan.id, title="Bridport focus group",
                                        duty_limb="proposals")
    feedback = await factories.feedback(session, tenant, plan_id=plan.id, status="responded",
                                        responded_at=datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
                                        told_at=datetime(2026, 3, 21, 9, 0, tzinfo=UTC),
                                        response_text="We added a later bus")
    doc = await document(session, plan, title="Consultation pack")
    req = await requirement(session, "nhs-act-s14z45", "limb-b-proposals")
    return plan, activity, feedback, doc, req


def body(req, activity=None, feedback=None, doc=None, **values) -> dict:
    out = {"requirement_id": str(req.id), "summary": "Residents shaped the options at a focus group",
           "activity_ids": [str(activity.id)] if activity else [],
           "feedback_ids": [str(feedback.id)] if feedback else [],
           "document_ids": [str(doc.id)] if doc else [],
           "decision": "Governing Body chose option B", "decision_date": "2026-04-02", "external_id": "EV-1"}
    out.update(values)
    return out
