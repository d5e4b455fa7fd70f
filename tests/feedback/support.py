from sqlalchemy import func, select

from api.models import Feedback

URL = "/api/v1/feedback"
COMMENT = {
    "received_at": "2026-03-02T10:00:00+00:00",  # a Monday
    "channel": "event",
    "type": "concern",
    "text": "I'm Margaret Okafor (margaret@example.org, 01308 422100): the bus to the new hub stops at 6pm.",
    "themes": ["transport", "access"],
    "external_id": "FB-1",
}


async def count_feedback(session, tenant) -> int:
    return (await session.execute(select(func.count()).select_from(Feedback)
                                  .where(Feedback.tenant_id == tenant.id))).scalar_one()


async def respond(client, headers, feedback_id, **body):
    body.setdefault("response_text", "We asked the bus company to run a later service.")
    body.setdefault("outcome", "changed")
    body.setdefault("action_taken", "A 9pm bus runs from April")
    return await client.post(f"{URL}/{feedback_id}/response", json=body, headers=headers)
