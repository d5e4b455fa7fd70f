import pytest
from pydantic import ValidationError

from api.config import DEFAULT_JWT_SECRET, Settings, to_async_url


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_production_refuses_the_default_secret():
    with pytest.raises(ValidationError, match="default INVOLVE_JWT_SECRET"):
        settings(env="production", jwt_secret=DEFAULT_JWT_SECRET)


def test_production_refuses_a_short_secret():
    with pytest.raises(ValidationError, match="at least 32"):
        settings(env="production", jwt_secret="short")


def test_production_starts_with_a_real_secret():
    assert settings(env="production", jwt_secret="x" * 40).env == "production"


def test_production_refuses_the_default_secret_whatever_signs_tokens():
    # RS256 signs with its keys, but the secret still keys the HMAC of stored Idempotency-Key requests
    with pytest.raises(ValidationError, match="default INVOLVE_JWT_SECRET"):
        settings(env="production", jwt_algorithm="RS256", jwt_private_key="k", jwt_public_key="k")


OIDC = dict(oidc_issuer="https://login.example.nhs.uk", oidc_audience="involve")


def test_production_refuses_single_sign_on_keys_fetched_in_clear():
    with pytest.raises(ValidationError, match="https://"):
        settings(env="production", jwt_secret="x" * 40, oidc_jwks_url="http://login.example.nhs.uk/keys", **OIDC)
    assert settings(env="production", jwt_secret="x" * 40, oidc_jwks_url="https://login.example.nhs.uk/keys",
                    **OIDC).oidc_enabled
    assert settings(oidc_jwks_url="http://127.0.0.1:9000/keys", **OIDC).oidc_enabled  # a development IdP


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("INVOLVE_CORS_ORIGINS", "https://intranet.nhs.uk, https://partner.example")
    monkeypatch.setenv("INVOLVE_JWT_LIFETIME_MINUTES", "15")
    s = Settings(_env_file=None)
    assert s.cors_origins == ["https://intranet.nhs.uk", "https://partner.example"]
    assert s.jwt_lifetime_minutes == 15


@pytest.mark.parametrize("plain,driver", [
    ("sqlite:///var/involve.db", "sqlite+aiosqlite:///var/involve.db"),
    ("postgresql://u:p@db:5432/involve", "postgresql+asyncpg://u:p@db:5432/involve"),
    ("postgres://u@db/involve", "postgresql+asyncpg://u@db/involve"),
])
def test_plain_database_urls_get_the_async_driver(plain, driver):
    assert to_async_url(plain) == driver


def test_unknown_database_is_refused():
    with pytest.raises(ValidationError, match="sqlite:/// or postgresql://"):
        settings(database_url="mysql://x")


def test_rs256_needs_keys():
    with pytest.raises(ValidationError, match="RS256"):
        settings(jwt_algorithm="RS256")


def test_the_log_level_is_read_in_any_case_and_a_typo_is_refused(monkeypatch):
    monkeypatch.setenv("INVOLVE_LOG_LEVEL", "info")
    assert Settings(_env_file=None).log_level == "INFO"
    with pytest.raises(ValidationError, match="log_level"):
        settings(log_level="verbose")
