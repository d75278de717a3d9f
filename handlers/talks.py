"""/platicas: the paginated list of upcoming talks, and each talk's detail."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.services import talks
from bot.texts import t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import UpdateHandler
from handlers.replies import acknowledge, respond

TALKS_PER_PAGE = 5


async def list_talks(update: Update, context: BotContext) -> None:
    """Shows a page of upcoming talks with a button for each."""
    match = context.match if update.callback_query else None
    page_number = cb.int_arg(match) if match else 0
    await acknowledge(update)
    async with context.reading() as session:
        page = await talks.upcoming_page(
            session, now=context.now(), page=page_number, per_page=TALKS_PER_PAGE
        )
    text, markup = render.talk_list(page, context.settings.tz)
    await respond(update, text, markup)


async def show_talk(update: Update, context: BotContext, talk_id: int | None = None) -> None:
    """Shows one talk with the action that fits the servant: enroll, wait, or cancel."""
    if talk_id is None:
        talk_id = cb.int_arg(context.match)
    await acknowledge(update)
    user_id = update.effective_user.id if update.effective_user else 0
    async with context.reading() as session:
        view = await talks.talk_view(session, talk_id=talk_id, telegram_user_id=user_id)
    if view is None:
        await respond(update, t("talks.not_found"), render.main_menu())
        return
    text, markup = render.talk_detail(
        view.talk,
        seats_left=view.seats_left,
        status=view.status,
        tz=context.settings.tz,
        started=view.talk.has_started(context.now()),
        waiting_position=view.waiting_position,
    )
    await respond(update, text, markup)


HANDLERS: list[UpdateHandler] = [
    CommandHandler("platicas", list_talks),
    CallbackQueryHandler(list_talks, pattern=cb.pattern(cb.TALK_PAGE, with_arg=True)),
    CallbackQueryHandler(show_talk, pattern=cb.pattern(cb.TALK_DETAIL, with_arg=True)),
]
