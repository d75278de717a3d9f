"""Fixtures: a database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
the real Application over a fake Bot API, a controllable clock, and chat users."""

from __future__ import annotations

import asyncio
import os
import pathlib
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url

from bot import models  # noqa: F401
from bot.app import build_application
from bot.config import Settings
from bot.content import DEFAULT_CONTENT_DIR, use_content_dir
from bot.db import Base, SessionFactory, create_engine, make_session_factory
from bot.migrate import alembic_config
from tests.chat import Chat
from tests.fakes import FakeBotApi, virtual_pacer

STAFF_ID = 9000001
FAQ_CACHE_DIR = pathlib.Path(tempfile.gettempdir()) / "defensoria-test-faq-cache"
"""Shared by every test of a run (and by later runs): the vectors only depend on content."""
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


@pytest.fixture(autouse=True)
def project_content() -> Iterator[None]:
    """Every test starts and ends on the project's own content folder."""
    use_content_dir(DEFAULT_CONTENT_DIR)
    yield
    use_content_dir(DEFAULT_CONTENT_DIR)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A throw-away PostgreSQL database for this test run, so parallel runs don't collide."""
    if not TEST_DATABASE_URL:
        yield None
        return
    base = make_url(TEST_DATABASE_URL)
    name = f"defensoria_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    url = base.set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: URL, statement: str) -> None:
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, postgres_url: str | None, tmp_path: Any
) -> AsyncIterator[str]:
    """A fresh, empty schema for each test, on every backend under test."""
    if request.param == "postgresql":
        assert postgres_url is not None
        url = postgres_url
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_reset_schema, url)
    await engine.dispose()
    yield url


def _reset_schema(connection: Connection, url: str) -> None:
    """Drops everything and builds the schema with the Alembic migrations, as production does."""
    Base.metadata.drop_all(connection)
    connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(database_url)
    yield make_session_factory(engine)
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token="123456:TEST-token",
        database_url=database_url,
        admin_ids=str(STAFF_ID),  # type: ignore[arg-type]
        reminder_offsets="24h,1h",  # type: ignore[arg-type]
        telegram_api_base_url="",
        faq_cache_dir=FAQ_CACHE_DIR,
    )


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
async def app(settings: Settings, api: FakeBotApi, clock: FakeClock) -> AsyncIterator[Any]:
    application = build_application(
        settings, request=api, clock=clock, pacer=virtual_pacer(settings.send_rate_per_second)
    )
    async with application:
        yield application
    from bot.app import dispose

    await dispose(application)


@asynccontextmanager
async def restarted(settings: Settings, api: FakeBotApi, clock: FakeClock) -> AsyncIterator[Any]:
    """A second instance on the same database, as after a crash (the first is not stopped):
    it loads the conversations' state when it initialises, as a new process does."""
    from bot.app import dispose

    application = build_application(
        settings, request=api, clock=clock, pacer=virtual_pacer(settings.send_rate_per_second)
    )
    async with application:
        yield application
    await dispose(application)


@pytest.fixture
def chat(app: Any, api: FakeBotApi) -> Chat:
    return Chat(app, api, user_id=5550001, first_name="Ana")


@pytest.fixture
def make_chat(app: Any, api: FakeBotApi):  # type: ignore[no-untyped-def]
    def factory(user_id: int, first_name: str = "Luis") -> Chat:
        return Chat(app, api, user_id=user_id, first_name=first_name)

    return factory
