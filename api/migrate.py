"""Run Alembic from code: `involve migrate`, `make run` and the tests use this."""

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url)
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate, then (at head, where the tables match the models) make the built-in duty
    catalogue match api/duties/catalogue.py."""
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head":
        from api.duties import sync

        sync.run(database_url)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
