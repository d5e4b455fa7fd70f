"""A retried POST with its Idempotency-Key gets the first answer: the restores' shared check."""

from sqlalchemy import select

from api.models import AuditEvent


async def restore_replays(client, session, item: str, writer: dict, other: dict) -> None:
    """Archive the record at `item`, restore it with a key, let `other` archive it again, and send the restore again:
    the first answer comes back (replayed, its ETag), not a second restore; the trail holds one."""
    await client.delete(item, headers=writer)
    keyed = {**writer, "Idempotency-Key": "restore-once"}
    first = await client.post(f"{item}/restore", headers=keyed)
    assert first.status_code == 200 and first.headers["etag"] == '"3"', first.text
    await client.delete(item, headers=other)
    retry = await client.post(f"{item}/restore", headers=keyed)
    assert retry.status_code == 200 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json() and retry.headers["etag"] == '"3"'
    actions = (await session.execute(select(AuditEvent.action).where(AuditEvent.resource_id == first.json()["id"])
                                     .order_by(AuditEvent.seq))).scalars().all()
    assert list(actions) == ["archive", "restore", "archive"]
