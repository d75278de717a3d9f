"""Staff console: attendance.

/asistencia → a talk → open a code to read aloud, or upload the video platform's participant
list (a conversation waiting for the CSV, tried before the talks module's document handler).
What servants do with the code is in `handlers/checkin.py`; the constancia and the survey
that follow attendance are in `handlers/constancias.py` and `handlers/survey.py`.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.services import attendance
from bot.services.attendance import AttendanceError, ImportReport
from bot.texts import Markup, format_when, plain, t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import ANSWER, END, UpdateHandler, conversation, drafts
from handlers.delivery_kick import kick_deliveries
from handlers.replies import acknowledge, respond
from handlers.staff.guard import staff_only

ATTENDANCE_TALKS = "asm"
ATTENDANCE_TALK = "ast"
ATTENDANCE_OPEN = "aso"
ATTENDANCE_UPLOAD = "asl"

WAITING_LIST = 0
UPLOAD_FOR = "attendance_upload_talk"
MAX_NAMES_SHOWN = 25


# --- servants: the code --------------------------------------------------------------------


# --- staff: choosing a talk, opening a code ----------------------------------------------


@staff_only
async def choose_talk(update: Update, context: BotContext) -> None:
    """Lists the talks to take attendance for: ongoing and nearest first."""
    await acknowledge(update)
    async with context.reading() as session:
        talks = await attendance.talks_for_attendance(session, now=context.now())
    if not talks:
        await respond(update, t("attendance.no_talks"))
        return
    tz = context.settings.tz
    rows = [
        [
            InlineKeyboardButton(
                plain(
                    "attendance.talk_item",
                    title=render.short(talk.title, 36),
                    when=format_when(talk.starts_at, tz),
                ),
                callback_data=cb.data(ATTENDANCE_TALK, talk.id),
            )
        ]
        for talk in talks
    ]
    await respond(update, t("attendance.choose_talk"), render.keyboard(*rows))


async def _chosen_talk(
    update: Update, context: BotContext, talk_id: int
) -> attendance.TalkAttendance | None:
    """Answers the button and loads the talk's attendance; explains when it is gone."""
    await acknowledge(update)
    try:
        async with context.reading() as session:
            return await attendance.talk_attendance(session, talk_id=talk_id, now=context.now())
    except AttendanceError as error:
        await respond(update, t(error.text_key))
        return None


@staff_only
async def show_talk(update: Update, context: BotContext) -> None:
    """One talk's attendance so far, its open code if any, and what can be done."""
    talk_id = cb.int_arg(context.match)
    view = await _chosen_talk(update, context, talk_id)
    if view is None:
        return
    tz = context.settings.tz
    parts = [
        t(
            "attendance.talk_menu",
            title=view.talk.title,
            when=format_when(view.talk.starts_at, tz),
            registered=view.registered,
            attended=view.attended,
        )
    ]
    if view.window is not None:
        parts.append(
            t(
                "attendance.window_open",
                code=attendance.display_code(view.window.code),
                until=format_when(view.window.closes_at, tz),
            )
        )
    code_label = "attendance.show_code" if view.window else "attendance.open_code"
    markup = render.keyboard(
        [render.button(code_label, ATTENDANCE_OPEN, talk_id)],
        [render.button("attendance.upload_list", ATTENDANCE_UPLOAD, talk_id)],
        [render.button("attendance.back", ATTENDANCE_TALKS)],
    )
    await respond(update, Markup("\n\n".join(parts)), markup)


@staff_only
async def open_code(update: Update, context: BotContext) -> None:
    """Opens (or shows again) the talk's attendance code, to be read aloud."""
    user = update.effective_user
    if user is None:
        return
    await acknowledge(update)
    try:
        async with context.unit_of_work() as session:
            opened = await attendance.open_window(
                session,
                talk_id=cb.int_arg(context.match),
                actor=user.id,
                now=context.now(),
            )
    except AttendanceError as error:
        await respond(update, t(error.text_key))
        return
    window = opened.window
    await respond(
        update,
        t(
            "attendance.code_opened",
            title=opened.talk.title,
            spelled=attendance.display_code(window.code),
            code=window.code,
            until=format_when(window.closes_at, context.settings.tz),
        ),
        render.keyboard([render.button("attendance.back", ATTENDANCE_TALKS)]),
    )


# --- staff: the participant list -----------------------------------------------------------


@staff_only
async def ask_list(update: Update, context: BotContext) -> int:
    """Asks for the platform's participant list and waits for the file."""
    talk_id = cb.int_arg(context.match)
    view = await _chosen_talk(update, context, talk_id)
    if view is None:
        return END
    drafts(context)[UPLOAD_FOR] = talk_id
    await respond(update, t("attendance.ask_list", title=view.talk.title))
    return WAITING_LIST


@staff_only
async def receive_list(update: Update, context: BotContext) -> int:
    """Matches the uploaded list against the talk's servants and reports what matched."""
    user = update.effective_user
    if user is None:
        return END
    talk_id = drafts(context).get(UPLOAD_FOR)
    document = update.message.document if update.message is not None else None
    if talk_id is None or document is None:
        return END
    try:
        if (document.file_size or 0) > attendance.MAX_FILE_BYTES:
            raise AttendanceError("file_too_large")
        data = bytes(await (await document.get_file()).download_as_bytearray())
        participants = attendance.parse_participants(data)
        async with context.unit_of_work() as session:
            report = await attendance.import_participants(
                session,
                talk_id=talk_id,
                participants=participants,
                actor=user.id,
                now=context.now(),
            )
    except AttendanceError as error:
        await respond(update, t(error.text_key))
        return WAITING_LIST
    drafts(context).pop(UPLOAD_FOR, None)
    again = render.keyboard([render.button("attendance.talk_again", ATTENDANCE_TALK, talk_id)])
    await respond(update, report_text(report), again)
    kick_deliveries(context)
    return END


def report_text(report: ImportReport) -> Markup:
    parts = [
        t(
            "attendance.report",
            title=report.talk_title,
            marked=report.marked,
            already=report.already,
            unmatched_count=len(report.unmatched),
            ambiguous_count=len(report.ambiguous),
        )
    ]
    for key, names in (
        ("attendance.report_unmatched", report.unmatched),
        ("attendance.report_ambiguous", report.ambiguous),
    ):
        if names:
            parts.append(t(key, names=_name_lines(names)))
    return Markup("\n".join(parts))


def _name_lines(names: list[str]) -> Markup:
    lines = [
        t("attendance.report_name", name=render.short(name, 60))
        for name in names[:MAX_NAMES_SHOWN]
    ]
    if len(names) > MAX_NAMES_SHOWN:
        lines.append(t("attendance.report_more", n=len(names) - MAX_NAMES_SHOWN))
    return Markup("\n".join(lines))


async def expect_document(update: Update, context: BotContext) -> int:
    """Text arrived while the list was awaited."""
    await respond(update, t("attendance.expect_document"))
    return WAITING_LIST


async def cancel_upload(update: Update, context: BotContext) -> int:
    drafts(context).pop(UPLOAD_FOR, None)
    await respond(update, t("attendance.cancelled"))
    return END


async def forget_upload(update: Update, context: BotContext) -> None:
    drafts(context).pop(UPLOAD_FOR, None)


# --- anyone: verifying a constancia ------------------------------------------------------


# --- servants: the survey ----------------------------------------------------------------


# --- what the sender delivers ----------------------------------------------------------------


def handlers() -> list[UpdateHandler]:
    """Fresh handlers for one Application: a conversation keeps its state in its handler."""
    upload = conversation(
        name="attendance_upload",
        entry_points=[
            CallbackQueryHandler(ask_list, pattern=cb.pattern(ATTENDANCE_UPLOAD, with_arg=True))
        ],
        states={
            WAITING_LIST: [
                MessageHandler(filters.Document.ALL, receive_list),
                MessageHandler(ANSWER, expect_document),
            ],
        },
        fallbacks=[CommandHandler("cancelar", cancel_upload)],
        on_timeout=forget_upload,
    )
    return [
        upload,
        CallbackQueryHandler(choose_talk, pattern=cb.pattern(ATTENDANCE_TALKS)),
        CallbackQueryHandler(show_talk, pattern=cb.pattern(ATTENDANCE_TALK, with_arg=True)),
        CallbackQueryHandler(open_code, pattern=cb.pattern(ATTENDANCE_OPEN, with_arg=True)),
    ]
