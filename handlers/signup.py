"""The sign-up conversation: privacy notice → name → dependencia → e-mail → enrollment.

It starts from *Inscribirme* (or the waiting-list button), from /mis_datos, or from an
edit button of /mis_datos. Commands and other buttons keep working in the middle of it;
/cancelar leaves it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypedDict, Unpack

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
)

from bot.context import BotContext
from bot.services import servants
from bot.services.errors import ProfileError
from bot.texts import raw, t
from handlers import awaiting, enrollment, faq, profile, render
from handlers import callbacks as cb
from handlers.conversation import ANSWER, END, NOT_TEXT, UpdateHandler, conversation
from handlers.profile import DEPENDENCY, EMAIL, NAME, PRIVACY
from handlers.replies import acknowledge, respond


class ProfileValues(TypedDict, total=False):
    """One field of `servants.update_profile`, as a step saves it."""

    full_name: str
    dependency: str
    email: str
    clear_email: bool


async def accept_privacy(update: Update, context: BotContext) -> int:
    """Stores the consent (with the notice's version) and goes on to the profile."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return END
    await acknowledge(update)
    async with context.unit_of_work() as session:
        servant = await servants.accept_privacy(
            session,
            telegram_user_id=user.id,
            chat_id=chat.id,
            version=raw("privacy.version"),
            now=context.now(),
        )
        has_profile = servant.has_profile
    await respond(update, t("privacy.accepted"))
    if has_profile:
        return await _finish(update, context)
    return await profile.ask_name(update, context)


async def decline_privacy(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    profile.forget_flow(context)
    await respond(update, t("privacy.declined"), render.main_menu())
    return END


async def start_edit(update: Update, context: BotContext) -> int:
    """Asks again for one field of the profile (from the /mis_datos buttons)."""
    user = update.effective_user
    if user is None:
        return END
    await acknowledge(update)
    field = cb.matched(context.match).group(1)
    profile.forget_flow(context)
    profile.start_editing(context, field)
    async with context.reading() as session:
        servant = await servants.get_servant(session, user.id)
    if servant is None:
        return await profile.ask_privacy(update, context)
    asks = {"name": profile.ask_name, "dependency": profile.ask_dependency}
    return await asks.get(field, profile.ask_email)(update, context)


async def _save(update: Update, context: BotContext, **values: Unpack[ProfileValues]) -> bool:
    """Saves one profile field; on invalid input explains why and returns False."""
    user = update.effective_user
    if user is None:
        return False
    try:
        async with context.unit_of_work() as session:
            servant = await servants.get_servant(session, user.id)
            if servant is None:
                await respond(update, t("profile_error.no_consent"), render.main_menu())
                return False
            await servants.update_profile(session, servant=servant, now=context.now(), **values)
    except ProfileError as error:
        await respond(update, t(error.text_key, **error.details), edit=False)
        return False
    return True


async def _next_or_finish(
    update: Update, context: BotContext, ask_next: Callable[[Update, BotContext], Awaitable[int]]
) -> int:
    if profile.editing_field(context):
        return await _finish(update, context)
    return await ask_next(update, context)


async def _question_instead(update: Update, context: BotContext, step: str) -> bool:
    """A question (or a danger) typed instead of the data: the FAQ answers it, unlogged, and
    a line brings the servant back to the step. True when that happened."""
    if not await faq.answer_during_step(update, context, _typed(update)):
        return False
    await respond(update, t(f"profile.back_to_{step}"), edit=False)
    return True


def _typed(update: Update) -> str:
    message = update.effective_message
    return (message.text if message is not None else None) or ""


async def receive_name(update: Update, context: BotContext) -> int:
    if await _question_instead(update, context, "name"):
        return NAME
    if not await _save(update, context, full_name=_typed(update)):
        return NAME
    return await _next_or_finish(update, context, profile.ask_dependency)


async def choose_dependency(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    options = profile.dependencies()
    index = cb.int_arg(context.match)
    if index >= len(options):
        return await profile.ask_dependency(update, context)
    await respond(update, t("profile.dependency_chosen", dependency=options[index]))
    if not await _save(update, context, dependency=options[index]):
        return DEPENDENCY
    return await _next_or_finish(update, context, profile.ask_email)


async def other_dependency(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    await respond(update, t("profile.type_dependency"))
    return DEPENDENCY


async def receive_dependency(update: Update, context: BotContext) -> int:
    if await _question_instead(update, context, "dependency"):
        return DEPENDENCY
    if not await _save(update, context, dependency=_typed(update)):
        return DEPENDENCY
    return await _next_or_finish(update, context, profile.ask_email)


async def receive_email(update: Update, context: BotContext) -> int:
    if "@" not in _typed(update) and await _question_instead(update, context, "email"):
        return EMAIL
    if not await _save(update, context, email=_typed(update)):
        return EMAIL
    return await _finish(update, context)


async def skip_email(update: Update, context: BotContext) -> int:
    await acknowledge(update)
    await _save(update, context, clear_email=True)
    await respond(update, t("profile.email_skipped"))
    return await _finish(update, context)


async def _finish(update: Update, context: BotContext) -> int:
    """Ends the flow: enrolls in the pending talk, or confirms the saved data."""
    await awaiting.reply_done(update, context)
    if profile.editing_field(context):
        profile.forget_flow(context)
    if profile.has_pending_talk(context):
        await respond(update, t("profile.saved_enrolling"), edit=False)
        return await enrollment.enroll_pending(update, context, edit=False)
    await respond(update, t("profile.saved"), render.main_menu(), edit=False)
    return END


async def cancel_flow(update: Update, context: BotContext) -> int:
    """/cancelar inside the conversation: forget the flow; what was saved stays saved."""
    profile.forget_flow(context)
    await awaiting.reply_done(update, context)
    await respond(update, t("common.cancelled"), render.main_menu())
    return END


async def expect_text(update: Update, context: BotContext) -> None:
    """Something other than text (a sticker, a photo…) arrived while waiting for an answer."""
    await respond(update, t("profile.expect_text"))


async def timed_out(update: Update, context: BotContext) -> None:
    profile.forget_flow(context)
    await awaiting.reply_done(update, context)


def handlers() -> list[UpdateHandler]:
    """Fresh handlers for one Application: a conversation keeps its state in its handler."""
    signup = conversation(
        name="signup",
        entry_points=[
            *enrollment.ENROLL_ENTRY_POINTS,
            CommandHandler("mis_datos", profile.show_my_data),
            CallbackQueryHandler(accept_privacy, pattern=cb.pattern(cb.PRIVACY_ACCEPT)),
            CallbackQueryHandler(
                start_edit,
                pattern=cb.pattern(cb.PROFILE_EDIT, with_arg=True, arg="name|dependency|email"),
            ),
        ],
        states={
            PRIVACY: [
                CallbackQueryHandler(accept_privacy, pattern=cb.pattern(cb.PRIVACY_ACCEPT)),
                CallbackQueryHandler(decline_privacy, pattern=cb.pattern(cb.PRIVACY_DECLINE)),
            ],
            NAME: [MessageHandler(ANSWER, receive_name)],
            DEPENDENCY: [
                CallbackQueryHandler(
                    choose_dependency, pattern=cb.pattern(cb.DEPENDENCY, with_arg=True)
                ),
                CallbackQueryHandler(other_dependency, pattern=cb.pattern(cb.DEPENDENCY_OTHER)),
                MessageHandler(ANSWER, receive_dependency),
            ],
            EMAIL: [
                CallbackQueryHandler(skip_email, pattern=cb.pattern(cb.EMAIL_SKIP)),
                MessageHandler(ANSWER, receive_email),
            ],
        },
        fallbacks=[
            CommandHandler("cancelar", cancel_flow),
            MessageHandler(NOT_TEXT, expect_text),
        ],
        on_timeout=timed_out,
    )
    return [
        signup,
        CallbackQueryHandler(decline_privacy, pattern=cb.pattern(cb.PRIVACY_DECLINE)),
    ]
