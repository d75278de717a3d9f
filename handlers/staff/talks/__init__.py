"""Staff console: /nueva_platica, /editar_platica, /reprogramar, /cancelar_platica, and a CSV
document sent to the bot, which imports the programme as `python -m bot import-talks` does.

`form` is the form engine (a flow's draft, its buttons, one question per field), `commands`
the four flows, `programme` the CSV import, `views` how talks, fields and errors are shown.
One conversation holds the guided flows. Every button is an entry point of the
conversation, so each is checked against the staff list whether or not a flow is running.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.context import BotContext
from handlers import callbacks as cb
from handlers.conversation import ANSWER, NOT_TEXT, UpdateHandler, conversation
from handlers.staff.talks.commands import (
    abort,
    back_to_preview,
    choose_default,
    choose_field,
    choose_modality,
    choose_talk_to_cancel,
    choose_talk_to_edit,
    choose_talk_to_reschedule,
    confirm_cancel,
    confirm_reschedule,
    correct,
    expect_button,
    expect_text,
    new_talk,
    pick_talk_to_cancel,
    pick_talk_to_edit,
    pick_talk_to_reschedule,
    receive_value,
    save,
    timed_out,
)
from handlers.staff.talks.form import (
    ABORT,
    BACK,
    CANCEL_YES,
    CHOOSING,
    CORRECT,
    DEFAULT,
    FIELD,
    FLOW_ARGS,
    MODALITY,
    PICK_CANCEL,
    PICK_EDIT,
    PICK_RESCHEDULE,
    RESCHEDULE_YES,
    SAVE,
    TYPING,
)
from handlers.staff.talks.programme import CSV_DOCUMENT, import_document

__all__ = [
    "ABORT",
    "BACK",
    "CANCEL_YES",
    "CORRECT",
    "DEFAULT",
    "FIELD",
    "MODALITY",
    "PICK_CANCEL",
    "PICK_EDIT",
    "PICK_RESCHEDULE",
    "RESCHEDULE_YES",
    "SAVE",
    "handlers",
]


def _buttons(
    callback: Callable[[Update, BotContext], Coroutine[Any, Any, object]],
    action: str,
    arg: str = "",
) -> CallbackQueryHandler[BotContext, object]:
    """A button handler; `arg` is the regex of the data after the action, if any."""
    pattern = cb.pattern(action, with_arg=bool(arg), arg=arg)
    return CallbackQueryHandler(callback, pattern=pattern)


def handlers() -> list[UpdateHandler]:
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
            _buttons(choose_field, FIELD, FLOW_ARGS),
            _buttons(choose_modality, MODALITY, FLOW_ARGS),
            _buttons(choose_default, DEFAULT, FLOW_ARGS),
            _buttons(save, SAVE, FLOW_ARGS),
            _buttons(correct, CORRECT, FLOW_ARGS),
            _buttons(back_to_preview, BACK, FLOW_ARGS),
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
