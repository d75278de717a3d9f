"""Constancias: the PDF the sender delivers when an attended talk ends, and /verificar CODE,
with which anyone confirms that a constancia is genuine and what it certifies."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from bot.outbox.message import Letter, Outgoing
from bot.services import constancias
from bot.services.constancias import display_verification_code
from bot.texts import format_date, plain, t
from handlers.conversation import UpdateHandler
from handlers.replies import respond


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


async def render_constancia_delivery(letter: Letter) -> Outgoing:
    """The issued constancia as a PDF with its folio and code."""
    tz, issued = letter.tz, letter.constancia
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


HANDLERS: list[UpdateHandler] = [CommandHandler("verificar", verify)]
