"""Import and export benchmark against a real server (uvicorn, one worker), on PostgreSQL and SQLite.

    python bench/import_export.py                      # both databases, 100,000 stakeholders
    python bench/import_export.py --only postgres --rows 20000

For each database: a fresh database, migrated; a tenant and an admin; the synthetic register from
bench/generate.py. On PostgreSQL it first times PostgreSQL's own COPY of the same 100,000 rows into the
same (empty, fully indexed) stakeholder table, then empties the table and times the API import of the CSV
(validation, references, audit on), a re-import of the same file as an update (every row matched, none
changed), and the CSV export. The server's resident memory is sampled every 20 ms; the peak of each phase
is reported. Results go to stdout and bench/results/import_export.json."""

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

from api.config import Settings, to_async_url  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
POSTGRES = "postgresql://postgres@127.0.0.1:5432/involve_bench"


# --- the server ---------------------------------------------------------------------------------------

class Server:
    def __init__(self, database_url: str):
        self.database_url = database_url
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        env = {**os.environ, "INVOLVE_DATABASE_URL": self.database_url, "INVOLVE_JWT_SECRET": SECRET,
               "INVOLVE_ENV": "production", "INVOLVE_LOG_LEVEL": "WARNING",
               "INVOLVE_IMPORT_MAX_BYTES": str(200 * 1024 * 1024)}
        if self.database_url.startswith("postgresql"):
            # Production as the README recommends it: the application role, under row-level security, so an import
            # takes the path RLS makes it take (COPY into a temporary table, then one INSERT the policies check).
            env["INVOLVE_DB_APP_ROLE"] = "involve_app"
        self.process = subprocess.Popen(  # one worker: the process whose memory is sampled serves everything
            [sys.executable, "-m", "uvicorn", "api.main:app_factory", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", "1", "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def __exit__(self, *exc) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PeakRss:
    """The peak resident memory of a process while the block runs (sampled every 20 ms)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = self.start = _rss(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss(self.pid))

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss(self.pid))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its threads so far (/proc/<pid>/stat): on a shared machine it
    moves far less than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


# --- the database -------------------------------------------------------------------------------------

async def _recreate_postgres(url: str) -> None:
    import asyncpg

    base, _, name = url.rpartition("/")
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _tenant_and_token(url: str) -> tuple[str, uuid.UUID, uuid.UUID]:
    from api.db import Database
    from api.security import TokenCodec
    from api.tenants import create_tenant, create_user

    settings = Settings(_env_file=None, database_url=url, jwt_secret=SECRET, env="production")
    db = Database(settings, trusted=True)  # as the CLI's operator commands: creating a tenant crosses tenants
    async with db.write_sessions() as session:
        tenant = await create_tenant(session, slug="bench", name="Benchmark Health Board")
        user = await create_user(session, tenant=tenant, email="bench-admin@example.org",
                                 password="bench password 123", role="admin", full_name="Bench Admin")
        await session.commit()
    await db.dispose()
    token, _ = TokenCodec(settings).issue(subject_id=user.id, subject_kind="user", tenant_id=tenant.id, role="admin")
    return token, tenant.id, user.id


STORED = ("external_id", "kind", "name", "categories", "organisation_id", "job_title", "email", "phone", "address",
          "postcode", "preferred_channels", "communication_needs", "interpreter_language", "contact_consent",
          "consent_basis", "consent_recorded_at", "is_champion", "is_public_representative", "tags", "owner_id",
          "notes")


async def _postgres_copy(url: str, csv_path: Path, tenant_id: uuid.UUID, user_id: uuid.UUID) -> float:
    """PostgreSQL's own COPY (CSV, parsed by the server) of the same rows into the same table; the table is
    emptied afterwards. Returns the seconds COPY took."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        orgs = {r["external_id"]: r["id"] for r in await conn.fetch(
            "SELECT id, external_id FROM organisation WHERE tenant_id = $1", tenant_id)}
        now = datetime.now(UTC).isoformat()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        with csv_path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                lists = {k: json.dumps([v for v in row[k].split(";") if v]) for k in
                         ("categories", "preferred_channels", "communication_needs", "tags")}
                values = {**row, **lists, "organisation_id": orgs.get(row["organisation_external_id"], ""),
                          "owner_id": ""}
                writer.writerow([uuid.uuid4(), tenant_id, now, now, user_id, user_id, 1,
                                 *[values[c] for c in STORED]])
        data = out.getvalue().encode()
        columns = ["id", "tenant_id", "created_at", "updated_at", "created_by", "updated_by", "version", *STORED]
        started = time.perf_counter()
        await conn.copy_to_table("stakeholder", source=io.BytesIO(data), columns=columns, format="csv")
        elapsed = time.perf_counter() - started
        await conn.execute("TRUNCATE stakeholder CASCADE")
        await conn.execute("VACUUM ANALYZE stakeholder")
        return elapsed
    finally:
        await conn.close()


# --- the API calls ------------------------------------------------------------------------------------

def _upload(url: str, token: str, path: Path, query: str = "") -> tuple[float, dict]:
    size = path.stat().st_size

    def chunks():
        with path.open("rb") as f:
            while chunk := f.read(1024 * 1024):
                yield chunk

    started = time.perf_counter()
    response = httpx.post(f"{url}?{query}", content=chunks(), timeout=600,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv",
                                   "Content-Length": str(size)})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"import failed: {response.status_code} {response.text[:2000]}")
    return elapsed, response.json()


def _export(url: str, token: str, fmt: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    size = lines = 0
    with httpx.stream("GET", f"{url}?format={fmt}", timeout=600,
                      headers={"Authorization": f"Bearer {token}"}) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    return time.perf_counter() - started, size, lines


def run(database: str, url: str, paths: dict[str, Path], rows: int) -> dict:
    print(f"\n== {database}: {rows:,} stakeholders", flush=True)
    if database == "postgres":
        asyncio.run(_recreate_postgres(url))
    from api.migrate import upgrade

    upgrade(url)
    token, tenant_id, user_id = asyncio.run(_tenant_and_token(url))
    result: dict = {"database": database, "rows": rows}
    with Server(url) as server:
        api = f"{server.url}/api/v1"
        _, report = _upload(f"{api}/imports/organisations", token, paths["organisations"])
        print(f"organisations imported: {report['created']}")
        if database == "postgres":
            copy = asyncio.run(_postgres_copy(to_async_url(url).replace("+asyncpg", ""), paths["stakeholders"],
                                              tenant_id, user_id))
            result["postgres_copy_s"] = round(copy, 3)
            print(f"PostgreSQL COPY of the same rows: {copy:.2f} s ({rows / copy:,.0f} rows/s)", flush=True)
        cpu = _cpu_seconds(server.process.pid)
        with PeakRss(server.process.pid) as rss:
            elapsed, report = _upload(f"{api}/imports/stakeholders", token, paths["stakeholders"])
        cpu = _cpu_seconds(server.process.pid) - cpu
        assert report["created"] == rows and report["failed"] == 0, report
        result.update(import_s=round(elapsed, 3), import_rows_per_s=round(rows / elapsed),
                      import_server_cpu_us_per_row=round(cpu / rows * 1e6, 1),
                      import_rss_start_mb=round(rss.start / 2**20), import_rss_peak_mb=round(rss.peak / 2**20))
        ratio = f" = {elapsed / result['postgres_copy_s']:.2f}x COPY" if "postgres_copy_s" in result else ""
        print(f"API import (CSV): {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s){ratio}; server CPU "
              f"{cpu / rows * 1e6:.0f} us/row; server RSS {rss.start / 2**20:.0f} -> peak {rss.peak / 2**20:.0f} MB; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        cpu = _cpu_seconds(server.process.pid)
        elapsed, report = _upload(f"{api}/imports/stakeholders", token, paths["stakeholders"],
                                  "match=external_id&on_conflict=update")
        cpu = _cpu_seconds(server.process.pid) - cpu
        assert report["updated"] == rows, report
        result.update(reimport_update_s=round(elapsed, 3), reimport_rows_per_s=round(rows / elapsed),
                      reimport_server_cpu_us_per_row=round(cpu / rows * 1e6, 1))
        print(f"API re-import as update (all matched, none changed): {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s); "
              f"server CPU {cpu / rows * 1e6:.0f} us/row")
        for fmt in ("csv", "ndjson"):
            with PeakRss(server.process.pid) as rss:
                elapsed, size, lines = _export(f"{api}/exports/stakeholders", token, fmt)
            exported = lines - (1 if fmt == "csv" else 0)
            assert exported == rows, (fmt, exported)
            result.update({f"export_{fmt}_s": round(elapsed, 3), f"export_{fmt}_rows_per_s": round(rows / elapsed),
                           f"export_{fmt}_mb": round(size / 2**20, 1),
                           f"export_{fmt}_rss_start_mb": round(rss.start / 2**20),
                           f"export_{fmt}_rss_peak_mb": round(rss.peak / 2**20)})
            print(f"API export ({fmt}): {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s, {size / 2**20:.1f} MB); "
                  f"server RSS {rss.start / 2**20:.0f} -> peak {rss.peak / 2**20:.0f} MB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=600)
    parser.add_argument("--postgres", default=POSTGRES, help="a database this script may drop and create")
    parser.add_argument("--only", choices=("postgres", "sqlite"))
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "import_export.json")
    args = parser.parse_args()

    paths = generate(args.data, stakeholder_count=args.rows, organisation_count=args.organisations)
    # The load average tells how much else the machine was doing: compare ratios taken in the same run.
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                           "python": platform.python_version(), "load_average_at_start": os.getloadavg()},
               "when": datetime.now(UTC).isoformat(timespec="seconds"), "runs": []}
    if args.only in (None, "postgres"):
        results["runs"].append(run("postgres", args.postgres, paths, args.rows))
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="involve-bench-") as tmp:
            results["runs"].append(run("sqlite", f"sqlite:///{tmp}/bench.db", paths, args.rows))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
