"""Telegram handlers: parse the update, call one service, render a reply from content/."""

import warnings

from telegram.warnings import PTBUserWarning

# The conversations here mix buttons and typed answers per chat, which is what
# per_message=False means; PTB warns about it for each ConversationHandler built.
warnings.filterwarnings(
    "ignore", message=r".*per_message=False.*CallbackQueryHandler", category=PTBUserWarning
)
