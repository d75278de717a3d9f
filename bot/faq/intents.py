"""Rule-based detection of greetings and thanks (crisis detection is in ``crisis``).

All functions take text already passed through :func:`bot.faq.normalize.normalize`
(lower case, no accents, chat spellings expanded).
"""

from __future__ import annotations

import re

_MAX_SMALL_TALK_WORDS = 12
_GREETING_CORE = frozenset(
    {"hola", "buenas", "buenos", "buen", "saludos", "hey", "hi", "hello", "quiubo", "quihubo"}
)
_GREETING_FILLER = frozenset(
    {
        "dia",
        "dias",
        "tarde",
        "tardes",
        "noche",
        "noches",
        "que",
        "tal",
        "como",
        "estas",
        "esta",
        "estan",
        "oye",
        "bot",
        "asistente",
        "defensoria",
        "onda",
        "mucho",
        "gusto",
        "a",
        "todos",
        "todas",
        "de",
        "nuevo",
        "otra",
        "vez",
        "amigo",
        "amiga",
        "y",
        "muy",
        "bien",
        "usted",
        "ustedes",
        "te",
        "saludo",
        "soy",
        "nueva",
    }
)
_THANKS_CORE = frozenset(
    {
        "gracias",
        "thanks",
        "thx",
        "agradezco",
        "agradecido",
        "agradecida",
        "ok",
        "listo",
        "entendido",
        "perfecto",
        "vale",
        "sale",
        "excelente",
        "genial",
    }
)
_THANKS_FILLER = frozenset(
    {
        "muchas",
        "muchisimas",
        "mil",
        "muy",
        "amable",
        "mucho",
        "te",
        "se",
        "lo",
        "la",
        "le",
        "de",
        "nada",
        "ya",
        "entendi",
        "claro",
        "si",
        "a",
        "ti",
        "usted",
        "por",
        "todo",
        "tu",
        "ayuda",
        "informacion",
        "respuesta",
        "bien",
        "bueno",
        "super",
        "que",
        "buena",
        "y",
        "ok",
        "va",
        "listo",
        "perfecto",
        "excelente",
        "genial",
        "vale",
        "sale",
        "igualmente",
        "bot",
        "asistente",
        "dios",
        "bendiga",
        "me",
        "sirvio",
        "servido",
        "gracias",
        "eres",
    }
)


def _squeeze(word: str) -> str:
    """Collapses doubled letters so that ``graciass`` and ``holaa`` match."""
    return re.sub(r"(.)\1+", r"\1", word)


_GREETING_CORE_SQ = frozenset(_squeeze(w) for w in _GREETING_CORE)
_GREETING_ALL_SQ = _GREETING_CORE_SQ | frozenset(_squeeze(w) for w in _GREETING_FILLER)
_THANKS_CORE_SQ = frozenset(_squeeze(w) for w in _THANKS_CORE)
_THANKS_ALL_SQ = _THANKS_CORE_SQ | frozenset(_squeeze(w) for w in _THANKS_FILLER)


def _only_words(normalized: str, core: frozenset[str], allowed: frozenset[str]) -> bool:
    words = normalized.split()
    if len(words) > _MAX_SMALL_TALK_WORDS:
        return False
    words = [_squeeze(w) for w in words]
    return bool(words) and any(w in core for w in words) and all(w in allowed for w in words)


_GREETING_PHRASES = frozenset(
    {"que tal", "que onda", "como estas", "como esta", "que hubo", "que hay", "como le va"}
)


def is_greeting(normalized: str) -> bool:
    """Tells whether the message is only a greeting ("hola", "buenos días")."""
    if normalized.strip() in _GREETING_PHRASES:
        return True
    return _only_words(normalized, _GREETING_CORE_SQ, _GREETING_ALL_SQ)


def is_thanks(normalized: str) -> bool:
    """Tells whether the message is only thanks or an acknowledgement ("muchas gracias!!")."""
    return _only_words(normalized, _THANKS_CORE_SQ, _THANKS_ALL_SQ)
