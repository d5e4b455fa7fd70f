"""What the audit trail holds about one record, as the tests of each feature read it."""

import json

from sqlalchemy import select

from api.models import AuditEvent


async def audit_events(session, resource_id) -> list[AuditEvent]:
    """The record's events, oldest first."""
    return list((await session.execute(select(AuditEvent).where(AuditEvent.resource_id == str(resource_id))
                                       .order_by(AuditEvent.seq))).scalars().all())


def audit_text(events: list[AuditEvent]) -> str:
    """The events' changes as one text, to look for a value that must not be there."""
    return json.dumps([e.changes for e in events])
