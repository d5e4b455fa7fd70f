"""Sign-in and token checking: every malformed or forged token is a 401 with a Bearer challenge."""

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt
from sqlalchemy import select

from api.db import get_session
from api.main import create_app
from api.models import AuditEvent
from tests import factories
from tests.conftest import TEST_SECRET, make_settings

TOKEN_URL = "/api/v1/auth/token"
ME = "/api/v1/me"


def b64(doc: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()


def claims_for(user, **overrides) -> dict:
    now = int(datetime.now(UTC).timestamp())
    claims = {"sub": str(user.id), "kind": "user", "tid": str(user.tenant_id), "role": user.role,
              "iss": "involve-test", "aud": "involve-test-api", "iat": now, "exp": now + 600,
              "jti": uuid.uuid4().hex}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def signed(claims: dict, key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


async def assert_refused(client, token: str):
    r = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"] == "application/problem+json"


async def test_password_grant_returns_a_working_token(client, a):
    user = a.users["lead"]
    r = await client.post(TOKEN_URL, data={"grant_type": "password", "username": user.email.upper(),
                                           "password": factories.PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    me = await client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "lead"
    assert me.json()["tenant"]["slug"] == "tenant-a"
    assert me.json()["id"] == str(user.id)


async def test_user_whose_email_has_non_ascii_capitals_can_sign_in_with_it(client, session, a):
    # The database folds the stored email's case; the address typed in must be folded the same way, or a user
    # named "Élodie@…" is stored but could never sign in on SQLite (whose lower() folds ASCII only).
    await factories.user(session, a.tenant, email="Élodie.ÖZTÜRK@dorset.nhs.uk")
    r = await client.post(TOKEN_URL, data={"grant_type": "password", "username": "Élodie.ÖZTÜRK@dorset.nhs.uk",
                                           "password": factories.PASSWORD})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("typed", ["jose\u0301.nu\u0301n\u0303ez@dorset.nhs.uk", " josé.núñez@DORSET.nhs.uk ",
                                   "jose\u0301.núñez@Dorset.NHS.uk"])
async def test_sign_in_reads_the_email_as_user_creation_stored_it(client, a, typed):
    # POST /users stores the address normalised (NFC, as email-validator gives it), so a keyboard that types the
    # decomposed é (e + U+0301) must reach the same account, as it is refused there as a duplicate (409). (Folding É
    # to é is PostgreSQL's alone: SQLite's lower() folds ASCII only, as the README says.)
    created = await client.post("/api/v1/users", headers=a["admin"], json={
        "email": "josé.núñez@dorset.nhs.uk", "full_name": "José Núñez", "role": "viewer",
        "password": factories.PASSWORD})
    assert created.status_code == 201, created.text
    r = await client.post(TOKEN_URL, data={"grant_type": "password", "username": typed,
                                           "password": factories.PASSWORD})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("form,basic", [
    ({"grant_type": "password", "username": "lead\x00@example.test", "password": "x"}, None),
    ({"grant_type": "client_credentials", "client_id": "sa_\x00", "client_secret": "x"}, None),
    ({"grant_type": "client_credentials"}, "sa_%00:x"),
])
async def test_a_nul_in_the_email_or_client_id_is_401_not_500(client, form, basic):
    # No account has one, and PostgreSQL refuses NUL in text: the lookup must not send it there.
    headers = {"Authorization": "Basic " + base64.b64encode(basic.encode()).decode()} if basic else {}
    r = await client.post(TOKEN_URL, data=form, headers=headers)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"


async def test_token_carries_the_documented_claims(client, a):
    user = a.users["viewer"]
    r = await client.post(TOKEN_URL, data={"grant_type": "password", "username": user.email,
                                           "password": factories.PASSWORD})
    claims = jwt.get_unverified_claims(r.json()["access_token"])
    assert {"sub", "tid", "role", "iss", "aud", "iat", "exp", "jti", "pwv"} <= set(claims)
    assert claims["tid"] == str(a.tenant.id) and claims["role"] == "viewer" and claims["pwv"] == 0
    assert jwt.get_unverified_header(r.json()["access_token"])["alg"] == "HS256"


async def test_sign_in_success_and_failure_are_audited(client, session, a):
    user = a.users["contributor"]
    await client.post(TOKEN_URL, data={"grant_type": "password", "username": user.email, "password": "wrong password"})
    await client.post(TOKEN_URL, data={"grant_type": "password", "username": user.email,
                                       "password": factories.PASSWORD})
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == str(user.id))
                                    .order_by(AuditEvent.seq))).scalars().all()
    assert [e.action for e in events] == ["login_failed", "login"]
    assert "password" not in json.dumps(events[0].changes).replace("wrong password", "")


@pytest.mark.parametrize("form", [
    {"grant_type": "password", "username": "nobody@example.test", "password": factories.PASSWORD},
    {"grant_type": "password", "username": "lead", "password": "wrong"},
])
async def test_bad_credentials_are_401(client, a, form):
    if form["username"] == "lead":
        form = {**form, "username": a.users["lead"].email}
    r = await client.post(TOKEN_URL, data=form)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert "access_token" not in r.text


async def test_signing_in_records_last_login_but_is_no_edit_of_the_user(client, session, a):
    # The sign-in writes last_login_at beside the ORM: it moved updated_at (the column's onupdate) though not version
    user_id, email = a.users["lead"].id, a.users["lead"].email
    before = (await client.get(f"/api/v1/users/{user_id}", headers=a["admin"])).json()
    await asyncio.sleep(0.01)  # so a moved timestamp differs, whatever the database's resolution
    r = await client.post(TOKEN_URL, data={"grant_type": "password", "username": email,
                                           "password": factories.PASSWORD})
    assert r.status_code == 200, r.text
    session.expire_all()  # the test's requests share one session: read the row afresh, as a request would
    after = (await client.get(f"/api/v1/users/{user_id}", headers=a["admin"])).json()
    assert after["last_login_at"] is not None and after["last_login_at"] != before["last_login_at"]
    assert (after["updated_at"], after["version"]) == (before["updated_at"], before["version"])


async def test_deactivated_user_cannot_sign_in_and_its_token_stops_working(client, session, a):
    user = a.users["lead"]
    user.is_active = False
    await session.flush()
    r = await client.post(TOKEN_URL, data={"grant_type": "password", "username": user.email,
                                           "password": factories.PASSWORD})
    assert r.status_code == 401
    await assert_refused(client, a["lead"]["Authorization"].split()[1])


@pytest.mark.parametrize("form,status", [
    ({"grant_type": "password", "username": "x@example.test"}, 400),
    ({"grant_type": "client_credentials", "client_id": "sa_x"}, 400),
    ({"grant_type": "authorization_code", "code": "x"}, 422),
    ({"username": "x@example.test", "password": "y"}, 422),
])
async def test_incomplete_or_unknown_grants_are_problems(client, form, status):
    r = await client.post(TOKEN_URL, data=form)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"


async def test_missing_token_is_401(client):
    r = await client.get(ME)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


async def test_expired_token_is_401(client, a):
    past = int((datetime.now(UTC) - timedelta(hours=2)).timestamp())
    await assert_refused(client, signed(claims_for(a.users["admin"], iat=past, exp=past + 600)))


@pytest.mark.parametrize("missing", ["exp", "aud", "iat", "iss", "sub", "jti", "tid", "role"])
async def test_token_without_a_required_claim_is_401(client, a, missing):
    await assert_refused(client, signed(claims_for(a.users["admin"], **{missing: None})))


async def test_tampered_signature_is_401(client, a):
    token = a["admin"]["Authorization"].split()[1]
    header, payload, signature = token.split(".")
    forged = b64({**json.loads(base64.urlsafe_b64decode(payload + "==")), "role": "admin", "tid": str(uuid.uuid4())})
    await assert_refused(client, f"{header}.{forged}.{signature}")
    await assert_refused(client, f"{header}.{payload}.{signature[:-4]}AAAA")


@pytest.mark.parametrize("kind", ["robot", ["user"], 1, ""])
async def test_token_of_an_unknown_subject_kind_is_401_not_500(client, a, kind):
    # Only our key signs these, but a claim the codec does not check must not reach the account lookup as a 500.
    await assert_refused(client, signed(claims_for(a.users["lead"], kind=kind)))


async def test_token_signed_with_another_secret_is_401(client, a):
    await assert_refused(client, signed(claims_for(a.users["admin"]), key="another-secret-entirely-0123456789abcdef"))


async def test_wrong_audience_or_issuer_is_401(client, a):
    await assert_refused(client, signed(claims_for(a.users["admin"], aud="someone-else")))
    await assert_refused(client, signed(claims_for(a.users["admin"], iss="https://evil.example")))


async def test_alg_none_is_401(client, a):
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_for(a.users['admin']))}."
    await assert_refused(client, token)


async def test_rs256_token_on_an_hs256_server_is_401(client, a):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    await assert_refused(client, signed(claims_for(a.users["admin"]), key=pem, algorithm="RS256"))


async def test_token_lifetime_over_the_cap_is_401(client, a):
    now = int(datetime.now(UTC).timestamp())
    await assert_refused(client, signed(claims_for(a.users["admin"], iat=now, exp=now + 7 * 24 * 3600)))


async def test_token_issued_in_the_future_is_401(client, a):
    later = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    await assert_refused(client, signed(claims_for(a.users["admin"], iat=later, exp=later + 600)))


async def test_unknown_user_is_401(client, a):
    await assert_refused(client, signed(claims_for(a.users["admin"], sub=str(uuid.uuid4()))))


async def test_token_naming_another_tenant_for_the_user_is_401(client, a, b):
    await assert_refused(client, signed(claims_for(a.users["admin"], tid=str(b.tenant.id))))


@pytest.mark.parametrize("version", [-1, "0", 1.0, True, 1])
async def test_a_password_version_that_is_not_the_accounts_is_401(client, a, version):
    await assert_refused(client, signed(claims_for(a.users["lead"], pwv=version)))


async def test_a_token_from_before_the_password_version_claim_still_works(client, a):
    """Tokens issued by the release before it carry no "pwv": they count as version 0, so an upgrade signs no one
    out, and they are refused like any other once the password changes."""
    claims = claims_for(a.users["lead"])
    assert "pwv" not in claims
    assert (await client.get(ME, headers={"Authorization": f"Bearer {signed(claims)}"})).status_code == 200


async def test_garbage_tokens_are_401(client):
    for token in ["x", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30.", "%%%.%%%.%%%"]:
        r = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token


async def test_role_comes_from_the_account_not_the_token(client, a):
    # A token claiming admin for a viewer account gets the viewer's rights only.
    token = signed(claims_for(a.users["viewer"], role="admin"))
    r = await client.post("/api/v1/organisations", json={"name": "X"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


@pytest.fixture
async def rs_client(database_url, session):
    """An app configured for RS256, sharing the test's session."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    app = create_app(make_settings(database_url, jwt_algorithm="RS256", jwt_private_key=private,
                                   jwt_public_key=public))
    app.dependency_overrides[get_session] = lambda: session
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c, app, public


async def test_rs256_server_accepts_its_tokens_and_refuses_hs_confusion(rs_client, a):
    client, app, public_pem = rs_client
    good = factories.auth_headers(app, a.users["admin"])
    assert (await client.get(ME, headers=good)).status_code == 200
    # The classic confusion: an HS256 token whose HMAC secret is the server's public key.
    # (python-jose refuses to sign with a PEM as HMAC key, so the attacker's token is built by hand.)
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(claims_for(a.users['admin']))}"
    mac = hmac.new(public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    r = await client.get(ME, headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
