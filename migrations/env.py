"""Alembic environment (async). The URL comes from DATABASE_URL via bot.config, or from
`config.attributes["connection"]` when the caller already has a connection (tests)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot import models, persistence  # noqa: F401  (registers the tables)
from bot.db import Base, create_engine

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    import os

    from bot.config import DEFAULT_DATABASE_URL

    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


MIGRATION_LOCK = 4_207_310_001
"""Advisory lock taken by an upgrade on PostgreSQL: instances starting together (two systemd
units at boot) upgrade one after the other, and the second finds nothing left to do."""


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
elif (connection := config.attributes.get("connection")) is not None:
    _run(connection)
else:
    asyncio.run(_run_async())
