"""The content folder: every text, list and template that names or describes the office.

One process serves one office, so the folder is chosen once at start-up
(`use_content_dir`, from the CONTENT_DIR setting) and every loader reads from it:

    <content>/messages/*.toml   the bot's texts (bot.texts)
    <content>/faq/office.toml   the office's identity (bot.office)
    <content>/faq/*.toml        the FAQ (bot.faq)
    <content>/web/*.html        the public programme's templates (bot.web)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

_current = DEFAULT_CONTENT_DIR
_on_change: list[Callable[[], None]] = []


def content_dir() -> Path:
    """The folder in use."""
    return _current


def use_content_dir(path: Path | str) -> None:
    """Switches every loader to `path` (start-up, or a test running another office)."""
    global _current
    resolved = Path(path).resolve()
    if resolved == _current:
        return
    _current = resolved
    forget_cached()


def forget_cached() -> None:
    """Clears every registered cache: what the texts say may have changed."""
    for forget in _on_change:
        forget()


def on_change(forget: Callable[[], None]) -> Callable[[], None]:
    """Registers a cache to clear when the folder changes; usable as a decorator."""
    _on_change.append(forget)
    return forget
