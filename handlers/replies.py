"""Sending and editing replies the same way from commands and from button presses."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

logger = logging.getLogger(__name__)


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
