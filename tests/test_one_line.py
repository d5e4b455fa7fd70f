"""A name, title or id is one line of text: no control characters, and no bidirectional embeddings, overrides or
isolates (U+202A-U+202E, U+2066-U+2069), which make a name display as another ("Trojan Source" spoofing) in exports,
audit trails and emails. Right-to-left text itself is welcome; long free text may hold the controls it needs."""

import pytest

from api.models import Organisation, Stakeholder
from tests.imports.support import count, post_import

OVERRIDE = "Ann \u202eyaw tsaE"  # shows as "Ann East way"
ISOLATE = "\u2067Ann\u2069 Example"


@pytest.mark.parametrize("url,body,field", [
    ("/api/v1/stakeholders", {"name": OVERRIDE}, "name"),
    ("/api/v1/stakeholders", {"name": "Ann", "job_title": ISOLATE}, "job_title"),
    ("/api/v1/stakeholders", {"name": "Ann", "external_id": "A\u202d1"}, "external_id"),
    ("/api/v1/organisations", {"name": ISOLATE}, "name"),
    ("/api/v1/stakeholders", {"name": "Ann", "tags": ["\u202ewest"]}, "tags"),
])
async def test_bidirectional_controls_are_refused_in_a_line(client, session, a, url, body, field):
    r = await client.post(url, json=body, headers=a["lead"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    assert r.json()["errors"][0]["loc"][:2] == ["body", field]
    assert await count(session, a.tenant) == 0 and await count(session, a.tenant, Organisation) == 0


async def test_a_users_name_is_one_line_too(client, a):
    r = await client.post("/api/v1/users", headers=a["admin"], json={
        "email": "new.person@dorset.nhs.uk", "full_name": OVERRIDE, "role": "viewer", "password": "a long passphrase"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "full_name"], r.text


async def test_right_to_left_names_and_free_text_are_kept(client, a):
    notes = "Prefers Arabic: \u2067محمد\u2069 asked for a translator"
    r = await client.post("/api/v1/stakeholders", headers=a["lead"], json={"name": "محمد علي", "notes": notes})
    assert r.status_code == 201, r.text
    assert (r.json()["name"], r.json()["notes"]) == ("محمد علي", notes)


async def test_an_import_row_holding_one_fails_and_nothing_is_written(client, session, a):
    body = f"name,email\nBea Example,bea@example.org\n{OVERRIDE},ann@example.org\n".encode()
    r = await post_import(client, "stakeholders", a["lead"], body)
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(2, "name")]
    assert await count(session, a.tenant, Stakeholder) == 0
