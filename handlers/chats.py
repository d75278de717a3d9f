"""Private chats only: the bot talks with one servant at a time, never in front of others.

Runs before every other handler (group -2). In a group or supergroup the bot answers only
/start and /ayuda, with a button that opens the private chat, and shows nothing personal;
every other group message, channel posts, edited messages (an answer already taken is not
taken again, and outside a step there is nothing to correct) and update kinds the bot has
no use for stop here without a reply. Button presses in a group are answered, so no spinner
is left turning, and so is a press without data (forged or empty), which PTB would give to
every button handler whatever its pattern.
"""

from __future__ import annotations

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.context import BotContext
from bot.texts import plain, t
from handlers.conversation import UpdateHandler
from handlers.replies import acknowledge

GROUP_COMMANDS = frozenset({"start", "ayuda", "help"})


async def private_only(update: Update, context: BotContext) -> None:
    """Lets private messages and presses through; answers or ignores everything else."""
    chat = update.effective_chat
    private = chat is not None and chat.type == Chat.PRIVATE
    query = update.callback_query
    if private and query is not None and not query.data:
        # PTB hands a press without data to every button handler, whatever its pattern.
        await acknowledge(update, plain("common.stale_button"))
        raise ApplicationHandlerStop
    if private and (update.message is not None or query is not None):
        return
    if update.callback_query is not None:
        await acknowledge(update)
    elif _group_command(update) in GROUP_COMMANDS and update.message is not None:
        await update.message.reply_text(
            t("groups.private_only"), reply_markup=_go_private(context)
        )
    raise ApplicationHandlerStop


def _group_command(update: Update) -> str | None:
    """`/ayuda@bot args` sent in a group → "ayuda"; None for anything else."""
    chat, message = update.effective_chat, update.message
    if chat is None or chat.type not in (Chat.GROUP, Chat.SUPERGROUP) or message is None:
        return None
    text = message.text or ""
    if not text.startswith("/") or len(text) < 2:
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()


def _go_private(context: BotContext) -> InlineKeyboardMarkup:
    url = f"https://t.me/{context.bot.username}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(plain("groups.open_private"), url=url)]])


HANDLERS: list[UpdateHandler] = [TypeHandler(Update, private_only)]
"""Group -2: before the expiry notice and the conversations."""
