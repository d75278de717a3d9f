"""Semantic scoring of FAQ entries with a sentence encoder.

Each entry's phrasings are encoded once (cached on disk); a query's score for an entry
blends its best cosine with one of them and the mean of its best three (`TOP_K`,
`BEST_SHARE`): one stray phrasing that happens to sit near a question then counts less than
several that do. Phrasings staff teach at run time are encoded as they
arrive and remembered, so re-indexing costs nothing for texts already seen.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.faq.encoder import SentenceEncoder, Vectors
from bot.faq.vector_cache import cached_vectors

TOP_K = 3
BEST_SHARE = 0.5
"""An entry's score is ``BEST_SHARE`` × its best cosine + the rest × the mean of its best
``TOP_K`` (all of them when it has fewer). Chosen on the development questions: the right
entry first 0.930 → 0.940 of the time, over max alone and other blends (k 2–5, share 0–0.7)."""


def _slots(owners: npt.NDArray[np.int32], n_entries: int) -> npt.NDArray[np.intp]:
    """Entries × their phrasings' columns, padded with the index one past the last column."""
    columns = [np.flatnonzero(owners == entry) for entry in range(n_entries)]
    width = max(TOP_K, max((len(c) for c in columns), default=0))
    slots = np.full((n_entries, width), len(owners), dtype=np.intp)
    for entry, indices in enumerate(columns):
        slots[entry, : len(indices)] = indices
    return slots


class SemanticIndex:
    """Cosine score per entry between queries and the entries' phrasings (see `TOP_K`).

    Args:
        encoder: The sentence encoder.
        phrasings: For each entry, in entry order, its content phrasings.
        cache_dir: Folder of the on-disk vector cache (``None``: no cache).
    """

    def __init__(
        self,
        encoder: SentenceEncoder,
        phrasings: Sequence[Sequence[str]],
        cache_dir: pathlib.Path | None,
    ) -> None:
        self.encoder = encoder
        texts = [text for entry in phrasings for text in entry]
        vectors = cached_vectors(encoder, texts, cache_dir)
        self._known: dict[str, Vectors] = dict(zip(texts, vectors, strict=True))
        self._content_owners = np.array(
            [index for index, entry in enumerate(phrasings) for _ in entry], dtype=np.int32
        )
        self.content_vectors = vectors
        self._n_entries = len(phrasings)
        self._vectors = vectors
        self._content_slots = _slots(self._content_owners, self._n_entries)
        self._slots = self._content_slots

    def set_taught(self, phrasings: Sequence[tuple[int, str]]) -> None:
        """Adds staff-taught ``(entry_index, text)`` phrasings to the content's own."""
        new = [text for _, text in phrasings if text not in self._known]
        if new:
            self._known.update(zip(new, self.encoder.encode(new), strict=True))
        if not phrasings:
            self._vectors, self._slots = self.content_vectors, self._content_slots
            return
        taught = np.stack([self._known[text] for _, text in phrasings])
        self._vectors = np.vstack([self.content_vectors, taught])
        owners = np.concatenate(
            [self._content_owners, np.array([i for i, _ in phrasings], dtype=np.int32)]
        )
        self._slots = _slots(owners, self._n_entries)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Encodes query texts (normalised rows)."""
        return self.encoder.encode(texts)

    def best_per_entry(self, queries: Vectors) -> Vectors:
        """Returns each query row's score for each entry (queries × entries), -1 for an
        entry without phrasings."""
        similarities = queries @ self._vectors.T
        padded = np.concatenate(
            [similarities, np.full((queries.shape[0], 1), -np.inf, dtype=similarities.dtype)],
            axis=1,
        )
        gathered = padded[:, self._slots]
        top = -np.partition(-gathered, TOP_K - 1, axis=2)[:, :, :TOP_K]
        best = top.max(axis=2)
        top = np.where(np.isfinite(top), top, best[..., None])
        scores = BEST_SHARE * best + (1.0 - BEST_SHARE) * top.mean(axis=2)
        return np.where(np.isfinite(scores), scores, -1.0).astype(np.float32)
