"""How every multi-step flow of the bot waits for answers: one filter, one timeout, one shape.

A typed answer is text that is not a command and not an edit: an edited message carries no
`update.message` (handlers reading it would crash), and the answer it corrects was already
taken. Something else (a sticker, a photo, a file) is `NOT_TEXT`, answered with a hint.

Every conversation is persistent (`bot/persistence.py`): its step and the drafts in
`user_data` survive a restart. A draft left alone for 24 hours expires: while the instance
runs, PTB's timeout ends it and the servant is told; a draft found too old when an instance
loads the state is discarded and its owner told at their next message (`announce_expired`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ConversationHandler, TypeHandler, filters

from bot.context import BotContext
from bot.persistence import MAX_AGE, SqlPersistence
from bot.texts import t

ANSWER = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
"""A typed answer to the question the flow asked."""
NOT_TEXT = ~filters.COMMAND & ~filters.TEXT
"""Not an answer: a sticker, a photo, a file…"""
TIMEOUT_SECONDS = int(MAX_AGE.total_seconds())
"""A flow left alone this long is forgotten (and its owner told); its next message is
handled afresh."""
END = ConversationHandler.END
UpdateHandler = BaseHandler[Update, BotContext, object]
"""What every module's handler lists hold."""
logger = logging.getLogger(__name__)


class FlowHandler(ConversationHandler[Any]):
    """A ConversationHandler that knows how to forget its drafts when another flow ends it."""

    __slots__ = ("cleanup",)

    def __init__(
        self,
        *,
        cleanup: Callable[[Update, BotContext], Awaitable[object]] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cleanup = cleanup

    def active(self, update: Update) -> bool:
        """True when this update's chat and user are in the middle of this flow."""
        try:
            return self._get_key(update) in self._conversations
        except RuntimeError:
            return False

    async def leave(self, update: Update, context: BotContext) -> None:
        """Ends the flow from outside: its timeout is cancelled and its drafts forgotten."""
        key = self._get_key(update)
        async with self._timeout_jobs_lock:
            job = self.timeout_jobs.pop(key, None)
            if job is not None:
                job.schedule_removal()
        if self.cleanup is not None:
            await self.cleanup(update, context)
        self._update_state(self.END, key)


def drafts(context: BotContext) -> dict[Any, Any]:
    """The servant's `user_data`, where the flows keep their drafts. PTB has none for an
    update without a user, which no handler gets (`handlers/chats.py` lets only private
    chats through): such an update finds no draft, and what it writes is dropped."""
    return context.user_data if context.user_data is not None else {}


def conversation(
    *,
    entry_points: Sequence[UpdateHandler],
    states: dict[object, list[UpdateHandler]],
    fallbacks: Sequence[UpdateHandler],
    on_timeout: Callable[[Update, BotContext], Awaitable[object]] | None = None,
    name: str,
) -> ConversationHandler[Any]:
    """A ConversationHandler as the bot's flows use it: persistent under `name`, an entry
    point starts the flow again from any step, and after TIMEOUT_SECONDS it ends, calling
    `on_timeout` to forget drafts and telling the servant (unless `on_timeout` returns True:
    it told them itself)."""

    async def expire(update: Update, context: BotContext) -> None:
        told = await on_timeout(update, context) if on_timeout is not None else False
        if told is not True:
            await tell_expired(update)

    states = {**states, ConversationHandler.TIMEOUT: [TypeHandler(Update, expire)]}
    return FlowHandler(
        cleanup=on_timeout,
        name=name,
        persistent=True,
        entry_points=list(entry_points),
        states=states,
        fallbacks=list(fallbacks),
        allow_reentry=True,
        conversation_timeout=TIMEOUT_SECONDS,
    )


async def tell_expired(update: Update) -> None:
    """Says that the unfinished draft was discarded after 24 hours without an answer."""
    if update.effective_chat is None:
        return
    try:
        await update.effective_chat.send_message(t("conversation.expired"))
    except TelegramError:
        logger.warning("could not tell that a draft expired")


async def announce_expired(update: Update, context: BotContext) -> None:
    """Before anything else: a draft found too old when the state was loaded is gone; its
    owner hears it once, and the drafts in their `user_data` are forgotten."""
    persistence = context.application.persistence
    if not isinstance(persistence, SqlPersistence):
        return
    user = update.effective_user
    chat = update.effective_chat
    if persistence.take_expired(user.id if user else None, chat.id if chat else None):
        if context.user_data is not None:
            context.user_data.clear()
        await tell_expired(update)


async def one_flow_at_a_time(update: Update, context: BotContext) -> None:
    """Two flows never wait at once. A command that no running flow takes (a menu command)
    or that starts another flow, and a button that belongs to another flow, end the flow in
    progress (its drafts forgotten), and the servant is told. /cancelar and a flow's own
    commands and buttons go to that flow as usual.

    The ConversationHandlers are asked in the order the Application would ask them; which
    one is in progress is read from PTB's own state (`FlowHandler.active`)."""
    message = update.message
    is_command = message is not None and (message.text or "").startswith("/")
    if not is_command and update.callback_query is None:
        return
    flows = [h for h in context.application.handlers.get(0, []) if isinstance(h, FlowHandler)]
    if not any(flow.active(update) for flow in flows):
        return  # nothing in progress to end (most updates): no flow needs to be asked
    # PTB's types say check_update returns a tuple or None; a handler may answer False.
    taker = next(
        (flow for flow in flows if flow.check_update(update) not in (None, False)),  # type: ignore[comparison-overlap]
        None,
    )
    if taker is None and not is_command:
        return
    left = [flow for flow in flows if flow is not taker and flow.active(update)]
    for flow in left:
        await flow.leave(update, context)
    if left and update.effective_chat is not None:
        await update.effective_chat.send_message(t("conversation.left"))


async def before_flows(update: Update, context: BotContext) -> None:
    """What every update goes through before the flows: the expiry notice, one flow."""
    await announce_expired(update, context)
    await one_flow_at_a_time(update, context)


EXPIRY_HANDLERS: list[UpdateHandler] = [TypeHandler(Update, before_flows)]
"""Group -1 (one handler: a group runs only its first matching handler)."""
