"""`involve verify-pack FILE` against a database of its own: the pack is sealed through the API with real
(committed) transactions, then checked from the command line, as an auditor would."""

import asyncio
import json

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.config import get_settings
from api.evidence_pack import seal
from api.main import create_app
from api.migrate import upgrade
from tests import factories
from tests.conftest import make_settings
from tests.dbtools import scratch_database_url
from tests.duty_report.support import green_plan

runner = CliRunner()


async def _seal(url: str) -> bytes:
    app = create_app(make_settings(url))
    try:
        async with app.state.db.write_sessions() as session:
            tenant = await factories.tenant(session, slug="cli-pack")
            lead = await factories.user(session, tenant, role="lead")
            world = await green_plan(session, tenant)
            await session.commit()
            headers = factories.auth_headers(app, lead)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.get(f"/api/v1/plans/{world.plan.id}/evidence-pack", headers=headers)
            assert r.status_code == 200, r.text
            return r.content
    finally:
        await app.state.db.dispose()


@pytest.fixture(scope="module")
def stored_pack(tmp_path_factory):
    url = scratch_database_url("pack_cli")
    upgrade(url)
    body = asyncio.run(_seal(url))
    path = tmp_path_factory.mktemp("packs") / "pack.json"
    path.write_bytes(body)
    return url, path


@pytest.fixture
def env(stored_pack, monkeypatch):
    url, path = stored_pack
    monkeypatch.setenv("INVOLVE_DATABASE_URL", url)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_an_unaltered_pack_verifies(env):
    r = runner.invoke(cli, ["verify-pack", str(env)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("valid: digest " + json.loads(env.read_bytes())["digest"])


@pytest.mark.parametrize("change", ["title", "byte", "digest", "status", "truncate"])
def test_an_altered_pack_fails(env, tmp_path, change):
    data = env.read_bytes()
    if change == "title":
        data = data.replace(b'"title":"Urgent treatment centre"', b'"title":"Urgent treatment centrf"', 1)
    elif change == "byte":
        index = data.index(b'"sha256":"') + 12
        data = data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]
    elif change == "digest":
        pack = json.loads(data)
        pack["digest"] = "0" * 64
        data = json.dumps(pack).encode()
    elif change == "status":
        data = data.replace(b'"status":"green"', b'"status":"red"', 1)
    else:
        data = data[:-1]
    altered = tmp_path / "altered.json"
    altered.write_bytes(data)
    assert data != env.read_bytes()
    r = runner.invoke(cli, ["verify-pack", str(altered)])
    assert r.exit_code == 1 and "not valid" in r.output


def test_a_pack_of_an_unknown_tenant_fails(env, tmp_path):
    pack = json.loads(env.read_bytes())
    pack["tenant"]["id"] = "00000000-0000-0000-0000-000000000000"
    pack["digest"] = seal.digest(pack)  # a consistent pack: only the audit trail can tell it apart
    altered = tmp_path / "other.json"
    altered.write_text(json.dumps(pack))
    r = runner.invoke(cli, ["verify-pack", str(altered)])
    assert r.exit_code == 1 and "not valid" in r.output
    assert "The digest" not in r.output  # refused by the unknown tenant's (empty) trail, not by the digest
    assert (f"The audit trail does not record the sealing of a pack with this digest at event "
            f"{pack['audit_head']['seq'] + 1}.") in r.output


def test_a_missing_file_is_refused(env, tmp_path):
    assert runner.invoke(cli, ["verify-pack", str(tmp_path / "none.json")]).exit_code != 0


def test_altering_any_byte_of_the_stored_pack_fails_the_digest(env):
    """Positions across the real stored pack (every 11th: every single one is covered on a smaller pack in
    test_router), one bit flipped: the file no longer parses as a pack, or its digest no longer matches."""
    stored = env.read_bytes()
    for position in range(0, len(stored), 11):
        altered = bytearray(stored)
        altered[position] ^= 0x01
        try:
            parsed = seal.loads(bytes(altered))
        except seal.NotAPack:
            continue
        assert parsed.get("digest") != seal.digest(parsed), position
