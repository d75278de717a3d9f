"""Lexical scoring of FAQ entries: IDF-weighted phrase cosine, keyword coverage and a
fuzzy score, over Spanish-normalised, stemmed words.

Per entry (all components in ``[0, 1]``):

* ``phrase``: best IDF-weighted cosine between the query stems and one of the entry's
  phrasings (main question, alternatives and staff-taught phrasings);
* ``cover``: share of the query's IDF mass (squared) found anywhere in the entry
  (phrasings and answer), so long questions that use the answer's words still match;
* ``fuzzy``: best rapidfuzz token-sort ratio between the stemmed query and a phrasing,
  for residual typos.

Unknown query words (after typo correction against the content vocabulary) keep a
high IDF weight, so questions about things the content never mentions (predial,
pasaporte, recetas) get low scores instead of matching on a shared common word.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.faq.normalize import content_words, normalize, stem

_W_PHRASE = 0.55
_W_COVER = 0.25
_W_FUZZY = 0.20
_UNKNOWN_IDF_FACTOR = 1.0
_TYPO_MIN_LEN = 4
_TYPO_CUTOFF = 80.0
_MAX_QUERY_WORDS = 30
_MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class _Phrase:
    entry_index: int
    weights: dict[str, float]
    norm: float
    text: str


class LexicalIndex:
    """Scores every entry against a normalised query.

    Args:
        phrasings: For each entry, in entry order, the texts people ask it with.
        answers: For each entry, its answer text (its words count for coverage).
    """

    def __init__(self, phrasings: Sequence[Sequence[str]], answers: Sequence[str]) -> None:
        self._n_entries = len(phrasings)
        self._build(phrasings, answers)

    def _build(self, phrasings: Sequence[Sequence[str]], answers: Sequence[str]) -> None:
        entry_terms: list[set[str]] = []
        phrase_terms: list[tuple[int, list[str]]] = []
        vocab: set[str] = set()
        word_df: dict[str, int] = defaultdict(int)
        for index, entry_phrasings in enumerate(phrasings):
            terms: set[str] = set()
            entry_words: set[str] = set()
            for phrase in entry_phrasings:
                words = content_words(normalize(phrase))
                vocab.update(words)
                entry_words.update(words)
                stemmed = [stem(w) for w in words]
                phrase_terms.append((index, stemmed))
                terms.update(stemmed)
            for word in entry_words:
                word_df[word] += 1
            answer_words = content_words(normalize(answers[index]))
            vocab.update(answer_words)
            terms.update(stem(w) for w in answer_words)
            entry_terms.append(terms)

        n_entries = self._n_entries
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
        self._word_idf = {w: math.log(1.0 + n_entries / d) for w, d in word_df.items()}
        holders: dict[str, list[int]] = defaultdict(list)
        for index, terms in enumerate(entry_terms):
            for term in terms:
                holders[term].append(index)
        self._term_entries = {t: np.array(ids, dtype=np.intp) for t, ids in holders.items()}

        # The phrasings' weight dicts live only while the postings are built: kept, they were
        # the index's largest part in memory.
        phrases: list[_Phrase] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for entry_index, stemmed in phrase_terms:
            weights = {t: self._idf[t] for t in set(stemmed)}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            phrase_id = len(phrases)
            phrases.append(_Phrase(entry_index, weights, norm, " ".join(sorted(set(stemmed)))))
            for term in weights:
                postings[term].append(phrase_id)
        self._phrase_texts = [p.text for p in phrases]
        self._phrase_text_array = np.array(self._phrase_texts, dtype=object)
        # The postings as arrays, so a query's cosines are a few numpy operations: a
        # long situational question has dozens of terms, each in hundreds of phrasings.
        self._term_postings: dict[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]] = {
            term: (
                np.array(ids, dtype=np.intp),
                np.array([phrases[i].weights[term] for i in ids], dtype=np.float64),
            )
            for term, ids in postings.items()
        }
        self._phrase_norms = np.array([p.norm for p in phrases], dtype=np.float64)
        self._phrase_entry = np.array([p.entry_index for p in phrases], dtype=np.intp)
        # Each entry's phrasings are contiguous and every entry has one (its question), so an
        # entry's best value is a max over one slice (`_best_per_entry`).
        counts = np.bincount(self._phrase_entry, minlength=n_entries)
        if np.any(counts == 0) or np.any(np.diff(self._phrase_entry) < 0):
            raise ValueError("every entry needs at least one phrasing, in entry order")
        self._entry_starts = np.cumsum(counts) - counts
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

    def scores(self, normalized: str) -> tuple[dict[int, float], float]:
        """Scores the entries for a normalised query.

        Returns:
            The score of each candidate entry (by index; entries sharing no word with the
            query are left out) and how specific the query is: the IDF norm of its words,
            each word weighing as the rarer of itself and its stem (so "legalidad" stays
            specific when many phrasings ask whether something "es legal").
        """
        words = content_words(normalized[:_MAX_QUERY_CHARS])[:_MAX_QUERY_WORDS]
        if not words:
            return {}, 0.0
        stemmed = [(word, stem(word)) for word in map(self._correct, words)]
        query_stems = {term for _, term in stemmed}
        weights = {t: self._idf.get(t, self._unknown_idf) for t in query_stems}
        q_norm_sq = sum(w * w for w in weights.values())
        q_norm = math.sqrt(q_norm_sq)
        specific = dict(weights)
        for word, term in stemmed:
            specific[term] = max(specific[term], self._word_idf.get(word, 0.0))
        specificity = math.sqrt(sum(w * w for w in specific.values()))

        phrase_dot = np.zeros(len(self._phrase_texts))
        for term, weight in weights.items():
            posting = self._term_postings.get(term)
            if posting is not None:
                phrase_dot[posting[0]] += weight * posting[1]
        best_phrase = self._best_per_entry(phrase_dot / (q_norm * self._phrase_norms))

        covered = np.zeros(self._n_entries)
        for term, weight in weights.items():
            holders = self._term_entries.get(term)
            if holders is not None:
                covered[holders] += weight * weight
        candidates = set(best_phrase).union(np.flatnonzero(covered > 0.0).tolist())
        if not candidates:
            return {}, specificity

        # Only the candidates' phrasings: a short question shares words with few entries,
        # and the fuzzy ratio of any other entry would never be read. The texts are sorted
        # stems, so a plain ratio is the token-sort ratio without sorting again.
        query_text = " ".join(sorted(query_stems))
        if len(candidates) == self._n_entries:
            ratios = process.cdist(
                [query_text], self._phrase_texts, scorer=fuzz.ratio, dtype=np.float64
            )[0]
        else:
            chosen = np.flatnonzero(self._candidate_mask(candidates)[self._phrase_entry])
            ratios = np.zeros(len(self._phrase_texts))
            ratios[chosen] = process.cdist(
                [query_text],
                self._phrase_text_array[chosen].tolist(),
                scorer=fuzz.ratio,
                dtype=np.float64,
            )[0]
        fuzzy_best = self._best_per_entry(ratios)

        results: dict[int, float] = {}
        for index in candidates:
            cover = float(covered[index]) / q_norm_sq if q_norm_sq else 0.0
            results[index] = (
                _W_PHRASE * best_phrase.get(index, 0.0)
                + _W_COVER * cover
                + _W_FUZZY * fuzzy_best.get(index, 0.0) / 100.0
            )
        return results, specificity

    def _candidate_mask(self, candidates: set[int]) -> npt.NDArray[np.bool_]:
        mask = np.zeros(self._n_entries, dtype=np.bool_)
        mask[list(candidates)] = True
        return mask

    def _best_per_entry(self, values: npt.NDArray[np.float64]) -> dict[int, float]:
        """The best positive value of each entry's phrasings (entries without one left out)."""
        if not self._n_entries:
            return {}
        best = np.maximum(np.maximum.reduceat(values, self._entry_starts), 0.0)
        return {int(i): float(best[i]) for i in np.flatnonzero(best > 0.0)}
