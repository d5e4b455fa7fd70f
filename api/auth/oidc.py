"""Single sign-on: access tokens from an external OpenID Connect provider, checked against its JWKS.

Only asymmetric algorithms (RS256, ES256) are accepted, so the provider's public keys can never be
used as an HMAC secret. The key comes only from the configured JWKS URL, chosen by the token's `kid`:
a token naming its own key (`jku`, `x5u`, `jwk`, `x5c`) is refused outright. An unknown `kid` refetches
the JWKS, at most once a minute per process, so a flood of made-up kids cannot hammer the provider."""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from jose import jwt
from jose.exceptions import JOSEError

from api.config import Settings
from api.schemas import storable_text
from api.security import InvalidToken

log = logging.getLogger("api.auth.oidc")

ALGORITHMS = {"RS256": ("RSA", None), "ES256": ("EC", "P-256")}  # alg -> (kty, crv) its key must have
TOKEN_TYPES = {"jwt", "at+jwt", "application/jwt", "application/at+jwt"}
FORBIDDEN_HEADERS = ("jku", "x5u", "jwk", "x5c")
REFETCH_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class Identity:
    """What a verified SSO token says about its bearer; the principal is decided from this."""

    subject: str
    tenant_slug: str | None
    role: Any  # a string, or a list of IdP role names
    email: str | None
    issued_at: float  # the token's iat, in seconds since the epoch


def unverified_issuer(token: str) -> str | None:
    """The `iss` a token claims, read without checking it: only to pick which verifier checks it."""
    try:
        issuer = jwt.get_unverified_claims(token).get("iss")
    except Exception:  # noqa: BLE001 - anything unreadable goes to the local verifier, which refuses it
        return None
    return issuer if isinstance(issuer, str) else None


class OidcVerifier:
    """Verifies the provider's tokens; keeps its JWKS in memory (one cache per process)."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.jwks_url = settings.oidc_jwks_url
        self.leeway = settings.oidc_leeway_seconds
        self.timeout = settings.oidc_jwks_timeout_seconds
        self.tenant_claim = settings.oidc_tenant_claim
        self.role_claim = settings.oidc_role_claim
        self.email_claim = settings.oidc_email_claim
        self.max_lifetime = settings.jwt_max_lifetime_minutes * 60
        self.transport = transport  # tests serve the JWKS themselves
        self.clock = clock
        self._keys: dict[str, dict] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    def owns(self, token: str) -> bool:
        return unverified_issuer(token) == self.issuer

    async def verify(self, token: str) -> Identity:
        try:
            header = jwt.get_unverified_header(token)
        except Exception:  # noqa: BLE001
            raise InvalidToken("malformed token") from None
        alg = header.get("alg")
        # A string first: a list or an object is unhashable, and `in` a dict then raised a TypeError (a 500)
        if not isinstance(alg, str) or alg not in ALGORITHMS:
            raise InvalidToken("unexpected algorithm")
        if any(name in header for name in FORBIDDEN_HEADERS):
            raise InvalidToken("the token names its own key")
        typ = header.get("typ")
        if typ is not None and (not isinstance(typ, str) or typ.lower() not in TOKEN_TYPES):
            raise InvalidToken("unexpected token type")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the token names no key")
        key = await self._key(kid)
        kty, crv = ALGORITHMS[alg]
        if key is None or key.get("kty") != kty or (crv and key.get("crv") != crv) or key.get("alg", alg) != alg \
                or key.get("use", "sig") != "sig":
            raise InvalidToken("unknown key")
        try:
            claims = jwt.decode(token, key, algorithms=[alg], audience=self.audience, issuer=self.issuer, options={
                "require_exp": True, "require_iat": True, "require_aud": True, "require_iss": True,
                "require_sub": True, "verify_aud": True, "leeway": self.leeway})
        except JOSEError as exc:
            raise InvalidToken(str(exc)) from None
        except Exception:  # noqa: BLE001 - malformed base64, JSON or key material
            raise InvalidToken("malformed token") from None
        iat, exp, sub = claims.get("iat"), claims.get("exp"), claims.get("sub")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float) or not isinstance(sub, str) or not sub:
            raise InvalidToken("bad claims")
        if iat > datetime.now(UTC).timestamp() + self.leeway or exp - iat > self.max_lifetime:
            raise InvalidToken("token lifetime out of bounds")
        tenant, email = claims.get(self.tenant_claim), claims.get(self.email_claim)
        # An address the provider says it has not verified is one anybody could have typed in their profile there: it
        # would sign them in as the Involve user who owns it (an admin, say). Absent, the provider vouches for it.
        if claims.get("email_verified", True) not in (True, "true"):
            email = None
        return Identity(subject=sub, tenant_slug=_text(tenant), role=claims.get(self.role_claim), email=_text(email),
                        issued_at=float(iat))

    async def _key(self, kid: str) -> dict | None:
        if kid not in self._keys and self._may_fetch():
            async with self._lock:
                if kid not in self._keys and self._may_fetch():  # another request may have fetched meanwhile
                    await self._fetch()
        return self._keys.get(kid)

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or self.clock() - self._fetched_at >= REFETCH_INTERVAL_SECONDS

    async def _fetch(self) -> None:
        """Replace the cached keys with the JWKS; a failed fetch keeps the old ones (and waits a minute too)."""
        self._fetched_at = self.clock()
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout,
                                         follow_redirects=False) as client:
                response = await client.get(self.jwks_url, headers={"Accept": "application/json"})
            response.raise_for_status()
            keys = response.json()["keys"]
            self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
        except Exception as exc:  # noqa: BLE001 - the provider being down is a 401 for new keys, not a 500
            log.warning("could not fetch the OIDC JWKS", extra={"error": type(exc).__name__})


def _text(value: object) -> str | None:
    """A claim the database is asked about: text it can take (api.schemas.storable_text), else none (the caller
    refuses it with 403); a NUL or a lone surrogate in a claim was a 500."""
    return value if storable_text(value) else None
