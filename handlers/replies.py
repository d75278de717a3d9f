"""Sending and editing replies the same way from commands and from button presses."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.texts import Markup

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4000
"""Telegram refuses texts over 4,096 characters (tags count here): a little room is kept."""


async def respond(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None, *, edit: bool = True
) -> Message | None:
    """Edits the message whose button was pressed, or sends a new message.

    Falls back to a new message when the old one can't be edited (too old, or a document).
    """
    query = update.callback_query
    if query is not None and edit and query.message is not None:
        try:
            result = await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return None
            logger.info("could not edit message, sending a new one: %s", exc)
        else:
            return result if isinstance(result, Message) else None
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, reply_markup=markup)


async def acknowledge(update: Update, alert: str | None = None) -> None:
    """Answers a button press (Telegram shows a spinner until this is done)."""
    if update.callback_query is not None:
        await update.callback_query.answer(alert, show_alert=alert is not None)


def pack(blocks: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[Markup]:
    """Joins blocks into as few messages as fit under `limit`, never splitting a block."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n{block}" if current else block
        if current and len(candidate) > limit:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return [Markup(message) for message in messages]


async def send_long(update: Update, blocks: Iterable[str]) -> None:
    """Sends the blocks in as few messages as Telegram allows; the first one replaces the
    pressed button's message, the others follow it."""
    for index, text in enumerate(pack(blocks)):
        await respond(update, text, edit=index == 0)
