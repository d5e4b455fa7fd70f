"""429 with Retry-After: strict on sign-in (per account and per address) and exports, generous elsewhere."""

import asyncio
import uuid

import pytest

from api.ratelimit import RateLimiter
from tests import factories
from tests.conftest import make_settings
from tests.security.support import assert_problem, build_app, client_for, reset_limits

TOKEN = "/api/v1/auth/token"
LIMITS = dict(rate_limit_enabled=True, rate_limit_token_account="3/minute", rate_limit_token_address="5/minute",
              rate_limit_exports="2/minute", rate_limit_default="20/minute")


@pytest.fixture(scope="module")
def limited_app(database_url):
    return build_app(database_url, **LIMITS)


@pytest.fixture
def limited(limited_app):
    """The app with small limits and fresh counters (not named `app`: the shared `client` fixture uses that)."""
    reset_limits(limited_app)
    return limited_app


def login(user, password="wrong password") -> dict:
    return {"grant_type": "password", "username": user.email, "password": password}


def assert_429(r) -> int:
    assert_problem(r, 429)
    wait = int(r.headers["retry-after"])
    assert 1 <= wait <= 60
    return wait


async def test_sign_in_is_limited_per_account_from_one_address(limited, session, a):
    user = a.users["lead"]
    async with client_for(limited, session, address="10.0.0.1") as client:
        for _ in range(3):
            assert (await client.post(TOKEN, data=login(user))).status_code == 401
        assert_429(await client.post(TOKEN, data=login(user, factories.PASSWORD)))  # even the right password
        assert (await client.post(TOKEN, data=login(a.users["admin"], factories.PASSWORD))).status_code == 200


async def test_every_spelling_that_finds_the_account_shares_its_allowance(limited, session, a):
    # The allowance is keyed on the account the lookup finds, not on the text typed: whatever folds to the account
    # (padding, case, a decomposed é) shares it. (PostgreSQL once folded İ to i in the lookup, Python in the key.)
    user = await factories.user(session, a.tenant, role="lead", email="élodie.williams@tenant-a.nhs.uk")
    await session.commit()
    # Two spellings: the address allows five attempts a minute (LIMITS), and its 429 must not stand in for this one.
    spellings = [" ÉLODIE.Williams@tenant-a.nhs.uk ", "e\u0301lodie.WILLIAMS@tenant-a.nhs.uk"]
    async with client_for(limited, session, address="10.0.0.9") as client:
        for _ in range(3):
            assert (await client.post(TOKEN, data=login(user))).status_code == 401
        for spelling in spellings:
            assert_429(await client.post(TOKEN, data={"grant_type": "password", "username": spelling,
                                                      "password": factories.PASSWORD}))


async def test_wrong_passwords_sent_from_elsewhere_do_not_lock_the_owner_out(limited, session, a):
    """Counted across addresses, the limit let anyone who knew a colleague's email keep them from signing in."""
    user = a.users["lead"]
    async with client_for(limited, session, address="10.0.0.2") as attacker, \
            client_for(limited, session, address="10.0.0.3") as owner:
        for _ in range(3):
            assert (await attacker.post(TOKEN, data=login(user))).status_code == 401
        assert_429(await attacker.post(TOKEN, data=login(user)))
        assert (await owner.post(TOKEN, data=login(user, factories.PASSWORD))).status_code == 200


async def test_sign_in_is_limited_per_account_whatever_the_case_of_the_email(limited, session, a):
    user = a.users["lead"]
    async with client_for(limited, session, address="10.0.1.1") as client:
        for email in (user.email, user.email.upper(), user.email.title()):
            body = {"grant_type": "password", "username": email, "password": "nope"}
            assert (await client.post(TOKEN, data=body)).status_code == 401
        assert_429(await client.post(TOKEN, data=login(user)))


async def test_sign_in_is_limited_per_account_whatever_spaces_surround_the_email(limited, session, a):
    # Sign-in strips the email before looking the account up, so padding it must not open a fresh allowance.
    user = a.users["lead"]
    async with client_for(limited, session, address="10.0.2.5") as client:
        for email in (user.email, f" {user.email}", f"{user.email}  "):
            body = {"grant_type": "password", "username": email, "password": "nope"}
            assert (await client.post(TOKEN, data=body)).status_code == 401
        assert_429(await client.post(TOKEN, data=login(user, factories.PASSWORD)))


async def test_sign_in_is_limited_per_address_across_accounts(limited, session, a):
    async with client_for(limited, session, address="10.0.2.1") as client, \
            client_for(limited, session, address="10.0.2.2") as other:
        for i in range(5):
            body = {"grant_type": "password", "username": f"guess{i}@example.org", "password": "x"}
            assert (await client.post(TOKEN, data=body)).status_code == 401
        assert_429(await client.post(TOKEN, data=login(a.users["admin"], factories.PASSWORD)))
        assert (await other.post(TOKEN, data=login(a.users["admin"], factories.PASSWORD))).status_code == 200


async def test_client_credentials_are_limited_per_client_id_from_one_address(limited, session, a):
    async with client_for(limited, session, address="10.0.3.1") as client, \
            client_for(limited, session, address="10.0.3.2") as other:
        body = {"grant_type": "client_credentials", "client_id": "sa_unknown", "client_secret": "x"}
        for _ in range(3):
            assert (await client.post(TOKEN, data=body)).status_code == 401
        assert_429(await client.post(TOKEN, data=body))
        assert (await other.post(TOKEN, data=body)).status_code == 401


def _keys_of(limiter: RateLimiter) -> set[str]:
    """Every key the in-memory storage counts under (moving windows in `events`, the others in `storage`)."""
    return set(limiter.storage.events) | set(limiter.storage.storage)


async def _sign_in_with_private_names(app, session, user, address: str) -> None:
    """Three wrong tries at an email that names no account, past its allowance, one at a real account, and (from
    another address: this one's allowance is spent) one at a client id."""
    async with client_for(app, session, address=f"{address}1") as client:
        body = {"grant_type": "password", "username": "Jane.Private@nowhere.example", "password": "x"}
        for _ in range(3):
            assert (await client.post(TOKEN, data=body)).status_code == 401
        assert_429(await client.post(TOKEN, data=body))  # hashed, the email is still counted as itself
        assert (await client.post(TOKEN, data=login(user))).status_code == 401
    async with client_for(app, session, address=f"{address}2") as client:
        body = {"grant_type": "client_credentials", "client_id": "sa_private_client", "client_secret": "x"}
        assert (await client.post(TOKEN, data=body)).status_code == 401


def _assert_no_names(keys: set[str], user) -> None:
    assert any("token-account" in k for k in keys), keys  # the per-account counters are there
    for text in ("jane", "nowhere", user.email.split("@")[0].lower(), str(user.id), "sa_private_client"):
        assert not [k for k in keys if text in k.lower()], (text, keys)


async def test_sign_in_counters_hold_no_typed_username(limited, session, a):
    # What was typed in the username field is an email (personal data), or a password typed in the wrong field: the
    # counters key it by an HMAC, in memory as in Redis, where anyone who can read Redis could list the keys.
    await _sign_in_with_private_names(limited, session, a.users["lead"], "10.0.8.")
    _assert_no_names(_keys_of(limited.state.rate_limiter), a.users["lead"])


async def test_sign_in_counters_in_redis_hold_no_typed_username(limited, session, a, database_url):
    if not await _redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"involve-test-{uuid.uuid4().hex}"
    limiter = RateLimiter(make_settings(database_url, **LIMITS, redis_url="redis://127.0.0.1:6379/0",
                                       rate_limit_key_prefix=prefix))
    limited.state.rate_limiter = limiter
    try:
        await _sign_in_with_private_names(limited, session, a.users["lead"], "10.0.9.")
        keys = {k.decode() if isinstance(k, bytes) else k
                for k in await limiter.storage.bridge.storage.keys(f"{prefix}*")}
        _assert_no_names(keys, a.users["lead"])
    finally:
        await limiter.storage.reset()


async def test_exports_are_limited_per_principal(limited, session, a):
    async with client_for(limited, session) as client:
        for _ in range(2):
            assert (await client.get("/api/v1/exports/stakeholders", headers=a["lead"])).status_code == 200
        assert_429(await client.get("/api/v1/exports/organisations", headers=a["lead"]))
        assert (await client.get("/api/v1/exports/stakeholders", headers=a["admin"])).status_code == 200


async def test_verifying_the_chain_or_a_pack_counts_against_the_exports_limit(limited, session, a):
    """Each recomputes the tenant's whole audit chain, as an export reads the whole register: the same few a minute
    per principal, counted together."""
    async with client_for(limited, session) as client:
        assert (await client.get("/api/v1/audit-events/verify", headers=a["auditor"])).status_code == 200
        assert (await client.post("/api/v1/evidence-packs/verify", json={}, headers=a["auditor"])).status_code == 422
        assert_429(await client.get("/api/v1/audit-events/verify", headers=a["auditor"]))
        assert_429(await client.post("/api/v1/evidence-packs/verify", json={}, headers=a["auditor"]))
        assert (await client.get("/api/v1/audit-events/verify", headers=a["admin"])).status_code == 200


async def test_every_other_request_has_a_generous_limit_per_address(limited, session, a):
    async with client_for(limited, session, address="10.0.4.1") as client, \
            client_for(limited, session, address="10.0.4.2") as other:
        for _ in range(20):
            assert (await client.get("/api/v1/me", headers=a["viewer"])).status_code == 200
        assert_429(await client.get("/api/v1/me", headers=a["viewer"]))
        assert_429(await client.get("/api/v1/stakeholders"))  # unauthenticated floods count too
        assert (await other.get("/api/v1/me", headers=a["viewer"])).status_code == 200
        assert (await client.get("/healthz")).status_code != 429  # probes are not API calls


async def test_limits_can_be_turned_off(limited, session, a, database_url):
    """INVOLVE_RATE_LIMIT_ENABLED=false (as the shared test app runs): past the small limits, nothing is refused."""
    limited.state.rate_limiter = RateLimiter(make_settings(database_url, **{**LIMITS, "rate_limit_enabled": False}))
    async with client_for(limited, session, address="10.0.7.1") as client:
        for _ in range(25):  # the default limit is 20
            assert (await client.get("/api/v1/me", headers=a["viewer"])).status_code == 200
        for _ in range(6):  # the token limits are 3 per account and 5 per address
            assert (await client.post(TOKEN, data=login(a.users["lead"]))).status_code == 401


async def test_unreachable_redis_lets_requests_through(database_url):
    limiter = RateLimiter(make_settings(database_url, redis_url="redis://127.0.0.1:1", rate_limit_enabled=True,
                                        rate_limit_default="1/minute"))
    assert await limiter.retry_after("default", "10.0.5.1") is None
    assert await limiter.retry_after("default", "10.0.5.1") is None


async def _redis_reachable() -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", 6379), timeout=1)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def test_workers_share_counters_through_redis(database_url):
    if not await _redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings = make_settings(database_url, redis_url="redis://127.0.0.1:6379/0", rate_limit_enabled=True,
                             rate_limit_key_prefix=f"involve-test-{uuid.uuid4().hex}", rate_limit_default="3/minute")
    worker_1, worker_2 = RateLimiter(settings), RateLimiter(settings)
    try:
        assert await worker_1.retry_after("default", "10.0.6.1") is None
        assert await worker_2.retry_after("default", "10.0.6.1") is None
        assert await worker_1.retry_after("default", "10.0.6.1") is None
        wait = await worker_2.retry_after("default", "10.0.6.1")
        assert wait is not None and 1 <= wait <= 60
        assert await worker_2.retry_after("default", "10.0.6.2") is None
    finally:
        await worker_1.storage.reset()


async def test_one_ipv6_host_hopping_addresses_in_its_64_is_one_client_to_the_sign_in_limits(limited, session, a):
    # An IPv6 host is given a whole /64: keyed on the full address, it had a fresh allowance for each one it picked
    statuses = []
    for i in range(1, 13):
        async with client_for(limited, session, address=f"2001:db8:1:2::{i:x}") as client:
            body = {"grant_type": "password", "username": a.users["admin"].email, "password": f"guess {i:04d} pw"}
            statuses.append((await client.post(TOKEN, data=body)).status_code)
    assert statuses[:3] == [401] * 3 and statuses[3:] == [429] * 9, statuses


async def test_one_ipv6_host_hopping_addresses_in_its_64_is_one_client_to_the_default_limit(limited, session, a):
    statuses = []
    for i in range(1, 23):
        async with client_for(limited, session, address=f"2001:db8:1:2::{i:x}") as client:
            statuses.append((await client.get("/api/v1/me", headers=a["viewer"])).status_code)
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429] * 2, statuses
    # Another /64, and an IPv4 client, keep their own allowances
    for address in ("2001:db8:1:3::1", "10.0.0.20"):
        async with client_for(limited, session, address=address) as client:
            assert (await client.get("/api/v1/me", headers=a["viewer"])).status_code == 200, address
