"""Attendance, constancias and the survey.

Staff: /asistencia → a talk → open a code to read aloud, or upload the video platform's
participant list (a conversation waiting for the CSV, tried before the talks module's
document handler). Servants: /asistencia CODE, or the code alone, marks them present;
/verificar CODE confirms a constancia. The sender delivers the constancia (a PDF) when the
talk ends and the survey (1–5, then an optional comment) an hour later.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.models import Delivery, DeliveryKind
from bot.office import office
from bot.services import attendance, constancias, surveys
from bot.services.attendance import AttendanceError, CheckInOutcome, ImportReport
from bot.services.constancias import display_verification_code
from bot.services.surveys import SurveyError
from bot.texts import Markup, format_date, format_when, plain, t
from handlers import callbacks as cb
from handlers import render
from handlers.delivery_kick import kick_deliveries
from handlers.notices import RENDERERS, Outgoing
from handlers.replies import acknowledge, respond
from handlers.staff.guard import is_staff, staff_only

if TYPE_CHECKING:
    from bot.context import Runtime

ATTENDANCE_TALKS = "asm"
ATTENDANCE_TALK = "ast"
ATTENDANCE_OPEN = "aso"
ATTENDANCE_UPLOAD = "asl"
SURVEY_SCORE = "svs"
SURVEY_SKIP = "svo"

WAITING_LIST, WAITING_COMMENT = range(2)
UPLOAD_FOR = "attendance_upload_talk"
COMMENT_FOR = "survey_comment_enrollment"
CONVERSATION_TIMEOUT_SECONDS = 15 * 60
MAX_NAMES_SHOWN = 25
END = ConversationHandler.END
TEXT = filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
CODE_ALONE = re.compile(rf"^\s*{attendance.CODE_SHAPE}\s*$")


# --- servants: the code --------------------------------------------------------------------


async def attendance_command(update: Update, context: BotContext) -> None:
    """/asistencia CODE marks a servant present; bare /asistencia opens staff's console."""
    if context.args:
        await check_in(update, context, "".join(context.args))
    elif is_staff(update, context):
        await choose_talk(update, context)
    else:
        await respond(update, t("attendance.servant_hint"))


async def code_alone(update: Update, context: BotContext) -> None:
    """A message that is just a code ("KMT 472") counts as /asistencia KMT472."""
    await check_in(update, context, update.message.text or "")


async def check_in(update: Update, context: BotContext, code: str) -> None:
    """Marks the sender present in the talk whose open window has this code."""
    try:
        async with context.unit_of_work() as session:
            result = await attendance.check_in(
                session, telegram_user_id=update.effective_user.id, code=code, now=context.now()
            )
    except AttendanceError as error:
        await respond(update, t(error.text_key, **error.details))
        return
    marked = result.outcome == CheckInOutcome.MARKED
    await respond(
        update, t("attendance.marked" if marked else "attendance.already", title=result.talk.title)
    )
    if marked:
        kick_deliveries(context)


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
    await acknowledge(update)
    try:
        async with context.unit_of_work() as session:
            opened = await attendance.open_window(
                session,
                talk_id=cb.int_arg(context.match),
                actor=update.effective_user.id,
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
    context.user_data[UPLOAD_FOR] = talk_id
    await respond(update, t("attendance.ask_list", title=view.talk.title))
    return WAITING_LIST


@staff_only
async def receive_list(update: Update, context: BotContext) -> int:
    """Matches the uploaded list against the talk's servants and reports what matched."""
    talk_id = context.user_data.get(UPLOAD_FOR)
    document = update.message.document
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
                actor=update.effective_user.id,
                now=context.now(),
            )
    except AttendanceError as error:
        await respond(update, t(error.text_key))
        return WAITING_LIST
    context.user_data.pop(UPLOAD_FOR, None)
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
    context.user_data.pop(UPLOAD_FOR, None)
    await respond(update, t("attendance.cancelled"))
    return END


async def forget_upload(update: Update, context: BotContext) -> None:
    context.user_data.pop(UPLOAD_FOR, None)


# --- anyone: verifying a constancia ------------------------------------------------------


async def verify(update: Update, context: BotContext) -> None:
    """/verificar CODE: says whether a constancia is genuine and what it certifies."""
    if not context.args:
        await respond(update, t("verify.usage"))
        return
    async with context.reading() as session:
        found = await constancias.verify(session, code="".join(context.args))
    if found is None:
        await respond(update, t("verify.unknown"))
        return
    await respond(
        update,
        t(
            "verify.genuine",
            folio=found.folio,
            name=found.full_name,
            title=found.talk_title,
            date=format_date(found.talk_starts_at, context.settings.tz),
            minutes=found.duration_min,
            organizer=found.organizer,
        ),
    )


# --- servants: the survey ----------------------------------------------------------------


async def survey_score(update: Update, context: BotContext) -> int:
    """Records the 1–5 answer (once, only the attendee's own) and invites a comment."""
    enrollment_id, score = int(context.match.group(1)), int(context.match.group(2))
    try:
        async with context.unit_of_work() as session:
            await surveys.record_score(
                session,
                enrollment_id=enrollment_id,
                telegram_user_id=update.effective_user.id,
                score=score,
                now=context.now(),
            )
    except SurveyError as error:
        await acknowledge(update, plain(error.text_key))
        return END
    await acknowledge(update)
    context.user_data[COMMENT_FOR] = enrollment_id
    skip = render.keyboard([render.button("survey.skip", SURVEY_SKIP, enrollment_id)])
    await respond(update, t("survey.thanks", score=score), skip)
    return WAITING_COMMENT


async def receive_comment(update: Update, context: BotContext) -> int:
    """Stores the optional comment; asks again if it is empty or too long."""
    enrollment_id = context.user_data.get(COMMENT_FOR)
    if enrollment_id is None:
        return END
    try:
        async with context.unit_of_work() as session:
            await surveys.add_comment(
                session,
                enrollment_id=enrollment_id,
                telegram_user_id=update.effective_user.id,
                comment=update.message.text or "",
            )
    except SurveyError as error:
        await respond(update, t(error.text_key, **error.details))
        if error.code in {"comment_empty", "comment_too_long"}:
            return WAITING_COMMENT
    else:
        await respond(update, t("survey.comment_saved"))
    context.user_data.pop(COMMENT_FOR, None)
    return END


async def skip_comment(update: Update, context: BotContext) -> int:
    """ "Omitir": no comment; the buttons go away."""
    await acknowledge(update)
    context.user_data.pop(COMMENT_FOR, None)
    await respond(update, t("survey.skipped"))
    return END


async def expect_comment(update: Update, context: BotContext) -> int:
    await respond(update, t("survey.expect_text"))
    return WAITING_COMMENT


async def forget_comment(update: Update, context: BotContext) -> None:
    context.user_data.pop(COMMENT_FOR, None)


# --- what the sender delivers ----------------------------------------------------------------


async def render_constancia_delivery(
    delivery: Delivery, runtime: Runtime, now: datetime
) -> Outgoing:
    """Issues the constancia (once) and sends it as a PDF with its folio and code."""
    tz = runtime.settings.tz
    async with runtime.session_factory.begin() as session:
        issued = await constancias.issue(
            session,
            enrollment_id=delivery.enrollment_id or 0,
            now=now,
            tz=tz,
            folio_prefix=office().folio_prefix,
        )
    if issued is None:
        raise ValueError("constancia for an enrollment without attendance")
    # fpdf2 and its fonts load only when the first constancia is drawn, not at start-up.
    from bot.constancia_pdf import render_constancia

    pdf = await asyncio.to_thread(render_constancia, issued, tz=tz)
    code = display_verification_code(issued.verification_code)
    return Outgoing(
        None,
        document=pdf,
        filename=plain("constancia.filename", folio=issued.folio),
        caption=t("constancia.caption", title=issued.talk_title, folio=issued.folio, code=code),
    )


async def render_survey_delivery(delivery: Delivery, runtime: Runtime, now: datetime) -> Outgoing:
    """The one-question survey: the talk's title and buttons 1 to 5."""
    enrollment = delivery.enrollment
    assert enrollment is not None
    scores = [
        render.button("survey.score", SURVEY_SCORE, enrollment.id, score, score=score)
        for score in range(surveys.MIN_SCORE, surveys.MAX_SCORE + 1)
    ]
    return Outgoing(t("survey.question", title=enrollment.talk.title), render.keyboard(scores))


RENDERERS[DeliveryKind.CONSTANCIA] = render_constancia_delivery
RENDERERS[DeliveryKind.SURVEY] = render_survey_delivery


UPLOAD = ConversationHandler(
    name="attendance_upload",
    entry_points=[
        CallbackQueryHandler(ask_list, pattern=cb.pattern(ATTENDANCE_UPLOAD, with_arg=True))
    ],
    states={
        WAITING_LIST: [
            MessageHandler(filters.Document.ALL, receive_list),
            MessageHandler(TEXT, expect_document),
        ],
        ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, forget_upload)],
    },
    fallbacks=[CommandHandler("cancelar", cancel_upload)],
    allow_reentry=True,
    conversation_timeout=CONVERSATION_TIMEOUT_SECONDS,
)

SURVEY_COMMENT = ConversationHandler(
    name="survey_comment",
    entry_points=[
        CallbackQueryHandler(
            survey_score,
            pattern=cb.pattern(SURVEY_SCORE, with_arg=True, arg=r"\d{1,9}):([1-5]"),
        )
    ],
    states={
        WAITING_COMMENT: [
            CallbackQueryHandler(skip_comment, pattern=cb.pattern(SURVEY_SKIP, with_arg=True)),
            MessageHandler(TEXT, receive_comment),
            MessageHandler(~filters.COMMAND & ~filters.TEXT, expect_comment),
        ],
        ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, forget_comment)],
    },
    fallbacks=[CommandHandler("cancelar", skip_comment)],
    allow_reentry=True,
    conversation_timeout=CONVERSATION_TIMEOUT_SECONDS,
)

HANDLERS: list[BaseHandler] = [
    UPLOAD,
    SURVEY_COMMENT,
    CommandHandler("asistencia", attendance_command),
    CommandHandler("verificar", verify),
    CallbackQueryHandler(choose_talk, pattern=cb.pattern(ATTENDANCE_TALKS)),
    CallbackQueryHandler(show_talk, pattern=cb.pattern(ATTENDANCE_TALK, with_arg=True)),
    CallbackQueryHandler(open_code, pattern=cb.pattern(ATTENDANCE_OPEN, with_arg=True)),
    CallbackQueryHandler(skip_comment, pattern=cb.pattern(SURVEY_SKIP, with_arg=True)),
    MessageHandler(filters.Regex(CODE_ALONE) & TEXT, code_alone),
]
