"""A held plan's documents keep what makes them evidence (their kind, consultation and publication time, which the
duty report's Gunning 2 and s149 findings read); their title still changes."""

from datetime import datetime

import pytest

from tests.documents.support import NIL, READ_ONLY, WRITERS, audit_events, consultation, document, url
from tests.gdpr.support import held_plan, hold_url, is_held, is_problem

PUBLISHED = "2026-01-05T09:00:00+00:00"


@pytest.fixture
async def held(session, a):
    return await held_plan(session, a.tenant, "Held documents")


async def held_pack(session, plan):
    launch = await consultation(session, plan, title="Launch")
    return await document(session, plan, title="Pack", consultation_id=launch.id,
                          published_at=datetime.fromisoformat(PUBLISHED))


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("change", ["kind", "published_at", "no published_at", "another consultation",
                                    "no consultation"])
async def test_a_held_plans_document_keeps_what_makes_it_evidence(client, session, a, held, role, change):
    row = await held_pack(session, held)
    other = await consultation(session, held, title="Other")
    body = {"kind": {"kind": "other"}, "published_at": {"published_at": "2025-12-01T09:00:00+00:00"},
            "no published_at": {"published_at": None}, "another consultation": {"consultation_id": str(other.id)},
            "no consultation": {"consultation_id": None}}[change]
    r = await client.patch(f"{url(held.id)}/{row.id}", json={"title": "Pack v2", **body}, headers=a[role])
    assert is_held(r), r.text
    assert "Held documents" in r.json()["detail"]
    await session.refresh(row)
    assert (row.title, row.version) == ("Pack", 1) and await audit_events(session, row.id) == []


@pytest.mark.parametrize("role", WRITERS)
async def test_a_held_plans_document_is_retitled_and_audited(client, session, a, held, role):
    row = await held_pack(session, held)
    # What it was published as, sent back as it was read, is no change of it.
    read = (await client.get(f"{url(held.id)}/{row.id}", headers=a[role])).json()
    body = {"title": "Consultation pack (final)", "kind": read["kind"], "published_at": read["published_at"],
            "consultation_id": read["consultation_id"]}
    r = await client.patch(f"{url(held.id)}/{row.id}", json=body, headers=a[role])
    assert r.status_code == 200 and r.json() == {**read, **body, "version": 2, "updated_at": r.json()["updated_at"],
                                                 "updated_by": str(a.users[role].id)}, r.text
    [event] = await audit_events(session, row.id)
    assert set(event.changes) == {"title"}


async def test_once_the_hold_is_lifted_the_publication_time_changes_again(client, session, a, held):
    row = await held_pack(session, held)
    assert (await client.delete(hold_url(held.id), headers=a["admin"])).status_code == 200
    r = await client.patch(f"{url(held.id)}/{row.id}", json={"published_at": None}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["published_at"] is None, r.text


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_change_a_held_plans_document(client, session, a, held, role):
    row = await held_pack(session, held)
    assert is_problem(await client.patch(f"{url(held.id)}/{row.id}", json={"title": "X"}, headers=a[role]), 403)
    await session.refresh(row)
    assert row.version == 1


async def test_another_tenants_held_document_is_404(client, session, a, b, held):
    row = await held_pack(session, held)
    for path in (f"{url(held.id)}/{row.id}", f"{url(held.id)}/{NIL}"):
        assert is_problem(await client.patch(path, json={"kind": "other"}, headers=b["admin"]), 404)
    await session.refresh(row)
    assert (row.kind, row.version) == ("consultation_pack", 1)
