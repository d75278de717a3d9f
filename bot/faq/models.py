"""Value objects shared by the FAQ loader and engine."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class FaqEntry:
    """One question with its answer, as written in ``content/faq/<topic>.toml``.

    Attributes:
        id: Short ASCII slug (at most 40 characters), unique across all topics.
        topic: Id of the topic the entry belongs to.
        question: Main question, shown as the entry title and on buttons.
        alternatives: Other ways people ask the same question (used for matching only).
        answer: Short answer in Telegram HTML (``<b>``, ``<i>``), at most 900 characters.
        detail: Optional longer text, shown behind a button.
        source: Law, article and jurisdiction the answer is based on.
        related: Ids of related entries.
        reviewed: Date the content was last reviewed.
    """

    id: str
    topic: str
    question: str
    alternatives: tuple[str, ...]
    answer: str
    detail: str | None
    source: str
    related: tuple[str, ...]
    reviewed: datetime.date


@dataclass(frozen=True)
class Topic:
    """A browsable group of entries.

    Attributes:
        id: Short ASCII slug, usable inside Telegram callback data.
        title: Spanish title shown on the topic button.
        entry_ids: Ids of the topic's entries, in file order.
        emoji: Optional emoji shown before the title.
    """

    id: str
    title: str
    entry_ids: tuple[str, ...]
    emoji: str = ""


class Decision(enum.StrEnum):
    """What the caller should do with a user's message."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    UNKNOWN = "unknown"
    GREETING = "greeting"
    THANKS = "thanks"
    CRISIS = "crisis"


@dataclass(frozen=True)
class FaqResult:
    """Outcome of :meth:`bot.faq.FaqEngine.ask`.

    Attributes:
        decision: What to do.
        entry: The answer for ``ANSWER``; for ``CRISIS``, the best confident match
            (if any) that the caller may show after the crisis text; otherwise ``None``.
        suggestions: Up to three candidate entries for ``SUGGEST`` (best first);
            empty for the other decisions.
        score: Calibrated match score of the best entry, in ``[0, 1]``
            (``1.0`` for greeting/thanks detections).
        line: For ``CRISIS``, which help line fits the danger (``general``, ``mujeres``
            or ``vida``); ``None`` otherwise.
        also: For ``ANSWER`` on a long message, another entry one of its parts asks
            about, to offer after the answer.
        elsewhere: The message asks about another country's law: never a direct answer
            (``SUGGEST`` or ``UNKNOWN``), and the caller says what the content covers.
        nearby: With an answer (``ANSWER``, or ``CRISIS`` with an entry), the runner-up
            when it scored almost as high: offered as a button under the answer, so a
            near miss is one tap from the right one.
    """

    decision: Decision
    entry: FaqEntry | None
    suggestions: tuple[FaqEntry, ...]
    score: float
    line: str | None = None
    also: tuple[FaqEntry, ...] = ()
    elsewhere: bool = False
    nearby: tuple[FaqEntry, ...] = ()


@dataclass(frozen=True)
class FaqTexts:
    """Spanish texts for the decisions that are not an entry's answer.

    All fields are Telegram HTML. ``unknown`` already contains ``office_contact``.

    Attributes:
        crisis: Emergency lines usable in the Estado de México, 911 first.
        crisis_women: The same, with the women's lines right after 911.
        crisis_life: The same, with the Línea de la Vida right after 911.
        greeting: Reply to a greeting.
        thanks: Reply to thanks.
        unknown: "No tengo una respuesta segura" reply, with the office contact block.
        suggest: Lead-in for the "¿Quisiste decir…?" buttons.
        elsewhere: Reply to a question about another country's law (what the content
            covers), before any buttons.
        office_contact: Contact block of the Defensoría (lines with empty data omitted).
    """

    crisis: str
    crisis_women: str
    crisis_life: str
    greeting: str
    thanks: str
    unknown: str
    suggest: str
    office_contact: str
    elsewhere: str
