"""Settings from the environment (prefix INVOLVE_) and an optional .env file."""

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_JWT_SECRET = "involve-development-secret-change-me-0123456789"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INVOLVE_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./involve.db"
    # Echo SQL and keep small pools in tests; production tunes these.
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_null_pool: bool = False
    # When the database is down or every pooled connection is busy, answer 503 within these (seconds)
    # rather than hold the request: a caller can retry, a hung worker helps nobody.
    db_pool_timeout: float = Field(default=5.0, gt=0)
    db_connect_timeout: float = Field(default=3.0, gt=0)
    # On SIGTERM, requests in flight get this long to finish before the server closes them (seconds).
    shutdown_timeout: int = Field(default=20, ge=1)
    # PostgreSQL only: the role every connection switches to (SET ROLE) so row-level security applies
    # (the login role usually owns the tables or is a superuser, and RLS does not bind those).
    # Unset by default; production sets INVOLVE_DB_APP_ROLE=involve_app (created by migration 0005_gdpr).
    db_app_role: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")

    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_private_key: str | None = None
    jwt_public_key: str | None = None
    jwt_issuer: str = "involve"
    jwt_audience: str = "involve-api"
    jwt_lifetime_minutes: int = Field(default=60, ge=1)
    jwt_max_lifetime_minutes: int = Field(default=24 * 60, ge=1)
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)

    cors_origins: Annotated[list[str], NoDecode] = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"  # any case
    # The built web client served at `/`; empty means clients/web/dist beside the api package.
    web_dist: str | None = None
    import_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1)  # a larger import body is refused (413)
    max_document_bytes: int = Field(default=20 * 1024 * 1024, ge=1)  # a larger uploaded document is refused (413)

    # Request limits (README "Security"): bodies, JSON depth, database statements.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)  # every body but an import's or a file upload's (413)
    max_pack_bytes: int = Field(default=32 * 1024 * 1024, ge=1)  # an evidence pack sent to verify (413)
    max_json_depth: int = Field(default=32, ge=1)  # deeper JSON is refused (400)
    db_statement_timeout_ms: int = Field(default=30_000, ge=0)  # PostgreSQL only; 0 turns it off
    # PostgreSQL only: the stakeholder list and reads by id answered before FastAPI's router, on a pool of their own
    # (api/stakeholders/hot_reads.py). Off, the FastAPI routes answer them, as they answer the rest.
    hot_reads: bool = True

    # Rate limits, in the `limits` package's notation ("10/minute", "5 per second"); shared through Redis
    # when INVOLVE_REDIS_URL is set, kept in each process's memory otherwise.
    redis_url: str | None = None
    rate_limit_enabled: bool = True
    rate_limit_key_prefix: str = "involve"
    rate_limit_token_account: str = "10/minute"  # POST /auth/token, per username or client_id from one address
    rate_limit_token_address: str = "30/minute"  # POST /auth/token, per client address
    rate_limit_exports: str = "10/minute"  # /exports/* and verifying the audit chain or a pack, per principal
    rate_limit_default: str = "600/minute"  # every other request, per client address

    # Single sign-on: tokens from this OpenID Connect issuer are verified against its JWKS.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_tenant_claim: str = "involve_tenant"  # holds the tenant's slug
    oidc_role_claim: str = "involve_role"  # an Involve role, or an IdP role named in oidc_role_map
    oidc_email_claim: str = "email"  # finds the user's Involve account in that tenant
    oidc_role_map: Annotated[dict[str, str], NoDecode] = {}  # "IdP-Admins=admin,IdP-Staff=viewer"
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    oidc_jwks_timeout_seconds: float = Field(default=3.0, gt=0, le=30)

    # GET /metrics answers only `Authorization: Bearer <this>` when set (per-route counts are not for anyone to read).
    metrics_token: str | None = None

    admin_email: str | None = None
    admin_password: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_origins(cls, values: dict) -> dict:
        origins = values.get("cors_origins")
        if isinstance(origins, str):
            values["cors_origins"] = [o.strip() for o in origins.split(",") if o.strip()]
        role_map = values.get("oidc_role_map")
        if isinstance(role_map, str):
            pairs = [p.partition("=") for p in role_map.split(",") if p.strip()]
            values["oidc_role_map"] = {k.strip(): v.strip() for k, _, v in pairs}
        return values

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        # INVOLVE_LOG_LEVEL=info passed here and then stopped `involve serve` with logging's traceback.
        return value.upper() if isinstance(value, str) else value

    @field_validator("oidc_role_map")
    @classmethod
    def _known_roles(cls, role_map: dict[str, str]) -> dict[str, str]:
        unknown = set(role_map.values()) - {"admin", "lead", "contributor", "viewer", "auditor"}
        if unknown:
            raise ValueError(f"INVOLVE_OIDC_ROLE_MAP names unknown roles: {', '.join(sorted(unknown))}")
        return role_map

    @field_validator("rate_limit_token_account", "rate_limit_token_address", "rate_limit_exports",
                     "rate_limit_default")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # a typo fails at start-up, not on the first request
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        to_async_url(url)
        return url

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.jwt_lifetime_minutes > self.jwt_max_lifetime_minutes:
            raise ValueError("INVOLVE_JWT_LIFETIME_MINUTES exceeds INVOLVE_JWT_MAX_LIFETIME_MINUTES")
        if self.jwt_algorithm == "RS256" and not (self.jwt_private_key and self.jwt_public_key):
            raise ValueError("RS256 needs INVOLVE_JWT_PRIVATE_KEY and INVOLVE_JWT_PUBLIC_KEY")
        oidc = (self.oidc_issuer, self.oidc_audience, self.oidc_jwks_url)
        if any(oidc) and not all(oidc):
            raise ValueError("single sign-on needs INVOLVE_OIDC_ISSUER, _AUDIENCE and _JWKS_URL")
        if self.oidc_issuer and self.oidc_issuer == self.jwt_issuer:
            raise ValueError("INVOLVE_OIDC_ISSUER must differ from INVOLVE_JWT_ISSUER")
        if self.env == "production":
            # Whatever signs tokens, the secret keys the HMAC of stored Idempotency-Key requests (a new user's body
            # holds a password): the public default would let whoever reads that table test guesses offline.
            if self.jwt_secret == DEFAULT_JWT_SECRET:
                raise ValueError("refusing to start in production with the default INVOLVE_JWT_SECRET")
            if len(self.jwt_secret) < 32:
                raise ValueError("INVOLVE_JWT_SECRET must be at least 32 characters in production")
            # Whoever can change the keys fetched in clear can sign tokens for any tenant and role
            if self.oidc_jwks_url and not self.oidc_jwks_url.lower().startswith("https://"):
                raise ValueError("INVOLVE_OIDC_JWKS_URL must be an https:// URL in production")
        return self

    @property
    def async_database_url(self) -> str:
        return to_async_url(self.database_url)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_audience and self.oidc_jwks_url)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def to_async_url(url: str) -> str:
    """Turn a plain sqlite:/// or postgresql:// URL into the async driver's URL."""
    for plain, driver in (
        ("sqlite:", "sqlite+aiosqlite:"),
        ("postgresql:", "postgresql+asyncpg:"),
        ("postgres:", "postgresql+asyncpg:"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain):]
    if url.startswith(("sqlite+aiosqlite:", "postgresql+asyncpg:")):
        return url
    raise ValueError("INVOLVE_DATABASE_URL must start with sqlite:/// or postgresql://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
