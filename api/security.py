"""Every JWT and password call lives here and nowhere else."""

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from jose import jwt
from jose.exceptions import JOSEError
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from api.config import Settings

_passwords = PasswordHash((Argon2Hasher(),))
# Verified against when the account does not exist, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _passwords.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant-effort check; a missing hash still costs one verification."""
    try:
        ok = _passwords.verify(password, password_hash or _DUMMY_HASH)
    except Exception:  # noqa: BLE001 - a malformed stored hash is a failed login, not a 500
        return False
    return ok and password_hash is not None


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def new_client_id() -> str:
    return "sa_" + secrets.token_hex(12)


SUBJECT_KINDS = ("user", "service_account")  # the "kind" claim: whose account the token's subject is


class InvalidToken(Exception):
    """The token is missing a claim, expired, tampered, or not ours."""


@dataclass(frozen=True)
class TokenClaims:
    subject_id: uuid.UUID
    subject_kind: str  # "user" or "service_account"
    tenant_id: uuid.UUID
    role: str
    token_id: str
    # The account's password version when the token was issued (claim "pwv"): a password change refuses the tokens
    # issued before it (api.auth.principal.principal_of). Tokens issued before the claim existed count as 0.
    password_version: int = 0


class TokenCodec:
    """Issues and verifies our access tokens. Keys are parsed once, at start-up.

    A token verified once is remembered until it expires: a client sends the same bearer on every request, and
    checking its signature and claims again costs more CPU (≈ 60 µs) than a read by id's queries. Only tokens
    that passed every check are kept, keyed by the whole token, so nothing unverified is ever taken from it;
    the account behind the token is still loaded on every request (deactivation takes effect at once)."""

    REQUIRED = ("sub", "tid", "role", "iss", "aud", "iat", "exp", "jti")
    REMEMBERED = 10_000  # tokens; the oldest is forgotten first

    def __init__(self, settings: Settings):
        self.algorithm = settings.jwt_algorithm
        if self.algorithm == "RS256":
            from jose import jwk

            self._signing_key = jwk.construct(settings.jwt_private_key, "RS256")
            self._verify_key = jwk.construct(settings.jwt_public_key, "RS256")
        else:
            self._signing_key = self._verify_key = settings.jwt_secret
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.lifetime = timedelta(minutes=settings.jwt_lifetime_minutes)
        self.max_lifetime = timedelta(minutes=settings.jwt_max_lifetime_minutes)
        self.leeway = settings.jwt_leeway_seconds
        self._verified: dict[str, tuple[TokenClaims, float]] = {}  # token -> (claims, usable until)

    def issue(self, *, subject_id: uuid.UUID, subject_kind: str, tenant_id: uuid.UUID, role: str,
              password_version: int = 0, now: datetime | None = None,
              lifetime: timedelta | None = None) -> tuple[str, int]:
        now = now or datetime.now(UTC)
        lifetime = lifetime or self.lifetime
        claims = {
            "sub": str(subject_id),
            "kind": subject_kind,
            "tid": str(tenant_id),
            "role": role,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "jti": uuid.uuid4().hex,
            "pwv": password_version,
        }
        token = jwt.encode(claims, self._signing_key, algorithm=self.algorithm, headers={"typ": "JWT"})
        return token, int(lifetime.total_seconds())

    def verify(self, token: str) -> TokenClaims:
        remembered = self._verified.get(token)
        if remembered is not None:
            claims, until = remembered
            if time.time() <= until:
                return claims
            del self._verified[token]
            raise InvalidToken("expired")
        claims, expires = self._check(token)
        if len(self._verified) >= self.REMEMBERED:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (claims, expires + self.leeway)
        return claims

    def _check(self, token: str) -> tuple[TokenClaims, float]:
        """Every check of the token: its claims and the time it expires."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != self.algorithm:
                raise InvalidToken("unexpected algorithm")
            if header.get("typ", "JWT").upper() != "JWT":
                raise InvalidToken("unexpected token type")
            claims = jwt.decode(
                token,
                self._verify_key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require_exp": True, "require_iat": True, "require_aud": True, "require_iss": True,
                    "require_sub": True, "require_jti": True, "verify_aud": True, "leeway": self.leeway,
                },
            )
        except JOSEError as exc:
            raise InvalidToken(str(exc)) from None
        except Exception:  # malformed base64, JSON or key material: still just a bad token
            raise InvalidToken("malformed token") from None
        if any(claims.get(name) in (None, "") for name in self.REQUIRED):
            raise InvalidToken("missing claim")
        iat, exp = claims["iat"], claims["exp"]
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise InvalidToken("bad time claims")
        now = datetime.now(UTC).timestamp()
        if iat > now + self.leeway or exp - iat > self.max_lifetime.total_seconds():
            raise InvalidToken("token lifetime out of bounds")
        subject_kind = claims.get("kind", "user")
        if subject_kind not in SUBJECT_KINDS:  # the account lookup is chosen by it: anything else was a 500
            raise InvalidToken("unknown subject kind")
        password_version = claims.get("pwv", 0)
        if type(password_version) is not int or password_version < 0:
            raise InvalidToken("bad password version")
        try:
            return TokenClaims(
                subject_id=uuid.UUID(claims["sub"]),
                subject_kind=subject_kind,
                tenant_id=uuid.UUID(claims["tid"]),
                role=str(claims["role"]),
                token_id=str(claims["jti"]),
                password_version=password_version,
            ), float(exp)
        except (ValueError, TypeError, AttributeError):
            raise InvalidToken("malformed claims") from None
