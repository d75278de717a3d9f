"""How the talks console shows a talk, a field, an error and a talk button."""

from __future__ import annotations

from typing import cast
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from telegram import InlineKeyboardButton, Update

from bot.context import BotContext
from bot.models import Modality, Talk
from bot.services.talk_admin import TalkAdminError
from bot.services.talk_import import RowError, TalkField, TalkRow
from bot.services.talks import TalkSnapshot
from bot.texts import LOCALE, Markup, format_when, plain, raw, t
from handlers import callbacks as cb
from handlers import render
from handlers.replies import respond


def field_label(talk_field: TalkField) -> str:
    return plain(f"staff_talks.fields.{talk_field}")


def modality_label(modality: str) -> str:
    return plain(f"staff_talks.modalities.{modality}")


def display_value(talk_field: TalkField, source: Talk | TalkRow, tz: ZoneInfo) -> str:
    """A field's value as the office reads it."""
    value = getattr(source, talk_field)
    if talk_field == TalkField.STARTS_AT:
        return format_when(value, tz)
    if talk_field == TalkField.MODALITY:
        return modality_label(value)
    if talk_field == TalkField.DESCRIPTION and not value:
        return plain("staff_talks.no_description")
    return plain("staff_talks.empty_value") if value is None else str(value)


def talk_summary(source: Talk | TalkRow, tz: ZoneInfo) -> Markup:
    """Every field of a talk (or of a draft), for previews and confirmations."""
    if source.modality == Modality.VIRTUAL:
        access = t("staff_talks.summary.virtual", link=source.meeting_link or "")
    else:
        access = t("staff_talks.summary.presencial", venue=source.venue or "")
    return t(
        "staff_talks.summary.text",
        title=source.title,
        topic=source.topic,
        description=display_value(TalkField.DESCRIPTION, source, tz),
        when=format_when(source.starts_at, tz),
        duration=source.duration_min,
        speaker=source.speaker,
        organizer=source.organizer,
        access=access,
        capacity=source.capacity,
    )


def deep_link(context: BotContext, talk_id: int) -> str:
    return plain("staff_talks.deep_link", bot=context.bot.username, id=talk_id)


async def explain(update: Update, error: TalkAdminError) -> None:
    """Tells what was wrong; a value that broke the import's rules lists each problem."""
    if error.code != "invalid":
        await respond(update, t(error.text_key, **error.details), edit=False)
        return
    problems = "\n".join(
        plain(
            "staff_talks.error.problem",
            label=field_label(problem.field) if problem.field else "-",
            problem=plain(f"import.error.{problem.code}", value=render.short(problem.value, 80)),
        )
        for problem in cast("list[RowError]", error.details["problems"])
    )
    await respond(update, t("staff_talks.error.invalid", problems=problems), edit=False)


def talk_button(
    action: str, talk: Talk | TalkSnapshot, tz: ZoneInfo
) -> list[InlineKeyboardButton]:
    when = format_datetime(
        talk.starts_at, raw("staff_talks.formats.button"), tzinfo=tz, locale=LOCALE
    )
    label = plain("staff_talks.buttons.talk", when=when, title=render.short(talk.title))
    return [InlineKeyboardButton(label, callback_data=cb.data(action, talk.id))]
