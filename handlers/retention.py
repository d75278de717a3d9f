"""Retention on Telegram's side: each servant's update counts as activity, and the notice
that their data is deleted in 30 days (bot.services.retention)."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import TypeHandler

from bot.context import BotContext
from bot.outbox.message import Letter, Outgoing
from bot.services import retention
from bot.texts import format_date, t

_TOUCHED = "retention_touched"
"""bot_data: {telegram user id: the day their activity was last written by this process}."""


async def touch_activity(update: Update, context: BotContext) -> None:
    """Records that a servant wrote or pressed a button in a private chat; once a day."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    today: date = context.now().date()
    touched: dict[int, date] = context.bot_data.setdefault(_TOUCHED, {})
    if touched.get(user.id) == today:
        return
    touched[user.id] = today
    now = context.now()
    async with context.reading() as session:
        due = await retention.touch_due(session, telegram_user_id=user.id, now=now)
    if due:  # a read first: most updates come from servants active today, or from nobody's
        async with context.unit_of_work() as session:
            await retention.touch_activity(session, telegram_user_id=user.id, now=now)


TOUCH = TypeHandler(Update, touch_activity)
"""Runs in its own group before every other handler and never stops them."""


async def render_retention_notice(letter: Letter) -> Outgoing:
    """The notice that the servant's data is deleted 30 days after it was written."""
    deadline = retention.erase_date(letter.delivery.created_at)
    return Outgoing(t("retention.notice", date=format_date(deadline, letter.tz)))
