import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit, rls
from api.models import AuditEvent
from tests import factories
from tests.conftest import as_table_owner

URL = "/api/v1/audit-events"
VERIFY_URL = f"{URL}/verify"
ORGS_URL = "/api/v1/organisations"
READERS = ("admin", "auditor")
REFUSED = ("lead", "contributor", "viewer")
EVENTS = AuditEvent.__table__  # Core statements: they bypass the ORM, as tampering with the database would


async def write(client, world, name: str, role: str = "admin") -> dict:
    r = await client.post(ORGS_URL, json={"name": name}, headers=world[role])
    assert r.status_code == 201, r.text
    return r.json()


async def several_writes(client, world, n: int = 4) -> list[dict]:
    orgs = [await write(client, world, f"Org {i}") for i in range(n)]
    await client.patch(f"{ORGS_URL}/{orgs[0]['id']}", json={"name": "Renamed"}, headers=world["admin"])
    return orgs


async def chain(session, tenant) -> list[AuditEvent]:
    return list((await session.execute(select(AuditEvent).where(AuditEvent.tenant_id == tenant.id)
                                       .order_by(AuditEvent.seq))).scalars().all())


async def test_a_write_produces_an_event_visible_here(client, a):
    created = await client.post(ORGS_URL, json={"name": "Healthwatch Dorset"}, headers=a["lead"])
    r = await client.get(URL, headers=a["auditor"])
    assert r.status_code == 200
    [event] = r.json()["items"]
    assert (event["action"], event["resource_type"], event["resource_id"]) == (
        "create", "organisation", created.json()["id"])
    assert (event["actor_type"], event["actor_id"]) == ("user", str(a.users["lead"].id))
    assert event["seq"] == 1 and event["prev_hash"] == "0" * 64 and len(event["hash"]) == 64
    assert event["changes"]["name"] == {"after": "Healthwatch Dorset"}
    assert event["request_id"] == created.headers["x-request-id"]
    assert datetime.fromisoformat(event["occurred_at"]).utcoffset() is not None


@pytest.mark.parametrize("role", READERS)
async def test_admin_and_auditor_read_and_verify(client, a, role):
    await write(client, a, "Seen")
    assert len((await client.get(URL, headers=a[role])).json()["items"]) == 1
    assert (await client.get(VERIFY_URL, headers=a[role])).json()["intact"] is True


@pytest.mark.parametrize("role", REFUSED)
async def test_other_roles_are_refused(client, a, role):
    for path in (URL, VERIFY_URL):
        r = await client.get(path, headers=a[role])
        assert r.status_code == 403, path
        assert r.headers["content-type"] == "application/problem+json"


async def test_anonymous_gets_401(client):
    for path in (URL, VERIFY_URL):
        assert (await client.get(path)).status_code == 401


async def test_the_trail_cannot_be_written_through_the_api(client, a):
    r = await client.post(URL, json={"action": "create"}, headers=a["admin"])
    assert r.status_code == 405


async def test_newest_first_by_default_with_cursor_paging(client, a):
    await several_writes(client, a)
    first = (await client.get(URL, params={"limit": 3, "include_total": "true"}, headers=a["auditor"])).json()
    assert [e["seq"] for e in first["items"]] == [5, 4, 3] and first["total"] == 5
    rest = (await client.get(URL, params={"limit": 3, "cursor": first["next_cursor"]}, headers=a["auditor"])).json()
    assert [e["seq"] for e in rest["items"]] == [2, 1] and rest["next_cursor"] is None
    oldest = (await client.get(URL, params={"sort": "seq", "limit": 2}, headers=a["auditor"])).json()
    assert [e["seq"] for e in oldest["items"]] == [1, 2]


async def test_filters_by_resource_action_and_actor(client, a):
    orgs = await several_writes(client, a, n=2)
    await write(client, a, "By the lead", role="lead")
    target = orgs[0]["id"]
    on_target = (await client.get(URL, params={"resource_type": "organisation", "resource_id": target},
                                  headers=a["auditor"])).json()["items"]
    assert [e["action"] for e in on_target] == ["update", "create"]
    updates = (await client.get(URL, params={"action": "update"}, headers=a["auditor"])).json()["items"]
    assert [e["resource_id"] for e in updates] == [target]
    by_lead = (await client.get(URL, params={"actor_id": str(a.users["lead"].id)}, headers=a["auditor"])).json()
    assert [e["seq"] for e in by_lead["items"]] == [4]
    none = (await client.get(URL, params={"resource_type": "user"}, headers=a["auditor"])).json()["items"]
    assert none == []


async def test_since_is_inclusive_and_until_exclusive(client, session, a):
    await several_writes(client, a, n=3)
    events = await chain(session, a.tenant)
    middle = events[1].occurred_at.isoformat()
    since = (await client.get(URL, params={"since": middle, "sort": "seq"}, headers=a["auditor"])).json()["items"]
    assert [e["seq"] for e in since] == [2, 3, 4]
    until = (await client.get(URL, params={"until": middle, "sort": "seq"}, headers=a["auditor"])).json()["items"]
    assert [e["seq"] for e in until] == [1]
    later = datetime(2999, 1, 1, tzinfo=UTC).isoformat()
    assert (await client.get(URL, params={"since": later}, headers=a["auditor"])).json()["items"] == []


@pytest.mark.parametrize("params", [{"since": "2026-01-01T00:00:00"}, {"until": "yesterday"}, {"until": "0.5"},
                                    {"since": "2026-01-01"},
                                    # out of range: overflowed when converted to UTC, a 500 (stop 19)
                                    {"since": "9999-12-31T23:59:59-05:00"}, {"until": "0001-01-01T00:00:00+01:00"},
                                    {"actor_id": "not-a-uuid"}, {"sort": "hash"}, {"cursor": "garbage"},
                                    {"limit": 501}, {"action": "nul\x00"}, {"resource_id": "\x00"}])
async def test_bad_list_parameters_are_4xx_problems(client, a, params):
    r = await client.get(URL, params=params, headers=a["auditor"])
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"


async def test_other_tenants_events_are_invisible(client, session, a, b):
    await write(client, b, "Theirs")
    await write(client, b, "Theirs too")
    await write(client, a, "Ours")
    listing = (await client.get(URL, params={"include_total": "true"}, headers=a["admin"])).json()
    assert listing["total"] == 1 and listing["items"][0]["changes"]["name"] == {"after": "Ours"}
    theirs = (await chain(session, b.tenant))[0]
    by_id = await client.get(URL, params={"resource_id": theirs.resource_id}, headers=a["admin"])
    assert by_id.json()["items"] == []
    report = (await client.get(VERIFY_URL, headers=a["admin"])).json()
    assert report["events_checked"] == 1


async def test_empty_chain_verifies_intact(client, a):
    r = await client.get(VERIFY_URL, headers=a["auditor"])
    assert r.status_code == 200
    assert r.json() == {"intact": True, "events_checked": 0, "head_hash": None, "first_broken": None}


async def test_chain_verifies_intact_after_several_writes(client, session, a):
    await several_writes(client, a)
    events = await chain(session, a.tenant)
    report = (await client.get(VERIFY_URL, headers=a["auditor"])).json()
    assert report == {"intact": True, "events_checked": 5, "head_hash": events[-1].hash, "first_broken": None}


async def test_tampered_changes_break_the_chain_at_that_event(client, session, a):
    await several_writes(client, a)
    victim = (await chain(session, a.tenant))[2]
    async with as_table_owner(session):
        await session.execute(update(EVENTS).where(EVENTS.c.id == victim.id)
                              .values(changes={"name": {"after": "Something else"}}))
    # No expire_all(): the session's identity map still holds the untampered row, and verify must
    # read the database anyway (populate_existing), as it would after tampering out of process.
    report = (await client.get(VERIFY_URL, headers=a["auditor"])).json()
    assert report["intact"] is False
    assert report["first_broken"]["seq"] == 3 and report["first_broken"]["id"] == str(victim.id)
    assert "hash" in report["first_broken"]["reason"]
    assert report["events_checked"] == 2


async def test_deleted_middle_event_breaks_the_chain_at_the_gap(client, session, a):
    await several_writes(client, a)
    victim = (await chain(session, a.tenant))[2]
    async with as_table_owner(session):
        await session.execute(delete(EVENTS).where(EVENTS.c.id == victim.id))
    report = (await client.get(VERIFY_URL, headers=a["auditor"])).json()
    assert report["intact"] is False
    assert report["first_broken"]["seq"] == 4
    assert "gap" in report["first_broken"]["reason"]
    assert report["events_checked"] == 2


@pytest.mark.parametrize("removed", [1, 2])
async def test_events_removed_from_the_end_break_the_chain(client, session, a, removed):
    # A chain checked from its start only verified once its newest events (the latest sign-off, erasure…) were gone
    await several_writes(client, a)
    events = await chain(session, a.tenant)
    async with as_table_owner(session):
        await session.execute(delete(EVENTS).where(EVENTS.c.id.in_([e.id for e in events[-removed:]])))
    report = (await client.get(VERIFY_URL, headers=a["auditor"])).json()
    assert report["intact"] is False and report["events_checked"] == 5 - removed, report
    assert report["first_broken"] == {"seq": 6 - removed, "id": None, "reason": (
        f"the chain ends at event {5 - removed}, but its head was recorded as event 5: events were removed from its "
        "end")}


async def test_the_recorded_head_follows_every_event_and_keeps_another_tenants_apart(client, session, a, b):
    await several_writes(client, a, n=2)
    await several_writes(client, b, n=3)
    for world, n in ((a, 3), (b, 4)):  # n creates and a rename
        report = (await client.get(VERIFY_URL, headers=world["auditor"])).json()
        assert (report["intact"], report["events_checked"]) == (True, n), report


async def test_tampering_in_another_tenant_leaves_ours_intact(client, session, a, b):
    await several_writes(client, a, n=2)
    await several_writes(client, b, n=2)
    victim = (await chain(session, b.tenant))[0]
    async with as_table_owner(session):
        await session.execute(update(EVENTS).where(EVENTS.c.id == victim.id).values(action="forged"))
    assert (await client.get(VERIFY_URL, headers=a["auditor"])).json()["intact"] is True
    theirs = (await client.get(VERIFY_URL, headers=b["auditor"])).json()
    assert theirs["intact"] is False and theirs["first_broken"]["seq"] == 1


async def test_an_event_forged_past_the_recorded_head_breaks_the_chain(client, session, a):
    # Appended by someone with database access, without the head an append moves with it
    await several_writes(client, a, n=2)
    last = (await chain(session, a.tenant))[-1]
    async with as_table_owner(session):
        await session.execute(EVENTS.insert().values(
            id=uuid.uuid4(), tenant_id=a.tenant.id, seq=last.seq + 1, occurred_at=datetime.now(UTC),
            actor_type="system", action="forged", resource_type="tenant", changes={}, prev_hash=last.hash,
            hash="f" * 64))
    report = (await client.get(VERIFY_URL, headers=a["auditor"])).json()
    assert report["intact"] is False and report["first_broken"]["seq"] == last.seq + 1, report
    assert report["first_broken"]["reason"] == "the chain's last event is not its recorded head"


async def test_an_event_written_while_the_chain_is_read_is_no_break(app, monkeypatch):
    """Under PostgreSQL's READ COMMITTED each statement sees what was committed before it: the chain was read, then
    its head, and an event committed in between (a busy tenant) read as events removed from the end."""
    db = app.state.db
    async with db.write_sessions() as s:
        await rls.bypass(s)
        tenant = await factories.tenant(s, slug=f"busy-{uuid.uuid4().hex[:8]}")
        auditor = await factories.user(s, tenant, role="auditor")
        await audit.append(s, tenant_id=tenant.id, actor=audit.Actor("system", None), action="create",
                           resource_type="tenant", resource_id=tenant.id)
        await s.commit()
    written = []
    original = AsyncSession.execute

    async def execute(self, statement, *args, **kwargs):
        # Another request of the tenant commits an event just before each read of the head by the verify
        if isinstance(statement, Select) and "audit_head" in str(statement) and "FOR UPDATE" not in str(statement) \
                and len(written) < 2:
            written.append(True)
            async with db.write_sessions() as other:
                await rls.bypass(other)
                await audit.append(other, tenant_id=tenant.id, actor=audit.Actor("system", None), action="update",
                                   resource_type="tenant", resource_id=tenant.id)
                await other.commit()
        return await original(self, statement, *args, **kwargs)

    monkeypatch.setattr(AsyncSession, "execute", execute)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        report = (await c.get(VERIFY_URL, headers=factories.auth_headers(app, auditor))).json()
    assert written and report["intact"] is True, report
