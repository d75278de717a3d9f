"""The survey: an hour after an attended talk ends the sender asks for a score from 1 to 5
(buttons), then an optional comment, typed or skipped."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.context import BotContext
from bot.outbox.message import Letter, Outgoing
from bot.services import surveys
from bot.services.surveys import SurveyError
from bot.texts import plain, t
from handlers import awaiting, render
from handlers import callbacks as cb
from handlers.conversation import ANSWER, END, NOT_TEXT, UpdateHandler, conversation, drafts
from handlers.replies import acknowledge, respond

SURVEY_SCORE = "svs"


SURVEY_SKIP = "svo"


WAITING_COMMENT = 0
COMMENT_FOR = "survey_comment_enrollment"


async def survey_score(update: Update, context: BotContext) -> int:
    """Records the 1–5 answer (once, only the attendee's own) and invites a comment."""
    user = update.effective_user
    if user is None:
        return END
    match = cb.matched(context.match)
    enrollment_id, score = int(match.group(1)), int(match.group(2))
    try:
        async with context.unit_of_work() as session:
            await surveys.record_score(
                session,
                enrollment_id=enrollment_id,
                telegram_user_id=user.id,
                score=score,
                now=context.now(),
            )
    except SurveyError as error:
        await acknowledge(update, plain(error.text_key))
        return END
    await acknowledge(update)
    drafts(context)[COMMENT_FOR] = enrollment_id
    await awaiting.expect_reply(update, context)
    skip = render.keyboard([render.button("survey.skip", SURVEY_SKIP, enrollment_id)])
    await respond(update, t("survey.thanks", score=score), skip)
    return WAITING_COMMENT


async def receive_comment(update: Update, context: BotContext) -> int:
    """Stores the optional comment; asks again if it is empty or too long."""
    user, message = update.effective_user, update.message
    if user is None or message is None:
        return END
    enrollment_id = drafts(context).get(COMMENT_FOR)
    if enrollment_id is None:
        return END
    try:
        async with context.unit_of_work() as session:
            await surveys.add_comment(
                session,
                enrollment_id=enrollment_id,
                telegram_user_id=user.id,
                comment=message.text or "",
            )
    except SurveyError as error:
        await respond(update, t(error.text_key, **error.details))
        if error.code in {"comment_empty", "comment_too_long"}:
            return WAITING_COMMENT
    else:
        await respond(update, t("survey.comment_saved"))
    drafts(context).pop(COMMENT_FOR, None)
    await awaiting.reply_done(update, context)
    return END


async def skip_comment(update: Update, context: BotContext) -> int:
    """ "Omitir": no comment; the buttons go away."""
    await acknowledge(update)
    drafts(context).pop(COMMENT_FOR, None)
    await awaiting.reply_done(update, context)
    await respond(update, t("survey.skipped"))
    return END


async def expect_comment(update: Update, context: BotContext) -> int:
    await respond(update, t("survey.expect_text"))
    return WAITING_COMMENT


async def forget_comment(update: Update, context: BotContext) -> None:
    drafts(context).pop(COMMENT_FOR, None)
    await awaiting.reply_done(update, context)


async def render_survey_delivery(letter: Letter) -> Outgoing:
    """The one-question survey: the talk's title and buttons 1 to 5."""
    enrollment = letter.delivery.enrollment
    assert enrollment is not None
    scores = [
        render.button("survey.score", SURVEY_SCORE, enrollment.id, score, score=score)
        for score in range(surveys.MIN_SCORE, surveys.MAX_SCORE + 1)
    ]
    return Outgoing(t("survey.question", title=enrollment.talk.title), render.keyboard(scores))


def handlers() -> list[UpdateHandler]:
    """Fresh handlers for one Application: a conversation keeps its state in its handler."""
    survey_comment = conversation(
        name="survey_comment",
        entry_points=[
            CallbackQueryHandler(
                survey_score,
                pattern=cb.pattern(SURVEY_SCORE, with_arg=True, arg=r"\d{1,9}):([1-5]"),
            )
        ],
        states={
            WAITING_COMMENT: [
                CallbackQueryHandler(skip_comment, pattern=cb.pattern(SURVEY_SKIP, with_arg=True)),
                MessageHandler(ANSWER, receive_comment),
                MessageHandler(NOT_TEXT, expect_comment),
            ],
        },
        fallbacks=[CommandHandler("cancelar", skip_comment)],
        on_timeout=forget_comment,
    )
    return [
        survey_comment,
        CallbackQueryHandler(skip_comment, pattern=cb.pattern(SURVEY_SKIP, with_arg=True)),
    ]
