"""Rule-based detection of crisis messages, greetings and thanks.

All functions take text already passed through :func:`bot.faq.normalize.normalize`
(lower case, no accents, chat spellings expanded).

Crisis detection favours recall: a message that suggests danger or violence
happening now, or thoughts of suicide, must reach the emergency lines. Plain
informational questions ("¿qué es la violencia contra adultos mayores?") do not
match because the patterns need a first-person or an ongoing action.
"""

from __future__ import annotations

import re

_GERUNDS = (
    r"(?:golpeand|pegand|maltratand|violand|abusand|matand|amenazand|lastimand|ahorcand"
    r"|asfixiand|agrediend|atacand|persiguiend|torturand|secuestrand|encerrand|quemand"
    r"|apuñaland|apunaland|acuchilland|jaloneand|empujand|corretead)"
)
_OBJ = r"(?:me|nos|la|lo|le|les|las|los|te)"

_CRISIS_PATTERNS: tuple[str, ...] = (
    # Ongoing violence: "me están golpeando", "está pegándole", "golpeando a su mamá".
    rf"\b(?:{_OBJ}\s+)?(?:esta|estan|estaba|estaban)\s+{_GERUNDS}o\b",
    rf"\b{_GERUNDS}(?:ome|onos|ola|olo|ole|oles|olas|olos)\b",
    rf"\b{_GERUNDS}o\s+(?:a|al)\b",
    # Threats to kill or hurt: "me quiere matar", "va a matarme", "amenazó con matarme".
    r"\b(?:quiere|quieren|queria|va a|van a|iba a|amenaza con|amenazo con|amenazan con"
    r"|amenazaron con|dijo que)\s+(?:me |nos |la |lo |te )?"
    r"(?:matar|golpear|pegar|violar|quemar|desaparecer|lastimar|hacer dano)",
    r"\b(?:me|nos|la|lo)\s+(?:quiere|quieren|va a|van a)\s+(?:matar|golpear|pegar|violar)",
    r"\bamenaz\w*\s+de\s+muerte\b",
    # Suicide and self-harm.
    r"\bsuicid",
    r"\b(?:me quiero|quiero|me voy a|voy a|me dan ganas de|ganas de)\s+"
    r"(?:morir|matar|suicidar|quitar la vida|desaparecer)",
    r"\b(?:morirme|matarme|quitarme la vida|cortarme|hacerme dano)\b",
    r"\bno\s+quiero\s+(?:seguir\s+)?vivir\b",
    r"\bya\s+no\s+(?:aguanto|puedo)\s+mas\b",
    # Explicit emergency.
    r"\b(?:auxilio|socorro|ayudenme|ayudame rapido)\b",
    r"\b(?:estoy|estamos|esta|corro|corre|corremos)\s+en\s+peligro\b",
    r"\b(?:es|tengo|hay)\s+una\s+emergencia\b",
    r"\bpeligro\s+de\s+muerte\b",
    # Recent violence against the writer: "me pegó", "me violaron".
    r"\bme\s+(?:pego|golpeo|golpearon|pegaron|violo|violaron|ahorco|apuñalo|apunalo"
    r"|acuchillo|quemo|encerro|encerraron|secuestraron|abuso|abusaron|agredio|agredieron)\b",
)
_CRISIS_RE = re.compile("|".join(f"(?:{p})" for p in _CRISIS_PATTERNS))

# Present-tense violence against the writer or someone near ("me pega", "le pega a su
# mamá"); skipped when the message is clearly hypothetical ("¿qué pasa si alguien me pega?").
_PRESENT_VIOLENCE = re.compile(
    r"\b(?:me|nos|le|la|lo)\s+(?:golpea|golpean|pega|pegan|maltrata|maltratan|viola|amenaza"
    r"|amenazan|lastima|encierra|ahorca|quema)\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:que pasa si|en caso de|si alguien|si una persona|si un ciudadano|si una ciudadana"
    r"|que es|que significa|se considera|es delito|es violencia|que hago si alguien)\b"
)

# Fear together with harassment or violence: "mi jefe me acosa y tengo miedo".
_FEAR = re.compile(
    r"\b(?:tengo|tenemos|me da|nos da|siento|me dan)\s+(?:mucho\s+)?(?:miedo|panico)\b"
    r"|\b(?:estoy|estamos)\s+(?:muy\s+)?(?:asustad[oa]s?|aterrad[oa]s?)\b"
)
_HARM = re.compile(
    r"\b(?:acos\w*|hostig\w*|golpe\w*|peg\w*|amenaz\w*|maltrat\w*|viol(?:a|an|o|aron|ar)|abus\w*|persig\w*"
    r"|sigue|siguen|lastim\w*|agred\w*|mata\w*|grit\w*)\b"
)

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


def is_crisis(normalized: str) -> bool:
    """Tells whether a message suggests danger, ongoing violence or suicidal thoughts.

    Args:
        normalized: Normalised message text.

    Returns:
        ``True`` if the crisis lines must be shown first.
    """
    if _CRISIS_RE.search(normalized):
        return True
    if _FEAR.search(normalized) and _HARM.search(normalized):
        return True
    return bool(_PRESENT_VIOLENCE.search(normalized) and not _HYPOTHETICAL.search(normalized))


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
