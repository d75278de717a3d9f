"""Database engine, session factory and the declarative base.

SQLite is the zero-setup default and PostgreSQL the production store. On SQLite every
transaction starts with ``BEGIN IMMEDIATE``: a write lock taken up front means a unit of
work never fails half-way when it upgrades from reading to writing, which is what keeps
the seat claim atomic when several tasks (or two processes) enroll at once.

A SQLite file is reached through `bot.sqlite_inline` (SQLite called on the event loop, not
on aiosqlite's thread), and this process's transactions on it take turns through an
asyncio lock, so a unit of work never waits for a lock held by a coroutine of its own
process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, UOWTransaction
from sqlalchemy.pool import ConnectionPoolEntry

from bot.sqlite_inline import inline_creator
from bot.texts import plain

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_OPTION = "defensoria_read_only"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalize_database_url(url: str) -> str:
    """Gives plain `sqlite://` and `postgresql://` URLs their async driver."""
    parsed = make_url(url)
    driver_by_backend = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in driver_by_backend:
        raise ValueError(plain("config.database_backend", value=parsed.drivername))
    wanted = driver_by_backend[backend]
    if parsed.drivername != wanted:
        parsed = parsed.set(drivername=wanted)
    return parsed.render_as_string(hide_password=False)


def ensure_sqlite_directory(url: str) -> None:
    """Creates the folder of an SQLite file so a fresh checkout starts without set-up."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, **kwargs: object) -> AsyncEngine:
    """Creates the async engine for DATABASE_URL, with SQLite made safe for concurrency."""
    url = normalize_database_url(url)
    ensure_sqlite_directory(url)
    path = sqlite_file(url)
    if path is not None:
        kwargs.setdefault("async_creator", inline_creator(path))
        kwargs.setdefault("pool_reset_on_return", None)
    # Personal data may travel as SQL parameters: keep it out of exception texts and logs.
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def sqlite_file(url: str) -> str | None:
    """The file behind an SQLite URL, or None (PostgreSQL, in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return str(Path(parsed.database).expanduser().resolve())


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        if dbapi_connection.isolation_level is not None:
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def dialect_insert(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """The INSERT of the session's database, which knows ``ON CONFLICT`` (for statements
    that need more than `insert_ignore` and `upsert` give, such as ``RETURNING``)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def insert_ignore(
    session: AsyncSession, model: type[Base], values: Mapping[str, object]
) -> None:
    """Inserts one row unless a unique constraint already holds one like it (then nothing)."""
    await session.execute(dialect_insert(session, model).values(**values).on_conflict_do_nothing())


async def upsert(
    session: AsyncSession,
    model: type[Base],
    values: Mapping[str, object],
    *,
    conflict: Sequence[str],
    update: Mapping[str, object],
) -> None:
    """Inserts one row, or applies `update` to the row that has the same `conflict` columns;
    one atomic statement, so two writers at once never lose an update."""
    statement = dialect_insert(session, model).values(**values)
    await session.execute(statement.on_conflict_do_update(index_elements=conflict, set_=update))


class ReadOnlyWrite(RuntimeError):
    """Something tried to write through a session opened with `SessionFactory.read()`."""


class ReadOnlySession(Session):
    """The session behind `SessionFactory.read()`: it refuses to flush changes and to run
    INSERT, UPDATE or DELETE, so a screen that starts writing must open a unit of work."""


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    raise ReadOnlyWrite("a read session cannot flush changes; open a unit of work")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _refuse_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyWrite("a read session cannot write; open a unit of work")


def _reader_options(engine: AsyncEngine) -> dict[str, object]:
    """How a read session reaches the database.

    On PostgreSQL each statement runs on its own (autocommit): at the default READ
    COMMITTED level every statement of a transaction takes its own snapshot anyway, so a
    BEGIN and a ROLLBACK around a screen's reads would buy no consistency and cost two
    round trips. SQLite reads in a deferred transaction (see `_configure_sqlite`).
    """
    if engine.dialect.name == "postgresql":
        return {READ_ONLY_OPTION: True, "isolation_level": "AUTOCOMMIT"}
    return {READ_ONLY_OPTION: True}


class SessionFactory:
    """Opens sessions like `async_sessionmaker`; on an SQLite file, one at a time per process.

    ``async with factory.begin() as session:`` is one unit of work (commit on success);
    ``async with factory() as session:`` is a session the caller commits or not.
    """

    _locks: ClassVar[dict[tuple[str, int], asyncio.Lock]] = {}

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._maker = async_sessionmaker(engine, expire_on_commit=False)
        self._reader = async_sessionmaker(
            engine.execution_options(**_reader_options(engine)),
            expire_on_commit=False,
            sync_session_class=ReadOnlySession,
        )
        self._sqlite_file = sqlite_file(engine.url.render_as_string(hide_password=False))

    def _lock(self) -> asyncio.Lock | None:
        if self._sqlite_file is None:
            return None
        key = (self._sqlite_file, id(asyncio.get_running_loop()))
        return self._locks.setdefault(key, asyncio.Lock())

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        lock = self._lock()
        if lock is None:
            async with self._maker.begin() as session:
                yield session
            return
        async with lock, self._maker.begin() as session:
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only: a plain (deferred) transaction on SQLite, which waits
        for no lock and blocks no writer; writing through it raises `ReadOnlyWrite`."""
        async with self._reader() as session:
            yield session

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        lock = self._lock()
        if lock is None:
            async with self._maker() as session:
                yield session
            return
        async with lock, self._maker() as session:
            yield session


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    return SessionFactory(engine)
