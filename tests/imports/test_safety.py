"""Imports are safe to retry and to audit: Idempotency-Key, a cut-off upload, the size limit, one audit event."""

import hashlib
import json
import os

import httpx
import pytest
from sqlalchemy import text

from api.db import get_session
from api.main import create_app
from tests import factories
from tests.conftest import make_settings
from tests.gdpr.support import as_app_role
from tests.imports.support import (
    CSV,
    ORGANISATIONS,
    STAKEHOLDERS,
    audit_events,
    count,
    organisations,
    stakeholders,
)

BODY = "external_id,name,email,notes\nCRM-1,Margaret Okafor,margaret@example.org,Private note\nCRM-2,Tom Hardy,,\n"


async def test_idempotency_key_replays_the_first_response_and_writes_once(client, session, a):
    headers = {**a["lead"], **CSV, "Idempotency-Key": "nightly-2026-11-25"}
    first = await client.post(STAKEHOLDERS, content=BODY, headers=headers)
    again = await client.post(STAKEHOLDERS, content=BODY, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert await count(session, a.tenant) == 2
    assert len(await audit_events(session, a.tenant, "import")) == 1


async def test_the_same_key_with_another_body_or_options_is_refused(client, session, a):
    headers = {**a["lead"], **CSV, "Idempotency-Key": "k-1"}
    assert (await client.post(STAKEHOLDERS, content=BODY, headers=headers)).status_code == 200
    other_body = await client.post(STAKEHOLDERS, content=BODY.replace("Tom", "Tim"), headers=headers)
    other_options = await client.post(f"{STAKEHOLDERS}?dry_run=true", content=BODY, headers=headers)
    assert other_body.status_code == other_options.status_code == 422
    assert await count(session, a.tenant) == 2


async def test_a_cut_off_upload_writes_nothing_and_its_retry_writes_once(app, client, session, a):
    """The connection drops half way through the body: nothing is written; the retry with the same key
    imports once, and a retry of that is a replay."""
    sent = []

    async def receive():
        if not sent:
            sent.append(1)
            return {"type": "http.request", "body": BODY[:60].encode(), "more_body": True}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    headers = [(k.lower().encode(), v.encode()) for k, v in
               {**a["lead"], **CSV, "Idempotency-Key": "retry-me"}.items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": STAKEHOLDERS, "raw_path": STAKEHOLDERS.encode(), "query_string": b"", "headers": headers,
             "client": ("127.0.0.1", 1234), "server": ("test", 80), "root_path": ""}
    await app(scope, receive, send)
    assert await count(session, a.tenant) == 0
    retry_headers = {**a["lead"], **CSV, "Idempotency-Key": "retry-me"}
    assert (await client.post(STAKEHOLDERS, content=BODY, headers=retry_headers)).json()["created"] == 2
    assert (await client.post(STAKEHOLDERS, content=BODY, headers=retry_headers)).json()["created"] == 2
    assert await count(session, a.tenant) == 2


async def test_one_audit_event_per_import_with_the_bodys_sha256_and_no_personal_data(client, session, a):
    r = await client.post(f"{STAKEHOLDERS}?on_conflict=skip", content=BODY, headers={**a["admin"], **CSV})
    events = await audit_events(session, a.tenant, "import")
    assert len(events) == 1
    event = events[0]
    digest = hashlib.sha256(BODY.encode()).hexdigest()
    assert r.json()["body_sha256"] == digest
    assert event.resource_type == "stakeholder" and event.actor_id == a.users["admin"].id
    assert event.changes["body_sha256"] == digest and event.changes["created"] == 2 and event.changes["rows"] == 2
    assert event.changes["options"] == {"match": "external_id", "on_conflict": "skip", "on_error": "abort"}
    text = json.dumps(event.changes)
    assert not any(value in text for value in ("Margaret", "Okafor", "margaret@", "Private", "CRM-1"))


async def test_dry_runs_and_refused_imports_are_not_audited(client, session, a):
    await client.post(f"{STAKEHOLDERS}?dry_run=true", content=BODY, headers={**a["lead"], **CSV})
    await client.post(STAKEHOLDERS, content="name,email\nX,bad\n", headers={**a["lead"], **CSV})
    assert await audit_events(session, a.tenant, "import") == []


@pytest.fixture
async def small_limit_client(database_url, session):
    """An app whose imports may be at most 100 bytes, on the test's transaction."""
    app = create_app(make_settings(database_url, import_max_bytes=100))
    app.dependency_overrides[get_session] = lambda: session
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        c.app = app
        yield c


async def test_a_body_over_the_limit_gets_413(small_limit_client, session, a):
    from tests import factories

    headers = {**factories.auth_headers(small_limit_client.app, a.users["lead"]), **CSV}
    big = "name\n" + "".join(f"Person {i}\n" for i in range(50))
    r = await small_limit_client.post(STAKEHOLDERS, content=big, headers=headers)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"

    async def streamed():  # no Content-Length: refused once the count passes the limit
        yield big.encode()

    r = await small_limit_client.post(STAKEHOLDERS, content=streamed(), headers=headers)
    assert r.status_code == 413
    assert (await small_limit_client.post(STAKEHOLDERS, content="name\nAnn\n", headers=headers)).status_code == 200
    assert await count(session, a.tenant) == 1


@pytest.mark.parametrize("resource,first", [("stakeholders", "id,external_id,name,kind,categories,organisation_ext"),
                                            ("organisations", "id,external_id,name,kind,email,phone,website")])
async def test_the_template_is_the_header_row(client, a, resource, first):
    r = await client.get(f"/api/v1/imports/{resource}/template", headers=a["viewer"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.startswith(first) and r.text.count("\n") == 1


async def test_organisations_import_and_update_by_external_id(client, session, a):
    body = ("external_id,name,kind,website,tags\nORG-1,Bridport Medical Centre,gp_practice,https://bmc.example.org,"
            "west;gp\nORG-2,Healthwatch Dorset,healthwatch,,\n")
    r = await client.post(ORGANISATIONS, content=body, headers={**a["lead"], **CSV})
    assert r.json()["created"] == 2, r.text
    got = await organisations(session, a.tenant)
    assert got["Bridport Medical Centre"].tags == ["west", "gp"] and got["Healthwatch Dorset"].kind == "healthwatch"
    r = await client.post(f"{ORGANISATIONS}?on_conflict=update", content="external_id,kind\nORG-2,other\n",
                          headers={**a["lead"], **CSV})
    assert r.json()["updated"] == 1
    got = await organisations(session, a.tenant)
    assert got["Healthwatch Dorset"].kind == "other" and got["Healthwatch Dorset"].version == 2
    r = await client.post(ORGANISATIONS, content="name,website\nBad,ftp://x\n", headers={**a["lead"], **CSV})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "website"


@pytest.mark.skipif(not os.environ.get("INVOLVE_TEST_DATABASE_URL"), reason="row-level security is PostgreSQL only")
async def test_new_and_updated_rows_go_through_staging_under_row_level_security(app, session, a):
    """As the application's role PostgreSQL refuses COPY into the stakeholder table: new rows are copied into a
    staging table and inserted from there (the policies check them), updates through their own staging table."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # leaves the session as the app role
    await factories.stakeholder(session, a.tenant, name="Tom Hardy", external_id="CRM-2")
    await session.commit()
    await as_app_role(session)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.post(f"{STAKEHOLDERS}?on_conflict=update", content=BODY, headers={**a["lead"], **CSV})
    assert r.status_code == 200 and (r.json()["created"], r.json()["updated"]) == (1, 1), r.text
    assert (await session.execute(text("SELECT current_user"))).scalar_one() == "involve_app"
    assert {s.name for s in (await stakeholders(session, a.tenant)).values()} == {"Margaret Okafor", "Tom Hardy"}
