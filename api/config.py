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
    # PostgreSQL only: the role every connection switches to (SET ROLE) so row-level security applies
    # (the login role usually owns the tables or is a superuser, and RLS does not bind those).
    # Unset by default; production sets INVOLVE_DB_APP_ROLE=involve_app (created by migration 0007_gdpr).
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
    log_level: str = "INFO"
    import_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1)  # a larger import body is refused (413)

    admin_email: str | None = None
    admin_password: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_origins(cls, values: dict) -> dict:
        origins = values.get("cors_origins")
        if isinstance(origins, str):
            values["cors_origins"] = [o.strip() for o in origins.split(",") if o.strip()]
        return values

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
        if self.env == "production" and self.jwt_algorithm == "HS256":
            if self.jwt_secret == DEFAULT_JWT_SECRET:
                raise ValueError("refusing to start in production with the default INVOLVE_JWT_SECRET")
            if len(self.jwt_secret) < 32:
                raise ValueError("INVOLVE_JWT_SECRET must be at least 32 characters in production")
        return self

    @property
    def async_database_url(self) -> str:
        return to_async_url(self.database_url)

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
