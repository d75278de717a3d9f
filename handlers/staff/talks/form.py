"""The talks console's form engine: a flow's draft, its buttons, and asking for one field
after another.

A flow keeps its draft in `user_data` under a random token that every button of the flow
carries, so a button on an older message can never save the draft of a newer one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.models import Modality, Talk
from bot.services import talk_admin
from bot.services.talk_admin import TalkAdminError
from bot.services.talk_import import TalkField
from bot.texts import Markup, format_when, plain, t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import END, drafts
from handlers.replies import acknowledge, respond
from handlers.staff.talks.views import explain, field_label, modality_label

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
FLOW_KEY = "staff_talk_flow"
FLOW_ARGS = r"[0-9a-z_]{1,16}(?::[0-9a-z_]{1,16})?"
MODALITIES = frozenset(modality.value for modality in Modality)


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


def start_flow(context: BotContext, kind: str, talk: Talk | None = None) -> Flow:
    flow = Flow(kind)
    if talk is not None:
        flow.talk_id, flow.title, flow.starts_at = talk.id, talk.title, talk.starts_at
        flow.current = talk_admin.record_of(talk, context.settings.tz)
    drafts(context)[FLOW_KEY] = flow
    return flow


def forget(context: BotContext) -> None:
    drafts(context).pop(FLOW_KEY, None)


def _any(flow: Flow, argument: str) -> bool:
    return True


async def flow_of(
    update: Update, context: BotContext, fits: Callable[[Flow, str], bool] = _any
) -> tuple[Flow, str] | None:
    """The running flow a button belongs to and the button's argument; None when the button
    is from another flow or doesn't fit the step (the presser is told it is stale)."""
    token, _, argument = cb.matched(context.match).group(1).partition(":")
    flow = drafts(context).get(FLOW_KEY)
    if flow is None or flow.token != token or not fits(flow, argument):
        await acknowledge(update, plain("staff_talks.stale"))
        return None
    await acknowledge(update)
    return flow, argument


def flow_button(
    label_key: str, action: str, flow: Flow, *args: object, **values: object
) -> InlineKeyboardButton:
    """A button of this flow: its data carries the flow's token."""
    return render.button(label_key, action, ":".join([flow.token, *map(str, args)]), **values)


def abort_row() -> list[InlineKeyboardButton]:
    return [render.button("staff_talks.buttons.abort", ABORT)]


async def failed(
    update: Update, context: BotContext, error: TalkAdminError, *, retry: bool = True
) -> int:
    """Explains the error; asks again when it was about the typed value, else ends the flow."""
    await explain(update, error)
    if retry and error.code in RETRY_CODES:
        return TYPING
    forget(context)
    return END


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
            flow_button("staff_talks.buttons.modality", MODALITY, flow, m, label=modality_label(m))
            for m in Modality
        ]
        return render.keyboard(options, abort_row())
    if asked == TalkField.DESCRIPTION:
        extra = [flow_button("staff_talks.buttons.no_description", DEFAULT, flow)]
    elif asked == TalkField.ORGANIZER:
        name = plain("staff_talks.default_organizer")
        extra = [flow_button("staff_talks.buttons.default_organizer", DEFAULT, flow, name=name)]
    else:
        extra = []
    return render.keyboard(extra, abort_row())


async def ask(
    update: Update, context: BotContext, flow: Flow, asked: TalkField, *, edit: bool = False
) -> int:
    """Asks for one value; the modality is chosen with buttons, everything else typed."""
    flow.awaiting = asked
    text = _prompt(context, flow, asked)
    await respond(update, text, _prompt_markup(flow, asked), edit=edit)
    return CHOOSING if asked == TalkField.MODALITY else TYPING


def step_field(step: TalkField | str, values: dict[TalkField, str]) -> TalkField:
    """The field a step asks for: ACCESS is the link or the venue, as the modality needs."""
    if step == ACCESS:
        return talk_admin.access_field(values.get(TalkField.MODALITY) or Modality.VIRTUAL)
    return TalkField(step)


def next_field(values: dict[TalkField, str]) -> TalkField | None:
    for step in STEPS:
        if (asked := step_field(step, values)) not in values:
            return asked
    return None


def fields_shown(flow: Flow) -> list[TalkField]:
    values = flow.values if flow.kind == NEW else flow.current
    return [step_field(step, values) for step in STEPS]


async def show_fields(update: Update, context: BotContext, flow: Flow) -> int:
    """The field buttons: what to correct in a draft, or what to change in a talk."""
    flow.awaiting = None
    buttons = [
        flow_button("staff_talks.buttons.field", FIELD, flow, shown, label=field_label(shown))
        for shown in fields_shown(flow)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if flow.kind == NEW:
        rows.append([flow_button("staff_talks.buttons.back", BACK, flow)])
        text = t("staff_talks.new.which_field")
    else:
        assert flow.starts_at is not None
        when = format_when(flow.starts_at, context.settings.tz)
        text = t("staff_talks.edit.which_field", title=flow.title, when=when)
    await respond(update, text, render.keyboard(*rows, abort_row()))
    return CHOOSING
