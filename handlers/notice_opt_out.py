"""/sin_avisos and /con_avisos: a servant leaves the office's general notices, or comes back.
Reminders and notices about the talks they chose still arrive."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from bot.services import notices
from bot.texts import t
from handlers import render
from handlers.conversation import UpdateHandler
from handlers.replies import respond


async def _opt(update: Update, context: BotContext, *, opt_out: bool) -> None:
    user = update.effective_user
    if user is None:
        return
    async with context.unit_of_work() as session:
        result = await notices.set_opt_out(
            session, telegram_user_id=user.id, opt_out=opt_out, now=context.now()
        )
    if result is None:
        key = "no_data"
    else:
        key = ("off" if opt_out else "on") + ("" if result.changed else "_already")
    await respond(update, t(f"broadcast_opt_out.{key}"), render.main_menu())


async def opt_out(update: Update, context: BotContext) -> None:
    """/sin_avisos: no more general notices (reminders of chosen talks still arrive)."""
    await _opt(update, context, opt_out=True)


async def opt_in(update: Update, context: BotContext) -> None:
    """/con_avisos: general notices again."""
    await _opt(update, context, opt_out=False)


HANDLERS: list[UpdateHandler] = [
    CommandHandler("sin_avisos", opt_out),
    CommandHandler("con_avisos", opt_in),
]
