"""The Python peer: shared/PERFORMANCE.md's "FastAPI + raw asyncpg, orjson, no pool reset", answering the two reads
bench/reads.py drives with the same statements and environment as server.mjs (PEER_*). No token, no account, no
row-level security, no masking, no middleware: what a bare FastAPI reaches on this machine, so that the API's gap to
the Node.js peer can be split into Python's part and the product's. Never part of the product; reads.py --peer starts
it with `uvicorn --workers PEER_WORKERS --factory bench.peer.bare_fastapi:app`."""

import contextlib
import json
import os

import asyncpg
import orjson
from fastapi import FastAPI, Response

from api.db import read_codecs


def _statement(name: str, known: set[str]) -> tuple[str, list[str]]:
    sql, names = os.environ[f"PEER_{name}_SQL"], json.loads(os.environ[f"PEER_{name}_PARAMS"])
    if set(names) - known:
        raise SystemExit(f"PEER_{name}: parameters this peer cannot fill: {set(names) - known}")
    # SQLAlchemy's asyncpg dialect compiles numbered placeholders already ($1, $2, ...).
    return sql, names


def app() -> FastAPI:
    tenant = os.environ["PEER_TENANT_ID"]
    by_id_sql, by_id_names = _statement("BY_ID", {"id", "tenant_id"})
    page_sql, page_names = _statement("PAGE", {"tenant_id", "category", "min_influence", "page_limit"})
    pool: list[asyncpg.Pool] = []

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        pool.append(await asyncpg.create_pool(os.environ["PEER_DATABASE_URL"], min_size=1,
                                              max_size=int(os.environ.get("PEER_POOL", "16")),
                                              init=read_codecs, reset=_no_reset))
        yield
        await pool[0].close()

    api = FastAPI(lifespan=lifespan)

    @api.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @api.get("/api/v1/stakeholders/{stakeholder_id}")
    async def read(stakeholder_id: str) -> Response:
        values = {"id": stakeholder_id, "tenant_id": tenant}
        row = await pool[0].fetchrow(by_id_sql, *[values[n] for n in by_id_names])
        if row is None:
            return Response(b'{"title":"Not found"}', status_code=404, media_type="application/json")
        return Response(orjson.dumps(dict(row)), media_type="application/json")

    @api.get("/api/v1/stakeholders")
    async def page(category: str, min_influence: int = 1, limit: int = 50) -> Response:
        # JSON parameters go as text (api.db.read_codecs), as the API binds them.
        values = {"tenant_id": tenant, "category": orjson.dumps([category]).decode(), "min_influence": min_influence,
                  "page_limit": limit + 1}
        rows = await pool[0].fetch(page_sql, *[values[n] for n in page_names])
        more = len(rows) > limit
        items = [dict(r) for r in rows[:limit]]
        return Response(orjson.dumps({"items": items, "next_cursor": items[-1]["id"] if more else None}),
                        media_type="application/json")

    return api


async def _no_reset(connection) -> None:
    """asyncpg's pool would RESET ALL on every release (shared/PERFORMANCE.md, trap 2); nothing here sets anything."""
