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


_OTHER_COUNTRIES = (
    "otro pais|otros paises|el extranjero|"
    "colombia|espa(?:n|ñ)a|estados unidos|ee uu|eeuu|eua|usa|argentina|chile|peru|venezuela|"
    "guatemala|honduras|el salvador|nicaragua|costa rica|panama|cuba|ecuador|bolivia|"
    "paraguay|uruguay|brasil|canada|francia|alemania|italia|inglaterra|reino unido|portugal|"
    "japon|china|rusia"
)
"""Mexico's other states are not here: the content compares their laws with the Estado de
México's on purpose (the Ley Ingrid of Mexico City)."""
_HERE_RE = re.compile(r"\b(?:mexico|mexicana|mexicano|toluca|edomex|aqui)\b")
_LAW_WORDS = (
    r"ley|leyes|pena|penas|codigo|delito|delitos|legal|ilegal|castig\w*|articulo|"
    r"constitucion|sancion\w*|carcel|multa|tipific\w*|juzga\w*|dan por|"
    r"feminicidio|homicidio|robo|aborto|cohecho|soborno|extorsion|secuestro|peculado|divorcio|"
    r"defensorias?|derechos humanos"
)
_WITHIN = r"(?:\w+ ){0,6}"
_OTHER_JURISDICTION_RE = re.compile(
    rf"\b(?:{_LAW_WORDS}) {_WITHIN}(?:en|de|del) (?:la |el |los )?(?:{_OTHER_COUNTRIES})\b"
    rf"|\ben (?:la |el |los )?(?:{_OTHER_COUNTRIES}) {_WITHIN}(?:{_LAW_WORDS})\b"
)


def names_other_jurisdiction(normalized: str) -> bool:
    """True when a message asks about another country's law ("en Colombia, ¿qué pena tiene
    el feminicidio?") and not about Mexico's: the content answers with the law that applies
    in the Estado de México, which would be a confident wrong answer there."""
    return (
        _OTHER_JURISDICTION_RE.search(normalized) is not None
        and _HERE_RE.search(normalized) is None
    )
