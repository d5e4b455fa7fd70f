"""Fault tests against a real server and a PostgreSQL instance of their own (run by `make fault`, in CI after
the PostgreSQL suite; never collected by pytest). Needs PostgreSQL's server binaries (initdb, pg_ctl) under
/usr/lib/postgresql/*/bin or on PATH; as root, the database runs as the `postgres` user (initdb refuses root).

  (a) the database stopped (immediate mode: a crash) for 10 s under steady write load: the API answers 503
      quickly while it is down (/readyz too), recovers within 5 s of its return without a restart, and every
      write that got a 2xx is in the database afterwards (lost writes: 0);
  (b) every pool connection held: a new request gets 503 within the pool timeout;
  (d) an import cut off mid-body, then retried with the same Idempotency-Key: its rows exist exactly once;
  (c) SIGTERM during an in-flight request: it completes, and the process exits within the graceful timeout.

Prints the figures and exits non-zero when any check fails."""

import asyncio
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
INVOLVE = str(ROOT / ".venv" / "bin" / "involve")
POOL_SIZE = 3
POOL_TIMEOUT = 2.0
SHUTDOWN_TIMEOUT = 8
OUTAGE_SECONDS = 10
RECOVERY_LIMIT = 5.0
QUICK = 2.0  # "503 quickly": the slowest answer while the database is down
EMAIL, PASSWORD = "fault-admin@example.org", "fault-password-123"

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(("  ok    " if ok else "  FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    path = found[-1] if found else shutil.which(name)
    if not path:
        sys.exit(f"fault: {name} not found (install PostgreSQL's server package)")
    return path


class Postgres:
    """A private instance in a temporary folder, stoppable at will."""

    def __init__(self, folder: Path):
        self.data = folder / "pg"
        self.port = free_port()
        self.log = folder / "pg.log"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(folder, "postgres")

    def _run(self, *args: str) -> None:
        cmd = ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else list(args)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/tmp")

    def init(self) -> None:
        self._run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c max_connections=50"
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    async def confirm_stopped(self) -> float:
        """The moment a new connection is first seen refused (no server on the port): from then on nothing commits."""
        for _ in range(50):
            try:
                conn = await asyncpg.connect(self.url, timeout=2)
            except OSError:
                return time.monotonic()
            except asyncpg.PostgresError:  # still shutting down
                pass
            else:
                await conn.close()
            await asyncio.sleep(0.1)
        raise RuntimeError("the database still answers after pg_ctl stop")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/involve"


class Server:
    def __init__(self, db: Postgres, folder: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "INVOLVE_DATABASE_URL": db.url, "INVOLVE_ENV": "development",
                    "INVOLVE_DB_POOL_SIZE": str(POOL_SIZE), "INVOLVE_DB_MAX_OVERFLOW": "0",
                    "INVOLVE_DB_POOL_TIMEOUT": str(POOL_TIMEOUT), "INVOLVE_DB_CONNECT_TIMEOUT": "2",
                    "INVOLVE_SHUTDOWN_TIMEOUT": str(SHUTDOWN_TIMEOUT), "INVOLVE_LOG_LEVEL": "WARNING",
                    # One client address drives the whole load: rate limits would answer 429 and hide the faults.
                    "INVOLVE_RATE_LIMIT_ENABLED": "false"}
        self.log = open(folder / "server.log", "wb")
        self.process: subprocess.Popen | None = None

    def cli(self, *args: str) -> None:
        subprocess.run([INVOLVE, *args], env=self.env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)

    def start(self) -> None:
        self.process = subprocess.Popen([INVOLVE, "serve", "--port", str(self.port)], env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        for _ in range(100):
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class Load:
    tried: int = 0
    ok_ids: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    # (sent at, answered at, status) for every request
    log: list[tuple[float, float, int]] = field(default_factory=list)


async def write_load(client: httpx.AsyncClient, headers: dict, load: Load, stop: asyncio.Event) -> None:
    while not stop.is_set():
        load.tried += 1
        sent = time.monotonic()
        try:
            r = await client.post("/api/v1/stakeholders", json={"name": f"Load {load.tried}", "kind": "person"},
                                  headers={**headers, "Idempotency-Key": str(uuid.uuid4())}, timeout=15)
            status = r.status_code
            if r.is_success:
                load.ok_ids.append(r.json()["id"])
        except httpx.HTTPError:
            status = 0  # no answer at all
        load.statuses[status] = load.statuses.get(status, 0) + 1
        load.log.append((sent, time.monotonic(), status))
        await asyncio.sleep(0.02)


async def scenario_outage(db: Postgres, server: Server, headers: dict) -> None:
    print(f"(a) database stopped for {OUTAGE_SECONDS} s under steady write load")
    load, stop = Load(), asyncio.Event()
    ready: list[tuple[float, int, float]] = []
    async with httpx.AsyncClient(base_url=server.base) as client:
        workers = [asyncio.create_task(write_load(client, headers, load, stop)) for _ in range(4)]
        await asyncio.sleep(3)
        await asyncio.to_thread(db.stop)
        down_at = await db.confirm_stopped()
        # A read by id and a list page (the hot reads, api/stakeholders/hot_reads.py, on a pool of their own) too.
        reads = [f"/api/v1/stakeholders/{load.ok_ids[0]}", "/api/v1/stakeholders?limit=5"]
        read_while_down: list[tuple[int, float]] = []
        while time.monotonic() - down_at < OUTAGE_SECONDS:
            t = time.monotonic()
            r = await client.get("/readyz", timeout=10)
            ready.append((t, r.status_code, time.monotonic() - t))
            for path in reads:
                t = time.monotonic()
                r = await client.get(path, headers=headers, timeout=10)
                read_while_down.append((r.status_code, time.monotonic() - t))
            await asyncio.sleep(0.5)
        restart_at = time.monotonic()
        await asyncio.to_thread(db.start)
        up_at = time.monotonic()
        await asyncio.sleep(RECOVERY_LIMIT + 3)
        stop.set()
        await asyncio.gather(*workers)
        ready_after = (await client.get("/readyz")).status_code
        reads_after = [(await client.get(path, headers=headers)).status_code for path in reads]

    # "While down": begun once the database was confirmed stopped and answered before its restart began. A write
    # begun earlier may have committed (a 2xx, then it must not be lost: checked below), one answered later may
    # have reached the restarted database; neither says anything about the outage.
    while_down = [(s, a, st) for s, a, st in load.log if down_at <= s and a <= restart_at]
    slowest = max((a - s for s, a, _ in while_down), default=0.0)
    after = [(s, a, st) for s, a, st in load.log if s >= up_at]
    first_ok = next((a for _, a, st in after if 200 <= st < 300), None)
    recovered_in = (first_ok - up_at) if first_ok else float("inf")
    errors_after_recovery = [st for s, _, st in after if first_ok and s > first_ok and not 200 <= st < 300]
    conn = await asyncpg.connect(db.url)
    stored = {str(r["id"]) for r in await conn.fetch("SELECT id FROM stakeholder WHERE id = ANY($1::uuid[])",
                                                     load.ok_ids)}
    await conn.close()
    lost = len(set(load.ok_ids) - stored)
    other_5xx = {st: n for st, n in load.statuses.items() if st >= 500 and st != 503 or st == 0}
    print(f"    tried {load.tried}, 2xx {len(load.ok_ids)}, 503 {load.statuses.get(503, 0)}, other "
          f"{ {k: v for k, v in load.statuses.items() if k not in (201, 503)} }, lost writes {lost}")
    print(f"    while down: {len(while_down)} requests, slowest answer {slowest:.2f} s; "
          f"/readyz {sorted({st for _, st, _ in ready})} (slowest {max(d for *_, d in ready):.2f} s); "
          f"recovered {recovered_in:.2f} s after the database was back")
    check(bool(while_down) and all(st == 503 for *_, st in while_down), "every write while down is a 503")
    check(slowest <= QUICK, f"503s are quick (slowest {slowest:.2f} s <= {QUICK} s)")
    check(all(st == 503 for _, st, _ in ready), "/readyz answers 503 while down")
    check(recovered_in <= RECOVERY_LIMIT, f"recovers within {RECOVERY_LIMIT} s without a restart")
    check(not errors_after_recovery, f"no failures after recovery ({len(errors_after_recovery)})")
    check(ready_after == 200, "/readyz 200 again")
    slowest_read = max(d for _, d in read_while_down)
    print(f"    reads while down: {sorted({st for st, _ in read_while_down})} (slowest {slowest_read:.2f} s); "
          f"after: {reads_after}")
    check(all(st == 503 for st, _ in read_while_down), "every read while down is a 503")
    check(slowest_read <= QUICK, f"read 503s are quick (slowest {slowest_read:.2f} s <= {QUICK} s)")
    check(reads_after == [200, 200], "reads answer 200 again")
    check(not other_5xx, f"no 500s nor dropped connections ({other_5xx})")
    check(lost == 0, f"lost writes: {lost}")


async def scenario_pool(db: Postgres, server: Server, headers: dict) -> None:
    print(f"(b) all {POOL_SIZE} pool connections held")
    locker = await asyncpg.connect(db.url)
    tx = locker.transaction()
    await tx.start()
    await locker.execute("LOCK TABLE stakeholder IN ACCESS EXCLUSIVE MODE")  # writers queue behind it
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        held = [asyncio.create_task(client.post("/api/v1/stakeholders", json={"name": f"Held {i}"}, headers=headers))
                for i in range(POOL_SIZE)]
        await asyncio.sleep(1.0)
        t = time.monotonic()
        r = await client.get("/api/v1/me", headers=headers)
        waited = time.monotonic() - t
        await tx.rollback()
        await locker.close()
        held_statuses = [h.status_code for h in await asyncio.gather(*held)]
    print(f"    new request: {r.status_code} after {waited:.2f} s (pool timeout {POOL_TIMEOUT} s), "
          f"Retry-After {r.headers.get('retry-after')}; held requests then: {held_statuses}")
    check(r.status_code == 503 and r.headers.get("content-type", "").startswith("application/problem+json"),
          "a new request gets 503 problem+json")
    check(waited <= POOL_TIMEOUT + 1.0, "within the pool timeout")
    check(all(s == 201 for s in held_statuses), "the held requests complete once released")


async def scenario_cut_import(db: Postgres, server: Server, headers: dict) -> None:
    print("(d) import cut off mid-body, retried with the same Idempotency-Key")
    run = uuid.uuid4().hex[:8]
    rows = [f"fault-{run}-{i},Imported {i},person" for i in range(200)]
    body = ("external_id,name,kind\n" + "\n".join(rows) + "\n").encode()
    key = str(uuid.uuid4())
    path = "/api/v1/imports/stakeholders?match=external_id"
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
            f"Content-Length: {len(body)}\r\nAuthorization: {headers['Authorization']}\r\n"
            f"Idempotency-Key: {key}\r\n\r\n").encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(head + body[: len(body) // 2])
    await writer.drain()
    await asyncio.sleep(0.5)
    writer.close()  # the client goes away mid-body
    await asyncio.sleep(0.5)
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        hdrs = {**headers, "Idempotency-Key": key, "Content-Type": "text/csv"}
        first = await client.post(path, content=body, headers=hdrs)
        again = await client.post(path, content=body, headers=hdrs)
    conn = await asyncpg.connect(db.url)
    counts = await conn.fetch("SELECT external_id, count(*) AS n FROM stakeholder WHERE external_id LIKE $1 "
                              "GROUP BY external_id", f"fault-{run}-%")
    await conn.close()
    once = sum(1 for r in counts if r["n"] == 1)
    print(f"    retry {first.status_code}, replay {again.status_code}; {once} of {len(rows)} rows exactly once, "
          f"{sum(1 for r in counts if r['n'] > 1)} duplicated")
    check(first.status_code == 200 and again.status_code == 200, "the retry and its replay succeed")
    check(first.json() == again.json(), "the replay answers as the first")
    check(once == len(rows) and len(counts) == len(rows), "every row exists exactly once")


async def scenario_sigterm(db: Postgres, server: Server, headers: dict) -> None:
    print("(c) SIGTERM during an in-flight request")
    locker = await asyncpg.connect(db.url)
    tx = locker.transaction()
    await tx.start()
    await locker.execute("LOCK TABLE stakeholder IN ACCESS EXCLUSIVE MODE")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        inflight = asyncio.create_task(client.post("/api/v1/stakeholders", json={"name": "In flight"},
                                                   headers=headers))
        await asyncio.sleep(1.0)
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        await asyncio.sleep(1.5)
        still_running = server.process.poll() is None
        await tx.rollback()
        await locker.close()
        response = await inflight
    code = await asyncio.to_thread(server.process.wait, SHUTDOWN_TIMEOUT + 5)
    exited_in = time.monotonic() - sent
    print(f"    in-flight request: {response.status_code}; process exited {code} {exited_in:.2f} s after SIGTERM "
          f"(graceful timeout {SHUTDOWN_TIMEOUT} s)")
    check(still_running, "the server waits for the request in flight")
    check(response.status_code == 201, "the in-flight request completes")
    check(exited_in <= SHUTDOWN_TIMEOUT, "the process exits within the graceful timeout")


async def token(server: Server) -> dict:
    async with httpx.AsyncClient(base_url=server.base) as client:
        r = await client.post("/api/v1/auth/token", data={"grant_type": "password", "username": EMAIL,
                                                          "password": PASSWORD})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def main() -> int:
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="involve-fault-"))
    db = Postgres(folder)
    server = Server(db, folder)
    try:
        db.init()
        db.start()
        conn = await asyncpg.connect(db.url.rsplit("/", 1)[0] + "/postgres")
        await conn.execute("CREATE DATABASE involve")
        await conn.close()
        server.cli("migrate")
        server.cli("create-tenant", "fault", "--name", "Fault Test Health Board")
        server.cli("create-user", "--tenant", "fault", "--email", EMAIL, "--password", PASSWORD, "--role", "admin")
        server.start()
        headers = await token(server)
        await scenario_outage(db, server, headers)
        await scenario_pool(db, server, headers)
        await scenario_cut_import(db, server, headers)
        await scenario_sigterm(db, server, headers)
    finally:
        server.stop()
        try:
            db.stop("fast")
        except subprocess.CalledProcessError:
            pass
        if failures:
            print(f"fault: logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"fault: {len(failures)} failed check(s) in {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
