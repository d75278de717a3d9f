"""How every multi-step flow of the bot waits for answers: one filter, one timeout, one shape.

A typed answer is text that is not a command and not an edit: an edited message carries no
`update.message` (handlers reading it would crash), and the answer it corrects was already
taken. Something else (a sticker, a photo, a file) is `NOT_TEXT`, answered with a hint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler, TypeHandler, filters

from bot.context import BotContext

ANSWER = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
"""A typed answer to the question the flow asked."""
NOT_TEXT = ~filters.COMMAND & ~filters.TEXT
"""Not an answer: a sticker, a photo, a file…"""
TIMEOUT_SECONDS = 15 * 60
"""A flow left alone this long is forgotten; its next message is handled afresh."""
END = ConversationHandler.END


def conversation(
    *,
    entry_points: Sequence[BaseHandler[Any, Any, Any]],
    states: dict[object, list[BaseHandler[Any, Any, Any]]],
    fallbacks: Sequence[BaseHandler[Any, Any, Any]],
    on_timeout: Callable[[Update, BotContext], Awaitable[object]] | None = None,
    name: str | None = None,
) -> ConversationHandler[Any]:
    """A ConversationHandler as the bot's flows use it: an entry point starts the flow again
    from any step, and after TIMEOUT_SECONDS it ends, calling `on_timeout` to forget drafts."""
    if on_timeout is not None:
        states = {**states, ConversationHandler.TIMEOUT: [TypeHandler(Update, on_timeout)]}
    return ConversationHandler(
        name=name,
        entry_points=list(entry_points),
        states=states,
        fallbacks=list(fallbacks),
        allow_reentry=True,
        conversation_timeout=TIMEOUT_SECONDS,
    )
