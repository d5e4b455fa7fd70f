"""The API serves the built web client at `/` without changing how API paths answer."""

import httpx
import pytest

from api.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Involve</title><div id=root></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def client_for(database_url, dist) -> httpx.AsyncClient:
    app = create_app(make_settings(database_url, web_dist=str(dist)))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_root_and_deep_links_answer_with_the_app(database_url, dist):
    async with client_for(database_url, dist) as client:
        for path in ("/", "/stakeholders/7b7c0f3e-1111-4a4a-9a9a-000000000000", "/plans/x/grid"):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert "<div id=root>" in response.text
            assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_served_with_a_long_cache(database_url, dist):
    async with client_for(database_url, dist) as client:
        response = await client.get("/assets/index-abc123.js")
        assert response.status_code == 200
        assert response.text == "console.log('app')"
        assert "immutable" in response.headers["cache-control"]
        assert (await client.get("/favicon.svg")).text == "<svg/>"


async def test_unknown_api_paths_stay_problem_json_404(database_url, dist):
    async with client_for(database_url, dist) as client:
        for path in ("/api/v1/no-such-thing", "/api/nothing", "/api"):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"].startswith("application/problem+json")


async def test_api_routes_and_writes_are_not_answered_by_the_app(database_url, dist):
    async with client_for(database_url, dist) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/api/v1/me")).status_code == 401
        response = await client.post("/somewhere")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_paths_escaping_the_build_folder_get_the_app_not_the_file(database_url, dist):
    (dist.parent / "secret.txt").write_text("secret")
    async with client_for(database_url, dist) as client:
        # Encoded dots: httpx would resolve a literal "/../" away before sending, and test nothing.
        for path in ("/assets/%2e%2e/%2e%2e/secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"):
            response = await client.get(path)
            assert response.status_code == 200 and "<div id=root>" in response.text, path
            assert "secret" not in response.text, path


async def test_paths_no_file_can_have_get_the_app(database_url, dist):
    async with client_for(database_url, dist) as client:
        for path in ("/%00", "/stakeholders/a%00b", "/" + "a" * 300, "/assets/" + "b/" * 3000):
            response = await client.get(path)
            assert response.status_code == 200 and "<div id=root>" in response.text, path[:40]


async def test_without_a_build_the_api_answers_as_before(database_url, tmp_path):
    async with client_for(database_url, tmp_path / "missing") as client:
        response = await client.get("/")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/healthz")).status_code == 200
