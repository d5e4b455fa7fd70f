from datetime import UTC, datetime

from tests import factories
from tests.stakeholders.support import URL


async def names(client, headers, **params) -> list[str]:
    r = await client.get(URL, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [s["name"] for s in r.json()["items"]]


async def test_not_engaged_since_finds_who_has_not_been_reached(client, session, a, b):
    people = {n: await factories.stakeholder(session, a.tenant, name=n)
              for n in ("Ann attended", "Bob invited only", "Cath attended long ago", "Dan cancelled", "Eve never",
                        "Fay planned", "Gus archived activity")}
    recent = await factories.activity(session, a.tenant, status="done", starts_at=datetime(2026, 3, 1, tzinfo=UTC))
    old = await factories.activity(session, a.tenant, status="done", starts_at=datetime(2025, 6, 1, tzinfo=UTC))
    cancelled = await factories.activity(session, a.tenant, status="cancelled",
                                         starts_at=datetime(2026, 3, 2, tzinfo=UTC))
    planned = await factories.activity(session, a.tenant, status="planned", starts_at=datetime(2026, 3, 3, tzinfo=UTC))
    archived = await factories.activity(session, a.tenant, status="done", starts_at=datetime(2026, 3, 4, tzinfo=UTC),
                                        archived_at=datetime(2026, 3, 5, tzinfo=UTC))
    await factories.attendance(session, recent, people["Ann attended"])
    await factories.attendance(session, recent, people["Bob invited only"], attended=False)
    await factories.attendance(session, old, people["Cath attended long ago"])
    await factories.attendance(session, cancelled, people["Dan cancelled"])
    await factories.attendance(session, planned, people["Fay planned"])
    await factories.attendance(session, archived, people["Gus archived activity"])
    # Another tenant's activity attended by nobody of A's, and B's own stakeholder never shows.
    await factories.stakeholder(session, b.tenant, name="Zed elsewhere")
    expected = ["Bob invited only", "Cath attended long ago", "Dan cancelled", "Eve never", "Fay planned",
                "Gus archived activity"]
    assert await names(client, a["viewer"], not_engaged_since="2026-01-01") == expected
    assert "Cath attended long ago" not in await names(client, a["viewer"], not_engaged_since="2025-01-01")


async def test_not_engaged_since_counts_the_whole_uk_day(client, session, a):
    ann = await factories.stakeholder(session, a.tenant, name="Ann")
    # 23:30 UTC on 31 March 2026 is 00:30 on 1 April in the UK (BST)
    late = await factories.activity(session, a.tenant, starts_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    await factories.attendance(session, late, ann)
    assert await names(client, a["viewer"], not_engaged_since="2026-04-01") == []
    assert await names(client, a["viewer"], not_engaged_since="2026-04-02") == ["Ann"]


async def test_not_engaged_since_refuses_a_bad_date(client, a):
    for value in ("last week", "0001-01-01"):
        r = await client.get(URL, params={"not_engaged_since": value}, headers=a["viewer"])
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
