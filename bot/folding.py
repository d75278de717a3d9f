"""One way to compare what people type: without case, accents or extra spaces."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Folds text for matching: "  Peña   GÓMEZ " → "pena gomez" (ñ becomes n too, since
    exported lists and keyboards often lose it). Keys built with it are stored (a talk's
    import key), so what it does must not change."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())
