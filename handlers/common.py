"""/start (with deep links), /ayuda, /cancelar, unknown input, stale buttons, errors."""

from __future__ import annotations

import logging
import re

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.texts import format_when, plain, raw, t
from handlers import render
from handlers.conversation import UpdateHandler
from handlers.replies import acknowledge, respond
from handlers.talks import show_talk

logger = logging.getLogger(__name__)

DEEP_LINK = re.compile(r"^platica_(\d{1,9})$")


def bot_commands(*, staff: bool = False) -> list[BotCommand]:
    """The Spanish command menu registered with setMyCommands; staff also get theirs."""
    menu = dict(raw("commands"))
    if staff:
        menu.update(raw("staff_commands"))
    return [BotCommand(name, description) for name, description in menu.items()]


async def start(update: Update, context: BotContext) -> None:
    """Greets, or opens a talk straight away for a deep link `/start platica_<id>`."""
    if context.args:
        match = DEEP_LINK.match(context.args[0])
        if match:
            await show_talk(update, context, int(match.group(1)))
            return
    name = update.effective_user.first_name if update.effective_user else ""
    await respond(update, t("start.greeting", name=name or ""), render.main_menu())


async def help_command(update: Update, context: BotContext) -> None:
    """Lists what the bot can do; staff also see the scheduler's heartbeat."""
    text = t("help.text")
    if context.settings.is_staff(update.effective_user.id if update.effective_user else None):
        last_scan = context.runtime.health.get("last_scan")
        when = format_when(last_scan, context.settings.tz) if last_scan else plain("help.never")
        text = t("help.staff", base=text, last_scan=when)
    await respond(update, text, render.main_menu())


async def cancel_outside(update: Update, context: BotContext) -> None:
    """/cancelar when nothing is in progress."""
    await respond(update, t("common.nothing_to_cancel"), render.main_menu())


async def unknown_command(update: Update, context: BotContext) -> None:
    await respond(update, t("common.unknown_command"), render.main_menu())


async def unsupported_message(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice notes…: say kindly what the bot understands."""
    await respond(update, t("common.unsupported"), render.main_menu())


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message, or forged data: answer instead of spinning forever."""
    await acknowledge(update, plain("common.stale_button"))


async def on_error(update: object, context: BotContext) -> None:
    """Logs the failure without personal data and apologises to the user."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error(
        "error while handling update %s: %s",
        update_id,
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await acknowledge(update)
    except TelegramError:
        logger.info("could not answer the press of update %s", update_id)
    try:
        await update.effective_chat.send_message(t("error.generic"))
    except TelegramError:
        logger.warning("could not apologise for update %s", update_id)


HANDLERS: list[UpdateHandler] = [
    CommandHandler("start", start),
    CommandHandler("ayuda", help_command),
    CommandHandler("help", help_command),
    CommandHandler("cancelar", cancel_outside),
]

FALLBACK_HANDLERS: list[UpdateHandler] = [
    MessageHandler(filters.COMMAND, unknown_command),
    MessageHandler(~filters.TEXT & ~filters.UpdateType.EDITED, unsupported_message),
    CallbackQueryHandler(stale_button),
]
