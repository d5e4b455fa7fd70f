"""CSV injection: exported cells that a spreadsheet would run as formulas get one apostrophe in front, and the
importer takes exactly that apostrophe off, so import → export → import keeps the text."""

import pytest

from tests.imports.support import CSV, EXPORT_STAKEHOLDERS, parse_csv, without_ids

DANGEROUS = ["=1+1", "+44 1308 422100", "-2+3", "@SUM(A1:A9)", "\tcmd", "\rcmd", "'=already quoted",
             "=HYPERLINK(\"https://evil.example\",\"x\")"]


@pytest.mark.parametrize("value", DANGEROUS)
async def test_exported_formula_cells_are_neutralised_and_import_back_unchanged(client, a, b, value):
    r = await client.post("/api/v1/stakeholders", json={"name": "Formula " + value.strip(), "notes": value,
                                                        "job_title": value if value == value.strip() else None},
                          headers=a["lead"])
    assert r.status_code == 201, r.text
    exported = (await client.get(EXPORT_STAKEHOLDERS, headers=a["lead"])).text
    row = parse_csv(exported)[0]
    assert row["notes"] == "'" + value
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())

    r = await client.post("/api/v1/imports/stakeholders", content=without_ids(exported), headers={**b["lead"], **CSV})
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    imported = (await client.get("/api/v1/stakeholders", headers=b["lead"])).json()["items"][0]
    assert imported["notes"] == value
    assert without_ids((await client.get(EXPORT_STAKEHOLDERS, headers=b["lead"])).text) == without_ids(exported)
