"""Staff console: /aviso (to the enrolled of a talk) and /aviso_todos (to every servant).

Staff pick the audience, type the text, see a preview with the number of recipients and
confirm; the notice and one outbox row per recipient are then written at once and the
existing sender delivers them, paced with the reminders. A progress message is edited after
each of the sender's batches and a final report follows. Servants leave general notices with
/sin_avisos and come back with /con_avisos (`handlers/notice_opt_out.py`).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.context import RUNTIME_KEY, BotContext, Runtime
from bot.models import Delivery, DeliveryState, NoticeAudience, Talk
from bot.outbox.message import Letter, Outgoing
from bot.pacing import Pacer
from bot.services import notices
from bot.services.notices import NoticeError, Progress
from bot.texts import Markup, format_when, plain, t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import ANSWER, UpdateHandler, conversation, drafts
from handlers.delivery_kick import kick_deliveries
from handlers.replies import acknowledge, respond
from handlers.staff.guard import staff_only
from handlers.staff.rosters import TalkPicker, show_picker

logger = logging.getLogger(__name__)

NOTICE_PAGE = "avp"
NOTICE_TALK = "avt"
NOTICE_SEND = "avs"
NOTICE_DROP = "avx"

TYPING = 0
_DRAFT = "notice_draft"
_SHOWN = "notice_progress_shown"
"""bot_data: the progress text last shown per notice, so unchanged progress is not re-sent."""

NOTICE_PICKER = TalkPicker(NOTICE_PAGE, NOTICE_TALK, "broadcast.pick_talk")


@dataclass(frozen=True)
class Draft:
    """A notice being written; its id is in the confirm buttons, so old buttons are stale."""

    id: int
    audience: NoticeAudience
    talk_id: int | None = None
    text: str | None = None


# -- what servants receive ---------------------------------------------------------------


def notice_message(text: str, talk: Talk | None, tz: ZoneInfo) -> Markup:
    """The notice as servants see it: the office's header, the staff's text (escaped) and,
    for general notices, how to stop receiving them."""
    if talk is None:
        return t("broadcast_message.general", text=text)
    return t(
        "broadcast_message.talk",
        text=text,
        title=talk.title,
        when=format_when(talk.starts_at, tz),
    )


async def render_notice(letter: Letter) -> Outgoing:
    """Renders an outbox row of kind NOTICE (its notice, enrollment and talk are loaded)."""
    delivery = letter.delivery
    if delivery.notice is None:
        raise ValueError(f"delivery {delivery.id} has no notice")
    talk = delivery.enrollment.talk if delivery.enrollment is not None else None
    return Outgoing(notice_message(delivery.notice.text, talk, letter.tz))


# -- writing a notice ---------------------------------------------------------------------


@staff_only
async def pick_talk(update: Update, context: BotContext) -> None:
    """/aviso: asks which talk's enrolled the notice is for."""
    await show_picker(update, context, NOTICE_PICKER)


async def _ask_text(update: Update, context: BotContext, draft: Draft, prompt: Markup) -> int:
    drafts(context)[_DRAFT] = draft
    await respond(update, prompt)
    return TYPING


@staff_only
async def start_talk_notice(update: Update, context: BotContext) -> int:
    """A talk was chosen: asks for the text."""
    await acknowledge(update)
    draft = Draft(secrets.randbelow(10**9), NoticeAudience.TALK, cb.int_arg(context.match))
    try:
        async with context.reading() as session:
            preview = await notices.preview(
                session, audience=draft.audience, talk_id=draft.talk_id
            )
    except NoticeError as error:
        await respond(update, t(error.text_key, **error.details))
        return ConversationHandler.END
    assert preview.talk is not None
    prompt = t("broadcast.ask_text_talk", title=preview.talk.title)
    return await _ask_text(update, context, draft, prompt)


@staff_only
async def start_general_notice(update: Update, context: BotContext) -> int:
    """/aviso_todos: asks for the text."""
    draft = Draft(secrets.randbelow(10**9), NoticeAudience.ALL)
    return await _ask_text(update, context, draft, t("broadcast.ask_text_all"))


def _preview_view(
    draft: Draft, preview: notices.Preview, tz: ZoneInfo
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    assert draft.text is not None
    if preview.recipients == 0:
        return t("notice_error.no_recipients"), None
    message = notice_message(draft.text, preview.talk, tz)
    text = t("broadcast.preview", count=f"{preview.recipients:,}", message=message)
    markup = render.keyboard(
        [render.button("broadcast.send_button", NOTICE_SEND, draft.id, count=preview.recipients)],
        [render.button("broadcast.drop_button", NOTICE_DROP, draft.id)],
    )
    return text, markup


@staff_only
async def receive_text(update: Update, context: BotContext) -> int:
    """Takes the typed text and shows the preview with the recipient count."""
    draft: Draft | None = drafts(context).get(_DRAFT)
    message = update.effective_message
    if draft is None or message is None:
        return ConversationHandler.END
    try:
        draft = replace(draft, text=notices.clean_text(message.text or ""))
        async with context.reading() as session:
            preview = await notices.preview(
                session, audience=draft.audience, talk_id=draft.talk_id
            )
    except NoticeError as error:
        await respond(update, t(error.text_key, **error.details))
        return TYPING if error.code in {"empty", "too_long"} else ConversationHandler.END
    drafts(context)[_DRAFT] = draft
    await respond(update, *_preview_view(draft, preview, context.settings.tz))
    return ConversationHandler.END


def _take_draft(context: BotContext) -> Draft | None:
    """The draft the pressed button belongs to (removed, so a second press does nothing)."""
    draft: Draft | None = drafts(context).get(_DRAFT)
    if draft is None or draft.text is None or draft.id != cb.int_arg(context.match):
        return None
    taken: Draft = drafts(context).pop(_DRAFT)
    return taken


@staff_only
async def send_notice(update: Update, context: BotContext) -> None:
    """Confirmed: writes the notice and its outbox rows in one transaction, then sends."""
    user = update.effective_user
    if user is None:
        return
    draft = _take_draft(context)
    if draft is None:
        await acknowledge(update, plain("broadcast.stale"))
        return
    await acknowledge(update)
    message = await respond(update, t("broadcast.preparing"))
    try:
        async with context.unit_of_work() as session:
            notice = await notices.create_notice(
                session,
                audience=draft.audience,
                talk_id=draft.talk_id,
                text=draft.text or "",
                actor=user.id,
                now=context.now(),
                progress_chat_id=message.chat_id if message else None,
                progress_message_id=message.message_id if message else None,
            )
            total = notice.total
    except NoticeError as error:
        await respond(update, t(error.text_key, **error.details))
        return
    await respond(update, t("broadcast.progress", sent=0, total=f"{total:,}"))
    kick_deliveries(context)


@staff_only
async def drop_notice(update: Update, context: BotContext) -> None:
    """Cancel on the preview: nothing is sent."""
    if _take_draft(context) is None:
        await acknowledge(update, plain("broadcast.stale"))
        return
    await acknowledge(update)
    await respond(update, t("broadcast.dropped"))


async def cancel_typing(update: Update, context: BotContext) -> int:
    """/cancelar while the text is awaited."""
    drafts(context).pop(_DRAFT, None)
    await respond(update, t("broadcast.dropped"))
    return ConversationHandler.END


# -- progress and final report ----------------------------------------------------------


def progress_text(progress: Progress) -> Markup:
    if not progress.finished:
        return t("broadcast.progress", sent=f"{progress.sent:,}", total=f"{progress.total:,}")
    return t(
        "broadcast.report",
        total=f"{progress.total:,}",
        sent=f"{progress.sent:,}",
        blocked=f"{progress.blocked:,}",
        opted_out=f"{progress.opted_out:,}",
        failed=f"{progress.failed:,}",
    )


async def _show(bot: Bot, pacer: Pacer, progress: Progress, shown: dict[int, str]) -> None:
    """Edits the progress message when its text changed; sends the report when finished."""
    chat_id, message_id = progress.chat_id, progress.message_id
    if chat_id is None or message_id is None:
        return
    counter = progress_text(replace(progress, finished=False))
    try:
        if shown.get(progress.notice_id) != counter:
            shown[progress.notice_id] = counter
            await pacer.wait(chat_id)
            await bot.edit_message_text(counter, chat_id=chat_id, message_id=message_id)
        if progress.finished:
            shown.pop(progress.notice_id, None)
            await pacer.wait(chat_id)
            await bot.send_message(
                chat_id,
                progress_text(progress),
                reply_parameters=ReplyParameters(message_id, allow_sending_without_reply=True),
            )
    except TelegramError as exc:
        logger.warning("could not show the progress of notice %s: %s", progress.notice_id, exc)


async def report_progress(
    application: Application[Any, Any, Any, Any, Any, Any],
    batch: list[tuple[Delivery, DeliveryState]],
) -> None:
    """After each sender batch: "Enviados X de N" for every open notice, counted from the
    database (so it is right after a restart), and the final report when one is done."""
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    async with runtime.session_factory.begin() as session:
        reports = await notices.settle_open_notices(session, now=runtime.clock.now())
    shown: dict[int, str] = application.bot_data.setdefault(_SHOWN, {})
    for progress in reports:
        await _show(application.bot, runtime.sender.pacer, progress, shown)


# -- opting out ---------------------------------------------------------------------------


def handlers() -> list[UpdateHandler]:
    """Fresh handlers for one Application: a conversation keeps its state in its handler."""
    notice_conversation = conversation(
        name="staff_notice",
        entry_points=[
            CallbackQueryHandler(
                start_talk_notice, pattern=cb.pattern(NOTICE_TALK, with_arg=True)
            ),
            CommandHandler("aviso_todos", start_general_notice),
        ],
        states={TYPING: [MessageHandler(ANSWER, receive_text)]},
        fallbacks=[CommandHandler("cancelar", cancel_typing)],
    )
    return [
        notice_conversation,
        CommandHandler("aviso", pick_talk),
        CallbackQueryHandler(pick_talk, pattern=cb.pattern(NOTICE_PAGE, with_arg=True)),
        CallbackQueryHandler(send_notice, pattern=cb.pattern(NOTICE_SEND, with_arg=True)),
        CallbackQueryHandler(drop_notice, pattern=cb.pattern(NOTICE_DROP, with_arg=True)),
    ]
