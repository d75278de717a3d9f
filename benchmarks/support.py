"""What the benchmarks share: a scratch database with the production schema."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url

from bot.startup_checks import upgrade_apart


@asynccontextmanager
async def scratch_database(url: str | None, label: str = "bench") -> AsyncIterator[str]:
    """A fresh database URL: a temporary SQLite file when `url` is None, the given SQLite
    URL as is, or a throw-away database on the given PostgreSQL server (dropped after)."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix=f"{label}-") as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        yield url
        return
    name = f"defensoria_bench_{label}_{uuid.uuid4().hex[:8]}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(url: str, statement: str) -> None:
    import asyncpg  # only for a PostgreSQL run: an SQLite run's peak RSS is the bot's own

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def build_schema(url: str) -> None:
    """The schema from the Alembic migrations, built as `python -m bot` builds it: in a
    child process, so that the benchmark's peak RSS, like the bot's, holds no Alembic."""
    failure = await asyncio.to_thread(upgrade_apart, url)
    if failure is not None:
        raise RuntimeError(f"the schema could not be built: {failure}")
