"""Staff console: /inscritos (counts and list of a talk) and /exportar (CSV and XLSX).

Both start from a talk picker (upcoming and recent talks, paginated) that the notices module
reuses. Rosters are personal data: every command and button here is staff-only and every
read is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.models import EnrollmentStatus, Talk
from bot.services import rosters
from bot.services.rosters import Cell, Roster, RosterEntry, TalkChoices
from bot.texts import Markup, format_date, format_when, plain, raw, t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import UpdateHandler
from handlers.replies import acknowledge, respond, send_long
from handlers.staff.guard import staff_only

ROSTER_PAGE = "rlp"
ROSTER_SHOW = "rls"
EXPORT_PAGE = "rxp"
EXPORT_TALK = "rxt"

TALKS_PER_PAGE = 8


@dataclass(frozen=True)
class TalkPicker:
    """The callback actions and prompt of one talk picker."""

    page_action: str
    choose_action: str
    prompt_key: str


ROSTER_PICKER = TalkPicker(ROSTER_PAGE, ROSTER_SHOW, "rosters.pick_roster")
EXPORT_PICKER = TalkPicker(EXPORT_PAGE, EXPORT_TALK, "rosters.pick_export")


def _talk_button(talk: Talk, action: str, tz: ZoneInfo) -> InlineKeyboardButton:
    key = "rosters.talk_button_cancelled" if talk.is_cancelled else "rosters.talk_button"
    date = format_date(talk.starts_at, tz)
    return render.button(key, action, talk.id, date=date, title=render.short(talk.title, 32))


def picker_view(
    choices: TalkChoices, picker: TalkPicker, tz: ZoneInfo
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    """The prompt and one button per talk, with previous/next when there are more pages."""
    if not choices.talks:
        return t("rosters.no_talks"), None
    rows = [[_talk_button(talk, picker.choose_action, tz)] for talk in choices.talks]
    navigation = render.page_buttons(picker.page_action, page=choices.page, pages=choices.pages)
    text = t(picker.prompt_key, page=choices.page + 1, pages=choices.pages)
    return text, render.keyboard(*rows, navigation)


async def show_picker(update: Update, context: BotContext, picker: TalkPicker) -> None:
    """Shows a page of the picker: page 0 for a command, the pressed page for a button."""
    page = cb.int_arg(context.match) if update.callback_query else 0
    await acknowledge(update)
    async with context.reading() as session:
        choices = await rosters.talk_choices(
            session, now=context.now(), page=page, per_page=TALKS_PER_PAGE
        )
    await respond(update, *picker_view(choices, picker, context.settings.tz))


@staff_only
async def pick_for_roster(update: Update, context: BotContext) -> None:
    """/inscritos: asks which talk's roster to show."""
    await show_picker(update, context, ROSTER_PICKER)


@staff_only
async def pick_for_export(update: Update, context: BotContext) -> None:
    """/exportar: asks which talk's roster to export."""
    await show_picker(update, context, EXPORT_PICKER)


async def _load(update: Update, context: BotContext, action: str) -> Roster | None:
    """Loads (and audits the read of) the chosen talk's roster; says so when it is gone."""
    user = update.effective_user
    if user is None:
        return None
    await acknowledge(update)
    async with context.unit_of_work() as session:
        roster = await rosters.load_roster(
            session,
            talk_id=cb.int_arg(context.match),
            actor=user.id,
            action=action,
            now=context.now(),
        )
    if roster is None:
        await respond(update, t("rosters.talk_not_found"))
    return roster


@staff_only
async def show_roster(update: Update, context: BotContext) -> None:
    """Shows the counts and the list, over several messages when it is long."""
    roster = await _load(update, context, "roster.view")
    if roster is None:
        return
    await send_long(update, roster_blocks(roster, context.settings.tz))


@staff_only
async def export_roster(update: Update, context: BotContext) -> None:
    """Sends the roster as roster_<id>.csv and roster_<id>.xlsx."""
    roster = await _load(update, context, "roster.export")
    if roster is None:
        return
    header, rows = export_table(roster, context.settings.tz)
    talk_id = roster.talk.id
    await respond(update, t("rosters.export_ready", title=roster.talk.title, rows=len(rows)))
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_document(
        rosters.roster_csv(header, rows), filename=plain("files.roster_csv", id=talk_id)
    )
    workbook = rosters.roster_xlsx(plain("rosters.sheet_title"), header, rows)
    await chat.send_document(workbook, filename=plain("files.roster_xlsx", id=talk_id))


def _entry_line(number: int, entry: RosterEntry, tz: ZoneInfo) -> Markup:
    key = "rosters.line_attended" if entry.attended_at else "rosters.line"
    return t(
        key,
        number=number,
        name=entry.full_name or plain("rosters.no_name"),
        dependency=entry.dependency or plain("rosters.no_value"),
        email=entry.email or plain("rosters.no_value"),
        when=format_when(entry.enrolled_at, tz) if entry.enrolled_at else "",
    )


def _section(status: EnrollmentStatus, entries: Sequence[RosterEntry], tz: ZoneInfo) -> list[str]:
    if not entries:
        return []
    title = t(f"rosters.section_{status.value}", count=len(entries))
    return [title, *(_entry_line(n, e, tz) for n, e in enumerate(entries, start=1))]


def roster_blocks(roster: Roster, tz: ZoneInfo) -> list[str]:
    """The header with the counts, then each section (sent packed into a few messages)."""
    talk = roster.talk
    header = t(
        "rosters.header",
        title=talk.title,
        when=format_when(talk.starts_at, tz),
        capacity=talk.capacity,
        enrolled=roster.count(EnrollmentStatus.ENROLLED),
        waiting=roster.count(EnrollmentStatus.WAITING),
        cancelled=roster.count(EnrollmentStatus.CANCELLED),
        attended=roster.attended,
    )
    blocks: list[str] = [header]
    if talk.is_cancelled:
        blocks.append(t("rosters.talk_cancelled"))
    if not roster.entries:
        blocks.append(t("rosters.empty"))
    for status in rosters.STATUS_ORDER:
        blocks.extend(_section(status, roster.of(status), tz))
    return blocks


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return moment.astimezone(tz).replace(tzinfo=None) if moment else None


def export_table(roster: Roster, tz: ZoneInfo) -> tuple[list[str], list[list[Cell]]]:
    """The Spanish header and one row per person: the columns the office asked for."""
    header = [str(column) for column in raw("rosters.columns")]
    rows: list[list[Cell]] = [
        [
            entry.full_name or "",
            entry.dependency or "",
            entry.email or "",
            _local(entry.enrolled_at, tz),
            plain(f"rosters.status_{entry.status.value}"),
            plain("rosters.attended_yes" if entry.attended_at else "rosters.attended_no"),
        ]
        for entry in roster.entries
    ]
    return header, rows


HANDLERS: list[UpdateHandler] = [
    CommandHandler("inscritos", pick_for_roster),
    CallbackQueryHandler(pick_for_roster, pattern=cb.pattern(ROSTER_PAGE, with_arg=True)),
    CallbackQueryHandler(show_roster, pattern=cb.pattern(ROSTER_SHOW, with_arg=True)),
    CommandHandler("exportar", pick_for_export),
    CallbackQueryHandler(pick_for_export, pattern=cb.pattern(EXPORT_PAGE, with_arg=True)),
    CallbackQueryHandler(export_roster, pattern=cb.pattern(EXPORT_TALK, with_arg=True)),
]
