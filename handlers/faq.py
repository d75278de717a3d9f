"""Rights questions: free text goes to the FAQ engine; /preguntas browses topics.

Crisis messages are answered first with emergency lines. Every answer ends with its source
and carries 👍/👎 and up to three related questions.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.context import BotContext
from bot.faq import Decision, FaqEngine, FaqEntry, FaqResult
from bot.services import faq_log
from bot.texts import Markup, plain, t
from handlers import callbacks as cb
from handlers import render
from handlers.conversation import ANSWER, UpdateHandler
from handlers.replies import acknowledge, respond
from handlers.staff.guard import is_staff

ENTRY_ID = r"[a-z0-9_\-]{1,40}"
TOPIC_ID = r"[a-z0-9_\-]{1,30}"
MAX_RELATED = 3


def _engine(context: BotContext) -> FaqEngine:
    engine = context.runtime.faq
    assert engine is not None
    return engine


def answer_message(
    entry: FaqEntry, engine: FaqEngine, nearby: Sequence[FaqEntry] = ()
) -> tuple[Markup, InlineKeyboardMarkup]:
    """The answer with its buttons: feedback, more detail, the runner-up the engine almost
    chose (`FaqResult.nearby`), related questions and the topics."""
    text = t("faq.answer", answer=Markup(entry.answer), source=entry.source)
    rows: list[list[InlineKeyboardButton]] = [
        [
            render.button("faq.helpful", cb.FAQ_FEEDBACK, entry.id, 1),
            render.button("faq.not_helpful", cb.FAQ_FEEDBACK, entry.id, 0),
        ]
    ]
    if entry.detail:
        rows.append([render.button("faq.more", cb.FAQ_DETAIL, entry.id)])
    rows += [[question_button(other, label="faq.nearby")] for other in nearby]
    related = filter(None, map(engine.entry, entry.related[:MAX_RELATED]))
    rows += [[question_button(other)] for other in related if other not in nearby]
    rows.append([render.button("faq.topics", cb.FAQ_TOPICS)])
    return text, render.keyboard(*rows)


def question_button(entry: FaqEntry, label: str = "faq.question") -> InlineKeyboardButton:
    return render.button(
        label, cb.FAQ_QUESTION, entry.id, question=render.short(entry.question, 60)
    )


def topics_keyboard(engine: FaqEngine) -> InlineKeyboardMarkup:
    return render.keyboard(
        *[
            [
                render.button(
                    "faq.topic", cb.FAQ_TOPIC, topic.id, emoji=topic.emoji, title=topic.title
                )
            ]
            for topic in engine.topics
        ]
    )


QUESTIONS = frozenset({Decision.ANSWER, Decision.SUGGEST, Decision.CRISIS})
"""What the engine takes for a question (or a danger), not for a name or a greeting."""


async def free_text(update: Update, context: BotContext) -> None:
    """Answers a question typed in the servant's own words."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    engine = _engine(context)
    text = message.text or ""
    result = engine.ask(text)
    texts = engine.texts()
    if result.decision == Decision.GREETING:
        await respond(update, Markup(texts.greeting), render.main_menu())
        return
    if result.decision == Decision.THANKS:
        await respond(update, Markup(texts.thanks))
        return
    if await _answer(update, engine, result):
        return
    if not is_staff(update, context):
        # Staff trying the bot are not servants asking; their tests stay out of /pendientes.
        async with context.unit_of_work() as session:
            await faq_log.record_unanswered(
                session, text=text, telegram_user_id=user.id, now=context.now()
            )
    if not await _suggest(update, engine, result):
        await respond(update, Markup(texts.unknown), topics_keyboard(engine))


async def answer_during_step(update: Update, context: BotContext, text: str) -> bool:
    """A question (or a danger) typed where a step waits for data: answers it, never logs
    it, and returns True so the step asks again instead of taking it as the answer. A text
    with a question mark is a question even when the FAQ has no answer for it."""
    engine = _engine(context)
    result = engine.ask(text)
    if result.decision not in QUESTIONS and "?" not in text and "¿" not in text:
        return False
    if not await _answer(update, engine, result) and not await _suggest(update, engine, result):
        await respond(update, Markup(engine.texts().unknown), topics_keyboard(engine))
    return True


async def _answer(update: Update, engine: FaqEngine, result: FaqResult) -> bool:
    """A crisis (emergency lines first) or a confident answer; False when neither."""
    if result.decision == Decision.CRISIS:
        await respond(update, Markup(engine.crisis_text(result.line)))
        if result.entry is not None:
            await respond(update, *answer_message(result.entry, engine, result.nearby))
        elif result.suggestions:
            await _offer(update, engine, result.suggestions)
        return True
    if result.decision == Decision.ANSWER and result.entry is not None:
        await respond(update, *answer_message(result.entry, engine, result.nearby))
        if result.also:
            rows = [[question_button(entry)] for entry in result.also]
            await respond(update, t("faq.also"), render.keyboard(*rows))
        return True
    return False


async def _suggest(update: Update, engine: FaqEngine, result: FaqResult) -> bool:
    """ "¿Quisiste decir…?" with the engine's guesses; False when it has none. A question
    about another country's law is told what the content covers, with the guesses if any."""
    if result.elsewhere:
        await _offer(update, engine, result.suggestions, lead=engine.texts().elsewhere)
        return True
    if result.decision != Decision.SUGGEST or not result.suggestions:
        return False
    await _offer(update, engine, result.suggestions)
    return True


async def _offer(
    update: Update, engine: FaqEngine, entries: Sequence[FaqEntry], *, lead: str | None = None
) -> None:
    rows = [[question_button(entry)] for entry in entries]
    rows.append([render.button("faq.none_of_these", cb.FAQ_TOPICS)])
    await respond(update, Markup(lead or engine.texts().suggest), render.keyboard(*rows))


async def list_topics(update: Update, context: BotContext) -> None:
    """/preguntas: the topics the FAQ knows about."""
    await acknowledge(update)
    await respond(update, t("faq.topics_header"), topics_keyboard(_engine(context)))


async def show_topic(update: Update, context: BotContext, topic_id: str | None = None) -> None:
    """The questions of one topic, each a button."""
    await acknowledge(update)
    engine = _engine(context)
    topic = engine.topic(topic_id or cb.matched(context.match).group(1))
    if topic is None:
        await respond(update, t("faq.topics_header"), topics_keyboard(engine))
        return
    rows = [[question_button(entry)] for entry in engine.entries_for_topic(topic.id)]
    rows.append([render.button("faq.topics", cb.FAQ_TOPICS)])
    await respond(
        update, t("faq.topic_header", emoji=topic.emoji, title=topic.title), render.keyboard(*rows)
    )


async def show_principles(update: Update, context: BotContext) -> None:
    await show_topic(update, context, "principios")


async def show_ley_ingrid(update: Update, context: BotContext) -> None:
    await show_topic(update, context, "ley_ingrid")


async def show_question(update: Update, context: BotContext) -> None:
    """A question chosen from a button: its answer, as a new message."""
    await acknowledge(update)
    engine = _engine(context)
    entry = engine.entry(cb.matched(context.match).group(1))
    if entry is None:
        await respond(update, t("faq.gone"), topics_keyboard(engine), edit=False)
        return
    await respond(update, *answer_message(entry, engine), edit=False)


async def show_detail(update: Update, context: BotContext) -> None:
    await acknowledge(update)
    entry = _engine(context).entry(cb.matched(context.match).group(1))
    if entry is None or not entry.detail:
        await respond(update, t("faq.gone"), edit=False)
        return
    await respond(
        update, t("faq.detail", detail=Markup(entry.detail), source=entry.source), edit=False
    )


async def feedback(update: Update, context: BotContext) -> None:
    """Counts a 👍/👎 once per servant and entry (a second tap, or a tap on an older copy of
    the answer, changes nothing) and removes the buttons from that answer."""
    user = update.effective_user
    if user is None:
        return
    match = cb.matched(context.match)
    entry_id, helpful = match.group(1), match.group(2) == "1"
    if _engine(context).entry(entry_id) is None:
        await acknowledge(update, plain("common.stale_button"))
        return
    async with context.unit_of_work() as session:
        await faq_log.record_feedback(
            session,
            entry_id=entry_id,
            helpful=helpful,
            telegram_user_id=user.id,
            now=context.now(),
        )
    await acknowledge(update, plain("faq.thanks_feedback"), toast=True)
    query = update.callback_query
    # A message Telegram no longer gives the bot (InaccessibleMessage) has no buttons to see.
    if query is None or not isinstance(query.message, Message):
        return
    markup = query.message.reply_markup
    if markup is not None:
        rows = [
            row
            for row in markup.inline_keyboard
            if not any(
                isinstance(b.callback_data, str)
                and b.callback_data.startswith(cb.data(cb.FAQ_FEEDBACK))
                for b in row
            )
        ]
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))


HANDLERS: list[UpdateHandler] = [
    CommandHandler("preguntas", list_topics),
    CommandHandler("principios", show_principles),
    CommandHandler("ley_ingrid", show_ley_ingrid),
    CallbackQueryHandler(list_topics, pattern=cb.pattern(cb.FAQ_TOPICS)),
    CallbackQueryHandler(
        show_topic, pattern=cb.pattern(cb.FAQ_TOPIC, with_arg=True, arg=TOPIC_ID)
    ),
    CallbackQueryHandler(
        show_question, pattern=cb.pattern(cb.FAQ_QUESTION, with_arg=True, arg=ENTRY_ID)
    ),
    CallbackQueryHandler(
        show_detail, pattern=cb.pattern(cb.FAQ_DETAIL, with_arg=True, arg=ENTRY_ID)
    ),
    CallbackQueryHandler(
        feedback, pattern=cb.pattern(cb.FAQ_FEEDBACK, with_arg=True, arg=rf"{ENTRY_ID}):([01]")
    ),
]

FREE_TEXT = MessageHandler(ANSWER, free_text)
