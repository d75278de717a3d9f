"""Sending and editing replies the same way from commands and from button presses."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from html import escape

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


_ANSWERED: OrderedDict[str, None] = OrderedDict()
"""Ids of the presses answered lately: a press is answered once, the error handler included."""
_ANSWERED_KEPT = 10_000


async def acknowledge(update: Update, alert: str | None = None, *, toast: bool = False) -> None:
    """Answers a button press (Telegram shows a spinner until this is done), once.

    A press handled late (after Telegram's answer window, e.g. a backlog after a restart)
    can no longer be answered: the handler goes on, and an alert is sent as a message.
    `toast` shows the text briefly instead of as an alert.
    """
    query = update.callback_query
    if query is None or query.id in _ANSWERED:
        return
    _ANSWERED[query.id] = None
    while len(_ANSWERED) > _ANSWERED_KEPT:
        _ANSWERED.popitem(last=False)
    try:
        await query.answer(alert, show_alert=alert is not None and not toast)
    except BadRequest as exc:
        if not _too_late(exc):
            raise
        logger.info("a button press was answered too late: %s", exc)
        if alert and update.effective_chat is not None:
            await update.effective_chat.send_message(escape(alert))


def answered(update: Update) -> bool:
    """True when this update's button press was already answered."""
    return update.callback_query is not None and update.callback_query.id in _ANSWERED


def _too_late(exc: BadRequest) -> bool:
    text = str(exc).lower()
    return "query is too old" in text or "query id is invalid" in text


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
