"""Attendance by code: during a virtual session the office reads a short code aloud, and each
servant sends /asistencia CODE, or just the code, to be marked present. Bare /asistencia
opens the staff's attendance console (for staff) or explains how it works.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.services import attendance
from bot.services.attendance import AttendanceError, CheckInOutcome
from bot.texts import t
from handlers.conversation import ANSWER, UpdateHandler
from handlers.delivery_kick import kick_deliveries
from handlers.replies import respond
from handlers.staff.attendance import choose_talk
from handlers.staff.guard import is_staff

CODE_ALONE = re.compile(rf"^\s*{attendance.CODE_SHAPE}\s*$")


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
    if update.message is None:
        return
    await check_in(update, context, update.message.text or "")


async def check_in(update: Update, context: BotContext, code: str) -> None:
    """Marks the sender present in the talk whose open window has this code."""
    user = update.effective_user
    if user is None:
        return
    try:
        async with context.unit_of_work() as session:
            result = await attendance.check_in(
                session, telegram_user_id=user.id, code=code, now=context.now()
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


HANDLERS: list[UpdateHandler] = [
    CommandHandler("asistencia", attendance_command),
    MessageHandler(filters.Regex(CODE_ALONE) & ANSWER, code_alone),
]
