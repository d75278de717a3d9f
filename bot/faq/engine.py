"""Offline Spanish FAQ retrieval with a calibrated answer / suggest / unknown decision.

Ranking, per entry (all components in ``[0, 1]``):

* ``phrase``: best IDF-weighted cosine between the query stems and one of the entry's
  phrasings (main question and alternatives);
* ``cover``: share of the query's IDF mass (squared) found anywhere in the entry
  (phrasings and answer), so long questions that use the answer's words still match;
* ``fuzzy``: best rapidfuzz ``token_sort_ratio`` between the stemmed query and a
  phrasing, for residual typos.

Unknown query words (after typo correction against the content vocabulary) keep a
high IDF weight, so questions about things the content never mentions (predial,
pasaporte, recetas) get low scores instead of matching on a shared common word.

Decision: crisis patterns first; then greeting/thanks; then ``ANSWER`` when the best
score reaches ``answer_threshold`` with a margin over a different runner-up,
``SUGGEST`` (up to three entries) when it reaches ``suggest_threshold``, otherwise
``UNKNOWN``. The thresholds were tuned on ``tests/faq_data/dev.toml`` only.
"""

from __future__ import annotations

import functools
import math
import pathlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.faq import intents
from bot.faq.content import load_content
from bot.faq.models import Decision, FaqEntry, FaqResult, FaqTexts, Topic
from bot.faq.normalize import content_words, normalize, stem

ANSWER_THRESHOLD = 0.58
SUGGEST_THRESHOLD = 0.38
ANSWER_MARGIN = 0.04
MAX_SUGGESTIONS = 3

_W_PHRASE = 0.55
_W_COVER = 0.25
_W_FUZZY = 0.20
_UNKNOWN_IDF_FACTOR = 1.0
_TYPO_MIN_LEN = 4
_TYPO_CUTOFF = 80.0
_MAX_QUERY_WORDS = 30
_MAX_QUERY_CHARS = 1000
_MIN_QUERY_WEIGHT = 2.0
"""Queries whose words are all very common ("ley", "principios") are never answered
confidently: their IDF norm is below this value, so they get suggestions instead."""


@dataclass(frozen=True)
class _Phrase:
    entry_index: int
    weights: dict[str, float]
    norm: float
    text: str


class FaqEngine:
    """Answers free-text questions from the FAQ content.

    Build it once (``FaqEngine.from_directory()``) and share it: ``ask`` is pure and
    thread-safe apart from internal caches.
    """

    def __init__(
        self,
        topics: tuple[Topic, ...],
        entries: tuple[FaqEntry, ...],
        texts: FaqTexts,
        *,
        answer_threshold: float = ANSWER_THRESHOLD,
        suggest_threshold: float = SUGGEST_THRESHOLD,
        answer_margin: float = ANSWER_MARGIN,
    ) -> None:
        """Builds the index.

        Args:
            topics: Topics in display order.
            entries: All entries.
            texts: Non-answer texts.
            answer_threshold: Minimum score for a confident answer.
            suggest_threshold: Minimum score for "¿Quisiste decir…?" suggestions.
            answer_margin: Minimum lead of the best entry over the runner-up.
        """
        self._topics = topics
        self._entries = entries
        self._texts = texts
        self._by_id = {e.id: e for e in entries}
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.answer_margin = answer_margin
        self._taught: tuple[tuple[str, str], ...] = ()
        self._build_index()

    @classmethod
    def from_directory(cls, path: pathlib.Path | None = None) -> FaqEngine:
        """Loads and validates ``content/faq`` (or ``path``) and builds the engine.

        Args:
            path: Content directory; defaults to ``<repo>/content/faq``.

        Returns:
            A ready engine.

        Raises:
            bot.faq.FaqContentError: If the content is invalid.
        """
        content = load_content(path)
        return cls(content.topics, content.entries, content.texts)

    # ----------------------------------------------------------------- public API

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Topics in display order."""
        return self._topics

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        """All entries, grouped by topic."""
        return self._entries

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

    def ask(self, text: str) -> FaqResult:
        """Decides how to answer a user's message. Never raises on a ``str``.

        Args:
            text: Raw message text (any length, may contain emoji or HTML).

        Returns:
            The decision with the entry, suggestions and score.
        """
        normalized = normalize(text if isinstance(text, str) else "")
        if intents.is_crisis(normalized):
            ranked, _ = self._rank_normalized(normalized)
            best = ranked[0][0] if ranked and ranked[0][1] >= self.answer_threshold else None
            return FaqResult(Decision.CRISIS, best, (), 1.0)
        if intents.is_greeting(normalized):
            return FaqResult(Decision.GREETING, None, (), 1.0)
        if intents.is_thanks(normalized):
            return FaqResult(Decision.THANKS, None, (), 1.0)

        ranked, query_weight = self._rank_normalized(normalized)
        if not ranked:
            return FaqResult(Decision.UNKNOWN, None, (), 0.0)
        best, best_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if (
            best_score >= self.answer_threshold
            and best_score - runner_up >= self.answer_margin
            and query_weight >= _MIN_QUERY_WEIGHT
        ):
            return FaqResult(Decision.ANSWER, best, (), round(best_score, 4))
        if best_score >= self.suggest_threshold:
            floor = max(self.suggest_threshold, best_score - 0.2)
            suggestions = tuple(e for e, s in ranked[:MAX_SUGGESTIONS] if s >= floor)
            return FaqResult(Decision.SUGGEST, None, suggestions, round(best_score, 4))
        return FaqResult(Decision.UNKNOWN, None, (), round(best_score, 4))

    def rank(self, text: str, limit: int = 5) -> list[tuple[FaqEntry, float]]:
        """Returns the best-matching entries with their scores, best first.

        Args:
            text: Raw query.
            limit: Maximum number of results.

        Returns:
            ``(entry, score)`` pairs; empty when the query has no content words.
        """
        return self._rank_normalized(normalize(text))[0][:limit]

    def set_taught_phrasings(self, phrasings: Iterable[tuple[str, str]]) -> None:
        """Replaces the phrasings staff attached to entries and re-indexes.

        Args:
            phrasings: ``(entry_id, text)`` pairs; pairs naming an unknown entry are
                ignored, so a phrasing whose entry left the content does no harm.
        """
        self._taught = tuple((e, t) for e, t in phrasings if e in self._by_id and t.strip())
        self._build_index()

    def _phrasings(self, entry: FaqEntry) -> tuple[str, ...]:
        taught = tuple(text for entry_id, text in self._taught if entry_id == entry.id)
        return (entry.question, *entry.alternatives, *taught)

    # ------------------------------------------------------------------- indexing

    def _build_index(self) -> None:
        entry_terms: list[set[str]] = []
        phrase_terms: list[tuple[int, list[str]]] = []
        vocab: set[str] = set()
        for index, entry in enumerate(self._entries):
            terms: set[str] = set()
            for phrase in self._phrasings(entry):
                words = content_words(normalize(phrase))
                vocab.update(words)
                stemmed = [stem(w) for w in words]
                phrase_terms.append((index, stemmed))
                terms.update(stemmed)
            answer_words = content_words(normalize(entry.answer))
            vocab.update(answer_words)
            terms.update(stem(w) for w in answer_words)
            entry_terms.append(terms)

        n_entries = len(self._entries)
        # Document frequency over the entries' phrasings; words that only occur in
        # answers fall back to their frequency over the whole entries.
        df_all: dict[str, int] = defaultdict(int)
        for terms in entry_terms:
            for term in terms:
                df_all[term] += 1
        df_phrase: dict[str, int] = defaultdict(int)
        for index in range(n_entries):
            for term in {t for i, ts in phrase_terms if i == index for t in ts}:
                df_phrase[term] += 1
        self._idf = {
            t: math.log(1.0 + n_entries / (df_phrase.get(t) or d)) for t, d in df_all.items()
        }
        self._unknown_idf = math.log(1.0 + n_entries) * _UNKNOWN_IDF_FACTOR
        self._entry_terms = entry_terms

        self._phrases: list[_Phrase] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for entry_index, stemmed in phrase_terms:
            weights = {t: self._idf[t] for t in set(stemmed)}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            phrase_id = len(self._phrases)
            self._phrases.append(
                _Phrase(entry_index, weights, norm, " ".join(sorted(set(stemmed))))
            )
            for term in weights:
                self._postings[term].append(phrase_id)
        self._phrase_texts = [p.text for p in self._phrases]
        self._vocab = sorted(w for w in vocab if len(w) >= _TYPO_MIN_LEN and not w.isdigit())
        self._vocab_set = frozenset(vocab)
        self._correct = functools.lru_cache(maxsize=10_000)(self._correct_uncached)

    def _correct_uncached(self, word: str) -> str:
        """Maps an unknown word to the closest content word (typo correction)."""
        if (
            word in self._vocab_set
            or stem(word) in self._idf
            or len(word) < _TYPO_MIN_LEN
            or word.isdigit()
        ):
            return word
        match = process.extractOne(word, self._vocab, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF)
        return match[0] if match else word

    # -------------------------------------------------------------------- scoring

    def _rank_normalized(self, normalized: str) -> tuple[list[tuple[FaqEntry, float]], float]:
        """Scores the entries for a normalised query.

        Returns:
            The ``(entry, score)`` pairs, best first, and the query's IDF norm.
        """
        words = content_words(normalized[:_MAX_QUERY_CHARS])[:_MAX_QUERY_WORDS]
        if not words:
            return [], 0.0
        query_stems = {stem(self._correct(w)) for w in words}
        weights = {t: self._idf.get(t, self._unknown_idf) for t in query_stems}
        q_norm_sq = sum(w * w for w in weights.values())
        q_norm = math.sqrt(q_norm_sq)

        phrase_dot: dict[int, float] = defaultdict(float)
        for term, weight in weights.items():
            for phrase_id in self._postings.get(term, ()):
                phrase_dot[phrase_id] += weight * self._phrases[phrase_id].weights[term]
        best_phrase: dict[int, float] = {}
        for phrase_id, dot in phrase_dot.items():
            phrase = self._phrases[phrase_id]
            cosine = dot / (q_norm * phrase.norm)
            if cosine > best_phrase.get(phrase.entry_index, 0.0):
                best_phrase[phrase.entry_index] = cosine

        candidates = set(best_phrase)
        for index, terms in enumerate(self._entry_terms):
            if index not in candidates and any(t in terms for t in weights):
                candidates.add(index)
        if not candidates:
            return [], q_norm

        query_text = " ".join(sorted(query_stems))
        fuzzy_best: dict[int, float] = defaultdict(float)
        matches = process.extract(
            query_text, self._phrase_texts, scorer=fuzz.token_sort_ratio, limit=None
        )
        for _text, value, phrase_id in matches:
            index = self._phrases[phrase_id].entry_index
            if value > fuzzy_best[index]:
                fuzzy_best[index] = float(value)

        results: list[tuple[FaqEntry, float]] = []
        for index in candidates:
            terms = self._entry_terms[index]
            covered = sum(w * w for t, w in weights.items() if t in terms)
            cover = covered / q_norm_sq if q_norm_sq else 0.0
            score = (
                _W_PHRASE * best_phrase.get(index, 0.0)
                + _W_COVER * cover
                + _W_FUZZY * fuzzy_best[index] / 100.0
            )
            results.append((self._entries[index], score))
        results.sort(key=lambda pair: (-pair[1], pair[0].id))
        return results, q_norm
