"""A retried POST with its Idempotency-Key gets the first answer: the shared checks of the restores and the other
keyed POSTs."""

from sqlalchemy import select

from api.models import AuditEvent
from tests.audit_trail import audit_events


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


async def keyed_replays(client, session, url: str, headers: dict, *, body=None, etag: str, resource_id,
                        actions: list[str]) -> None:
    """Send the POST at `url` twice with one Idempotency-Key (the caller's `headers` hold the role, and If-Match if
    any): the retry gets the first answer (200, its JSON, its ETag `etag`, marked replayed), not a second write, so
    the trail of `resource_id` holds exactly `actions`."""
    keyed = {**headers, "Idempotency-Key": "send-once"}
    first = await client.post(url, json=body, headers=keyed)
    retry = await client.post(url, json=body, headers=keyed)
    assert first.status_code == retry.status_code == 200, retry.text
    assert retry.json() == first.json() and retry.headers["etag"] == first.headers["etag"] == etag
    assert retry.headers["idempotent-replayed"] == "true"
    assert [e.action for e in await audit_events(session, resource_id)] == actions
