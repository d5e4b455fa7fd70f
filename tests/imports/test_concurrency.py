"""An import decides every row against the register as it read it before its first row; on PostgreSQL others may
commit meanwhile, and what they wrote must not be overwritten by a decision made on what was there before."""

import asyncio

from tests.imports.support import CSV, STAKEHOLDERS
from tests.race import POSTGRES_ONLY, live_app


async def _paused_body(first: bytes, rest: bytes, asked: asyncio.Event, go_on: asyncio.Event):
    """`first`, then (once the import asks for more, its register read) `rest` when told to go on."""
    yield first
    asked.set()
    await go_on.wait()
    yield rest


@POSTGRES_ONLY
async def test_an_import_refuses_rather_than_overwrite_a_record_changed_while_it_ran():
    async with live_app("import_moved", "lead") as (client, headers, *_):
        made = await client.post("/api/v1/stakeholders", json={"name": "Alex Read", "kind": "person"}, headers=headers)
        untouched = await client.post("/api/v1/stakeholders", json={"name": "Sam Still", "kind": "person"},
                                      headers=headers)
        person, other = made.json()["id"], untouched.json()["id"]
        asked, go_on = asyncio.Event(), asyncio.Event()
        body = _paused_body(b"id,name\n", f"{person},Alex Imported\n{other},Sam Imported\n".encode(), asked, go_on)
        importing = asyncio.create_task(client.post(f"{STAKEHOLDERS}?on_conflict=update", content=body,
                                                    headers={**headers, **CSV}))
        await asyncio.wait_for(asked.wait(), 10)
        edited = await client.patch(f"/api/v1/stakeholders/{person}", json={"name": "Alex Edited"},
                                    headers={**headers, "If-Match": made.headers["ETag"]})
        assert edited.status_code == 200, edited.text
        go_on.set()
        r = await importing
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "changed while it ran" in r.json()["detail"]
        assert (await client.get(f"/api/v1/stakeholders/{person}", headers=headers)).json()["name"] == "Alex Edited"
        assert (await client.get(f"/api/v1/stakeholders/{other}", headers=headers)).json()["name"] == "Sam Still"

        # Nothing moved while it ran: the same import goes through.
        again = await client.post(f"{STAKEHOLDERS}?on_conflict=update",
                                  content=f"id,name\n{person},Alex Imported\n{other},Sam Imported\n",
                                  headers={**headers, **CSV})
        assert again.status_code == 200 and again.json()["updated"] == 2, again.text
        assert (await client.get(f"/api/v1/stakeholders/{person}", headers=headers)).json()["name"] == "Alex Imported"
