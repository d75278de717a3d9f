"""Asks the sender job to run now, so a promoted servant hears about it in seconds."""

from __future__ import annotations

from bot.context import BotContext
from bot.outbox.sender import run_sender_now


def kick_deliveries(context: BotContext) -> None:
    run_sender_now(context.application)
