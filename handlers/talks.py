"""/platicas: the paginated list of upcoming talks, and each talk's detail."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.models import EnrollmentStatus
from bot.services import enrollment as enrollment_service
from bot.services import servants, talks
from bot.texts import t
from handlers import callbacks as cb
from handlers import render
from handlers.replies import acknowledge, respond

TALKS_PER_PAGE = 5


async def list_talks(update: Update, context: BotContext) -> None:
    """Shows a page of upcoming talks with a button for each."""
    match = context.match if update.callback_query else None
    page_number = cb.int_arg(match) if match else 0
    await acknowledge(update)
    async with context.unit_of_work() as session:
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
    now = context.now()
    async with context.unit_of_work() as session:
        talk = await talks.get_talk(session, talk_id)
        if talk is None:
            await respond(update, t("talks.not_found"), render.main_menu())
            return
        servant = await servants.get_servant(session, user_id)
        enrollment = position = None
        if servant is not None:
            enrollment = await enrollment_service.find_enrollment(
                session, servant_id=servant.id, talk_id=talk.id
            )
            if enrollment is not None and enrollment.status == EnrollmentStatus.WAITING:
                position = await enrollment_service.waiting_position(session, enrollment)
        left = await talks.seats_left(session, talk)
    text, markup = render.talk_detail(
        talk,
        seats_left=left,
        enrollment=enrollment,
        tz=context.settings.tz,
        started=talk.has_started(now),
        waiting_position=position,
    )
    await respond(update, text, markup)


HANDLERS: list[BaseHandler] = [
    CommandHandler("platicas", list_talks),
    CallbackQueryHandler(list_talks, pattern=cb.pattern(cb.TALK_PAGE, with_arg=True)),
    CallbackQueryHandler(show_talk, pattern=cb.pattern(cb.TALK_DETAIL, with_arg=True)),
]
