"""On-disk cache of the content's sentence vectors.

Encoding every phrasing takes seconds; loading them takes milliseconds. The file is keyed
by a hash of the model id and of every text, so any change to the content or to the model
rebuilds it, and a file that does not parse or does not fit is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import tempfile
from collections.abc import Sequence

import numpy as np

from bot.faq.encoder import SentenceEncoder, Vectors

logger = logging.getLogger(__name__)


def content_key(model_id: str, texts: Sequence[str]) -> str:
    """Returns the hash that identifies one model's vectors for these texts."""
    digest = hashlib.sha256(model_id.encode())
    for text in texts:
        digest.update(b"\x1e" + text.encode())
    return digest.hexdigest()


def _read(path: pathlib.Path, key: str, rows: int) -> Vectors | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            stored_key = str(data["key"])
            vectors = np.asarray(data["vectors"], dtype=np.float32)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: rebuild it
        logger.warning("FAQ vector cache %s is unreadable (%s): rebuilding it", path, exc)
        return None
    if stored_key != key or vectors.ndim != 2 or vectors.shape[0] != rows:
        logger.info("FAQ vector cache %s is stale: rebuilding it", path)
        return None
    if not np.all(np.isfinite(vectors)):
        logger.warning("FAQ vector cache %s holds invalid numbers: rebuilding it", path)
        return None
    return vectors


def _write(path: pathlib.Path, key: str, vectors: Vectors) -> None:
    """Writes atomically, so a crash never leaves half a file that another start trusts."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, key=np.array(key), vectors=vectors)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("FAQ vector cache %s could not be written (%s)", path, exc)


def cached_vectors(
    encoder: SentenceEncoder,
    texts: Sequence[str],
    directory: pathlib.Path | None,
    name: str = "faq",
) -> Vectors:
    """Returns the vectors of ``texts``, from the cache when it is valid.

    Args:
        encoder: The model.
        texts: Texts to encode, in order.
        directory: Cache folder; ``None`` encodes without caching.
        name: What the texts are (one file each: ``faq``, ``crisis``).

    Returns:
        One normalised row per text.
    """
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    key = content_key(encoder.model_id, texts)
    path = directory / f"{name}-vectors-{encoder.model_id}.npz" if directory else None
    if path is not None:
        vectors = _read(path, key, len(texts))
        if vectors is not None:
            return vectors
    vectors = encoder.encode(texts)
    if path is not None:
        _write(path, key, vectors)
    return vectors
