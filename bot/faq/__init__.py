"""FAQ engine of the Defensoría bot: offline Spanish retrieval over ``content/faq/``.

Pure Python: no Telegram and no database. Typical use::

    engine = FaqEngine.from_directory()
    result = engine.ask("q es la ley ingrid")
    if result.decision is Decision.ANSWER:
        ...  # show result.entry.answer and result.entry.source
"""

from bot.faq.content import FaqContentError, load_content
from bot.faq.engine import FaqEngine
from bot.faq.models import Decision, FaqEntry, FaqResult, FaqTexts, Topic
from bot.faq.normalize import normalize

__all__ = [
    "Decision",
    "FaqContentError",
    "FaqEngine",
    "FaqEntry",
    "FaqResult",
    "FaqTexts",
    "Topic",
    "load_content",
    "normalize",
]
