"""CPU time per row of the stakeholder import's Python, step by step, in-process (no server, no database):

    python bench/import_cpu.py --rows 20000

The first --rows stakeholders of bench/generate.py's register go through the import's own code in the blocks a
server receives: CSV parsing and cell conversion, pydantic validation, the Decider's keys, references and defaults,
and each writer's encoding of a new row. Each step is timed with time.process_time, best of --repeat. The register
is empty (every row creates) and the organisations get made-up ids. The server's own total, with the HTTP body,
the writing and the garbage collector over the whole application, is what bench/import_export.py reports."""

import argparse
import asyncio
import csv
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

from api.imports.parsing import CsvRows, RowErrors  # noqa: E402
from api.imports.specs import STAKEHOLDERS as SPEC  # noqa: E402
from api.imports.validation import Decider, Options, References, Register  # noqa: E402
from api.imports.writers import PostgresWriter, SqliteWriter  # noqa: E402

CHUNK = 256 * 1024  # about what uvicorn hands the app at a time


def _references(organisations: Path) -> References:
    references = References(session=None, tenant_id=uuid.uuid4())
    with organisations.open(newline="", encoding="utf-8") as f:
        ids = {row["external_id"]: [uuid.uuid4()] for row in csv.DictReader(f)}
    # What References.load would have read from the tenant: organisations by external id and by name, no users.
    model = {ref.target: ref.model for ref in SPEC.references}
    references._maps = {(model["organisation_id"], "external_id"): ids, (model["organisation_id"], "name"): {},
                        (model["owner_id"], "id"): {}}
    return references


async def _chunks(body: bytes):
    for start in range(0, len(body), CHUNK):
        yield body[start:start + CHUNK]


async def _once(body: bytes, references: References, rows: int) -> dict[str, float]:
    caller = SimpleNamespace(id=uuid.uuid4(), tenant_id=uuid.uuid4(), role="admin")
    now = datetime.now(UTC)
    errors = RowErrors()
    times = dict.fromkeys(("parse", "validate", "decide", "encode_sqlite", "encode_postgres"), 0.0)
    decider = Decider(spec=SPEC, options=Options(), register=Register(SPEC, {k.field: {} for k in SPEC.keys}),
                      references=references, errors=errors, now=now, caller=caller)
    sqlite, postgres = SqliteWriter(None, SPEC, caller, now), PostgresWriter(None, SPEC, caller, now)
    created = 0
    async for block in CsvRows(SPEC, errors).batches(_chunks(body)):
        started = time.process_time()
        parsed = list(block)
        times["parse"] += time.process_time() - started
        started = time.process_time()
        for _, raw in parsed:
            SPEC.adapter.validate_python(raw)
        times["validate"] += time.process_time() - started
        started = time.process_time()
        batch = await decider.batch(parsed)  # validation again, then the decision
        times["decide"] += time.process_time() - started
        for name, writer in (("encode_sqlite", sqlite), ("encode_postgres", postgres)):
            started = time.process_time()
            for values in batch.creates:
                writer.new_row(values)
            times[name] += time.process_time() - started
        created += len(batch.creates)
    assert created == rows and not errors.errors, (created, errors.errors[:3])
    times["decide"] -= times["validate"]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    args = parser.parse_args()
    paths = generate(args.data, stakeholder_count=100_000, organisation_count=600)
    with paths["stakeholders"].open("rb") as f:
        body = b"".join(line for _, line in zip(range(args.rows + 1), f, strict=False))
    references = _references(paths["organisations"])
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for step, seconds in asyncio.run(_once(body, references, args.rows)).items():
            best[step] = min(best.get(step, seconds), seconds)
    for step, seconds in best.items():
        print(f"{step:16} {seconds / args.rows * 1e6:6.1f} us/row")
    total = best["parse"] + best["validate"] + best["decide"]
    print(f"{'total (SQLite)':16} {(total + best['encode_sqlite']) / args.rows * 1e6:6.1f} us/row")
    print(f"{'total (Postgres)':16} {(total + best['encode_postgres']) / args.rows * 1e6:6.1f} us/row")


if __name__ == "__main__":
    main()
