"""Spanish text normalisation for matching: case, accents, chat spellings, stems."""

from __future__ import annotations

import functools
import html
import re
import unicodedata

import snowballstemmer

MAX_INPUT_CHARS = 5000
"""Only the first characters of a message are read (crisis patterns see all of them)."""

_TAG_RE = re.compile(r"<[^>]{0,200}>")
_NON_WORD_RE = re.compile(r"[^a-z0-9ñ]+")
_REPEAT_RE = re.compile(r"(.)\1{2,}")

# Chat spellings and abbreviations -> standard words (applied per token, after accents
# are stripped). "x" is read as "por" ("x favor", "x q").
CHAT_SPELLINGS: dict[str, str] = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "qe": "que",
    "xq": "porque",
    "xk": "porque",
    "pq": "porque",
    "pk": "porque",
    "porq": "porque",
    "xque": "porque",
    "porfa": "por favor",
    "porfis": "por favor",
    "porfavor": "por favor",
    "xfa": "por favor",
    "xfavor": "por favor",
    "plis": "por favor",
    "pls": "por favor",
    "tmb": "tambien",
    "tmbn": "tambien",
    "tb": "tambien",
    "tambn": "tambien",
    "x": "por",
    "d": "de",
    "dl": "del",
    "cn": "con",
    "pa": "para",
    "xa": "para",
    "sta": "esta",
    "stan": "estan",
    "toy": "estoy",
    "aki": "aqui",
    "bn": "bien",
    "tel": "telefono",
    "tels": "telefonos",
    "cel": "celular",
    "num": "numero",
    "msj": "mensaje",
    "msjs": "mensajes",
    "info": "informacion",
    "ddhh": "derechos humanos",
    "dh": "derechos humanos",
    "ayto": "ayuntamiento",
    "edomex": "estado de mexico",
    "edo": "estado",
    "mex": "mexico",
    "cdmx": "ciudad de mexico",
    "df": "ciudad de mexico",
    "whats": "whatsapp",
    "wats": "whatsapp",
    "whatsap": "whatsapp",
    "wasap": "whatsapp",
    "guasap": "whatsapp",
    "wa": "whatsapp",
    "chamba": "trabajo",
    "jale": "trabajo",
    "chambear": "trabajar",
    "grax": "gracias",
    "grasias": "gracias",
    "ola": "hola",
    "holi": "hola",
    "oki": "ok",
    "okay": "ok",
    "vdd": "verdad",
    "art": "articulo",
    "arts": "articulos",
    "fracc": "fraccion",
    "fr": "fraccion",
    "sp": "servidor publico",
    "sps": "servidores publicos",
}

# Everyday synonyms folded to the wording used in the content (retrieval only).
SYNONYMS: dict[str, str] = {
    "abuelito": "adulto mayor",
    "abuelitos": "adultos mayores",
    "abuelita": "adulta mayor",
    "abuelitas": "adultas mayores",
    "abuelo": "adulto mayor",
    "abuelos": "adultos mayores",
    "abuela": "adulta mayor",
    "viejito": "adulto mayor",
    "viejitos": "adultos mayores",
    "viejita": "adulta mayor",
    "viejitas": "adultas mayores",
    "anciano": "adulto mayor",
    "ancianos": "adultos mayores",
    "anciana": "adulta mayor",
    "ancianas": "adultas mayores",
    "funcionario": "servidor publico",
    "funcionarios": "servidores publicos",
    "funcionaria": "servidora publica",
    "burocrata": "servidor publico",
    "soborno": "cohecho",
    "sobornos": "cohecho",
    "mordida": "cohecho",
    "mordidita": "cohecho",
    "mordidas": "cohecho",
    "moche": "cohecho",
    "moches": "cohecho",
    # "Transa" (a crook, a swindle) is not "trans": folded, it stems apart from the trans entry.
    "transa": "corrupcion",
    "transas": "corrupcion",
    "transero": "corrupcion",
    "transera": "corrupcion",
    "imagenes": "fotos",
    "imagen": "foto",
    "fotografias": "fotos",
    "fotografia": "foto",
    "celu": "celular",
}

_STOP_WORDS_TEXT = """
    a al algo algun alguna algunas alguno algunos ante antes asi aun aunque bajo bueno cada
    como con conmigo contigo cual cuales cualquier cuando de del dentro desde dos durante e
    el ella ellas ello ellos en entonces entre era eran es esa esas ese eso esos esta estaba
    estan estar estas este esto estos estoy fue fueron ha haber habia han has hasta hay he
    la las le les lo los me mi mia mias mio mios mis mucha muchas mucho muchos muy nada ni
    no nos nosotras nosotros nuestra nuestro o os otra otras otro otros para pero poco por
    porque pues que quien quienes se sea ser si sido sin sobre sois solo son soy su sus suya
    suyo tal tambien tan tanto te ti tiene tienen toda todas todo todos tu tus u un una unas
    uno unos usted ustedes vosotros y ya yo oye oiga hola buenas buenos buen dia dias tarde
    tardes noches favor porfa gracias ok disculpa disculpe perdon pregunta preguntar duda
    dudas saber quisiera queria quiero necesito necesitaria dime digame decir explicame
    explica explicar significa significado significan quiere concepto definicion define
    definir ejemplo ejemplos info acerca respecto tema cosa cosas asunto considera
    considerado considerada considerar considerarse tengo tenemos tener debo debe deben
    debemos deberia puedo puede pueden podemos podria hago haga
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())
"""Function words and question fillers ignored for retrieval (accents stripped)."""

_stemmer = snowballstemmer.stemmer("spanish")


def strip_accents(text: str) -> str:
    """Removes diacritics (``á`` -> ``a``, ``ü`` -> ``u``), keeping ``ñ``.

    Args:
        text: Any text.

    Returns:
        The text without combining marks, except the tilde of ``ñ``.
    """
    if text.isascii():
        return text
    text = text.replace("ñ", "\x00").replace("Ñ", "\x01")
    stripped = unicodedata.normalize("NFKD", text).translate(_COMBINING_MARKS)
    return stripped.replace("\x00", "ñ").replace("\x01", "Ñ")


_COMBINING_MARKS = {
    code: None for code in range(0x300, 0x10000) if unicodedata.combining(chr(code))
}
"""The combining marks of the Basic Multilingual Plane, for ``str.translate`` (a character
by character test made the start-up's normalisation of every phrasing its slowest step)."""


def _expand(tokens: list[str], table: dict[str, str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        replacement = table.get(token)
        if replacement is None:
            out.append(token)
        else:
            out.extend(replacement.split())
    return out


def normalize(text: str) -> str:
    """Normalises a message for matching and pattern detection.

    Lower-cases, unescapes and drops HTML tags, strips accents (keeping ``ñ``),
    removes punctuation and emoji, collapses letters repeated three or more times
    (``holaaa`` -> ``hola``) and expands chat spellings (``q`` -> ``que``,
    ``xq`` -> ``porque``, ``x`` -> ``por``, ``porfa`` -> ``por favor``…).

    Args:
        text: Raw user text (any length; only the first ``MAX_INPUT_CHARS`` are used).

    Returns:
        Space-separated normalised words (possibly empty).
    """
    text = html.unescape(_TAG_RE.sub(" ", text[: MAX_INPUT_CHARS * 2]))[:MAX_INPUT_CHARS]
    text = strip_accents(text.lower())
    text = _NON_WORD_RE.sub(" ", text)
    text = _REPEAT_RE.sub(r"\1", text)
    return " ".join(_expand(text.split(), CHAT_SPELLINGS))


def content_words(normalized: str) -> list[str]:
    """Returns the non-stop-word tokens of a normalised text, with synonyms folded.

    Args:
        normalized: Output of :func:`normalize`.

    Returns:
        Content words in order (unstemmed).
    """
    tokens = _expand(normalized.split(), SYNONYMS)
    return [t for t in tokens if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]


@functools.lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """Returns the Snowball Spanish stem of a (normalised) word."""
    stemmed: str = _stemmer.stemWord(word)
    return stemmed


def stems(normalized: str) -> list[str]:
    """Returns the stems of the content words of a normalised text."""
    return [stem(w) for w in content_words(normalized)]
