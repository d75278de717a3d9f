"""Upgrades the database to the latest Alembic revision (run at every start-up)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot.config import PROJECT_ROOT
from bot.db import normalize_database_url


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option(
        "sqlalchemy.url", normalize_database_url(database_url).replace("%", "%%")
    )
    return config


def upgrade_database(database_url: str) -> None:
    """Must be called outside a running event loop (Alembic's env runs its own)."""
    command.upgrade(alembic_config(database_url), "head")
