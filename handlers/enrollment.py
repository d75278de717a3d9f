"""Enrolling: consent and profile on the first time, then the seat, the waiting list,
/mis_inscripciones and cancelling."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.calendar import enrollment_ics, ics_filename
from bot.context import BotContext
from bot.models import EnrollmentStatus, Talk
from bot.services import enrollment as enrollment_service
from bot.services import servants, talks
from bot.services.enrollment import EnrollOutcome
from bot.services.errors import EnrollmentError
from bot.services.queries import find_enrollment
from bot.texts import format_when, t
from handlers import callbacks as cb
from handlers import profile, render
from handlers.conversation import UpdateHandler
from handlers.delivery_kick import kick_deliveries
from handlers.replies import acknowledge, respond
from handlers.talks import show_talk


async def start_enroll(update: Update, context: BotContext) -> int:
    """Enrolls in a talk, first asking for consent and the profile if they are missing."""
    await acknowledge(update)
    query = update.callback_query
    join_waitlist = query is not None and (query.data or "").startswith(cb.data(cb.JOIN_WAITLIST))
    profile.remember_pending_talk(context, cb.int_arg(context.match), join_waitlist)
    return await enroll_pending(update, context)


async def enroll_pending(update: Update, context: BotContext, *, edit: bool = True) -> int:
    """Enrolls the servant in the talk remembered by `remember_pending_talk`.

    Returns the sign-up state to go to when consent or profile are still missing. `edit`
    says whether the answer may replace the message whose button was pressed (the talk's
    detail); at the end of the sign-up it must come as a new message, in reading order.
    """
    user = update.effective_user
    if user is None:
        return ConversationHandler.END
    pending = profile.pending_talk(context)
    if pending is None:
        return ConversationHandler.END
    talk_id, join_waitlist = pending
    try:
        async with context.unit_of_work() as session:
            result = await enrollment_service.enroll_user(
                session,
                telegram_user_id=user.id,
                talk_id=talk_id,
                now=context.now(),
                join_waitlist=join_waitlist,
                reminder_offsets=context.settings.reminder_offsets,
            )
    except EnrollmentError as error:
        if error.code == "no_consent":
            return await profile.ask_privacy(update, context)
        if error.code == "profile_incomplete":
            return await profile.ask_name(update, context)
        profile.forget_flow(context)
        markup = render.main_menu()
        if error.code == "full":
            markup = render.keyboard(
                [render.button("buttons.join_waitlist", cb.JOIN_WAITLIST, talk_id)],
                [render.button("buttons.back_to_list", cb.TALK_PAGE, 0)],
            )
        await respond(update, t(error.text_key), markup, edit=edit)
        return ConversationHandler.END
    profile.forget_flow(context)
    talk, tz = result.talk, context.settings.tz
    when = format_when(talk.starts_at, tz)
    if result.outcome == EnrollOutcome.ALREADY_WAITING:
        text = t("enroll.already_waiting", title=talk.title, position=result.waiting_position)
    elif result.outcome == EnrollOutcome.WAITING:
        text = t("enroll.waiting", title=talk.title, position=result.waiting_position)
    elif result.outcome == EnrollOutcome.ALREADY_ENROLLED:
        text = t("enroll.already_enrolled", title=talk.title, when=when)
    else:
        text = t("enroll.enrolled", title=talk.title, when=when, access=render.access_text(talk))
    await respond(update, text, render.main_menu(), edit=edit)
    if result.outcome == EnrollOutcome.ENROLLED:
        await send_calendar(update, context, talk, result.enrollment.uid)
    return ConversationHandler.END


async def send_calendar(update: Update, context: BotContext, talk: Talk, uid: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    ics = enrollment_ics(talk, enrollment_uid=uid, now=context.now())
    await chat.send_document(
        ics, filename=ics_filename(talk), caption=t("enroll.calendar_caption")
    )


async def resend_calendar(update: Update, context: BotContext) -> None:
    """Sends the .ics file again for a talk the servant is enrolled in."""
    user = update.effective_user
    if user is None:
        return
    await acknowledge(update)
    talk_id = cb.int_arg(context.match)
    async with context.reading() as session:
        servant = await servants.get_servant(session, user.id)
        enrollment = servant and await find_enrollment(
            session, servant_id=servant.id, talk_id=talk_id
        )
        talk = await talks.get_talk(session, talk_id)
    if not enrollment or enrollment.status != EnrollmentStatus.ENROLLED or talk is None:
        await respond(update, t("enroll_error.not_enrolled"), render.main_menu(), edit=False)
        return
    await send_calendar(update, context, talk, enrollment.uid)


async def my_enrollments(update: Update, context: BotContext) -> None:
    """Lists the servant's seats and waiting-list places, each with a cancel button."""
    user = update.effective_user
    if user is None:
        return
    await acknowledge(update)
    async with context.reading() as session:
        servant = await servants.get_servant(session, user.id)
        mine = (
            await enrollment_service.my_enrollments(
                session, servant_id=servant.id, now=context.now()
            )
            if servant
            else []
        )
    if not mine:
        await respond(update, t("mine.none"), render.main_menu())
        return
    tz = context.settings.tz
    lines = [t("mine.header")]
    rows = []
    for item in mine:
        key = "mine.item_waiting" if item.waiting_position else "mine.item_enrolled"
        lines.append(
            t(
                key,
                title=item.talk.title,
                when=format_when(item.talk.starts_at, tz),
                position=item.waiting_position or "",
            )
        )
        rows.append(
            [
                render.button(
                    "buttons.see_talk",
                    cb.TALK_DETAIL,
                    item.talk.id,
                    title=render.short(item.talk.title),
                )
            ]
        )
    await respond(update, "\n\n".join(lines), render.keyboard(*rows))


async def ask_cancel(update: Update, context: BotContext) -> None:
    """Asks for confirmation before giving a seat back."""
    await acknowledge(update)
    talk_id = cb.int_arg(context.match)
    async with context.reading() as session:
        talk = await talks.get_talk(session, talk_id)
    if talk is None:
        await respond(update, t("talks.not_found"), render.main_menu())
        return
    markup = render.keyboard(
        [render.button("buttons.cancel_yes", cb.CANCEL_YES, talk_id)],
        [render.button("buttons.cancel_no", cb.CANCEL_NO, talk_id)],
    )
    await respond(update, t("cancel.confirm", title=talk.title), markup)


async def confirm_cancel(update: Update, context: BotContext) -> None:
    """Gives the seat back; the first person in line gets it and is told."""
    user = update.effective_user
    if user is None:
        return
    await acknowledge(update)
    talk_id = cb.int_arg(context.match)
    async with context.unit_of_work() as session:
        try:
            result = await enrollment_service.cancel_user(
                session,
                telegram_user_id=user.id,
                talk_id=talk_id,
                now=context.now(),
                reminder_offsets=context.settings.reminder_offsets,
            )
        except EnrollmentError as error:
            await respond(update, t(error.text_key), render.main_menu())
            return
    key = "cancel.done_waiting" if result.was_waiting else "cancel.done"
    await respond(update, t(key, title=result.talk.title), render.main_menu())
    if result.promoted:
        kick_deliveries(context)


async def keep_enrollment(update: Update, context: BotContext) -> None:
    """The servant decided to keep the seat: show the talk again."""
    await show_talk(update, context, cb.int_arg(context.match))


ENROLL_ENTRY_POINTS: list[UpdateHandler] = [
    CallbackQueryHandler(start_enroll, pattern=cb.pattern(cb.ENROLL, with_arg=True)),
    CallbackQueryHandler(start_enroll, pattern=cb.pattern(cb.JOIN_WAITLIST, with_arg=True)),
]

HANDLERS: list[UpdateHandler] = [
    CommandHandler("mis_inscripciones", my_enrollments),
    CallbackQueryHandler(my_enrollments, pattern=cb.pattern(cb.MY_ENROLLMENTS)),
    CallbackQueryHandler(resend_calendar, pattern=cb.pattern(cb.CALENDAR, with_arg=True)),
    CallbackQueryHandler(ask_cancel, pattern=cb.pattern(cb.CANCEL_ASK, with_arg=True)),
    CallbackQueryHandler(confirm_cancel, pattern=cb.pattern(cb.CANCEL_YES, with_arg=True)),
    CallbackQueryHandler(keep_enrollment, pattern=cb.pattern(cb.CANCEL_NO, with_arg=True)),
]
