"""The hot reads (api/stakeholders/hot_reads.py) answer what the FastAPI routes would, byte for byte, and leave
everything else to them. PostgreSQL only: on SQLite the routes answer every request.

Each request goes three ways: to the app (hot reads on), to an app with them off (the routes' answer), and to the hot
reads alone in front of an app that answers PASSED_ON (support.hot_reads_alone), which shows whether they answered
it themselves."""

import asyncio
import os
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.config import to_async_url
from api.db import driver_connection, get_session
from api.main import create_app
from api.models import ServiceAccount
from api.stakeholders.hot_reads import _ReadsById
from tests import factories
from tests.conftest import make_settings
from tests.stakeholders.support import PASSED_ON, URL, hot_reads_alone

pytestmark = pytest.mark.skipif(not os.environ.get("INVOLVE_TEST_DATABASE_URL"),
                                reason="the hot reads run on PostgreSQL only")
EARLIER = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def routes_app(settings):
    return create_app(settings.model_copy(update={"hot_reads": False}))


@pytest.fixture
async def three_ways(app, routes_app, session):
    routes_app.dependency_overrides[get_session] = lambda: session
    clients = {}
    for name, asgi in (("app", app), ("routes", routes_app), ("hot", hot_reads_alone(app))):
        clients[name] = httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi, raise_app_exceptions=False),
                                          base_url="http://test")
    yield clients
    for client in clients.values():
        await client.aclose()
    routes_app.dependency_overrides.pop(get_session, None)


@pytest.fixture
async def register(session, a, b):
    """Tenant A's register: scored and tagged people in an organisation, one archived, one restricted, one with
    an objection (its grounds are masked for viewers); tenant B's one person."""
    organisation = await factories.organisation(session, a.tenant, name="Riverside Surgery")
    plan = await factories.plan(session, a.tenant)
    people = {}
    for i, categories in enumerate((["patient"], ["patient", "carer"], ["carer"], ["staff"], ["patient"])):
        row = await factories.stakeholder(session, a.tenant, name=f"Person {i}", categories=categories,
                                          tags=["rural"] if i % 2 else [], organisation_id=organisation.id,
                                          phone="01632 960000", postcode="BH1 1AA", is_champion=i == 2,
                                          objection_date=EARLIER.date() if i == 3 else None,
                                          objection_grounds="Private" if i == 3 else None)
        await factories.assessment(session, row, interest=2 + i % 3, influence=1 + i)
        people[f"p{i}"] = row
    await factories.assessment(session, people["p1"], interest=5, influence=5, plan=plan)
    people["archived"] = await factories.stakeholder(session, a.tenant, name="Gone", archived_at=EARLIER)
    people["restricted"] = await factories.stakeholder(session, a.tenant, name="Restricted", restricted_at=EARLIER)
    people["theirs"] = await factories.stakeholder(session, b.tenant, name="Theirs")
    await session.commit()
    return {"organisation": organisation, "plan": plan, **people}


def _comparable(response: httpx.Response, *, own_headers: bool = False) -> tuple:
    """Status, headers and body; with own_headers, only the headers of the response itself (not the middlewares')."""
    own = ("content-type", "content-length", "etag")
    headers = {k: v for k, v in response.headers.items() if k in own or not own_headers}
    return response.status_code, headers, response.content


async def _same_answer(three_ways, path: str, headers: dict | None, *, hot: bool) -> httpx.Response:
    """The app answers as the routes do; the hot reads answered it themselves exactly when `hot`."""
    # One request id for all three: problem bodies carry it.
    headers = {**(headers or {}), "X-Request-ID": "same-request"}
    answers = {name: await client.get(path, headers=headers) for name, client in three_ways.items()}
    assert _comparable(answers["app"]) == _comparable(answers["routes"]), path
    assert (answers["hot"].status_code != PASSED_ON) is hot, path
    if hot:
        assert _comparable(answers["hot"]) == _comparable(answers["routes"], own_headers=True), path
    return answers["app"]


@pytest.mark.parametrize("role", ["admin", "lead", "contributor", "viewer", "auditor"])
async def test_a_read_by_id_is_the_routes_answer_for_every_role(three_ways, a, register, role):
    for name in ("p0", "p3", "archived"):
        r = await _same_answer(three_ways, f"{URL}/{register[name].id}", a[role], hot=True)
        assert r.status_code == 200 and r.headers["etag"] == '"1"'
    masked = (await _same_answer(three_ways, f"{URL}/{register['p3'].id}", a[role], hot=True)).json()
    assert masked["contact_details_masked"] is (role == "viewer")


async def test_an_id_in_capitals_is_read_as_the_same_stakeholder(three_ways, a, b, register):
    """The hot reads bind the id as the path spells it; the route parses it. Both read the same person, and
    another tenant's is still theirs alone."""
    r = await _same_answer(three_ways, f"{URL}/{str(register['p0'].id).upper()}", a["lead"], hot=True)
    assert r.status_code == 200 and r.json()["id"] == str(register["p0"].id)
    await _same_answer(three_ways, f"{URL}/{str(register['theirs'].id).upper()}", a["lead"], hot=False)  # 404


async def test_reads_by_id_arriving_together_share_one_statement_and_each_gets_its_own_answer(three_ways, session,
                                                                                               a, register):
    """Requests of one caller arriving together are read in one statement; each gets its own stakeholder's answer,
    as the route gives it (the viewer's masked), and those the hot reads do not answer (unknown, another tenant's,
    restricted) are still passed on."""
    mine = ["p0", "p1", "p3", "archived", "p0"]
    paths = [f"{URL}/{register[name].id}" for name in mine] + [f"{URL}/{str(register['p2'].id).upper()}"]
    passed_on = [f"{URL}/{uuid.uuid4()}", f"{URL}/{register['theirs'].id}", f"{URL}/{register['restricted'].id}"]
    connection = await driver_connection(session)
    statements = []

    def logged(query) -> None:
        if "ANY (" in query.query:
            statements.append(query.query)

    connection.add_query_logger(logged)
    try:
        # One caller at a time: the test's requests share one connection, where a pool would give each its own
        for role in ("admin", "viewer"):
            answers = await asyncio.gather(*[three_ways["hot"].get(path, headers=a[role])
                                             for path in [*paths, *passed_on]])
            assert len(statements) == 1, role
            statements.clear()
            for path, answer in zip(paths, answers, strict=False):
                assert answer.status_code == 200, path
                assert _comparable(answer) == _comparable(await three_ways["routes"].get(path, headers=a[role]),
                                                          own_headers=True), path
                assert answer.json()["contact_details_masked"] is (role == "viewer")
            assert [r.status_code for r in answers[len(paths):]] == [PASSED_ON] * len(passed_on)
    finally:
        connection.remove_query_logger(logged)


async def test_a_shared_read_that_fails_or_is_cancelled_leaves_no_request_waiting():
    """A database error reaches every request that shared the statement; the first request cancelled before the
    statement is done leaves the others to the route (None), never waiting."""
    reads = _ReadsById()

    async def failing(ids):
        raise asyncpg.QueryCanceledError("canceling statement due to statement timeout")

    outcomes = await asyncio.gather(*[reads.read("k", str(i), failing) for i in range(3)], return_exceptions=True)
    assert all(isinstance(o, asyncpg.QueryCanceledError) for o in outcomes)

    asked, started, gone = [], asyncio.Event(), asyncio.Event()

    async def hanging(ids):
        asked.append(ids)
        started.set()
        await gone.wait()  # the statement of a request whose client has gone away

    tasks = [asyncio.ensure_future(reads.read("k", str(i), hanging)) for i in (1, 2, 3)]
    await started.wait()
    first = tasks[0]
    first.cancel()
    # (A guard, not a timing: released, they answer at once; left waiting, they would hang the suite.)
    assert asked == [["1", "2", "3"]] and await asyncio.wait_for(asyncio.gather(*tasks[1:]), 10) == [None, None]
    assert first.cancelled()


async def test_reads_arriving_while_a_callers_statement_runs_wait_for_it_and_share_the_next():
    """One statement of a caller runs at a time: reads arriving while it runs gather and are read together after it,
    each getting its own row; another caller's reads do not wait for it."""
    reads = _ReadsById()
    asked, running, done = [], asyncio.Event(), asyncio.Event()

    async def rows(ids):
        asked.append(ids)
        running.set()
        await done.wait()
        return [{"id": i} for i in ids]

    first = asyncio.ensure_future(reads.read("caller", "1", rows))
    await running.wait()
    later = [asyncio.ensure_future(reads.read("caller", i, rows)) for i in ("2", "3", "2")]
    other = asyncio.ensure_future(reads.read("another caller", "9", rows))
    for _ in range(5):  # turns of the event loop in which a second statement of the caller could have started
        await asyncio.sleep(0)
    assert asked == [["1"], ["9"]]
    done.set()
    # (A guard, not a timing: released, they answer at once.)
    answers = await asyncio.wait_for(asyncio.gather(first, *later, other), 10)
    assert asked == [["1"], ["9"], ["2", "3"]]
    assert [a["id"] for a in answers] == ["1", "2", "3", "2", "9"]
    assert not reads._open and not reads._turns  # nothing kept of a caller once its reads are answered


@pytest.mark.parametrize("query", [
    "",
    "category=patient&min_influence=2&sort=-updated_at&limit=2",  # the benchmark's shape
    "category=carer&sort=name",
    "tag=rural&sort=-created_at&limit=1",
    "q=person%201",
    "q=example.test",
    "archived=true",
    "champion=true&contact_consent=false",
    "min_interest=3&max_influence=4",
    "not_engaged_since=2026-01-01",
    "kind=person&public_representative=false&limit=500",
    "sort=updated_at,name",
    "tag=nobody-has-this",  # an empty page
])
@pytest.mark.parametrize("role", ["admin", "lead", "contributor", "viewer", "auditor"])
async def test_a_list_page_is_the_routes_answer(three_ways, a, register, query, role):
    await _same_answer(three_ways, f"{URL}?{query}", a[role], hot=True)


async def test_pages_by_cursor_and_the_filters_naming_ids_are_the_routes_answers(three_ways, a, register):
    first = (await _same_answer(three_ways, f"{URL}?limit=2&sort=-updated_at", a["lead"], hot=True)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    await _same_answer(three_ways, f"{URL}?limit=2&sort=-updated_at&cursor={first['next_cursor']}", a["lead"],
                       hot=True)
    for query in (f"organisation_id={register['organisation'].id}", f"plan_id={register['plan'].id}&min_interest=5",
                  f"email={register['p1'].email.upper()}", f"owner_id={uuid.uuid4()}"):
        await _same_answer(three_ways, f"{URL}?{query}", a["lead"], hot=True)


async def test_everything_else_is_left_to_the_routes(three_ways, session, a, b, register):
    """Errors, audited reads and what the hot reads do not parse: passed on, and answered as the routes answer."""
    passed_on = [
        (f"{URL}/{register['p0'].id}", None),  # no token
        (f"{URL}/{register['p0'].id}", {"Authorization": "Bearer not-a-token"}),
        (f"{URL}/{register['p0'].id}", {"Authorization": "Basic dXNlcjpwYXNz"}),
        (f"{URL}/{register['theirs'].id}", a["admin"]),  # another tenant's: 404
        (f"{URL}/{uuid.uuid4()}", a["lead"]),
        (f"{URL}/{register['restricted'].id}", a["lead"]),  # 404
        (f"{URL}/{register['restricted'].id}", a["admin"]),  # 200, and audited
        (f"{URL}/not-an-id", a["lead"]),
        (f"{URL}/grid", a["lead"]),
        (f"{URL}/", a["lead"]),
        (f"{URL}?quadrant=manage_closely", a["lead"]),
        (f"{URL}?include_total=true", a["lead"]),
        (f"{URL}?limit=0", a["lead"]),
        (f"{URL}?limit=x", a["lead"]),
        (f"{URL}?sort=colour", a["lead"]),
        (f"{URL}?cursor=bm90LWEtY3Vyc29y", a["lead"]),
        (f"{URL}?category=astronaut", a["lead"]),
        (f"{URL}?min_interest=4&max_interest=2", a["lead"]),  # 422, naming both
        (f"{URL}?min_influence=5&max_influence=1", a["viewer"]),
        (f"{URL}?email=someone@example.test", a["viewer"]),  # 403
        (f"{URL}?category=patient&category=carer", a["lead"]),
        (f"{URL}?colour=blue", a["lead"]),
        (f"{URL}?q=", a["lead"]),
        (URL, None),
    ]
    for path, headers in passed_on:
        await _same_answer(three_ways, path, headers, hot=False)


async def test_a_deactivated_account_is_refused_at_once(three_ways, session, a, register):
    await _same_answer(three_ways, f"{URL}/{register['p0'].id}", a["lead"], hot=True)
    a.users["lead"].is_active = False
    await session.commit()
    for path in (f"{URL}/{register['p0'].id}", URL):
        r = await _same_answer(three_ways, path, a["lead"], hot=False)
        assert r.status_code == 401


async def test_a_token_from_before_a_password_change_is_refused_at_once(three_ways, session, app, a, register):
    old = a["lead"]
    await _same_answer(three_ways, f"{URL}/{register['p0'].id}", old, hot=True)
    a.users["lead"].password_version += 1
    await session.commit()
    for path in (f"{URL}/{register['p0'].id}", f"{URL}?category=patient"):
        r = await _same_answer(three_ways, path, old, hot=False)
        assert r.status_code == 401
    fresh = factories.auth_headers(app, a.users["lead"])
    await _same_answer(three_ways, f"{URL}/{register['p0'].id}", fresh, hot=True)


async def test_a_role_changed_since_the_token_was_issued_is_left_to_the_routes(three_ways, session, a, register):
    """The list's statement is chosen by the token's role and stands only if the account still has it."""
    headers = a["lead"]
    a.users["lead"].role = "viewer"
    await session.commit()
    for path in (f"{URL}?category=patient", f"{URL}?q=example.test"):
        r = await _same_answer(three_ways, path, headers, hot=False)
        assert r.status_code == 200 and all(item["contact_details_masked"] for item in r.json()["items"])
    # A read by id takes the role from the account it reads in the same statement.
    r = await _same_answer(three_ways, f"{URL}/{register['p0'].id}", headers, hot=True)
    assert r.json()["contact_details_masked"] is True


async def test_a_service_account_reads_through_the_hot_path(three_ways, session, app, a, register):
    account = ServiceAccount(tenant_id=a.tenant.id, name="Nightly sync", client_id=uuid.uuid4().hex,
                             secret_hash="unused", role="viewer", is_active=True)
    session.add(account)
    await session.commit()
    headers = factories.auth_headers(app, account, kind="service_account")
    r = await _same_answer(three_ways, f"{URL}/{register['p0'].id}", headers, hot=True)
    assert r.json()["contact_details_masked"] is True
    await _same_answer(three_ways, f"{URL}?category=patient", headers, hot=True)


# --- the read pool: committed rows, the app's own connections ---------------------------------------------------

@pytest.fixture
async def committed(database_url):
    """Two tenants with an admin and one person each, committed for real (the read pool has its own connections),
    deleted afterwards."""
    engine = create_async_engine(to_async_url(database_url))
    suffix = uuid.uuid4().hex[:8]
    worlds = []
    async with AsyncSession(engine, expire_on_commit=False) as s:
        for name in ("a", "b"):
            tenant = await factories.tenant(s, slug=f"hot-{name}-{suffix}")
            admin = await factories.user(s, tenant, role="admin", email=f"admin-{name}-{suffix}@hot.nhs.test")
            person = await factories.stakeholder(s, tenant, name=f"Person of {name}", categories=["patient"])
            worlds.append((tenant, admin, person))
        await s.commit()
    yield worlds, engine
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM tenant WHERE slug LIKE :p"), {"p": f"hot-%-{suffix}"})
    await engine.dispose()


async def test_one_pooled_connection_serves_tenants_in_turn_each_seeing_only_its_own(database_url, committed):
    """With a pool of one connection, requests of two tenants alternate on it: each sees its own person and a 404
    for the other's, as the application role under row-level security; a deactivation counts at once."""
    (worlds, engine) = committed
    settings = make_settings(database_url, db_pool_size=1, db_app_role="involve_app")
    app, routes_app = create_app(settings), create_app(settings.model_copy(update={"hot_reads": False}))
    try:
        hot = httpx.AsyncClient(transport=httpx.ASGITransport(app=hot_reads_alone(app)),
                                base_url="http://test")
        routes = httpx.AsyncClient(transport=httpx.ASGITransport(app=routes_app), base_url="http://test")
        async with hot, routes:
            for _ in range(2):
                for (_, admin, person), (_, _, other) in ((worlds[0], worlds[1]), (worlds[1], worlds[0])):
                    headers = factories.auth_headers(app, admin)
                    for path in (f"{URL}/{person.id}", f"{URL}?category=patient"):
                        r = await hot.get(path, headers=headers)
                        assert r.status_code == 200 and person.name in r.text
                        assert r.content == (await routes.get(path, headers=headers)).content
                    assert (await hot.get(f"{URL}/{other.id}", headers=headers)).status_code == PASSED_ON
            pool = app.state.db.read_pool
            async with pool.scoped(worlds[0][0].id) as connection:
                assert await connection.fetchval("SELECT current_user") == "involve_app"
                # Under RLS alone (no tenant filter in the statement) only the tenant's own rows are there.
                assert await connection.fetchval("SELECT count(*) FROM stakeholder") == 1
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE user_account SET is_active = false WHERE id = :id"),
                                   {"id": worlds[0][1].id})
            headers = factories.auth_headers(app, worlds[0][1])
            assert (await hot.get(f"{URL}/{worlds[0][2].id}", headers=headers)).status_code == PASSED_ON
    finally:
        await app.state.db.dispose()
        await routes_app.state.db.dispose()
