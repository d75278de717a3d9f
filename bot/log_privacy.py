"""Logging that never writes personal data or the bot's token, at any LOG_LEVEL.

Two layers. The libraries that print payloads when asked for DEBUG are held at a floor
(`LIBRARY_FLOORS`): python-telegram-bot logs every update and every API call with its texts,
httpx prints URLs (which carry the token), SQLAlchemy prints result rows, APScheduler the
jobs' arguments. Then every record that reaches the bot's handler goes through
`PrivacyFilter`, which replaces the token (and anything shaped like a bot token) and e-mail
addresses, in the message and in the traceback. The bot's own log lines name ids and counts,
never names or texts; the filter is the net under them.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

LIBRARY_FLOORS: dict[str, int] = {
    "telegram": logging.INFO,
    "telegram.ext.Application": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "alembic": logging.WARNING,
    "uvicorn.access": logging.WARNING,
    "hpack": logging.WARNING,
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
    "fontTools": logging.WARNING,
    "fpdf": logging.WARNING,
}
"""The lowest level each library may log at, whatever LOG_LEVEL says."""

TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
HIDDEN_TOKEN = "<token>"
HIDDEN_EMAIL = "<correo>"


class PrivacyFilter(logging.Filter):
    """Rewrites each record with the token and e-mail addresses hidden, and drops the
    libraries' tracebacks of errors the command line explains itself (`explained`)."""

    def __init__(
        self,
        secrets: tuple[str, ...] = (),
        explained: tuple[type[BaseException], ...] = (),
    ) -> None:
        super().__init__()
        self.secrets = tuple(secret for secret in secrets if secret)
        self.explained = explained

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN_TOKEN)
        text = TOKEN_SHAPE.sub(HIDDEN_TOKEN, text)
        return EMAIL.sub(HIDDEN_EMAIL, text)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.explained):
            return False
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def configure_logging(level: str, *secrets: str, stream: TextIO | None = None) -> logging.Handler:
    """Sends the log to `stream` (stderr) at LOG_LEVEL, with the libraries held at their
    floors and every record scrubbed; returns the handler (tests remove it)."""
    from telegram.error import InvalidToken

    numeric = getattr(logging, level)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    # A rejected token is explained by `python -m bot` in one paragraph (cli.invalid_token).
    handler.addFilter(PrivacyFilter(secrets, explained=(InvalidToken,)))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(numeric)
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, numeric))
    return handler
