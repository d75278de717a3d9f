"""Removing personal data from free text before it is stored.

Servants sometimes type their e-mail, phone, CURP or an employee number into a question
(or into the bot after a restart cut a sign-up short). Before such a text is kept, each of
those becomes a placeholder from `content/messages/` («correo», «teléfono»…), so the office
still sees what was asked but not who could be reached. Control characters go too:
PostgreSQL rejects U+0000 in text.

The patterns lean towards removing too much: a date written as 01.12.2026 or a list of
eight numbers becomes «teléfono», which costs nothing; a phone left in clear would.
"""

from __future__ import annotations

import re

from bot.texts import plain

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOKEN_START = r"(?<![\w.+%-])"
"""E-mail matches start where a run of address characters starts: one try per word, so a
long message costs linear time, not quadratic."""
_EMAIL = re.compile(_TOKEN_START + r"[\w.+%-]*\w@[\w-]+(?:\.[\w-]+)*")
_SPELLED_EMAIL = re.compile(
    _TOKEN_START
    + r"[\w.+%-]*\w\s*(?:\(at\)|\[at\]|\barroba\b)\s*[\w-]+(?:\s*(?:\.|\bpunto\b)\s*[\w-]+)+",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w.])@\w{3,}")
_CURP = re.compile(r"(?<!\w)[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d(?!\w)", re.IGNORECASE)
_VOTER_KEY = re.compile(r"(?<!\w)[A-Z]{6}\d{8}[HMX]\d{3}(?!\w)", re.IGNORECASE)
"""The INE's clave de elector."""
_RFC = re.compile(r"(?<![\w&])[A-ZÑ&]{3,4}\d{6}(?:[A-Z0-9]{3})?(?!\w)", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])\+?\(?(?:\d[\s().\-]{0,4}){7,14}\d(?!\w)")
"""8 to 15 digits, possibly with +, spaces, dashes, dots or parentheses between them."""
_LONG_NUMBER = re.compile(r"\d{6,}")
"""Any run of six or more digits that is left, even glued to letters (tel5512345678)."""

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_EMAIL, "email"),
    (_SPELLED_EMAIL, "email"),
    (_HANDLE, "handle"),
    (_CURP, "curp"),
    (_VOTER_KEY, "voter_key"),
    (_RFC, "rfc"),
    (_PHONE, "phone"),
    (_LONG_NUMBER, "number"),
)


def strip_control(text: str) -> str:
    """Removes control characters other than tab and line breaks (U+0000 among them)."""
    return _CONTROL.sub("", text)


def redact(text: str) -> str:
    """Returns `text` with e-mails, Telegram usernames, CURP, clave de elector, RFC,
    phone numbers and long digit runs replaced by placeholders, and no control characters."""
    text = strip_control(text)
    for pattern, kind in _RULES:
        text = pattern.sub(plain(f"staff_faq.redacted.{kind}"), text)
    return text
