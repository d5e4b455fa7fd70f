"""Read throughput: the stakeholder list and one stakeholder by id over a 100,000-row register, on PostgreSQL.

    python bench/reads.py                                   # seed 100,000, involve serve --workers 2, wrk
    python bench/reads.py --reuse --server gunicorn         # keep the seeded database, another server
    python bench/reads.py --reuse --profile list            # py-spy the workers while the list is driven
    python bench/reads.py --reuse --peer                    # and the peers (bench/peer) in the same run

A fresh database (migrated; a tenant and an admin); the synthetic register of bench/generate.py imported through
the API (600 organisations, 100,000 stakeholders) and one general assessment per stakeholder copied in; then
ANALYZE. The production server (`INVOLVE_ENV=production`, N workers, no access log) is driven by wrk at
concurrency 32 (two threads) with

- list: GET /api/v1/stakeholders?category=<one of the categories, in turn>&min_influence=4&sort=-updated_at&limit=50
- by id: GET /api/v1/stakeholders/{id} over 2,000 random stakeholder ids

and reports requests/s, p50 and p99 (wrk's latency distribution), and the load average while it ran. Without wrk
(`apt-get install wrk`) a Python load generator (httpx, asyncio) stands in: it costs the server a core's share,
so its figures are lower; the output says which generator ran. With --peer, each load also drives, straight after
the API and one at a time, the thin Node.js peer the issue compares with (bench/peer/server.mjs: Fastify and
postgres.js, two processes, the same statements, no auth) in its two ways of writing JSON, and a bare FastAPI with raw
asyncpg (bench/peer/bare_fastapi.py, two workers), and reports the API's share of each one's req/s. Results:
bench/results/reads.json."""

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import CATEGORIES, assessments, generate  # noqa: E402
from import_export import SECRET, Server, _free_port, _recreate_postgres, _tenant_and_token, _upload  # noqa: E402

from api.config import to_async_url  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432/involve_bench_reads"
CONCURRENCY = 32
LIST_QUERY = "min_influence=4&sort=-updated_at&limit=50"
# The peers: the Node.js one (bench/peer/server.mjs) in its two ways of writing the JSON, JSON.stringify or PostgreSQL
# (PostgREST's way); and the bare Python one (bench/peer/bare_fastapi.py), FastAPI with raw asyncpg and orjson.
PEERS = {"node": "the Node.js peer, JSON by Node.js", "postgres": "the Node.js peer, JSON by PostgreSQL",
         "fastapi": "the bare FastAPI peer"}


# --- seeding ------------------------------------------------------------------------------------------

def _asyncpg_url(url: str) -> str:
    return to_async_url(url).replace("+asyncpg", "")


async def _copy_assessments(url: str, tenant_id: uuid.UUID, user_id: uuid.UUID, paths: dict[str, Path]) -> None:
    """One general assessment per stakeholder (generate.assessments), by COPY: the API's assessment endpoint
    is not what is measured here."""
    import csv

    import asyncpg

    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        ids = {r["external_id"]: r["id"] for r in await conn.fetch(
            "SELECT id, external_id FROM stakeholder WHERE tenant_id = $1", tenant_id)}
        with paths["stakeholders"].open(newline="", encoding="utf-8") as f:
            rows = [{"external_id": r["external_id"]} for r in csv.DictReader(f)]
        now = datetime.now(UTC)
        records = [(uuid.uuid4(), tenant_id, ids[a["external_id"]], a["interest"], a["influence"], a["attitude"],
                    user_id, now, True) for a in assessments(rows)]
        await conn.copy_records_to_table("assessment", records=records, columns=[
            "id", "tenant_id", "stakeholder_id", "interest", "influence", "attitude", "assessed_by", "assessed_at",
            "is_latest"])
    finally:
        await conn.close()


async def _analyze(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        await conn.execute("VACUUM ANALYZE")  # after a bulk load: fresh statistics and a visibility map
    finally:
        await conn.close()


async def _sample_ids(url: str, n: int) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        rows = await conn.fetch("SELECT id FROM stakeholder ORDER BY random() LIMIT $1", n)
    finally:
        await conn.close()
    return [str(r["id"]) for r in rows]


def _fresh_token(state: dict) -> str:
    """A new access token for the seeded admin (signed with the benchmark server's secret)."""
    from api.config import Settings
    from api.security import TokenCodec

    codec = TokenCodec(Settings(_env_file=None, jwt_secret=SECRET, env="production"))
    token, _ = codec.issue(subject_id=uuid.UUID(state["user_id"]), subject_kind="user",
                           tenant_id=uuid.UUID(state["tenant_id"]), role="admin")
    return token


def seed(url: str, rows: int, data: Path) -> dict:
    paths = generate(data, stakeholder_count=rows, organisation_count=600)
    asyncio.run(_recreate_postgres(url))
    from api.migrate import upgrade

    upgrade(url)
    token, tenant_id, user_id = asyncio.run(_tenant_and_token(url))
    with Server(url) as server:
        api = f"{server.url}/api/v1"
        _upload(f"{api}/imports/organisations", token, paths["organisations"])
        elapsed, report = _upload(f"{api}/imports/stakeholders", token, paths["stakeholders"])
        assert report["created"] == rows, report
        print(f"seeded {rows:,} stakeholders in {elapsed:.1f} s", flush=True)
    asyncio.run(_copy_assessments(url, tenant_id, user_id, paths))
    asyncio.run(_analyze(url))
    return {"token": token, "tenant_id": str(tenant_id), "user_id": str(user_id)}


# --- the production server ----------------------------------------------------------------------------

def _wait_until_up(base: str, *, seconds: float, settle: float) -> None:
    """Until GET /healthz answers 200, then `settle` seconds more for every worker to finish starting."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                time.sleep(settle)
                return
        time.sleep(0.3)
    raise RuntimeError(f"no server answered at {base}")


class ProductionServer:
    """`involve serve --workers N` (the README's production command) or gunicorn with uvicorn workers."""

    def __init__(self, url: str, *, server: str, workers: int, pool: int | None):
        self.url, self.server, self.workers, self.pool = url, server, workers, pool
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "ProductionServer":
        # Production as the README recommends it: the application role under row-level security, and the rate
        # limiter on. All of wrk's requests come from one address, so the per-address limit is raised out of its
        # reach: the limiter's work is still measured, its 429s are not.
        env = {**os.environ, "INVOLVE_DATABASE_URL": self.url, "INVOLVE_JWT_SECRET": SECRET,
               "INVOLVE_ENV": "production", "INVOLVE_LOG_LEVEL": "INFO", "INVOLVE_DB_APP_ROLE": "involve_app",
               "INVOLVE_RATE_LIMIT_DEFAULT": "100000/second"}
        if self.pool:
            # A pool as large as the concurrency a worker sees, and no overflow: an overflow connection is opened
            # for one request and closed after it, which under steady load means a new connection per request.
            env["INVOLVE_DB_POOL_SIZE"] = str(self.pool)
            env["INVOLVE_DB_MAX_OVERFLOW"] = "0"
        if self.server == "gunicorn":
            command = [sys.executable, "-m", "gunicorn", "api.main:app_factory()",
                       "-k", "uvicorn.workers.UvicornWorker", "-w", str(self.workers),
                       "-b", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        else:
            command = [sys.executable, "-m", "api.cli", "serve", "--port", str(self.port),
                       "--workers", str(self.workers)]
        # The JSON access log (one line a request, as in production) goes to a file, as a service manager's would.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stderr=self.log)
        _wait_until_up(self.base, seconds=60, settle=2)
        return self

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()] or [self.process.pid]

    def __exit__(self, *exc) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@functools.cache
def _peer_statements() -> dict[str, str]:
    """The API's own statements for the two reads, compiled for PostgreSQL as its routes run them (the list's for
    LIST_QUERY's filters and a category), without the caller's account: the peer's SQL and parameter order."""
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    from api.assessments.filters import ScoreFilters
    from api.auth.principal import Principal, Role
    from api.pagination import PageParams
    from api.stakeholders import service

    page, _, _ = service.list_plan(
        dialect_name="postgresql", caller=Principal(uuid.uuid4(), "user", uuid.uuid4(), Role.admin),
        filters=service.StakeholderFilters(category="patient", scores=ScoreFilters(min_influence=4)),
        page=PageParams(sort="-updated_at", limit=50))
    env = {}
    for name, query in (("BY_ID", service.BY_ID), ("PAGE", page)):
        compiled = query.statement.compile(dialect=dialect())
        env[f"PEER_{name}_SQL"], env[f"PEER_{name}_PARAMS"] = str(compiled), json.dumps(compiled.positiontup)
    return env


class PeerServer:
    """bench/peer/server.mjs (its packages installed by npm ci on first use) or bench/peer/bare_fastapi.py, on the same
    database and tenant, running the API's statements."""

    DIRECTORY = ROOT / "bench" / "peer"

    def __init__(self, url: str, tenant_id: str, *, workers: int, pool: int, kind: str):
        self.url, self.tenant_id, self.workers, self.pool, self.kind = url, tenant_id, workers, pool, kind
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "PeerServer":
        env = {**os.environ, "PEER_DATABASE_URL": self.url, "PEER_TENANT_ID": self.tenant_id,
               "PEER_PORT": str(self.port), "PEER_WORKERS": str(self.workers), "PEER_POOL": str(self.pool),
               "PEER_JSON": self.kind, **_peer_statements()}
        if self.kind == "fastapi":
            # uvicorn as `involve serve` runs the API: no access log of its own, no server header.
            command = [sys.executable, "-m", "uvicorn", "bench.peer.bare_fastapi:app", "--factory", "--host",
                       "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers), "--no-access-log",
                       "--no-server-header", "--log-level", "warning"]
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        else:
            if not (self.DIRECTORY / "node_modules").exists():
                subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=self.DIRECTORY, check=True)
            self.process = subprocess.Popen(["node", "server.mjs"], cwd=self.DIRECTORY, env=env,
                                            start_new_session=True)
        _wait_until_up(self.base, seconds=30, settle=1)
        return self

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()] + [self.process.pid]

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


# --- the load -----------------------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {%s}
local token = "%s"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], {["Authorization"] = "Bearer " .. token})
end
"""


def _wrk(base: str, token: str, paths: list[str], seconds: int) -> dict:
    lua = WRK_SCRIPT % (", ".join(f'"{p}"' for p in paths), token)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{seconds}s", "--latency", "-s", f.name, base],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    latency = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"generator": "wrk", "requests": requests, "rps": rps, "p50_ms": latency.get("50"),
            "p99_ms": latency.get("99"), "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": errors.group(1) if errors else None}


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)


async def _python_load(base: str, token: str, paths: list[str], seconds: int) -> dict:
    """The stand-in for wrk: 32 connections, each sending the next request as soon as the last one returns."""
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits,
                                 timeout=30) as client:
        async def worker(offset: int) -> None:
            nonlocal failures
            i = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(paths[i % len(paths)])
                latencies.append(time.perf_counter() - started)
                failures += response.status_code != 200
                i += CONCURRENCY

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {"generator": "python (httpx)", "requests": len(latencies), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2), "non_2xx": failures}


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def _postgres_cpu_seconds() -> float:
    """CPU time of every process the postgres user runs (the server's backends for this load, and anything else on
    the cluster: on a shared machine it is an upper bound)."""
    out = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout
    total = 0.0
    for pid in out.split():
        with contextlib.suppress(OSError):  # a backend that ended meanwhile
            total += _cpu_seconds([int(pid)])
    return total


def drive(base: str, token: str, paths: list[str], seconds: int, pids: list[int]) -> dict:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        for path in paths[:20]:  # warm up each worker's pool and caches; a failure here stops the run
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text[:500])
    load_before = os.getloadavg()[0]
    cpu_before, postgres_before = _cpu_seconds(pids), _postgres_cpu_seconds()
    if shutil.which("wrk"):
        result = _wrk(base, token, paths, seconds)
    else:
        result = asyncio.run(_python_load(base, token, paths, seconds))
    # The server's CPU per request: far steadier than req/s on a machine shared with other work.
    result["server_cpu_ms_per_request"] = round((_cpu_seconds(pids) - cpu_before) * 1000 / result["requests"], 2)
    result["postgres_cpu_ms_per_request"] = round((_postgres_cpu_seconds() - postgres_before) * 1000
                                                  / result["requests"], 2)
    result["load_average_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def _profile(pids: list[int], seconds: int, name: str) -> list[Path]:
    """py-spy records each worker while the load runs; collapsed stacks (flamegraph.pl's input) in bench/results/."""
    outputs, processes = [], []
    for pid in pids:
        out = ROOT / "bench" / "results" / f"profile-{name}-{pid}.txt"
        command = [str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid), "-d", str(seconds),
                   "-r", "200", "-o", str(out), "--format", "raw", "--nonblocking"]
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        outputs.append(out)
    return outputs, processes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default=POSTGRES, help="a database this script may drop and create")
    parser.add_argument("--reuse", action="store_true", help="keep the database seeded by an earlier run")
    parser.add_argument("--server", choices=("uvicorn", "gunicorn"), default="uvicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=16, help="INVOLVE_DB_POOL_SIZE per worker (no overflow)")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--only", choices=("list", "by_id"))
    parser.add_argument("--profile", choices=("list", "by_id"), help="py-spy the workers during this load")
    parser.add_argument("--peer", action="store_true", help="drive the Node.js peer (bench/peer) after each load too")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "reads.json")
    args = parser.parse_args()

    state_file = args.data / "reads-state.json"
    if args.reuse and state_file.exists():
        state = json.loads(state_file.read_text())
    else:
        state = seed(args.postgres, args.rows, args.data)
        state_file.write_text(json.dumps(state))
    token = _fresh_token(state)  # the seeded one expires after an hour; --reuse may come later
    ids = asyncio.run(_sample_ids(args.postgres, 2000))
    loads = {
        "list": [f"/api/v1/stakeholders?category={c}&{LIST_QUERY}" for c in CATEGORIES],
        "by_id": [f"/api/v1/stakeholders/{i}" for i in ids],
    }
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                           "python": platform.python_version(), "load_average_at_start": os.getloadavg()},
               "when": datetime.now(UTC).isoformat(timespec="seconds"), "server": args.server,
               "workers": args.workers, "pool": args.pool, "concurrency": CONCURRENCY, "rows": args.rows,
               "runs": {}}
    with contextlib.ExitStack() as servers:
        server = servers.enter_context(ProductionServer(args.postgres, server=args.server, workers=args.workers,
                                                        pool=args.pool))
        for name, paths in loads.items():
            if args.only and name != args.only:
                continue
            profiling = []
            if args.profile == name:
                outputs, profiling = _profile(server.worker_pids(), args.seconds, name)
            result = drive(server.base, token, paths, args.seconds, server.worker_pids())
            for process in profiling:
                process.wait()
            if profiling:
                result["profiles"] = [str(p.relative_to(ROOT)) for p in outputs]
            results["runs"][name] = result
            print(f"{name}: {result['rps']:,.0f} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
                  f"CPU per request: server {result['server_cpu_ms_per_request']} ms, "
                  f"PostgreSQL {result['postgres_cpu_ms_per_request']} ms "
                  f"({result['generator']}, load average {result['load_average_1m']}, "
                  f"non-2xx {result['non_2xx']})", flush=True)
            # One peer at a time: together with the API's pools, all of theirs would pass max_connections.
            for kind in PEERS if args.peer else ():
                with PeerServer(args.postgres, state["tenant_id"], workers=args.workers, pool=args.pool,
                                kind=kind) as peer:
                    run = result.setdefault("peers", {})[kind] = drive(peer.base, token, paths, args.seconds,
                                                                          peer.worker_pids())
                run["api_share"] = round(result["rps"] / run["rps"], 2)
                print(f"{name}, {PEERS[kind]}: {run['rps']:,.0f} req/s, p50 {run['p50_ms']} ms, "
                      f"p99 {run['p99_ms']} ms; CPU per request: server {run['server_cpu_ms_per_request']} ms, "
                      f"PostgreSQL {run['postgres_cpu_ms_per_request']} ms; the API reached {run['api_share']:.0%} "
                      "of it", flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
