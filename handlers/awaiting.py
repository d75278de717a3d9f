"""Marks in the database that a conversation step waits for what the servant types.

Free text that no conversation claims goes to the FAQ, and the FAQ logs what it cannot
answer. While the sign-up waits for a name or an e-mail, or the survey for a comment, that
text is an answer, not a question, and must never be logged. The conversations' state is
persisted (`bot/persistence.py`), so after a restart the step itself takes the name; the
mark on the servant's row is the second line of defence (a state discarded as unreadable,
an instance started without it), and it expires with the conversation's own timeout, so a
servant who walked away is not left unheard. Every step that asks for typed data comes after the
privacy notice, so the row exists.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.context import BotContext
from bot.services import servants
from handlers.conversation import TIMEOUT_SECONDS

REPLY_WINDOW_SECONDS = TIMEOUT_SECONDS
"""The conversations' timeout: after it they forget the step, and so does the mark."""


async def expect_reply(update: Update, context: BotContext) -> None:
    """Marks that the step just asked waits for this servant's typed answer."""
    await _mark(update, context, waiting=True)


async def reply_done(update: Update, context: BotContext) -> None:
    """Clears the mark: the conversation ended (finished, cancelled or timed out)."""
    await _mark(update, context, waiting=False)


async def _mark(update: Update, context: BotContext, *, waiting: bool) -> None:
    if update.effective_user is None:
        return
    until = context.now() + timedelta(seconds=REPLY_WINDOW_SECONDS) if waiting else None
    async with context.unit_of_work() as session:
        await servants.expect_reply(
            session, telegram_user_id=update.effective_user.id, until=until
        )
