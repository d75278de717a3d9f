"""Staff console: the questions the assistant could not answer (/pendientes) and teaching it.

/pendientes lists the questions at least two servants asked (redacted, most askers first).
A number opens one question: the engine's best guesses as buttons, or topic → entry, attach
it to that entry as a new phrasing (answered at once, for everyone); or dismiss it.
/frases lists the phrasings taught, each removable. Every call goes through `staff_only`.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.faq import FaqEngine, FaqEntry
from bot.faq_sync import load_taught_phrasings
from bot.models import TaughtPhrasing
from bot.services import faq_log, faq_teaching
from bot.services.faq_log import PendingQuestion
from bot.texts import Markup, format_when, plain, t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import UpdateHandler
from handlers.faq import ENTRY_ID, TOPIC_ID
from handlers.replies import acknowledge, respond
from handlers.staff.figures import counted
from handlers.staff.guard import staff_only

PENDING_LIST = "pql"
PENDING_OPEN = "pqo"
PENDING_DISMISS = "pqd"
PENDING_TOPICS = "pqt"
PENDING_TOPIC = "pqe"
PENDING_ATTACH = "pqa"
PHRASING_REMOVE = "tpr"
"""Callback actions: "v1:pqo:<question id>" opens a question, "v1:pqa:<question id>:<entry
id>" attaches it (at most 57 bytes: ids are ≤ 9 digits, entry ids ≤ 40 characters),
"v1:pqe:<question id>:<topic id>" lists a topic's entries, "v1:tpr:<phrasing id>" removes."""
SUGGESTIONS = 3
QUESTION_LENGTH = 120
BUTTON_LENGTH = 55
BUTTONS_PER_ROW = 5


def _actor(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


def _engine(context: BotContext) -> FaqEngine:
    engine = context.runtime.faq
    assert engine is not None
    return engine


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]


def pending_message(
    pending: Sequence[PendingQuestion], tz: ZoneInfo
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    """The numbered questions with how often, by how many and when they were last asked,
    and a button per number to open one."""
    if not pending:
        return t("staff_faq.pending.none"), None
    lines = [t("staff_faq.pending.header", count=len(pending))]
    buttons = []
    for position, item in enumerate(pending, start=1):
        question = item.question
        lines.append(
            t(
                "staff_faq.pending.item",
                number=position,
                text=render.short(question.sample, QUESTION_LENGTH),
                times=counted("staff_faq.pending.times", question.count),
                people=counted("staff_faq.pending.people", item.askers),
                when=format_when(question.last_seen_at, tz),
            )
        )
        buttons.append(
            render.button("staff_faq.pending.open", PENDING_OPEN, question.id, number=position)
        )
    return Markup("\n\n".join(lines)), render.keyboard(*_rows(buttons))


def question_text(item: PendingQuestion, *extra: Markup) -> Markup:
    question = item.question
    head = t(
        "staff_faq.question.text",
        text=render.short(question.sample, QUESTION_LENGTH),
        times=counted("staff_faq.pending.times", question.count),
        people=counted("staff_faq.pending.people", item.askers),
    )
    return Markup("\n\n".join([head, *extra]))


def attach_button(question_id: int, entry: FaqEntry) -> list[InlineKeyboardButton]:
    return [
        render.button(
            "staff_faq.question.suggestion",
            PENDING_ATTACH,
            question_id,
            entry.id,
            question=render.short(entry.question, BUTTON_LENGTH),
        )
    ]


async def _redraw_list(update: Update, context: BotContext, alert: str | None) -> None:
    async with context.reading() as session:
        pending = await faq_log.pending_questions(
            session, now=context.now(), limit=faq_teaching.PENDING_LIMIT
        )
    await acknowledge(update, alert)
    await respond(update, *pending_message(pending, context.settings.tz))


async def _pending_or_redraw(update: Update, context: BotContext) -> PendingQuestion | None:
    """The question named in the button (the press answered), or None after redrawing the
    list (it is gone)."""
    async with context.reading() as session:
        item = await faq_log.pending_question(
            session, question_id=int(cb.matched(context.match).group(1)), now=context.now()
        )
    if item is None:
        await _redraw_list(update, context, plain("staff_faq.pending.gone"))
    else:
        await acknowledge(update)
    return item


@staff_only
async def list_pending(update: Update, context: BotContext) -> None:
    """/pendientes: the questions the assistant could not answer, most askers first."""
    async with context.unit_of_work() as session:
        pending = await faq_teaching.pending_for_staff(
            session, actor=_actor(update), now=context.now()
        )
    await acknowledge(update)
    await respond(update, *pending_message(pending, context.settings.tz))


@staff_only
async def open_question(update: Update, context: BotContext) -> None:
    """One question: the engine's best guesses to attach it to, topics, dismiss, back."""
    item = await _pending_or_redraw(update, context)
    if item is None:
        return
    question_id = item.question.id
    ranked = _engine(context).rank(item.question.sample, limit=SUGGESTIONS)
    rows = [attach_button(question_id, entry) for entry, _ in ranked]
    rows += [
        [render.button("staff_faq.question.by_topic", PENDING_TOPICS, question_id)],
        [render.button("staff_faq.question.dismiss", PENDING_DISMISS, question_id)],
        [render.button("staff_faq.question.back_to_list", PENDING_LIST)],
    ]
    extra = [] if ranked else [t("staff_faq.question.no_suggestions")]
    await respond(update, question_text(item, *extra), render.keyboard(*rows))


@staff_only
async def choose_topic(update: Update, context: BotContext) -> None:
    """The topics, to find the entry that answers the question."""
    item = await _pending_or_redraw(update, context)
    if item is None:
        return
    question_id = item.question.id
    rows = [
        [
            render.button(
                "staff_faq.question.topic",
                PENDING_TOPIC,
                question_id,
                topic.id,
                emoji=topic.emoji,
                title=topic.title,
            )
        ]
        for topic in _engine(context).topics
    ]
    rows.append([render.button("staff_faq.question.back", PENDING_OPEN, question_id)])
    text = question_text(item, t("staff_faq.question.choose_topic"))
    await respond(update, text, render.keyboard(*rows))


@staff_only
async def choose_entry(update: Update, context: BotContext) -> None:
    """The entries of one topic, each attaching the question to it."""
    engine = _engine(context)
    topic = engine.topic(cb.matched(context.match).group(2))
    if topic is None:
        await acknowledge(update, plain("common.stale_button"))
        return
    item = await _pending_or_redraw(update, context)
    if item is None:
        return
    question_id = item.question.id
    rows = [attach_button(question_id, entry) for entry in engine.entries_for_topic(topic.id)]
    rows.append([render.button("staff_faq.question.back", PENDING_TOPICS, question_id)])
    text = question_text(
        item, t("staff_faq.question.choose_entry", emoji=topic.emoji, title=topic.title)
    )
    await respond(update, text, render.keyboard(*rows))


@staff_only
async def attach(update: Update, context: BotContext) -> None:
    """Attaches the question to the entry; the engine answers it from now on."""
    entry = _engine(context).entry(cb.matched(context.match).group(2))
    if entry is None:
        await acknowledge(update, plain("common.stale_button"))
        return
    async with context.unit_of_work() as session:
        attached = await faq_teaching.attach_question(
            session,
            actor=_actor(update),
            question_id=cb.int_arg(context.match),
            entry_id=entry.id,
            now=context.now(),
        )
    if attached is None:
        await _redraw_list(update, context, plain("staff_faq.pending.gone"))
        return
    await load_taught_phrasings(context.runtime)
    await acknowledge(update)
    text = t(
        "staff_faq.question.attached",
        text=render.short(attached.text, QUESTION_LENGTH),
        question=entry.question,
    )
    back = render.keyboard([render.button("staff_faq.question.back_to_list", PENDING_LIST)])
    await respond(update, text, back)


@staff_only
async def dismiss(update: Update, context: BotContext) -> None:
    """Marks one question as reviewed (it leaves the list) and redraws the list."""
    async with context.unit_of_work() as session:
        found, pending = await faq_teaching.dismiss_question(
            session, actor=_actor(update), question_id=cb.int_arg(context.match), now=context.now()
        )
    await acknowledge(update, None if found else plain("staff_faq.pending.gone"))
    await respond(update, *pending_message(pending, context.settings.tz))


def phrasings_message(
    phrasings: Sequence[TaughtPhrasing], engine: FaqEngine, tz: ZoneInfo
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    """The taught phrasings, newest first, each with its entry and a button to remove it."""
    if not phrasings:
        return t("staff_faq.phrasings.none"), None
    lines = [t("staff_faq.phrasings.header", count=len(phrasings))]
    buttons = []
    for position, phrasing in enumerate(phrasings, start=1):
        entry = engine.entry(phrasing.entry_id)
        lines.append(
            t(
                "staff_faq.phrasings.item",
                number=position,
                text=render.short(phrasing.text, QUESTION_LENGTH),
                question=render.short(entry.question, BUTTON_LENGTH)
                if entry
                else plain("staff_faq.phrasings.entry_missing"),
                when=format_when(phrasing.created_at, tz),
            )
        )
        buttons.append(
            render.button(
                "staff_faq.phrasings.remove", PHRASING_REMOVE, phrasing.id, number=position
            )
        )
    return Markup("\n\n".join(lines)), render.keyboard(*_rows(buttons))


@staff_only
async def list_phrasings(update: Update, context: BotContext) -> None:
    """/frases: the phrasings staff taught the assistant, each removable."""
    async with context.unit_of_work() as session:
        phrasings = await faq_teaching.list_phrasings(session)
        faq_teaching.record_phrasings_viewed(session, actor=_actor(update), now=context.now())
    await respond(update, *phrasings_message(phrasings, _engine(context), context.settings.tz))


@staff_only
async def remove_phrasing(update: Update, context: BotContext) -> None:
    """Removes one taught phrasing (the engine forgets it at once) and redraws the list."""
    async with context.unit_of_work() as session:
        found = await faq_teaching.remove_phrasing(
            session,
            actor=_actor(update),
            phrasing_id=cb.int_arg(context.match),
            now=context.now(),
        )
        phrasings = await faq_teaching.list_phrasings(session)
    if found:
        await load_taught_phrasings(context.runtime)
    await acknowledge(update, None if found else plain("staff_faq.phrasings.gone"))
    await respond(update, *phrasings_message(phrasings, _engine(context), context.settings.tz))


HANDLERS: list[UpdateHandler] = [
    CommandHandler("pendientes", list_pending),
    CallbackQueryHandler(list_pending, pattern=cb.pattern(PENDING_LIST)),
    CallbackQueryHandler(open_question, pattern=cb.pattern(PENDING_OPEN, with_arg=True)),
    CallbackQueryHandler(choose_topic, pattern=cb.pattern(PENDING_TOPICS, with_arg=True)),
    CallbackQueryHandler(
        choose_entry,
        pattern=cb.pattern(PENDING_TOPIC, with_arg=True, arg=rf"\d{{1,9}}):({TOPIC_ID}"),
    ),
    CallbackQueryHandler(
        attach, pattern=cb.pattern(PENDING_ATTACH, with_arg=True, arg=rf"\d{{1,9}}):({ENTRY_ID}")
    ),
    CallbackQueryHandler(dismiss, pattern=cb.pattern(PENDING_DISMISS, with_arg=True)),
    CommandHandler("frases", list_phrasings),
    CallbackQueryHandler(remove_phrasing, pattern=cb.pattern(PHRASING_REMOVE, with_arg=True)),
]
