"""A CSV document sent by staff: the programme import, as `python -m bot import-talks` runs it."""

from __future__ import annotations

import html

from telegram import Document, Update
from telegram.ext import (
    filters,
)

from bot.cli_import import describe_errors
from bot.context import BotContext
from bot.services import talk_admin
from bot.services.rosters import Cell, roster_csv
from bot.services.talk_admin import TalkAdminError
from bot.services.talk_import import ImportReport
from bot.texts import Markup, format_when, plain, t
from handlers.delivery_kick import kick_deliveries
from handlers.replies import respond
from handlers.staff.guard import staff_only
from handlers.staff.talks.views import deep_link, explain

MAX_CSV_BYTES = 1024 * 1024
CSV_DOCUMENT = filters.Document.FileExtension("csv") | filters.Document.MimeType("text/csv")


async def download_document(context: BotContext, document: Document) -> bytes:
    """The document's bytes, downloaded from Telegram."""
    telegram_file = await context.bot.get_file(document.file_id)
    return bytes(await telegram_file.download_as_bytearray())


SHOWN_ERRORS = 10
"""Errors written in the reply itself; the attached report has all of them."""
LISTED_TALKS = 10
"""Up to this many imported talks are listed in the reply; more go to an attached CSV."""


def _error_report(report: ImportReport) -> tuple[Markup, bytes]:
    """One message with the first errors, and every error as a CSV to open in Excel."""
    summary = plain("import.failed", count=len(report.errors))
    described = describe_errors(report.errors)
    shown = [html.escape(line, quote=False) for line in described[:SHOWN_ERRORS]]
    if len(described) > SHOWN_ERRORS:
        shown.append(t("staff_talks.import.more_errors", count=len(described) - SHOWN_ERRORS))
    text = t("staff_talks.import.failed", summary=summary, errors=Markup("\n".join(shown)))
    rows: list[list[Cell]] = [
        [error.line, error.column or "-", plain(f"import.error.{error.code}", value=error.value)]
        for error in report.errors
    ]
    return text, roster_csv(plain("staff_talks.import.error_columns").split(","), rows)


def _talk_rows(context: BotContext, report: ImportReport) -> list[list[Cell]]:
    tz = context.settings.tz
    return [
        [
            plain(f"staff_talks.import.state_{key}"),
            talk.id,
            talk.title,
            format_when(talk.starts_at, tz),
            deep_link(context, talk.id),
        ]
        for key, found in (("created", report.created), ("updated", report.updated))
        for talk in found
    ]


def _import_blocks(context: BotContext, report: ImportReport) -> list[str]:
    """The import's answer, a block per talk: the CLI's report, with links to share."""
    tz = context.settings.tz
    summary = plain(
        "import.summary",
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
    )
    blocks: list[str] = [t("staff_talks.import.done", summary=summary)]
    if len(report.created) + len(report.updated) <= LISTED_TALKS:
        for key, found in (("created", report.created), ("updated", report.updated)):
            blocks += [
                t(
                    f"staff_talks.import.{key}",
                    id=talk.id,
                    title=talk.title,
                    when=format_when(talk.starts_at, tz),
                    link=deep_link(context, talk.id),
                )
                for talk in found
            ]
    else:
        blocks.append(t("staff_talks.import.listed_in_file"))
    for key, count in (("notified", report.notified), ("promoted", report.promoted)):
        if count:
            blocks.append(t(f"staff_talks.import.{key}", count=count))
    return blocks


async def _answer_import(update: Update, context: BotContext, report: ImportReport) -> None:
    """One message, plus a document when there is more than fits in it."""
    chat = update.effective_chat
    if chat is None:
        return
    if report.errors:
        text, document = _error_report(report)
        await respond(update, text)
        await chat.send_document(document, filename=plain("files.import_errors"))
        return
    await respond(update, Markup("\n\n".join(_import_blocks(context, report))))
    if len(report.created) + len(report.updated) > LISTED_TALKS:
        header = plain("staff_talks.import.talk_columns").split(",")
        await chat.send_document(
            roster_csv(header, _talk_rows(context, report)),
            filename=plain("files.import_talks"),
        )


@staff_only
async def import_document(update: Update, context: BotContext) -> None:
    """A CSV sent by the staff: validated and imported like `python -m bot import-talks`."""
    user = update.effective_user
    document = update.message.document if update.message is not None else None
    if user is None or document is None:
        return
    if (document.file_size or 0) > MAX_CSV_BYTES:
        await respond(update, t("staff_talks.import.too_big"))
        return
    data = await download_document(context, document)
    if len(data) > MAX_CSV_BYTES:
        await respond(update, t("staff_talks.import.too_big"))
        return
    try:
        async with context.unit_of_work() as session:
            report = await talk_admin.import_programme(
                session,
                actor=user.id,
                data=data,
                filename=document.file_name or "",
                tz=context.settings.tz,
                now=context.now(),
                reminder_offsets=context.settings.reminder_offsets,
            )
    except TalkAdminError as error:
        await explain(update, error)
        return
    await _answer_import(update, context, report)
    if report.notified or report.promoted:
        kick_deliveries(context)
