"""Single sign-on: tokens of an OpenID Connect provider whose JWKS the test itself serves (an httpx mock transport)."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt
from sqlalchemy import select, text

from api import rls
from api.auth.oidc import REFETCH_INTERVAL_SECONDS, OidcVerifier
from api.db import get_session
from api.main import create_app
from api.models import AuditEvent
from tests import factories
from tests.conftest import make_settings

ISSUER = "https://idp.nhs.example/realms/trust"
AUDIENCE = "involve"
JWKS_URL = "https://idp.nhs.example/realms/trust/jwks"
ME = "/api/v1/me"


def _pem(private) -> str:
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()


class Key:
    """A signing key of the provider (or of an attacker) and its public JWK."""

    def __init__(self, kid: str, alg: str = "RS256"):
        self.kid, self.alg = kid, alg
        private = rsa.generate_private_key(65537, 2048) if alg == "RS256" else ec.generate_private_key(ec.SECP256R1())
        self.pem = _pem(private)
        public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.public_jwk = {**jwk.construct(public, alg).to_dict(), "kid": kid, "use": "sig", "alg": alg}

    def sign(self, claims: dict, **headers) -> str:
        return jwt.encode(claims, self.pem, algorithm=self.alg, headers={"kid": self.kid, "typ": "JWT", **headers})


RSA_KEY = Key("rsa-1")
EC_KEY = Key("ec-1", "ES256")
NEXT_KEY = Key("rsa-2")
ATTACKER = Key("rsa-1")  # the same kid as the provider's, a different key


class Provider:
    """The identity provider's JWKS endpoint, counting fetches; the test's clock decides when a refetch may happen."""

    def __init__(self):
        self.keys = [RSA_KEY.public_jwk, EC_KEY.public_jwk]
        self.requests: list[str] = []
        self.now = 1000.0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        if str(request.url) != JWKS_URL:
            return httpx.Response(404)
        return httpx.Response(200, json={"keys": self.keys})


def claims(user=None, tenant_slug="tenant-a", role="lead", **overrides) -> dict:
    now = int(datetime.now(UTC).timestamp())
    values = {"iss": ISSUER, "aud": AUDIENCE, "sub": "idp-subject-123", "iat": now, "nbf": now, "exp": now + 300,
              "email": user.email if user is not None else "nobody@example.org",
              "involve_tenant": tenant_slug, "involve_role": role}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture(scope="module")
def sso_app(database_url):
    """One app for the module (building its OpenAPI document costs seconds); each test gets a fresh verifier."""
    return create_app(make_settings(database_url, oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=JWKS_URL,
                                    oidc_role_map="Involve-Admins=admin,Staff=viewer", rate_limit_enabled=False))


@pytest.fixture
async def sso(sso_app, session, provider):
    app = sso_app
    app.state.oidc = OidcVerifier(app.state.settings, transport=httpx.MockTransport(provider.handler),
                                  clock=lambda: provider.now)
    app.dependency_overrides[get_session] = lambda: session
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            yield client, app
    finally:
        app.dependency_overrides.pop(get_session, None)


async def me(client, token: str) -> httpx.Response:
    return await client.get(ME, headers={"Authorization": f"Bearer {token}"})


async def assert_status(client, token: str, status: int) -> httpx.Response:
    r = await me(client, token)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return r


@pytest.mark.parametrize("key", [RSA_KEY, EC_KEY], ids=["RS256", "ES256"])
async def test_provider_token_signs_in_the_matching_user_with_the_token_role(sso, a, key):
    client, _ = sso
    user = a.users["viewer"]
    r = await me(client, key.sign(claims(user, role="lead")))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == str(user.id) and body["role"] == "lead" and body["tenant"]["slug"] == "tenant-a"


async def test_idp_role_names_are_mapped_and_a_list_must_map_to_one_role(sso, a):
    client, _ = sso
    user = a.users["lead"]
    assert (await me(client, RSA_KEY.sign(claims(user, role="Involve-Admins")))).json()["role"] == "admin"
    assert (await me(client, RSA_KEY.sign(claims(user, role=["Staff", "Unrelated"])))).json()["role"] == "viewer"
    await assert_status(client, RSA_KEY.sign(claims(user, role=["Staff", "Involve-Admins"])), 403)


async def test_sso_writes_are_audited_as_the_matched_user(sso, session, a):
    client, _ = sso
    user = a.users["contributor"]
    token = RSA_KEY.sign(claims(user, role="lead"))
    r = await client.post("/api/v1/organisations", json={"name": "Bridport PPG", "kind": "healthwatch"},
                          headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    event = (await session.execute(select(AuditEvent).where(AuditEvent.tenant_id == a.tenant.id,
                                                            AuditEvent.resource_type == "organisation"))).scalar_one()
    assert (event.actor_type, event.actor_id) == ("user", user.id)


async def test_sso_finds_its_account_and_scopes_the_request_under_row_level_security(sso, session, a):
    """As the application role, with no tenant set yet (a request's start in production, PostgreSQL): the account
    lookup crosses tenants, as token issuance's does, and the request is then scoped to the account's tenant."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL only")
    await session.execute(text("SET LOCAL ROLE involve_app"))
    session.info.pop(rls.TENANT_KEY, None)
    session.info.pop(rls.BYPASS_KEY, None)
    await session.execute(text("SELECT set_config('app.tenant_id', '', true), set_config('app.bypass_rls', 'off', "
                               "true)"))
    client, _ = sso
    r = await me(client, RSA_KEY.sign(claims(a.users["viewer"])))
    assert r.status_code == 200, r.text
    scope = text("SELECT current_setting('app.tenant_id', true), current_setting('app.bypass_rls', true)")
    assert tuple((await session.execute(scope)).one()) == (str(a.tenant.id), "off")


@pytest.mark.parametrize("overrides", [
    {"involve_tenant": None}, {"involve_tenant": "no-such-tenant"}, {"involve_role": None},
    {"involve_role": "superuser"}, {"involve_role": 7}, {"email": None}, {"email": "stranger@example.org"},
    {"email_verified": False}, {"email_verified": "false"}, {"email_verified": 0},
    {"email": "lead\x00@example.org"}, {"involve_tenant": "tenant-a\x00"},
    # A lone surrogate (JSON's "\\ud800") has no UTF-8: it failed to encode on its way to the database, a 500
    {"email": "lead\ud800@example.org"}, {"involve_tenant": "tenant-a\ud800"},
], ids=["no-tenant", "unknown-tenant", "no-role", "unknown-role", "role-not-text", "no-email", "no-account",
        "email-unverified", "email-unverified-as-text", "email-verified-not-a-yes", "email-with-nul",
        "tenant-with-nul", "email-with-lone-surrogate", "tenant-with-lone-surrogate"])
async def test_token_without_a_known_tenant_role_or_account_is_403(sso, a, overrides):
    client, _ = sso
    await assert_status(client, RSA_KEY.sign(claims(a.users["lead"], **overrides)), 403)


@pytest.mark.parametrize("verified", [True, "true"])
async def test_email_the_provider_says_it_verified_signs_in(sso, a, verified):
    client, _ = sso
    r = await me(client, RSA_KEY.sign(claims(a.users["lead"], email_verified=verified)))
    assert r.status_code == 200 and r.json()["id"] == str(a.users["lead"].id)


async def test_user_of_another_tenant_or_deactivated_is_403(sso, session, a, b):
    client, _ = sso
    await assert_status(client, RSA_KEY.sign(claims(b.users["lead"], tenant_slug="tenant-a")), 403)
    gone = await factories.user(session, a.tenant, role="lead", is_active=False)
    await session.commit()
    await assert_status(client, RSA_KEY.sign(claims(gone)), 403)


async def test_an_email_the_provider_sends_decomposed_finds_the_account(sso, session, a):
    # "é" as e + U+0301, as some directories hold it: the account was stored in the API's form (NFC)
    client, _ = sso
    user = await factories.user(session, a.tenant, role="lead", email="\u00e9lodie@tenant-a.nhs.uk")
    await session.commit()
    r = await me(client, RSA_KEY.sign(claims(user, email="e\u0301lodie@tenant-a.nhs.uk")))
    assert r.status_code == 200 and r.json()["id"] == str(user.id), r.text


async def test_a_token_from_before_a_deactivation_stays_refused_after_reactivation(sso, session, a):
    # A stolen laptop's SSO session must not come back with the account, as a local token does not.
    client, _ = sso
    lead = a.users["lead"]
    before = RSA_KEY.sign(claims(lead, iat=int(datetime.now(UTC).timestamp()) - 60))
    assert (await me(client, before)).status_code == 200
    for active in (False, True):
        r = await client.patch(f"/api/v1/users/{lead.id}", json={"is_active": active}, headers=a["admin"])
        assert r.status_code == 200, r.text
    refused = await assert_status(client, before, 401)
    assert "before the account was deactivated" in refused.json()["detail"]
    after = RSA_KEY.sign(claims(lead, iat=int(datetime.now(UTC).timestamp()) + 1))
    assert (await me(client, after)).status_code == 200
    other = RSA_KEY.sign(claims(a.users["viewer"], iat=int(datetime.now(UTC).timestamp()) - 60))
    assert (await me(client, other)).status_code == 200  # no one else's session is touched


@pytest.mark.parametrize("overrides", [
    {"aud": "someone-else"}, {"iss": ISSUER + "/other"}, {"exp": 1_000_000}, {"exp": None}, {"iat": None},
    {"nbf": int(datetime.now(UTC).timestamp()) + 3600}, {"iat": int(datetime.now(UTC).timestamp()) + 3600},
    {"sub": None}, {"exp": int(datetime.now(UTC).timestamp()) + 10 * 24 * 3600},
], ids=["wrong-aud", "wrong-iss", "expired", "no-exp", "no-iat", "not-yet-valid", "issued-in-future", "no-sub",
        "lifetime-too-long"])
async def test_bad_claims_are_401(sso, a, overrides):
    client, _ = sso
    await assert_status(client, RSA_KEY.sign(claims(a.users["lead"], **overrides)), 401)


def _part(raw: str | bytes) -> str:
    raw = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_symmetric_none_and_other_algorithms_are_401(sso, a):
    client, _ = sso
    body = _part(json.dumps(claims(a.users["lead"])))
    # HS256 keyed with the provider's public key: the classic algorithm confusion.
    public_pem = jwk.construct(RSA_KEY.public_jwk, "RS256").to_pem()
    header = _part('{"alg":"HS256","kid":"rsa-1","typ":"JWT"}')
    mac = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    await assert_status(client, f"{header}.{body}.{_part(mac)}", 401)
    none = _part(json.dumps({"alg": "none", "kid": "rsa-1"}))
    await assert_status(client, f"{none}.{body}.", 401)
    rs384 = _part(json.dumps({"alg": "RS384", "kid": "rsa-1"}))
    signature = RSA_KEY.sign(claims(a.users["lead"])).split(".")[2]
    await assert_status(client, f"{rs384}.{body}.{signature}", 401)


@pytest.mark.parametrize("alg", [["RS256"], {"RS256": 1}, 256, None], ids=["list", "object", "number", "null"])
async def test_an_alg_header_that_is_not_text_is_401_not_500(sso, a, alg):
    # Checked before any signature, for any token naming the provider as issuer: a list or an object is unhashable,
    # and looking it up among the algorithms was a TypeError, a 500 to anyone unauthenticated.
    client, _ = sso
    header = _part(json.dumps({"alg": alg, "kid": "rsa-1", "typ": "JWT"}))
    token = f"{header}.{_part(json.dumps(claims(a.users['lead'])))}.{_part(b'signature')}"
    await assert_status(client, token, 401)


async def test_key_of_the_wrong_type_for_the_algorithm_is_401(sso, a):
    client, _ = sso
    # Signed by the EC key but claiming the RSA key's kid: the RSA key cannot verify it.
    await assert_status(client, EC_KEY.sign(claims(a.users["lead"]), kid="rsa-1"), 401)


@pytest.mark.parametrize("typ", ["JWT", "at+jwt", "application/at+jwt"])
async def test_jwt_and_access_token_types_are_accepted(sso, a, typ):
    client, _ = sso
    assert (await me(client, RSA_KEY.sign(claims(a.users["lead"]), typ=typ))).status_code == 200


@pytest.mark.parametrize("typ", ["JWE", "logout+jwt", "id_token"])
async def test_other_token_types_are_401(sso, a, typ):
    client, _ = sso
    await assert_status(client, RSA_KEY.sign(claims(a.users["lead"]), typ=typ), 401)


async def test_token_pointing_jku_or_x5u_or_jwk_at_an_attacker_key_is_refused(sso, a, provider):
    client, _ = sso
    body = claims(a.users["admin"], role="admin")
    attacker_jwks = "https://attacker.example/jwks.json"
    for headers in ({"jku": attacker_jwks}, {"x5u": "https://attacker.example/cert.pem"},
                    {"jwk": ATTACKER.public_jwk}):
        await assert_status(client, ATTACKER.sign(body, **headers), 401)
        # Even signed with the real key, a token naming its own key source is refused.
        await assert_status(client, RSA_KEY.sign(body, **headers), 401)
    assert all(url == JWKS_URL for url in provider.requests)  # never fetched from the attacker


async def test_token_signed_by_another_key_with_a_known_kid_is_401(sso, a):
    client, _ = sso
    await assert_status(client, ATTACKER.sign(claims(a.users["lead"])), 401)


async def test_new_kid_is_accepted_after_refetch_and_refetches_are_rate_limited(sso, a, provider):
    client, app = sso
    user = a.users["lead"]
    assert (await me(client, RSA_KEY.sign(claims(user)))).status_code == 200
    assert len(provider.requests) == 1
    # Rotation: the provider publishes a new key. Within the minute, an unknown kid does not refetch.
    provider.keys = [NEXT_KEY.public_jwk]
    provider.now += 10
    await assert_status(client, NEXT_KEY.sign(claims(user)), 401)
    assert len(provider.requests) == 1
    # A minute after the last fetch it refetches once, and the new key works from then on.
    provider.now += REFETCH_INTERVAL_SECONDS
    assert (await me(client, NEXT_KEY.sign(claims(user)))).status_code == 200
    assert (await me(client, NEXT_KEY.sign(claims(user)))).status_code == 200
    assert len(provider.requests) == 2
    # A flood of made-up kids costs the provider nothing more within the minute.
    for i in range(5):
        await assert_status(client, NEXT_KEY.sign(claims(user), kid=f"made-up-{i}"), 401)
    assert len(provider.requests) == 2
    # The retired key no longer verifies (the JWKS was replaced, not merged).
    await assert_status(client, RSA_KEY.sign(claims(user)), 401)


async def test_unreachable_jwks_is_401_not_500(sso, a, provider):
    client, app = sso
    app.state.oidc.transport = httpx.MockTransport(lambda request: httpx.Response(503))
    await assert_status(client, RSA_KEY.sign(claims(a.users["lead"])), 401)


async def test_local_tokens_still_work_beside_sso(sso, a):
    client, app = sso
    r = await client.get(ME, headers=factories.auth_headers(app, a.users["auditor"]))
    assert r.status_code == 200 and r.json()["role"] == "auditor"


async def test_sso_issuer_is_ignored_when_sso_is_off(client, a):
    """Without INVOLVE_OIDC_* a provider token goes to the local verifier, which refuses it."""
    r = await client.get(ME, headers={"Authorization": f"Bearer {RSA_KEY.sign(claims(a.users['lead']))}"})
    assert r.status_code == 401


def test_partial_oidc_settings_are_refused(database_url):
    with pytest.raises(ValueError, match="single sign-on"):
        make_settings(database_url, oidc_issuer=ISSUER)
    with pytest.raises(ValueError, match="unknown roles"):
        make_settings(database_url, oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=JWKS_URL,
                      oidc_role_map="Admins=root")
