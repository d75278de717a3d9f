"""Staff console: /nueva_platica, /editar_platica, /reprogramar, /cancelar_platica, and a CSV
document sent to the bot, which imports the programme as `python -m bot import-talks` does.

One conversation holds the guided flows. A flow keeps its draft in `user_data` under a random
token that every button of the flow carries, so a button on an older message can never save
the draft of a newer one. Buttons that say all they do (pick a talk, confirm a new time or a
cancellation) carry the talk and act on it alone. Every button is an entry point of the
conversation, so each is checked against the staff list whether or not a flow is running.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Document, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.cli_import import describe_errors
from bot.context import BotContext
from bot.models import Modality, Talk
from bot.services import talk_admin, talks
from bot.services.talk_admin import TalkAdminError
from bot.services.talk_import import ImportReport, TalkField, TalkRow
from bot.texts import LOCALE, Markup, format_when, plain, raw, t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import ANSWER, END, NOT_TEXT, conversation
from handlers.delivery_kick import kick_deliveries
from handlers.replies import acknowledge, respond, send_long
from handlers.staff.guard import staff_only

PICK_EDIT = "kpe"
PICK_RESCHEDULE = "kpr"
PICK_CANCEL = "kpc"
FIELD = "kfd"
MODALITY = "kmo"
DEFAULT = "kdf"
SAVE = "kok"
CORRECT = "kfx"
BACK = "kbk"
ABORT = "kab"
RESCHEDULE_YES = "kry"
CANCEL_YES = "kcy"

TYPING, CHOOSING = range(2)
NEW, EDIT, RESCHEDULE = "new", "edit", "reschedule"
MAX_CSV_BYTES = 1024 * 1024
MAX_LISTED = 40
"""Talks offered as buttons: the soonest; the office programmes about 46 a year."""
ACCESS = "access"
STEPS: tuple[TalkField | str, ...] = (
    TalkField.TITLE,
    TalkField.TOPIC,
    TalkField.DESCRIPTION,
    TalkField.SPEAKER,
    TalkField.ORGANIZER,
    TalkField.STARTS_AT,
    TalkField.DURATION,
    TalkField.MODALITY,
    ACCESS,
    TalkField.CAPACITY,
)
"""The questions of /nueva_platica, in the programme's order; ACCESS is the link or the
venue, whichever the modality needs."""
RETRY_CODES = frozenset(
    {"invalid", "in_the_past", "same_time", "unchanged", "capacity_below_enrolled"}
)
"""Errors about the typed value: the flow goes on and asks again."""
_FLOW = "staff_talk_flow"
_ARGS = r"[0-9a-z_]{1,16}(?::[0-9a-z_]{1,16})?"
CSV_DOCUMENT = filters.Document.FileExtension("csv") | filters.Document.MimeType("text/csv")
_MODALITIES = frozenset(modality.value for modality in Modality)
Found = TypeVar("Found")


@dataclass
class Flow:
    """A draft in progress: a new talk, or changes to (or a new time for) an existing one."""

    kind: str
    talk_id: int | None = None
    title: str = ""
    values: dict[TalkField, str] = field(default_factory=dict)
    current: dict[TalkField, str] = field(default_factory=dict)
    starts_at: datetime | None = None
    awaiting: TalkField | None = None
    token: str = field(default_factory=lambda: secrets.token_hex(4))


def _start_flow(context: BotContext, kind: str, talk: Talk | None = None) -> Flow:
    flow = Flow(kind)
    if talk is not None:
        flow.talk_id, flow.title, flow.starts_at = talk.id, talk.title, talk.starts_at
        flow.current = talk_admin.record_of(talk, context.settings.tz)
    context.user_data[_FLOW] = flow
    return flow


def _forget(context: BotContext) -> None:
    context.user_data.pop(_FLOW, None)


def _any(flow: Flow, argument: str) -> bool:
    return True


async def _flow_of(
    update: Update, context: BotContext, fits: Callable[[Flow, str], bool] = _any
) -> tuple[Flow, str] | None:
    """The running flow a button belongs to and the button's argument; None when the button
    is from another flow or doesn't fit the step (the presser is told it is stale)."""
    token, _, argument = context.match.group(1).partition(":")
    flow = context.user_data.get(_FLOW)
    if flow is None or flow.token != token or not fits(flow, argument):
        await acknowledge(update, plain("staff_talks.stale"))
        return None
    await acknowledge(update)
    return flow, argument


def _flow_button(
    label_key: str, action: str, flow: Flow, *args: object, **values: object
) -> InlineKeyboardButton:
    """A button of this flow: its data carries the flow's token."""
    return render.button(label_key, action, ":".join([flow.token, *map(str, args)]), **values)


def _abort_row() -> list[InlineKeyboardButton]:
    return [render.button("staff_talks.buttons.abort", ABORT)]


def _label(talk_field: TalkField) -> str:
    return plain(f"staff_talks.fields.{talk_field}")


def _modality_label(modality: str) -> str:
    return plain(f"staff_talks.modalities.{modality}")


def _display(talk_field: TalkField, source: Talk | TalkRow, tz: ZoneInfo) -> str:
    """A field's value as the office reads it."""
    value = getattr(source, talk_field)
    if talk_field == TalkField.STARTS_AT:
        return format_when(value, tz)
    if talk_field == TalkField.MODALITY:
        return _modality_label(value)
    if talk_field == TalkField.DESCRIPTION and not value:
        return plain("staff_talks.no_description")
    return plain("staff_talks.empty_value") if value is None else str(value)


def _summary(source: Talk | TalkRow, tz: ZoneInfo) -> Markup:
    """Every field of a talk (or of a draft), for previews and confirmations."""
    if source.modality == Modality.VIRTUAL:
        access = t("staff_talks.summary.virtual", link=source.meeting_link or "")
    else:
        access = t("staff_talks.summary.presencial", venue=source.venue or "")
    return t(
        "staff_talks.summary.text",
        title=source.title,
        topic=source.topic,
        description=_display(TalkField.DESCRIPTION, source, tz),
        when=format_when(source.starts_at, tz),
        duration=source.duration_min,
        speaker=source.speaker,
        organizer=source.organizer,
        access=access,
        capacity=source.capacity,
    )


def _deep_link(context: BotContext, talk_id: int) -> str:
    return plain("staff_talks.deep_link", bot=context.bot.username, id=talk_id)


async def _explain(update: Update, error: TalkAdminError) -> None:
    """Tells what was wrong; a value that broke the import's rules lists each problem."""
    if error.code != "invalid":
        await respond(update, t(error.text_key, **error.details), edit=False)
        return
    problems = "\n".join(
        plain(
            "staff_talks.error.problem",
            label=_label(problem.field) if problem.field else "-",
            problem=plain(f"import.error.{problem.code}", value=problem.value),
        )
        for problem in error.details["problems"]
    )
    await respond(update, t("staff_talks.error.invalid", problems=problems), edit=False)


async def _failed(
    update: Update, context: BotContext, error: TalkAdminError, *, retry: bool = True
) -> int:
    """Explains the error; asks again when it was about the typed value, else ends the flow."""
    await _explain(update, error)
    if retry and error.code in RETRY_CODES:
        return TYPING
    _forget(context)
    return END


# --- Asking for values -------------------------------------------------------------------


def _example_start(context: BotContext) -> str:
    local = (context.now() + timedelta(days=7)).astimezone(context.settings.tz)
    return local.strftime("%Y-%m-%d 10:00")


def _prompt(context: BotContext, flow: Flow, asked: TalkField) -> Markup:
    text = t(f"staff_talks.ask.{asked}", example=_example_start(context))
    if flow.kind == NEW:
        step = STEPS.index(ACCESS if asked in talk_admin.ACCESS_FIELDS.values() else asked)
        return Markup(f"{t('staff_talks.ask.step', n=step + 1, total=len(STEPS))}\n{text}")
    header = t(f"staff_talks.ask.{flow.kind}_header", title=flow.title)
    value = flow.current.get(asked) or plain("staff_talks.empty_value")
    return Markup(f"{header}\n\n{text}\n\n{t('staff_talks.ask.current', value=value)}")


def _prompt_markup(flow: Flow, asked: TalkField) -> InlineKeyboardMarkup:
    if asked == TalkField.MODALITY:
        options = [
            _flow_button(
                "staff_talks.buttons.modality", MODALITY, flow, m, label=_modality_label(m)
            )
            for m in Modality
        ]
        return render.keyboard(options, _abort_row())
    if asked == TalkField.DESCRIPTION:
        extra = [_flow_button("staff_talks.buttons.no_description", DEFAULT, flow)]
    elif asked == TalkField.ORGANIZER:
        name = plain("staff_talks.default_organizer")
        extra = [_flow_button("staff_talks.buttons.default_organizer", DEFAULT, flow, name=name)]
    else:
        extra = []
    return render.keyboard(extra, _abort_row())


async def _ask(
    update: Update, context: BotContext, flow: Flow, asked: TalkField, *, edit: bool = False
) -> int:
    """Asks for one value; the modality is chosen with buttons, everything else typed."""
    flow.awaiting = asked
    text = _prompt(context, flow, asked)
    await respond(update, text, _prompt_markup(flow, asked), edit=edit)
    return CHOOSING if asked == TalkField.MODALITY else TYPING


def _step_field(step: TalkField | str, values: dict[TalkField, str]) -> TalkField:
    """The field a step asks for: ACCESS is the link or the venue, as the modality needs."""
    if step == ACCESS:
        return talk_admin.access_field(values.get(TalkField.MODALITY) or Modality.VIRTUAL)
    return TalkField(step)


def _next_field(values: dict[TalkField, str]) -> TalkField | None:
    for step in STEPS:
        if (asked := _step_field(step, values)) not in values:
            return asked
    return None


async def _ask_next(update: Update, context: BotContext, flow: Flow) -> int:
    asked = _next_field(flow.values)
    if asked is None:
        return await _show_new_preview(update, context, flow)
    return await _ask(update, context, flow, asked)


async def _take_value(update: Update, context: BotContext, flow: Flow, value: str) -> int:
    """Handles a value for the awaited field, typed or chosen, in whichever flow is running."""
    takers = {NEW: _take_new_value, EDIT: _show_edit_preview, RESCHEDULE: _show_new_time}
    try:
        return await takers[flow.kind](update, context, flow, value)
    except TalkAdminError as error:
        return await _failed(update, context, error)


@staff_only
async def receive_value(update: Update, context: BotContext) -> int | None:
    """Takes the typed answer to the question asked last."""
    flow = context.user_data.get(_FLOW)
    if flow is None or flow.awaiting is None:
        return END
    return await _take_value(update, context, flow, update.message.text or "")


@staff_only
async def choose_default(update: Update, context: BotContext) -> int | None:
    """«Sin descripción», or the Defensoría as organizer: the value without typing it."""
    found = await _flow_of(
        update, context, lambda f, _: f.awaiting in {TalkField.DESCRIPTION, TalkField.ORGANIZER}
    )
    if found is None:
        return None
    flow = found[0]
    assert flow.awaiting is not None
    no_description = flow.awaiting == TalkField.DESCRIPTION
    value = "" if no_description else plain("staff_talks.default_organizer")
    shown = value or plain("staff_talks.no_description")
    await respond(update, t("staff_talks.new.chosen", label=_label(flow.awaiting), value=shown))
    return await _take_value(update, context, flow, value)


@staff_only
async def choose_modality(update: Update, context: BotContext) -> int | None:
    """Virtual or presencial; then the link or the venue that the modality needs."""
    found = await _flow_of(
        update, context, lambda f, m: f.awaiting == TalkField.MODALITY and m in _MODALITIES
    )
    if found is None:
        return None
    flow, modality = found
    await respond(
        update,
        t(
            "staff_talks.new.chosen",
            label=_label(TalkField.MODALITY),
            value=_modality_label(modality),
        ),
    )
    flow.values = talk_admin.with_modality(flow.values, modality, editing=flow.kind == EDIT)
    if flow.kind == EDIT:
        return await _ask(update, context, flow, talk_admin.access_field(modality))
    return await _ask_next(update, context, flow)


# --- /nueva_platica ----------------------------------------------------------------------


@staff_only
async def new_talk(update: Update, context: BotContext) -> int:
    """Starts the guided creation of a talk: one question per field."""
    flow = _start_flow(context, NEW)
    await respond(update, t("staff_talks.new.intro"))
    return await _ask_next(update, context, flow)


async def _take_new_value(update: Update, context: BotContext, flow: Flow, value: str) -> int:
    asked = flow.awaiting
    assert asked is not None
    flow.values[asked] = talk_admin.check_field(
        asked, value, values=flow.values, tz=context.settings.tz, now=context.now()
    )
    return await _ask_next(update, context, flow)


async def _show_new_preview(update: Update, context: BotContext, flow: Flow) -> int:
    flow.awaiting = None
    try:
        row = talk_admin.parse_draft(flow.values, tz=context.settings.tz, now=context.now())
    except TalkAdminError as error:
        await _explain(update, error)
        return await _show_fields(update, context, flow)
    markup = render.keyboard(
        [_flow_button("staff_talks.buttons.save", SAVE, flow)],
        [_flow_button("staff_talks.buttons.correct", CORRECT, flow)],
        _abort_row(),
    )
    summary = _summary(row, context.settings.tz)
    await respond(update, t("staff_talks.new.preview", summary=summary), markup, edit=False)
    return CHOOSING


@staff_only
async def correct(update: Update, context: BotContext) -> int | None:
    """Shows the fields of the draft, to change one."""
    found = await _flow_of(update, context, lambda f, _: f.kind == NEW and f.awaiting is None)
    if found is None:
        return None
    return await _show_fields(update, context, found[0])


@staff_only
async def back_to_preview(update: Update, context: BotContext) -> int | None:
    """Leaves the field list of a draft unchanged."""
    found = await _flow_of(update, context, lambda f, _: f.kind == NEW)
    if found is None:
        return None
    return await _show_new_preview(update, context, found[0])


@staff_only
async def save(update: Update, context: BotContext) -> int | None:
    """«Guardar» on a new talk's preview, or «Confirmar» on an edit's."""
    savers = {NEW: _create, EDIT: _apply_edit}
    found = await _flow_of(update, context, lambda f, _: f.kind in savers and f.awaiting is None)
    if found is None:
        return None
    return await savers[found[0].kind](update, context, found[0])


async def _create(update: Update, context: BotContext, flow: Flow) -> int:
    """Creates the talk from the draft and gives the deep link to share it."""
    tz = context.settings.tz
    try:
        async with context.unit_of_work() as session:
            talk = await talk_admin.create_talk(
                session,
                actor=update.effective_user.id,
                values=flow.values,
                tz=tz,
                now=context.now(),
                reminder_offsets=context.settings.reminder_offsets,
            )
    except TalkAdminError as error:
        await _explain(update, error)
        return CHOOSING
    _forget(context)
    text = t(
        "staff_talks.new.saved",
        id=talk.id,
        summary=_summary(talk, tz),
        link=_deep_link(context, talk.id),
    )
    await respond(update, text)
    return END


# --- Choosing a talk, and what to change -------------------------------------------------


def _talk_button(action: str, talk: Talk, tz: ZoneInfo) -> list[InlineKeyboardButton]:
    when = format_datetime(
        talk.starts_at, raw("staff_talks.formats.button"), tzinfo=tz, locale=LOCALE
    )
    label = plain("staff_talks.buttons.talk", when=when, title=render.short(talk.title))
    return [InlineKeyboardButton(label, callback_data=cb.data(action, talk.id))]


async def _choose_talk(update: Update, context: BotContext, action: str, text_key: str) -> int:
    """Lists the upcoming talks as buttons that lead to `action`."""
    _forget(context)
    async with context.reading() as session:
        page = await talks.upcoming_page(session, now=context.now(), page=0, per_page=MAX_LISTED)
    if not page.talks:
        await respond(update, t("staff_talks.no_talks"))
        return END
    rows = [_talk_button(action, talk, context.settings.tz) for talk in page.talks]
    await respond(update, t(text_key), render.keyboard(*rows, _abort_row()))
    return CHOOSING


@staff_only
async def choose_talk_to_edit(update: Update, context: BotContext) -> int:
    """/editar_platica: which talk."""
    return await _choose_talk(update, context, PICK_EDIT, "staff_talks.choose.edit")


@staff_only
async def choose_talk_to_reschedule(update: Update, context: BotContext) -> int:
    """/reprogramar: which talk."""
    return await _choose_talk(update, context, PICK_RESCHEDULE, "staff_talks.choose.reschedule")


@staff_only
async def choose_talk_to_cancel(update: Update, context: BotContext) -> int:
    """/cancelar_platica: which talk."""
    return await _choose_talk(update, context, PICK_CANCEL, "staff_talks.choose.cancel")


def _fields_shown(flow: Flow) -> list[TalkField]:
    values = flow.values if flow.kind == NEW else flow.current
    return [_step_field(step, values) for step in STEPS]


async def _show_fields(update: Update, context: BotContext, flow: Flow) -> int:
    """The field buttons: what to correct in a draft, or what to change in a talk."""
    flow.awaiting = None
    buttons = [
        _flow_button("staff_talks.buttons.field", FIELD, flow, shown, label=_label(shown))
        for shown in _fields_shown(flow)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if flow.kind == NEW:
        rows.append([_flow_button("staff_talks.buttons.back", BACK, flow)])
        text = t("staff_talks.new.which_field")
    else:
        assert flow.starts_at is not None
        when = format_when(flow.starts_at, context.settings.tz)
        text = t("staff_talks.edit.which_field", title=flow.title, when=when)
    await respond(update, text, render.keyboard(*rows, _abort_row()))
    return CHOOSING


async def _picked(
    update: Update, context: BotContext, lookup: Callable[[AsyncSession, int], Awaitable[Found]]
) -> Found | None:
    """Loads what the pressed talk button names; when it can't be used, says why."""
    await acknowledge(update)
    try:
        async with context.reading() as session:
            return await lookup(session, cb.int_arg(context.match))
    except TalkAdminError as error:
        await _failed(update, context, error, retry=False)
        return None


@staff_only
async def pick_talk_to_edit(update: Update, context: BotContext) -> int:
    """Opens a talk for editing: the field buttons."""
    talk = await _picked(update, context, lambda s, i: talk_admin.editable_talk(s, talk_id=i))
    if talk is None:
        return END
    return await _show_fields(update, context, _start_flow(context, EDIT, talk))


@staff_only
async def choose_field(update: Update, context: BotContext) -> int | None:
    """A field to type again; in an existing talk the start goes through the reschedule."""
    found = await _flow_of(update, context, lambda f, chosen: chosen in _fields_shown(f))
    if found is None:
        return None
    flow, chosen = found[0], TalkField(found[1])
    if flow.kind == EDIT:
        flow.values = {}
        if chosen == TalkField.STARTS_AT:
            flow.kind = RESCHEDULE
    return await _ask(update, context, flow, chosen, edit=True)


# --- /editar_platica ---------------------------------------------------------------------


async def _show_edit_preview(update: Update, context: BotContext, flow: Flow, value: str) -> int:
    assert flow.talk_id is not None and flow.awaiting is not None
    changes = {**flow.values, flow.awaiting: value}
    tz = context.settings.tz
    async with context.reading() as session:
        preview = await talk_admin.preview_edit(
            session, talk_id=flow.talk_id, changes=changes, tz=tz
        )
    flow.values, flow.awaiting = changes, None
    lines = [
        t(
            "staff_talks.edit.change",
            label=_label(changed),
            old=_display(changed, preview.talk, tz),
            new=_display(changed, preview.row, tz),
        )
        for changed in preview.fields
    ]
    listed = Markup("\n".join(lines))
    text = t("staff_talks.edit.confirm", title=preview.talk.title, changes=listed)
    markup = render.keyboard(
        [_flow_button("staff_talks.buttons.confirm_edit", SAVE, flow)], _abort_row()
    )
    await respond(update, text, markup, edit=False)
    return CHOOSING


async def _apply_edit(update: Update, context: BotContext, flow: Flow) -> int:
    """Saves the changes; a larger capacity gives seats to the first in line."""
    assert flow.talk_id is not None
    try:
        async with context.unit_of_work() as session:
            result = await talk_admin.edit_talk(
                session,
                actor=update.effective_user.id,
                talk_id=flow.talk_id,
                changes=flow.values,
                tz=context.settings.tz,
                now=context.now(),
                reminder_offsets=context.settings.reminder_offsets,
            )
    except TalkAdminError as error:
        return await _failed(update, context, error, retry=False)
    _forget(context)
    parts = [t("staff_talks.edit.done", title=result.talk.title)]
    if result.promoted:
        parts.append(t("staff_talks.edit.promoted", count=result.promoted))
        kick_deliveries(context)
    parts.append(t("staff_talks.edit.note"))
    await respond(update, Markup("\n\n".join(parts)))
    return END


# --- /reprogramar ------------------------------------------------------------------------


@staff_only
async def pick_talk_to_reschedule(update: Update, context: BotContext) -> int:
    """Asks for the new start of the chosen talk."""
    now = context.now()
    talk = await _picked(update, context, lambda s, i: talk_admin.open_talk(s, talk_id=i, now=now))
    if talk is None:
        return END
    flow = _start_flow(context, RESCHEDULE, talk)
    return await _ask(update, context, flow, TalkField.STARTS_AT, edit=True)


async def _show_new_time(update: Update, context: BotContext, flow: Flow, value: str) -> int:
    assert flow.talk_id is not None
    tz = context.settings.tz
    async with context.reading() as session:
        change = await talk_admin.preview_reschedule(
            session, talk_id=flow.talk_id, value=value, tz=tz, now=context.now()
        )
    assert change.starts_at is not None
    minutes = int(change.starts_at.timestamp() // 60)
    markup = render.keyboard(
        [
            render.button(
                "staff_talks.buttons.confirm_reschedule",
                RESCHEDULE_YES,
                f"{change.talk.id}:{minutes}",
            )
        ],
        _abort_row(),
    )
    text = t(
        "staff_talks.reschedule.confirm",
        title=change.talk.title,
        old=format_when(change.talk.starts_at, tz),
        new=format_when(change.starts_at, tz),
        people=change.people,
    )
    await respond(update, text, markup, edit=False)
    return CHOOSING


async def _announce(
    update: Update,
    context: BotContext,
    change: Callable[[AsyncSession], Awaitable[talk_admin.Affected]],
) -> talk_admin.Affected | None:
    """Runs a change the enrolled must hear about, then asks the sender to go at once."""
    _forget(context)
    try:
        async with context.unit_of_work() as session:
            affected = await change(session)
    except TalkAdminError as error:
        await _explain(update, error)
        return None
    kick_deliveries(context)
    return affected


@staff_only
async def confirm_reschedule(update: Update, context: BotContext) -> int:
    """Moves the talk to the time on the button; the enrolled get the notice and .ics."""
    await acknowledge(update)
    talk_id, minutes = map(int, context.match.group(1).split(":"))
    change = await _announce(
        update,
        context,
        lambda session: talk_admin.reschedule(
            session,
            actor=update.effective_user.id,
            talk_id=talk_id,
            starts_at=datetime.fromtimestamp(minutes * 60, UTC),
            now=context.now(),
            reminder_offsets=context.settings.reminder_offsets,
        ),
    )
    if change is not None:
        when = format_when(change.talk.starts_at, context.settings.tz)
        title, people = change.talk.title, change.people
        await respond(
            update, t("staff_talks.reschedule.done", title=title, when=when, people=people)
        )
    return END


# --- /cancelar_platica -------------------------------------------------------------------


@staff_only
async def pick_talk_to_cancel(update: Update, context: BotContext) -> int:
    """Asks for confirmation, saying how many people will be told."""
    now = context.now()
    affected = await _picked(
        update, context, lambda s, i: talk_admin.preview_cancel(s, talk_id=i, now=now)
    )
    if affected is None:
        return END
    talk = affected.talk
    markup = render.keyboard(
        [render.button("staff_talks.buttons.confirm_cancel", CANCEL_YES, talk.id)],
        [render.button("staff_talks.buttons.keep", ABORT)],
    )
    when = format_when(talk.starts_at, context.settings.tz)
    text = t("staff_talks.cancel.confirm", title=talk.title, when=when, people=affected.people)
    await respond(update, text, markup)
    return CHOOSING


@staff_only
async def confirm_cancel(update: Update, context: BotContext) -> int:
    """Cancels the talk on the button; the enrolled and waiting are told."""
    await acknowledge(update)
    talk_id, actor = cb.int_arg(context.match), update.effective_user.id
    affected = await _announce(
        update,
        context,
        lambda session: talk_admin.cancel(
            session, actor=actor, talk_id=talk_id, now=context.now()
        ),
    )
    if affected is not None:
        title, people = affected.talk.title, affected.people
        await respond(update, t("staff_talks.cancel.done", title=title, people=people))
    return END


# --- Leaving -----------------------------------------------------------------------------


@staff_only
async def abort(update: Update, context: BotContext) -> int:
    """«Cancelar» on any step, or /cancelar: nothing is saved."""
    await acknowledge(update)
    _forget(context)
    await respond(update, t("staff_talks.cancelled"))
    return END


@staff_only
async def expect_button(update: Update, context: BotContext) -> None:
    await respond(update, t("staff_talks.expect_button"))


@staff_only
async def expect_text(update: Update, context: BotContext) -> None:
    await respond(update, t("staff_talks.expect_text"))


async def timed_out(update: Update, context: BotContext) -> None:
    """The conversation was left alone too long: drop the draft and say so."""
    if context.user_data.pop(_FLOW, None) is not None and update.effective_chat is not None:
        await update.effective_chat.send_message(t("staff_talks.timed_out"))


# --- A CSV document: the programme import ------------------------------------------------


async def download_document(context: BotContext, document: Document) -> bytes:
    """The document's bytes, downloaded from Telegram."""
    telegram_file = await context.bot.get_file(document.file_id)
    return bytes(await telegram_file.download_as_bytearray())


def _import_blocks(context: BotContext, report: ImportReport) -> list[str]:
    """The import's answer, a block per talk: the CLI's report, with links to share."""
    if report.errors:
        summary = plain("import.failed", count=len(report.errors))
        lines = [Markup(html.escape(line, quote=False)) for line in describe_errors(report.errors)]
        return [t("staff_talks.import.failed", summary=summary), *lines]
    tz = context.settings.tz
    summary = plain(
        "import.summary",
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
    )
    blocks = [t("staff_talks.import.done", summary=summary)]
    for key, found in (("created", report.created), ("updated", report.updated)):
        blocks += [
            t(
                f"staff_talks.import.{key}",
                id=talk.id,
                title=talk.title,
                when=format_when(talk.starts_at, tz),
                link=_deep_link(context, talk.id),
            )
            for talk in found
        ]
    for key, count in (("notified", report.notified), ("promoted", report.promoted)):
        if count:
            blocks.append(t(f"staff_talks.import.{key}", count=count))
    return blocks


@staff_only
async def import_document(update: Update, context: BotContext) -> None:
    """A CSV sent by the staff: validated and imported like `python -m bot import-talks`."""
    document = update.message.document
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
                actor=update.effective_user.id,
                data=data,
                filename=document.file_name or "",
                tz=context.settings.tz,
                now=context.now(),
                reminder_offsets=context.settings.reminder_offsets,
            )
    except TalkAdminError as error:
        await _explain(update, error)
        return
    await send_long(update, _import_blocks(context, report))
    if report.notified or report.promoted:
        kick_deliveries(context)


def _buttons(
    callback: Callable[[Update, BotContext], Awaitable[object]], action: str, arg: str = ""
) -> CallbackQueryHandler[BotContext, object]:
    """A button handler; `arg` is the regex of the data after the action, if any."""
    pattern = cb.pattern(action, with_arg=bool(arg), arg=arg)
    return CallbackQueryHandler(callback, pattern=pattern)


def handlers() -> list[BaseHandler]:
    """Fresh handlers for one Application: a conversation keeps its state in its handler."""
    talks_console = conversation(
        name="staff_talks",
        entry_points=[
            CommandHandler("nueva_platica", new_talk),
            CommandHandler("editar_platica", choose_talk_to_edit),
            CommandHandler("reprogramar", choose_talk_to_reschedule),
            CommandHandler("cancelar_platica", choose_talk_to_cancel),
            _buttons(pick_talk_to_edit, PICK_EDIT, r"\d{1,9}"),
            _buttons(pick_talk_to_reschedule, PICK_RESCHEDULE, r"\d{1,9}"),
            _buttons(pick_talk_to_cancel, PICK_CANCEL, r"\d{1,9}"),
            _buttons(choose_field, FIELD, _ARGS),
            _buttons(choose_modality, MODALITY, _ARGS),
            _buttons(choose_default, DEFAULT, _ARGS),
            _buttons(save, SAVE, _ARGS),
            _buttons(correct, CORRECT, _ARGS),
            _buttons(back_to_preview, BACK, _ARGS),
            _buttons(abort, ABORT),
            _buttons(confirm_reschedule, RESCHEDULE_YES, r"\d{1,9}:\d{1,9}"),
            _buttons(confirm_cancel, CANCEL_YES, r"\d{1,9}"),
        ],
        states={
            TYPING: [MessageHandler(ANSWER, receive_value)],
            CHOOSING: [MessageHandler(ANSWER, expect_button)],
        },
        fallbacks=[
            CommandHandler("cancelar", abort),
            MessageHandler(NOT_TEXT & ~CSV_DOCUMENT, expect_text),
        ],
        on_timeout=timed_out,
    )
    return [
        talks_console,
        MessageHandler(CSV_DOCUMENT, import_document),
    ]
