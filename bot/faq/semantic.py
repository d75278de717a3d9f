"""Semantic scoring of FAQ entries with a sentence encoder.

Each entry's phrasings are encoded once (cached on disk); a query's score for an entry is
its best cosine with one of them. Phrasings staff teach at run time are encoded as they
arrive and remembered, so re-indexing costs nothing for texts already seen.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

import numpy as np

from bot.faq.encoder import SentenceEncoder, Vectors
from bot.faq.vector_cache import cached_vectors


class SemanticIndex:
    """Best cosine per entry between queries and the entries' phrasings.

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
        self._owners = self._content_owners

    def set_taught(self, phrasings: Sequence[tuple[int, str]]) -> None:
        """Adds staff-taught ``(entry_index, text)`` phrasings to the content's own."""
        new = [text for _, text in phrasings if text not in self._known]
        if new:
            self._known.update(zip(new, self.encoder.encode(new), strict=True))
        if not phrasings:
            self._vectors, self._owners = self.content_vectors, self._content_owners
            return
        taught = np.stack([self._known[text] for _, text in phrasings])
        self._vectors = np.vstack([self.content_vectors, taught])
        self._owners = np.concatenate(
            [self._content_owners, np.array([i for i, _ in phrasings], dtype=np.int32)]
        )

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Encodes query texts (normalised rows)."""
        return self.encoder.encode(texts)

    def best_per_entry(self, queries: Vectors) -> Vectors:
        """Returns each query row's best cosine with each entry (queries × entries)."""
        similarities = queries @ self._vectors.T
        best = np.full((queries.shape[0], self._n_entries), -1.0, dtype=np.float32)
        for row in range(queries.shape[0]):
            np.maximum.at(best[row], self._owners, similarities[row])
        return best
