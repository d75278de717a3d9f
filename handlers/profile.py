"""Consent and profile prompts, /mis_datos and /borrar_mis_datos."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.office import office
from bot.services import servants
from bot.texts import Markup, format_date, raw, t
from handlers import awaiting, render
from handlers import callbacks as cb
from handlers.conversation import UpdateHandler, drafts
from handlers.delivery_kick import kick_deliveries
from handlers.replies import acknowledge, respond

PRIVACY, NAME, DEPENDENCY, EMAIL = range(4)

_PENDING_TALK = "pending_talk"
_EDITING = "editing_field"
EDITABLE_FIELDS = ("name", "dependency", "email")


def remember_pending_talk(context: BotContext, talk_id: int, join_waitlist: bool) -> None:
    drafts(context)[_PENDING_TALK] = (talk_id, join_waitlist)
    drafts(context).pop(_EDITING, None)


def pending_talk(context: BotContext) -> tuple[int, bool] | None:
    return drafts(context).get(_PENDING_TALK)


def has_pending_talk(context: BotContext) -> bool:
    return _PENDING_TALK in drafts(context)


def start_editing(context: BotContext, field: str) -> None:
    drafts(context)[_EDITING] = field


def editing_field(context: BotContext) -> str | None:
    return drafts(context).get(_EDITING)


def forget_flow(context: BotContext) -> None:
    drafts(context).pop(_PENDING_TALK, None)
    drafts(context).pop(_EDITING, None)


def dependencies() -> list[str]:
    return list(office().dependencies)


def privacy_notice() -> Markup:
    """The notice, with the responsible body's address when the office gave one."""
    address = office().privacy_address
    domicilio = t("privacy.address", address=address) if address else ""
    return t("privacy.notice", version=raw("privacy.version"), domicilio=domicilio)


async def ask_privacy(update: Update, context: BotContext) -> int:
    markup = render.keyboard(
        [render.button("buttons.privacy_accept", cb.PRIVACY_ACCEPT)],
        [render.button("buttons.privacy_decline", cb.PRIVACY_DECLINE)],
    )
    await respond(update, privacy_notice(), markup)
    return PRIVACY


async def ask_name(update: Update, context: BotContext) -> int:
    await awaiting.expect_reply(update, context)
    await respond(update, t("profile.ask_name"), edit=False)
    return NAME


async def ask_dependency(update: Update, context: BotContext) -> int:
    rows = [
        [render.button("buttons.dependency", cb.DEPENDENCY, index, name=name)]
        for index, name in enumerate(dependencies())
    ]
    rows.append([render.button("buttons.dependency_other", cb.DEPENDENCY_OTHER)])
    await awaiting.expect_reply(update, context)
    await respond(update, t("profile.ask_dependency"), render.keyboard(*rows), edit=False)
    return DEPENDENCY


async def ask_email(update: Update, context: BotContext) -> int:
    markup = render.keyboard([render.button("buttons.email_skip", cb.EMAIL_SKIP)])
    await awaiting.expect_reply(update, context)
    await respond(update, t("profile.ask_email"), markup, edit=False)
    return EMAIL


async def show_my_data(update: Update, context: BotContext) -> int | None:
    """Shows what the bot keeps about the servant, with buttons to change or delete it."""
    user = update.effective_user
    if user is None:
        return None
    await acknowledge(update)
    async with context.reading() as session:
        servant = await servants.get_servant(session, user.id)
    if servant is None:
        forget_flow(context)
        return await ask_privacy(update, context)
    empty = t("profile.empty_value")
    text = t(
        "profile.summary",
        name=servant.full_name or empty,
        dependency=servant.dependency or empty,
        email=servant.email or empty,
        accepted=format_date(servant.privacy_accepted_at, context.settings.tz),
        version=servant.privacy_version,
    )
    markup = render.keyboard(
        [render.button("buttons.edit_name", cb.PROFILE_EDIT, "name")],
        [render.button("buttons.edit_dependency", cb.PROFILE_EDIT, "dependency")],
        [render.button("buttons.edit_email", cb.PROFILE_EDIT, "email")],
        [render.button("buttons.delete_data", cb.DELETE_ASK)],
    )
    await respond(update, text, markup)
    return None


async def ask_delete(update: Update, context: BotContext) -> None:
    """Explains what deleting removes and asks for confirmation."""
    await acknowledge(update)
    markup = render.keyboard(
        [render.button("buttons.delete_yes", cb.DELETE_YES)],
        [render.button("buttons.delete_no", cb.DELETE_NO)],
    )
    await respond(update, t("delete.confirm"), markup)


async def delete_data(update: Update, context: BotContext) -> None:
    """Deletes the profile, consent and enrollments; seats freed go to the waiting list."""
    user = update.effective_user
    if user is None:
        return
    await acknowledge(update)
    async with context.unit_of_work() as session:
        summary = await servants.delete_servant_data(
            session,
            telegram_user_id=user.id,
            now=context.now(),
            reminder_offsets=context.settings.reminder_offsets,
        )
    drafts(context).clear()
    if summary is None:
        await respond(update, t("delete.nothing"))
        return
    await respond(update, t("delete.done", enrollments=summary.enrollments))
    if summary.seats_released:
        kick_deliveries(context)


async def keep_data(update: Update, context: BotContext) -> None:
    await acknowledge(update)
    await respond(update, t("delete.kept"), render.main_menu())


HANDLERS: list[UpdateHandler] = [
    CommandHandler("borrar_mis_datos", ask_delete),
    CallbackQueryHandler(ask_delete, pattern=cb.pattern(cb.DELETE_ASK)),
    CallbackQueryHandler(delete_data, pattern=cb.pattern(cb.DELETE_YES)),
    CallbackQueryHandler(keep_data, pattern=cb.pattern(cb.DELETE_NO)),
]
