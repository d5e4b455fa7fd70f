"""A held plan's scrutiny record keeps its views (substantial variation and why, the committee's view, the Secretary
of State's notification) and its letters what they said; new letters are still logged, and the record's body and
committee name still change."""

from datetime import date

import pytest

from tests.documents.support import NIL, READ_ONLY, WRITERS, audit_events, document
from tests.gdpr.support import held_plan, hold_url, is_held, is_problem
from tests.scrutiny.support import FULL, LETTER, letter, letters_url, record, url

STORED = {**FULL, "committee_view_date": date(2026, 4, 20), "sos_notified_date": date(2026, 4, 25)}


@pytest.fixture
async def held(session, a):
    return await held_plan(session, a.tenant, "Held scrutiny")


def refused(r, plan) -> bool:
    return is_held(r, str(plan.id))


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("change", [{"substantial_variation": False}, {"substantial_variation_reason": "Minor"},
                                    {"committee_view": "Objects"}, {"committee_view": None},
                                    {"committee_view_date": "2026-04-21"}, {"sos_notification_required": None},
                                    {"sos_notified_date": None}])
async def test_a_held_plans_scrutiny_record_keeps_its_views(client, session, a, held, role, change):
    row = await record(session, held, **STORED)
    r = await client.put(url(held.id), json={**FULL, "committee_name": "Renamed", **change}, headers=a[role])
    assert refused(r, held), r.text
    await session.refresh(row)
    assert {name: getattr(row, name) for name in STORED} == STORED and row.version == 1
    assert await audit_events(session, row.id) == []


async def test_a_held_plans_scrutiny_record_is_not_blanked_by_an_empty_put(client, session, a, held):
    row = await record(session, held, **STORED)
    assert refused(await client.put(url(held.id), json={}, headers=a["lead"]), held)
    await session.refresh(row)
    assert row.substantial_variation is True and row.version == 1


@pytest.mark.parametrize("role", WRITERS)
async def test_a_held_plans_scrutiny_record_is_renamed_with_its_views_sent_back(client, session, a, held, role):
    row = await record(session, held, **STORED)
    r = await client.put(url(held.id), json={**FULL, "body": "llais", "committee_name": "Llais"}, headers=a[role])
    assert r.status_code == 200 and r.json()["committee_name"] == "Llais" and r.json()["version"] == 2, r.text
    assert {name: r.json()[name] for name in FULL if name not in ("body", "committee_name")} == \
        {name: value for name, value in FULL.items() if name not in ("body", "committee_name")}
    [event] = await audit_events(session, row.id)
    assert set(event.changes) == {"body", "committee_name"}


async def test_a_held_plans_first_scrutiny_record_is_still_created(client, session, a, held):
    r = await client.put(url(held.id), json=FULL, headers=a["lead"])
    assert r.status_code == 201 and r.json()["substantial_variation"] is True, r.text


async def test_once_the_hold_is_lifted_the_record_is_replaced_again(client, session, a, held):
    await record(session, held, **STORED)
    assert (await client.delete(hold_url(held.id), headers=a["admin"])).status_code == 200
    r = await client.put(url(held.id), json={}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["substantial_variation"] is None, r.text


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("change", [{"direction": "received"}, {"correspondence_date": "2026-05-01"},
                                    {"summary": "Routine briefing"}, {"document_id": None}, "another document"])
async def test_a_held_plans_letter_keeps_what_it_said(client, session, a, held, role, change):
    cited = await document(session, held, kind="correspondence")
    row = await letter(session, held, direction="sent", correspondence_date=date(2026, 2, 10),
                       summary="The committee refers the closure", document_id=cited.id)
    if change == "another document":
        change = {"document_id": str((await document(session, held, kind="correspondence")).id)}
    r = await client.patch(f"{letters_url(held.id)}/{row.id}", json=change, headers=a[role])
    assert refused(r, held), r.text
    await session.refresh(row)
    assert (row.direction, row.correspondence_date, row.summary, row.document_id, row.version) == \
        ("sent", date(2026, 2, 10), "The committee refers the closure", cited.id, 1)
    assert await audit_events(session, row.id) == []


@pytest.mark.parametrize("role", WRITERS)
async def test_a_held_plans_letter_may_cite_a_document_where_none_was(client, session, a, held, role):
    row = await letter(session, held, direction="sent", correspondence_date=date(2026, 2, 10), summary="Briefing")
    scan = await document(session, held, kind="correspondence")
    # What it said, sent back as it was read, is no change of it.
    body = {"direction": "sent", "correspondence_date": "2026-02-10", "summary": "Briefing",
            "document_id": str(scan.id)}
    r = await client.patch(f"{letters_url(held.id)}/{row.id}", json=body, headers=a[role])
    assert r.status_code == 200 and r.json()["document_id"] == str(scan.id) and r.json()["version"] == 2, r.text
    [event] = await audit_events(session, row.id)
    assert set(event.changes) == {"document_id"}


async def test_a_held_plan_still_logs_new_letters(client, session, a, held):
    r = await client.post(letters_url(held.id), json=LETTER, headers=a["lead"])
    assert r.status_code == 201, r.text


async def test_once_the_hold_is_lifted_a_letter_is_corrected_again(client, session, a, held):
    row = await letter(session, held, summary="Drfat")
    assert (await client.delete(hold_url(held.id), headers=a["admin"])).status_code == 200
    r = await client.patch(f"{letters_url(held.id)}/{row.id}", json={"summary": "Draft"}, headers=a["lead"])
    assert r.status_code == 200 and r.json()["summary"] == "Draft", r.text


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_change_a_held_plans_scrutiny(client, session, a, held, role):
    row = await record(session, held, **STORED)
    item = await letter(session, held)
    assert is_problem(await client.put(url(held.id), json=FULL, headers=a[role]), 403)
    assert is_problem(await client.patch(f"{letters_url(held.id)}/{item.id}", json={"summary": "X"},
                                         headers=a[role]), 403)
    await session.refresh(row)
    await session.refresh(item)
    assert (row.version, item.version) == (1, 1)


async def test_another_tenants_held_scrutiny_is_404(client, session, a, b, held):
    row = await record(session, held, **STORED)
    item = await letter(session, held, summary="Kept")
    assert is_problem(await client.put(url(held.id), json={}, headers=b["admin"]), 404)
    for path in (f"{letters_url(held.id)}/{item.id}", f"{letters_url(held.id)}/{NIL}"):
        assert is_problem(await client.patch(path, json={"summary": "X"}, headers=b["admin"]), 404)
    await session.refresh(row)
    await session.refresh(item)
    assert (row.substantial_variation, row.version, item.summary, item.version) == (True, 1, "Kept", 1)
