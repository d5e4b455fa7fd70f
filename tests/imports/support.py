"""Helpers shared by the import and export tests."""

import csv
import io
import re

from sqlalchemy import func, select

from api.models import AuditEvent, Organisation, Stakeholder

STAKEHOLDERS = "/api/v1/imports/stakeholders"
ORGANISATIONS = "/api/v1/imports/organisations"
EXPORT_STAKEHOLDERS = "/api/v1/exports/stakeholders"
EXPORT_ORGANISATIONS = "/api/v1/exports/organisations"
CSV = {"Content-Type": "text/csv"}
NDJSON = {"Content-Type": "application/x-ndjson"}
JSON = {"Content-Type": "application/json"}
WRITERS = ("admin", "lead")
READ_ONLY = ("contributor", "viewer", "auditor")

def _cell(value) -> str:
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def csv_text(rows: list[dict], columns: list[str] | None = None) -> str:
    """A CSV body from dicts; lists are joined with ';'."""
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def without_ids(export: str) -> str:
    """A CSV or NDJSON export with every id emptied (the record's and its references': every cell or value that is
    a whole uuid): what another tenant imports to create the records (an id only ever names a record of the
    importing tenant)."""
    export = re.sub(rf"(?<![^,\n]){_ID}(?![^,\n])", "", export)
    return re.sub(rf'(?<=":)"{_ID}"', "null", export)


def parse_csv(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body, newline="")))


async def count(session, tenant, model=Stakeholder) -> int:
    return (await session.execute(select(func.count()).select_from(model)
                                  .where(model.tenant_id == tenant.id))).scalar_one()


async def stakeholders(session, tenant) -> dict[str, Stakeholder]:
    """The tenant's stakeholders by name, read afresh."""
    rows = (await session.execute(select(Stakeholder).where(Stakeholder.tenant_id == tenant.id)
                                  .execution_options(populate_existing=True))).scalars().all()
    return {row.name: row for row in rows}


async def organisations(session, tenant) -> dict[str, Organisation]:
    rows = (await session.execute(select(Organisation).where(Organisation.tenant_id == tenant.id)
                                  .execution_options(populate_existing=True))).scalars().all()
    return {row.name: row for row in rows}


async def audit_events(session, tenant, action: str) -> list[AuditEvent]:
    return list((await session.execute(select(AuditEvent).where(AuditEvent.tenant_id == tenant.id,
                                                                AuditEvent.action == action)
                                       .order_by(AuditEvent.seq))).scalars().all())


def post_import(client, resource: str, headers: dict, body, query: str = "", content_type: dict = CSV):
    return client.post(f"/api/v1/imports/{resource}{query}", content=body, headers={**headers, **content_type})


async def export_text(client, resource: str, headers: dict, fmt: str = "csv") -> str:
    r = await client.get(f"/api/v1/exports/{resource}?format={fmt}", headers=headers)
    assert r.status_code == 200, r.text
    return r.text
