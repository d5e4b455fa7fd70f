"""The server's own CPU time per read, with no HTTP client, HTTP server or load generator sharing the cores: the app
is called as ASGI in this process, over the database `reads.py` seeded (run that first), with the production settings
it uses. Figures move far less than req/s do on this shared machine, so before/after comparisons of a change use them.

    python bench/inprocess.py                         # list and by id, CPU per request (best of three rounds)
    python bench/inprocess.py --only list --profile tottime   # and cProfile's top functions of the last round

The database's own CPU time is not included (PostgreSQL runs in its own processes; reads.py reports it)."""

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_export import SECRET  # noqa: E402
from reads import CATEGORIES, LIST_QUERY, POSTGRES, _fresh_token, _sample_ids  # noqa: E402


def _settings(url: str) -> None:
    # The production configuration reads.py starts, minus the access log (it would go to this terminal).
    os.environ.update({
        "INVOLVE_DATABASE_URL": url, "INVOLVE_JWT_SECRET": SECRET, "INVOLVE_ENV": "production",
        "INVOLVE_LOG_LEVEL": "WARNING", "INVOLVE_DB_APP_ROLE": "involve_app",
        "INVOLVE_RATE_LIMIT_DEFAULT": "100000/second", "INVOLVE_DB_POOL_SIZE": "16", "INVOLVE_DB_MAX_OVERFLOW": "0",
    })


async def _get(app, path: str, token: str) -> int:
    """One GET through the app as an ASGI server would make it; the response's status."""
    path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
             "client": ("127.0.0.1", 50000), "server": ("bench", 80)}
    status = 0

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(url: str, token: str, kinds: list[str], requests: int, profile: str | None) -> dict[str, float]:
    from api.main import app_factory

    ids = await _sample_ids(url, 2000)
    paths = {"list": [f"/api/v1/stakeholders?category={c}&{LIST_QUERY}" for c in CATEGORIES],
             "by_id": [f"/api/v1/stakeholders/{i}" for i in ids]}
    app = app_factory()
    results = {}
    async with app.router.lifespan_context(app):
        for kind in kinds:
            chosen = paths[kind]
            for i in range(100):  # warm up: the pool's connections, prepared statements, the list's shapes
                status = await _get(app, chosen[i % len(chosen)], token)
                assert status == 200, f"{kind}: {status}"
            profiler = cProfile.Profile() if profile else None
            best = float("inf")
            for round_ in range(3):
                if profiler and round_ == 2:
                    profiler.enable()
                started = time.process_time()
                for i in range(requests):
                    await _get(app, chosen[i % len(chosen)], token)
                best = min(best, (time.process_time() - started) / requests * 1000)
                if profiler and round_ == 2:
                    profiler.disable()
            results[kind] = round(best, 3)
            print(f"{kind}: {best:.3f} ms of CPU per request (best of three rounds of {requests})", flush=True)
            if profiler:
                pstats.Stats(profiler).sort_stats(profile).print_stats(40)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=POSTGRES, help="the database reads.py seeded")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--only", choices=["list", "by_id"])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", choices=["tottime", "cumtime"], help="cProfile the last round, sorted so")
    args = parser.parse_args()
    state_file = args.data / "reads-state.json"
    if not state_file.exists():
        sys.exit("no seeded database: run bench/reads.py first")
    _settings(args.postgres)
    token = _fresh_token(json.loads(state_file.read_text()))
    kinds = [args.only] if args.only else ["list", "by_id"]
    asyncio.run(measure(args.postgres, token, kinds, args.requests, args.profile))


if __name__ == "__main__":
    main()
