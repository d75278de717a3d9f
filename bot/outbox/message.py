"""What a renderer is given (`Letter`) and what it returns (`Outgoing`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.models import Constancia, Delivery
from bot.texts import Markup


@dataclass(frozen=True)
class Letter:
    """One claimed row ready to be rendered: its servant, enrollment, talk and notice are
    loaded, and the service steps it needed have run (a constancia row has been issued)."""

    delivery: Delivery
    now: datetime
    tz: ZoneInfo
    constancia: Constancia | None = None


@dataclass(frozen=True)
class Outgoing:
    """A message to send: a text (with an optional file after it), or a file alone."""

    text: Markup | None
    markup: InlineKeyboardMarkup | None = None
    document: bytes | None = None
    filename: str | None = None
    caption: str | None = None


Renderer = Callable[[Letter], Awaitable[Outgoing]]
"""Turns a letter into a message; no database, no sending (it may draw a PDF in a thread)."""
