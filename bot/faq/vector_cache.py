"""On-disk cache of the content's sentence vectors and of what is fitted on them.

Encoding every phrasing takes seconds; loading them takes milliseconds. The file is keyed
by a hash of the model id and of every text, so any change to the content or to the model
rebuilds it, and a file that does not parse or does not fit is rebuilt, never trusted.
The crisis classifier's weights, fitted on those vectors, are kept the same way
(:func:`cached_fit`), keyed by a hash of the vectors themselves; so is the crisis word
model's table (:func:`cached_log_odds`), keyed by its texts and by the code that reads them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.faq.encoder import SentenceEncoder, Vectors

logger = logging.getLogger(__name__)


def content_key(model_id: str, texts: Sequence[str]) -> str:
    """Returns the hash that identifies one model's vectors for these texts."""
    digest = hashlib.sha256(model_id.encode())
    for text in texts:
        digest.update(b"\x1e" + text.encode())
    return digest.hexdigest()


def _read(path: pathlib.Path, key: str, rows: int) -> Vectors | None:
    vectors = _load(path, key, np.float32)
    if vectors is None or vectors.ndim != 2 or vectors.shape[0] != rows:
        return None
    return vectors


def _load(path: pathlib.Path, key: str, dtype: type[np.generic]) -> npt.NDArray[Any] | None:
    """The array of the file at `path` if it was written for `key` and holds only finite
    numbers; None otherwise (missing, truncated, foreign or stale)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            stored_key = str(data["key"])
            array = np.asarray(data["vectors"], dtype=dtype)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: rebuild it
        logger.warning("FAQ vector cache %s is unreadable (%s): rebuilding it", path, exc)
        return None
    if stored_key != key:
        logger.info("FAQ vector cache %s is stale: rebuilding it", path)
        return None
    if not np.all(np.isfinite(array)):
        logger.warning("FAQ vector cache %s holds invalid numbers: rebuilding it", path)
        return None
    return array


def _write(
    path: pathlib.Path,
    key: str,
    array: npt.NDArray[Any],
    features: npt.NDArray[np.uint8] | None = None,
) -> None:
    """Writes atomically, so a crash never leaves half a file that another start trusts."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            if features is None:
                np.savez(fh, key=np.array(key), vectors=array)
            else:
                np.savez(fh, key=np.array(key), vectors=array, features=features)
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


Fitted = tuple[npt.NDArray[np.float64], float]
"""A linear model: its weights and its bias."""


Negatives = tuple[Vectors, ...]
"""The negative examples of a fit, in arrays kept apart: stacking them into one would hold a
second copy of every vector."""


def cached_fit(
    positives: Vectors,
    negatives: Negatives,
    fit: Callable[[Vectors, Negatives], Fitted],
    parameters: str,
    directory: pathlib.Path | None,
    name: str,
) -> Fitted:
    """Returns ``fit(positives, negatives)``, from the cache when it was fitted on the same
    vectors with the same `parameters`, which name the method and its settings: the caller
    changes them whenever `fit` would give another result.

    The key is that of the negatives stacked into one array, without stacking them."""
    if directory is None:
        return fit(positives, negatives)
    digest = hashlib.sha256(parameters.encode())
    digest.update(str(positives.shape).encode())
    digest.update(np.ascontiguousarray(positives).data)  # hashed in place, not copied
    rows = sum(len(array) for array in negatives)
    digest.update(str((rows, positives.shape[1])).encode())
    for array in negatives:
        digest.update(np.ascontiguousarray(array).data)
    key = digest.hexdigest()
    path = directory / f"{name}-model.npz"
    stored = _load(path, key, np.float64)
    if stored is not None and stored.ndim == 1 and stored.shape[0] == positives.shape[1] + 1:
        return stored[:-1], float(stored[-1])
    weights, bias = fit(positives, negatives)
    _write(path, key, np.append(weights, bias))
    return weights, bias


_WORD_MODEL_CODE = tuple(
    pathlib.Path(__file__).with_name(name)
    for name in ("normalize.py", "crisis.py", "vector_cache.py")
)
"""The modules whose code decides a word model's features: a change to them refits it."""


def cached_log_odds(
    positives: Sequence[str],
    negatives: Sequence[str],
    fit: Callable[[Sequence[str], Sequence[str]], dict[str, float]],
    parameters: str,
    directory: pathlib.Path | None,
    name: str,
) -> dict[str, float]:
    """Returns ``fit(positives, negatives)``, a table of feature weights, from the cache when
    it was fitted on the same texts, with the same `parameters` and the same code."""
    if directory is None:
        return fit(positives, negatives)
    digest = hashlib.sha256(parameters.encode())
    for source in _WORD_MODEL_CODE:
        digest.update(source.read_bytes())
    digest.update(content_key(name, [*positives, "\x1d", *negatives]).encode())
    key = digest.hexdigest()
    path = directory / f"{name}-table.npz"
    stored = _load_table(path, key)
    if stored is not None:
        return stored
    table = fit(positives, negatives)
    weights = np.array(list(table.values()), dtype=np.float64)
    # One UTF-8 blob, not an array of fixed-width strings: a tenth of the memory at start-up.
    blob = np.frombuffer("\n".join(table).encode(), dtype=np.uint8)
    _write(path, key, weights, features=blob)
    return table


def _load_table(path: pathlib.Path, key: str) -> dict[str, float] | None:
    weights = _load(path, key, np.float64)
    if weights is None:
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            features = data["features"].tobytes().decode().split("\n")
    except Exception as exc:  # a truncated or foreign file: rebuild it
        logger.warning("FAQ word model cache %s is unreadable (%s): rebuilding it", path, exc)
        return None
    if weights.ndim != 1 or len(features) != len(weights):
        return None
    return dict(zip(features, weights.tolist(), strict=True))
