"""An erasure under way, for tests of what must wait for it (PostgreSQL only: SQLite runs one writer at a time)."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy import update as sql_update

from api.idempotency import advisory_key
from api.models import Stakeholder
from api.stakeholders.service import ERASED_NAME, PEOPLE_LOCK
from tests import factories
from tests.race import live_app


@dataclass
class ErasureUnderWay:
    client: httpx.AsyncClient
    headers: dict[str, str]  # a contributor's
    person: Any
    commit: Any  # ends the erasure


@contextlib.asynccontextmanager
async def erasure_under_way(suffix: str) -> AsyncIterator[ErasureUnderWay]:
    """An app on a scratch database, with a contributor and a person whom another connection's open transaction is
    erasing as erase() does: holding its lock, the row marked erased. What runs meanwhile must wait for `commit`."""
    async with live_app(suffix, "contributor") as (client, headers, db, tenant, _, elsewhere):
        async with db.write_sessions() as session:
            person = await factories.stakeholder(session, tenant, name="Racey Person")
            await session.commit()
        async with elsewhere.connect() as eraser:
            assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
            await eraser.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                                 {"a": PEOPLE_LOCK, "b": advisory_key(tenant.id, "people")})
            await eraser.execute(sql_update(Stakeholder).where(Stakeholder.id == person.id)
                                 .values(erased_at=datetime.now(UTC), name=ERASED_NAME))
            yield ErasureUnderWay(client, headers, person, eraser.commit)
