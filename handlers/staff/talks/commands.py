"""The talks console's flows: /nueva_platica, /editar_platica, /reprogramar and
/cancelar_platica. Buttons that say all they do (pick a talk, confirm a new time or a
cancellation) carry the talk and act on it alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.context import BotContext
from bot.services import talk_admin, talks
from bot.services.talk_admin import TalkAdminError
from bot.services.talk_import import TalkField
from bot.texts import Markup, format_when, plain, t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import END, drafts
from handlers.delivery_kick import kick_deliveries
from handlers.replies import acknowledge, respond
from handlers.staff.guard import staff_only
from handlers.staff.talks.form import (
    ABORT,
    CANCEL_YES,
    CHOOSING,
    CORRECT,
    EDIT,
    FLOW_KEY,
    MODALITIES,
    NEW,
    PICK_CANCEL,
    PICK_EDIT,
    PICK_RESCHEDULE,
    RESCHEDULE,
    RESCHEDULE_YES,
    SAVE,
    Flow,
    abort_row,
    ask,
    failed,
    fields_shown,
    flow_button,
    flow_of,
    forget,
    next_field,
    show_fields,
    start_flow,
)
from handlers.staff.talks.views import (
    deep_link,
    display_value,
    explain,
    field_label,
    modality_label,
    talk_button,
    talk_summary,
)

MAX_LISTED = 40
"""Talks offered as buttons: the soonest; the office programmes about 46 a year."""
Found = TypeVar("Found")


async def _ask_next(update: Update, context: BotContext, flow: Flow) -> int:
    asked = next_field(flow.values)
    if asked is None:
        return await _show_new_preview(update, context, flow)
    return await ask(update, context, flow, asked)


async def _take_value(update: Update, context: BotContext, flow: Flow, value: str) -> int:
    """Handles a value for the awaited field, typed or chosen, in whichever flow is running."""
    takers = {NEW: _take_new_value, EDIT: _show_edit_preview, RESCHEDULE: _show_new_time}
    try:
        return await takers[flow.kind](update, context, flow, value)
    except TalkAdminError as error:
        return await failed(update, context, error)


@staff_only
async def receive_value(update: Update, context: BotContext) -> int | None:
    """Takes the typed answer to the question asked last."""
    flow = drafts(context).get(FLOW_KEY)
    if flow is None or flow.awaiting is None or update.message is None:
        return END
    return await _take_value(update, context, flow, update.message.text or "")


@staff_only
async def choose_default(update: Update, context: BotContext) -> int | None:
    """«Sin descripción», or the Defensoría as organizer: the value without typing it."""
    found = await flow_of(
        update, context, lambda f, _: f.awaiting in {TalkField.DESCRIPTION, TalkField.ORGANIZER}
    )
    if found is None:
        return None
    flow = found[0]
    assert flow.awaiting is not None
    no_description = flow.awaiting == TalkField.DESCRIPTION
    value = "" if no_description else plain("staff_talks.default_organizer")
    shown = value or plain("staff_talks.no_description")
    await respond(
        update, t("staff_talks.new.chosen", label=field_label(flow.awaiting), value=shown)
    )
    return await _take_value(update, context, flow, value)


@staff_only
async def choose_modality(update: Update, context: BotContext) -> int | None:
    """Virtual or presencial; then the link or the venue that the modality needs."""
    found = await flow_of(
        update, context, lambda f, m: f.awaiting == TalkField.MODALITY and m in MODALITIES
    )
    if found is None:
        return None
    flow, modality = found
    await respond(
        update,
        t(
            "staff_talks.new.chosen",
            label=field_label(TalkField.MODALITY),
            value=modality_label(modality),
        ),
    )
    flow.values = talk_admin.with_modality(flow.values, modality, editing=flow.kind == EDIT)
    if flow.kind == EDIT:
        return await ask(update, context, flow, talk_admin.access_field(modality))
    return await _ask_next(update, context, flow)


@staff_only
async def new_talk(update: Update, context: BotContext) -> int:
    """Starts the guided creation of a talk: one question per field."""
    flow = start_flow(context, NEW)
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
        await explain(update, error)
        return await show_fields(update, context, flow)
    markup = render.keyboard(
        [flow_button("staff_talks.buttons.save", SAVE, flow)],
        [flow_button("staff_talks.buttons.correct", CORRECT, flow)],
        abort_row(),
    )
    summary = talk_summary(row, context.settings.tz)
    await respond(update, t("staff_talks.new.preview", summary=summary), markup, edit=False)
    return CHOOSING


@staff_only
async def correct(update: Update, context: BotContext) -> int | None:
    """Shows the fields of the draft, to change one."""
    found = await flow_of(update, context, lambda f, _: f.kind == NEW and f.awaiting is None)
    if found is None:
        return None
    return await show_fields(update, context, found[0])


@staff_only
async def back_to_preview(update: Update, context: BotContext) -> int | None:
    """Leaves the field list of a draft unchanged."""
    found = await flow_of(update, context, lambda f, _: f.kind == NEW)
    if found is None:
        return None
    return await _show_new_preview(update, context, found[0])


@staff_only
async def save(update: Update, context: BotContext) -> int | None:
    """«Guardar» on a new talk's preview, or «Confirmar» on an edit's."""
    savers = {NEW: _create, EDIT: _apply_edit}
    found = await flow_of(update, context, lambda f, _: f.kind in savers and f.awaiting is None)
    if found is None:
        return None
    return await savers[found[0].kind](update, context, found[0])


async def _create(update: Update, context: BotContext, flow: Flow) -> int:
    """Creates the talk from the draft and gives the deep link to share it."""
    user = update.effective_user
    if user is None:
        return END
    tz = context.settings.tz
    try:
        async with context.unit_of_work() as session:
            talk = await talk_admin.create_talk(
                session,
                actor=user.id,
                values=flow.values,
                tz=tz,
                now=context.now(),
                reminder_offsets=context.settings.reminder_offsets,
            )
    except TalkAdminError as error:
        await explain(update, error)
        return CHOOSING
    forget(context)
    text = t(
        "staff_talks.new.saved",
        id=talk.id,
        summary=talk_summary(talk, tz),
        link=deep_link(context, talk.id),
    )
    await respond(update, text)
    return END


async def _choose_talk(update: Update, context: BotContext, action: str, text_key: str) -> int:
    """Lists the upcoming talks as buttons that lead to `action`."""
    forget(context)
    async with context.reading() as session:
        page = await talks.upcoming_page(session, now=context.now(), page=0, per_page=MAX_LISTED)
    if not page.talks:
        await respond(update, t("staff_talks.no_talks"))
        return END
    rows = [talk_button(action, talk, context.settings.tz) for talk in page.talks]
    await respond(update, t(text_key), render.keyboard(*rows, abort_row()))
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


async def _picked(
    update: Update, context: BotContext, lookup: Callable[[AsyncSession, int], Awaitable[Found]]
) -> Found | None:
    """Loads what the pressed talk button names; when it can't be used, says why."""
    await acknowledge(update)
    try:
        async with context.reading() as session:
            return await lookup(session, cb.int_arg(context.match))
    except TalkAdminError as error:
        await failed(update, context, error, retry=False)
        return None


@staff_only
async def pick_talk_to_edit(update: Update, context: BotContext) -> int:
    """Opens a talk for editing: the field buttons."""
    talk = await _picked(update, context, lambda s, i: talk_admin.editable_talk(s, talk_id=i))
    if talk is None:
        return END
    return await show_fields(update, context, start_flow(context, EDIT, talk))


@staff_only
async def choose_field(update: Update, context: BotContext) -> int | None:
    """A field to type again; in an existing talk the start goes through the reschedule."""
    found = await flow_of(update, context, lambda f, chosen: chosen in fields_shown(f))
    if found is None:
        return None
    flow, chosen = found[0], TalkField(found[1])
    if flow.kind == EDIT:
        flow.values = {}
        if chosen == TalkField.STARTS_AT:
            flow.kind = RESCHEDULE
    return await ask(update, context, flow, chosen, edit=True)


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
            label=field_label(changed),
            old=display_value(changed, preview.talk, tz),
            new=display_value(changed, preview.row, tz),
        )
        for changed in preview.fields
    ]
    listed = Markup("\n".join(lines))
    text = t("staff_talks.edit.confirm", title=preview.talk.title, changes=listed)
    markup = render.keyboard(
        [flow_button("staff_talks.buttons.confirm_edit", SAVE, flow)], abort_row()
    )
    await respond(update, text, markup, edit=False)
    return CHOOSING


async def _apply_edit(update: Update, context: BotContext, flow: Flow) -> int:
    """Saves the changes; a larger capacity gives seats to the first in line."""
    user = update.effective_user
    if user is None:
        return END
    assert flow.talk_id is not None
    try:
        async with context.unit_of_work() as session:
            result = await talk_admin.edit_talk(
                session,
                actor=user.id,
                talk_id=flow.talk_id,
                changes=flow.values,
                tz=context.settings.tz,
                now=context.now(),
                reminder_offsets=context.settings.reminder_offsets,
            )
    except TalkAdminError as error:
        return await failed(update, context, error, retry=False)
    forget(context)
    parts = [t("staff_talks.edit.done", title=result.talk.title)]
    if result.promoted:
        parts.append(t("staff_talks.edit.promoted", count=result.promoted))
        kick_deliveries(context)
    parts.append(t("staff_talks.edit.note"))
    await respond(update, Markup("\n\n".join(parts)))
    return END


@staff_only
async def pick_talk_to_reschedule(update: Update, context: BotContext) -> int:
    """Asks for the new start of the chosen talk."""
    now = context.now()
    talk = await _picked(update, context, lambda s, i: talk_admin.open_talk(s, talk_id=i, now=now))
    if talk is None:
        return END
    flow = start_flow(context, RESCHEDULE, talk)
    return await ask(update, context, flow, TalkField.STARTS_AT, edit=True)


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
        abort_row(),
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
    forget(context)
    try:
        async with context.unit_of_work() as session:
            affected = await change(session)
    except TalkAdminError as error:
        await explain(update, error)
        return None
    kick_deliveries(context)
    return affected


@staff_only
async def confirm_reschedule(update: Update, context: BotContext) -> int:
    """Moves the talk to the time on the button; the enrolled get the notice and .ics."""
    user = update.effective_user
    if user is None:
        return END
    await acknowledge(update)
    talk_id, minutes = map(int, cb.matched(context.match).group(1).split(":"))
    change = await _announce(
        update,
        context,
        lambda session: talk_admin.reschedule(
            session,
            actor=user.id,
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
    user = update.effective_user
    if user is None:
        return END
    await acknowledge(update)
    talk_id, actor = cb.int_arg(context.match), user.id
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


@staff_only
async def abort(update: Update, context: BotContext) -> int:
    """«Cancelar» on any step, or /cancelar: nothing is saved."""
    await acknowledge(update)
    forget(context)
    await respond(update, t("staff_talks.cancelled"))
    return END


@staff_only
async def expect_button(update: Update, context: BotContext) -> None:
    await respond(update, t("staff_talks.expect_button"))


@staff_only
async def expect_text(update: Update, context: BotContext) -> None:
    await respond(update, t("staff_talks.expect_text"))


async def timed_out(update: Update, context: BotContext) -> bool:
    """The conversation was left alone too long: drop the draft and say so (True: told)."""
    if drafts(context).pop(FLOW_KEY, None) is not None and update.effective_chat is not None:
        await update.effective_chat.send_message(t("staff_talks.timed_out"))
        return True
    return False
