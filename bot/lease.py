"""The lease: which one of several `python -m bot` processes is the active instance.

PostgreSQL: a session-level advisory lock (`pg_advisory_lock`) held on a dedicated
connection, outside the pool. The lock lives exactly as long as that connection: a process
killed with -9 or a machine that dies closes it (the kernel at once, or the server's TCP
keepalives after about 11 s), and a standby blocked in `pg_advisory_lock` gets it the same
instant. No clock, no heartbeat writes, no table. A lease row renewed by heartbeat would
need a renewal period and an expiry shorter than the failover target and a clock that all
instances agree on, and a paused process could still believe it held an expired row; the
advisory lock has none of that. The active one checks its connection every
`CHECK_SECONDS` and steps down when it is gone (`Lease.check`).

SQLite: an exclusive `flock` on `<database>.lock` next to the file, taken by the kernel for
this process and released when it dies; a second process on the same file waits as a
standby. An in-memory database is private to its process and needs no lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    import asyncpg

from bot.db import normalize_database_url, sqlite_file

logger = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
"""How often the active instance checks that it still holds the lease."""
RETRY_SECONDS = 1.0
WAIT_SLICE = "5s"
"""A standby's lock request gives up after this and asks again, so a dead connection of its
own is noticed too."""
FILE_POLL_SECONDS = 0.1
KEEPALIVES = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}
"""The server drops a lease connection whose machine vanished after about 11 s."""


class Lease(Protocol):
    description: str

    async def acquire(self) -> None:
        """Waits until this process holds the lease."""

    async def check(self) -> bool:
        """True while the lease is still held."""

    async def release(self) -> None:
        """Gives the lease up at once (idempotent)."""


def lease_key(token: str) -> int:
    """One lock per bot (its numeric id, the part of the token before ':'), as a signed
    64-bit number, so two bots may share one database."""
    bot_id = token.split(":", 1)[0]
    digest = hashlib.sha256(f"defensoria-bot:{bot_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lease_for(database_url: str, token: str) -> Lease:
    url = normalize_database_url(database_url)
    if make_url(url).get_backend_name() == "postgresql":
        return PostgresLease(url, lease_key(token))
    path = sqlite_file(url)
    if path is None:
        return NoLease()
    return FileLease(Path(path + ".lock"))


class NoLease:
    description = "in-memory database: single process"

    async def acquire(self) -> None:
        return None

    async def check(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLease:
    """`pg_advisory_lock(key)` on a connection of its own (asyncpg, not the pool)."""

    def __init__(self, url: str, key: int) -> None:
        parsed = make_url(url).set(drivername="postgresql")
        self._dsn = parsed.render_as_string(hide_password=False)
        self.key = key
        self.description = f"PostgreSQL advisory lock {key} on {parsed.host or 'localhost'}"
        self._connection: asyncpg.Connection | None = None

    async def _connect(self) -> asyncpg.Connection:
        import asyncpg

        return await asyncpg.connect(
            self._dsn,
            timeout=10,
            server_settings={"application_name": "defensoria-bot lease", **KEEPALIVES},
        )

    async def acquire(self) -> None:
        import asyncpg

        while True:
            connection = None
            try:
                connection = await self._connect()
                await connection.execute(f"SET lock_timeout = '{WAIT_SLICE}'")
                while True:
                    try:
                        await connection.execute("SELECT pg_advisory_lock($1)", self.key)
                    except asyncpg.exceptions.LockNotAvailableError:
                        continue
                    await connection.execute("SET lock_timeout = 0")
                    self._connection = connection
                    return
            except asyncio.CancelledError:
                if connection is not None:
                    connection.terminate()
                raise
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                logger.warning("lease: database not reachable (%s); retrying", type(exc).__name__)
                if connection is not None:
                    connection.terminate()
                await asyncio.sleep(RETRY_SECONDS)

    async def check(self) -> bool:
        connection = self._connection
        if connection is None:
            return False
        try:
            # The session holds the lock for as long as it lives: a live connection is proof.
            await connection.fetchval("SELECT 1", timeout=CHECK_SECONDS * 1.5)
        except Exception as exc:
            logger.error("lease: connection lost (%s)", type(exc).__name__)
            return False
        return True

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await asyncio.wait_for(connection.close(), timeout=2)
        except Exception:
            connection.terminate()


class FileLease:
    """An exclusive flock on a file next to the SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"file lock {path}"
        self._file: IO[str] | None = None

    async def acquire(self) -> None:
        handle = self.path.open("a+", encoding="utf-8")
        try:
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    await asyncio.sleep(FILE_POLL_SECONDS)
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    async def check(self) -> bool:
        return self._file is not None

    async def release(self) -> None:
        handle, self._file = self._file, None
        if handle is None:
            return
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
