"""`staff_only`: the check every staff command and button goes through, on every call."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.texts import plain, t
from handlers.replies import acknowledge

Result = TypeVar("Result")
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, Result]]


def is_staff(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return context.settings.is_staff(user.id if user else None)


def staff_only(handler: Handler[Result]) -> Handler[Result | int]:
    """Runs `handler` only for the Telegram ids in ADMIN_IDS; everyone else is told
    "no autorizado" (and a conversation, if any, ends)."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> Result | int:
        if is_staff(update, context):
            return await handler(update, context)
        if update.callback_query is not None:
            await acknowledge(update, plain("staff.not_authorized"))
        elif update.effective_chat is not None:
            await update.effective_chat.send_message(t("staff.not_authorized"))
        return ConversationHandler.END

    return guarded
