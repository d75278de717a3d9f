"""Checks DATABASE_URL before anything uses it, so a wrong setting is one Spanish paragraph.

`database_problem(url)` parses the URL, refuses what the bot cannot use (another backend, a
PostgreSQL URL without a database, which would silently fill the server's `postgres`
database) and, for PostgreSQL, opens one connection to tell a missing database (with the
command that creates it), a refused login and an unreachable server apart. The paragraph
never shows the password.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.db import ensure_sqlite_directory, normalize_database_url
from bot.texts import plain

CONNECT_TIMEOUT_SECONDS = 10.0
DEFAULT_PORT = 5432


def prepare_database(url: str, *, apart: bool = False) -> str | None:
    """Checks `url` and upgrades the schema to the latest revision; returns the paragraph
    that explains why it could not, or None. Must be called outside a running event loop.

    With `apart`, the upgrade runs in a short-lived child process (`bot.upgrade_child`):
    the bot then runs for weeks without Alembic, Mako and the migration scripts in its
    memory (about 6 MB, needed for a second at start-up)."""
    problem = database_problem(url)
    if problem is not None:
        return problem
    failure = upgrade_apart(url) if apart else upgrade_reporting_error(url)
    if failure is not None:
        return plain("cli.database.upgrade_failed", error=failure)
    return None


def upgrade_reporting_error(url: str) -> str | None:
    """Upgrades the schema; returns the name of the database error that stopped it, if any."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.migrate import upgrade_database

    try:
        upgrade_database(url)
    except (SQLAlchemyError, OSError) as exc:
        return type(exc).__name__
    return None


def upgrade_apart(url: str) -> str | None:
    """The URL travels on the child's standard input, never on its command line (which
    `ps` shows to every user of the machine); what went wrong comes back on its output,
    and its error output (a traceback, if any) goes where ours goes."""
    child = subprocess.run(
        [sys.executable, "-m", "bot.upgrade_child"],
        input=url,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if child.returncode != 0:  # its traceback is on the error output, above the paragraph
        return f"exit {child.returncode}"
    return child.stdout.strip() or None


def database_problem(url: str) -> str | None:
    """The paragraph that explains why the bot cannot use `url`, or None when it can.
    Must be called outside a running event loop."""
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        return plain("cli.database.malformed")
    try:
        parsed = make_url(normalize_database_url(url.strip()))
    except ValueError:
        return plain("cli.database.unsupported", scheme=parsed.drivername)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_problem(parsed)
    if not parsed.database:
        return plain("cli.database.no_name", **_where(parsed))
    return asyncio.run(_postgresql_problem(parsed))


def _sqlite_problem(parsed: URL) -> str | None:
    try:
        ensure_sqlite_directory(parsed.render_as_string(hide_password=False))
    except OSError as exc:
        return plain("cli.database.sqlite_folder", path=parsed.database, error=exc.strerror)
    return None


def _where(parsed: URL) -> dict[str, Any]:
    return {
        "host": parsed.host or "localhost",
        "port": parsed.port or DEFAULT_PORT,
        "user": parsed.username or "postgres",
        "database": parsed.database or "",
    }


async def _postgresql_problem(parsed: URL) -> str | None:
    import asyncpg
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    # SQLAlchemy's asyncpg dialect has no annotations.
    _, kwargs = dialect().create_connect_args(parsed)  # type: ignore[no-untyped-call]
    where = _where(parsed)
    try:
        connection = await asyncpg.connect(**kwargs, timeout=CONNECT_TIMEOUT_SECONDS)
    except asyncpg.InvalidCatalogNameError:
        return plain("cli.database.missing", **where)
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError):
        return plain("cli.database.login_refused", **where)
    except (OSError, TimeoutError, asyncpg.CannotConnectNowError):
        return plain("cli.database.unreachable", **where)
    except asyncpg.PostgresError as exc:
        return plain("cli.database.refused", error=type(exc).__name__, **where)
    await connection.close()
    return None
