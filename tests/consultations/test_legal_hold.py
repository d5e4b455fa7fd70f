"""A held plan's consultation keeps what the duty report reads (its window, minimum and reason for a shorter one, and
its decision date: Gunning 1 and 3, and each document's published_at_launch); its other fields still change."""

from datetime import date

import pytest

from tests.consultations.support import url
from tests.documents.support import NIL, READ_ONLY, WRITERS, audit_events, consultation
from tests.gdpr.support import held_plan, hold_url, is_held, is_problem


@pytest.fixture
async def held(session, a):
    return await held_plan(session, a.tenant, "Held consultations")


async def held_consultation(session, plan):
    # Decided before it closed (Gunning 1 red), and ran 25 days of a stated 84 with no reason (Gunning 3 red).
    return await consultation(session, plan, title="Urgent care", opened_date=date(2026, 1, 5),
                              closed_date=date(2026, 1, 30), minimum_days=84, decision_date=date(2026, 1, 20),
                              decision_maker="ICB Board")


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("change", [{"opened_date": "2025-12-20"}, {"opened_date": None}, {"closed_date": "2026-04-30"},
                                    {"closed_date": None}, {"minimum_days": 20}, {"minimum_days": None},
                                    {"shorter_reason": "Winter pressures"}, {"decision_date": "2026-05-14"},
                                    {"decision_date": None}, {"decision_maker": "Someone else"},
                                    {"decision_summary": "Both sites close"}, {"decision_maker": None}])
async def test_a_held_plans_consultation_keeps_its_window_and_decision_date(client, session, a, held, role, change):
    row = await held_consultation(session, held)
    r = await client.patch(f"{url(held.id)}/{row.id}", json={"title": "Renamed", **change}, headers=a[role])
    assert is_held(r), r.text
    assert "Held consultations" in r.json()["detail"] and str(held.id) in r.json()["detail"]
    await session.refresh(row)
    assert (row.title, row.opened_date, row.closed_date, row.minimum_days, row.shorter_reason, row.decision_date,
            row.version) == ("Urgent care", date(2026, 1, 5), date(2026, 1, 30), 84, None, date(2026, 1, 20), 1)
    assert await audit_events(session, row.id) == []


@pytest.mark.parametrize("role", WRITERS)
async def test_a_held_plans_consultation_is_retitled_and_audited(client, session, a, held, role):
    row = await held_consultation(session, held)
    # The window and decision date sent back as they were read are no change of them.
    read = (await client.get(f"{url(held.id)}/{row.id}", headers=a[role])).json()
    body = {"title": "Urgent care (final)", "external_id": "CONS-9",
            **{name: read[name] for name in ("opened_date", "closed_date", "minimum_days", "shorter_reason",
                                             "decision_date", "decision_maker", "decision_summary")}}
    r = await client.patch(f"{url(held.id)}/{row.id}", json=body, headers=a[role])
    assert r.status_code == 200 and r.json() == {**read, **body, "version": 2, "updated_at": r.json()["updated_at"],
                                                 "updated_by": str(a.users[role].id)}, r.text
    [event] = await audit_events(session, row.id)
    assert set(event.changes) == {"title", "external_id"}


async def test_once_the_hold_is_lifted_the_window_changes_again(client, session, a, held):
    row = await held_consultation(session, held)
    assert (await client.delete(hold_url(held.id), headers=a["admin"])).status_code == 200
    r = await client.patch(f"{url(held.id)}/{row.id}", json={"closed_date": "2026-03-30", "decision_date": None},
                           headers=a["lead"])
    assert r.status_code == 200 and r.json()["duration_days"] == 85 and r.json()["decision_date"] is None, r.text


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_change_a_held_plans_consultation(client, session, a, held, role):
    row = await held_consultation(session, held)
    r = await client.patch(f"{url(held.id)}/{row.id}", json={"title": "X"}, headers=a[role])
    assert is_problem(r, 403)
    await session.refresh(row)
    assert row.version == 1


async def test_another_tenants_held_consultation_is_404(client, session, a, b, held):
    row = await held_consultation(session, held)
    for path in (f"{url(held.id)}/{row.id}", f"{url(held.id)}/{NIL}"):
        r = await client.patch(path, json={"decision_date": "2026-05-14"}, headers=b["admin"])
        assert is_problem(r, 404)
    await session.refresh(row)
    assert (row.decision_date, row.version) == (date(2026, 1, 20), 1)
