"""Loading and validation of the FAQ content in ``content/faq/``.

Layout::

    content/faq/topics.toml      [[topic]] id, title, emoji (optional)
    content/faq/<topic_id>.toml  topic = "<topic_id>" + [[entry]] tables
    content/faq/texts.toml       [texts] crisis, crisis_mujeres, crisis_vida, greeting,
                                 thanks, unknown, suggest, otra_jurisdiccion,
                                 contacto_sin_datos
    content/faq/crisis.toml      [[tipo]] id, lineas (general/mujeres/vida), ejemplos;
                                 [calma] ejemplos (sound dangerous, are not)
    content/faq/office.toml      [office] nombre, telefono, whatsapp, correo, direccion,
                                 horario, web (filled in by the office; empty = omitted)

The literal ``{contacto}`` inside an answer or a text is replaced by the office
contact block.
"""

from __future__ import annotations

import datetime
import html
import pathlib
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from bot.faq.crisis import CrisisKind, Line
from bot.faq.models import FaqEntry, FaqTexts, Topic

MAX_ANSWER_CHARS = 900
MAX_ENTRY_ID_CHARS = 40
MAX_TOPIC_ID_CHARS = 24
CONTACT_PLACEHOLDER = "{contacto}"

_SLUG_RE = re.compile(r"^[a-z0-9_]+$")
_ALLOWED_TAG_RE = re.compile(r"</?(?:b|i)>")
_ENTRY_KEYS = frozenset(
    {"id", "question", "alternatives", "answer", "detail", "source", "related", "reviewed"}
)
_TEXT_KEYS = (
    "crisis",
    "crisis_mujeres",
    "crisis_vida",
    "greeting",
    "thanks",
    "unknown",
    "suggest",
    "otra_jurisdiccion",
)
_OFFICE_FIELDS = ("telefono", "whatsapp", "correo", "direccion", "horario", "web")


class FaqContentError(ValueError):
    """Raised when the FAQ content is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class FaqContent:
    """Everything read from the content directory."""

    topics: tuple[Topic, ...]
    entries: tuple[FaqEntry, ...]
    texts: FaqTexts
    crisis_kinds: tuple[CrisisKind, ...]
    calm_examples: tuple[str, ...]


def default_content_dir() -> pathlib.Path:
    """Returns ``<repo>/content/faq``."""
    return pathlib.Path(__file__).resolve().parents[2] / "content" / "faq"


def _read_toml(path: pathlib.Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise FaqContentError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FaqContentError(f"{path}: invalid TOML: {exc}") from exc


def _check_html(text: str, where: str) -> None:
    """Checks that ``text`` only uses ``<b>``/``<i>`` tags and escapes ``&``."""
    stripped = _ALLOWED_TAG_RE.sub("", text)
    if "<" in stripped or ">" in stripped:
        raise FaqContentError(f"{where}: only <b> and <i> tags are allowed; escape < and >")
    if re.search(r"&(?!(?:amp|lt|gt|quot);)", stripped):
        raise FaqContentError(f"{where}: escape '&' as '&amp;'")
    for tag in ("b", "i"):
        if text.count(f"<{tag}>") != text.count(f"</{tag}>"):
            raise FaqContentError(f"{where}: unbalanced <{tag}> tags")


def _str(value: Any, where: str, field: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise FaqContentError(f"{where}: '{field}' must be a non-empty string")
    return value.strip()


def render_office_contact(office: dict[str, Any], fallback: str) -> str:
    """Builds the office contact block, omitting empty fields.

    Args:
        office: The ``[office]`` table of ``office.toml``.
        fallback: Line shown when no contact datum is filled in.

    Returns:
        Telegram HTML text.
    """
    name = str(office.get("nombre") or "").strip()
    lines = [f"<b>{html.escape(name, quote=False)}</b>"] if name else []
    labels = office.get("etiquetas", {})
    for key in _OFFICE_FIELDS:
        value = str(office.get(key) or "").strip()
        if value:
            lines.append(str(labels.get(key, "")) + html.escape(value, quote=False))
    if len(lines) <= 1 and fallback:
        lines.append(fallback)
    return "\n".join(lines)


def empty_office_fields(directory: pathlib.Path | None = None) -> list[str]:
    """Returns the contact fields of ``office.toml`` that the office left empty."""
    directory = pathlib.Path(directory) if directory is not None else default_content_dir()
    office = _read_toml(directory / "office.toml").get("office")
    if not isinstance(office, dict):
        return list(_OFFICE_FIELDS)
    return [key for key in _OFFICE_FIELDS if not str(office.get(key) or "").strip()]


def _load_texts(directory: pathlib.Path) -> FaqTexts:
    texts_path = directory / "texts.toml"
    data = _read_toml(texts_path).get("texts")
    if not isinstance(data, dict):
        raise FaqContentError(f"{texts_path}: missing [texts] table")
    office_path = directory / "office.toml"
    office = _read_toml(office_path).get("office")
    if not isinstance(office, dict):
        raise FaqContentError(f"{office_path}: missing [office] table")
    fallback = _str(
        data.get("contacto_sin_datos", ""), str(texts_path), "contacto_sin_datos", required=False
    )
    contact = render_office_contact(office, fallback)
    values: dict[str, str] = {}
    for key in _TEXT_KEYS:
        where = f"{texts_path} [texts].{key}"
        value = _str(data.get(key), where, key)
        _check_html(value, where)
        values[key] = value.replace(CONTACT_PLACEHOLDER, contact)
    return FaqTexts(
        office_contact=contact,
        crisis=values["crisis"],
        crisis_women=values["crisis_mujeres"],
        crisis_life=values["crisis_vida"],
        greeting=values["greeting"],
        thanks=values["thanks"],
        unknown=values["unknown"],
        suggest=values["suggest"],
        elsewhere=values["otra_jurisdiccion"],
    )


def _load_crisis(directory: pathlib.Path) -> tuple[tuple[CrisisKind, ...], tuple[str, ...]]:
    """Reads the crisis examples by kind and the calm look-alikes of ``crisis.toml``."""
    path = directory / "crisis.toml"
    data = _read_toml(path)
    calm = data.get("calma", {}).get("ejemplos", [])
    if not isinstance(calm, list) or not all(isinstance(e, str) and e.strip() for e in calm):
        raise FaqContentError(f"{path}: [calma] ejemplos must be a list of non-empty strings")
    raw_kinds = data.get("tipo")
    if not isinstance(raw_kinds, list) or not raw_kinds:
        raise FaqContentError(f"{path}: needs at least one [[tipo]]")
    lines = {line.value: line for line in Line}
    kinds: list[CrisisKind] = []
    for index, raw in enumerate(raw_kinds):
        where = f"{path}: [[tipo]] #{index + 1}"
        if not isinstance(raw, dict):
            raise FaqContentError(f"{where}: not a table")
        kind_id = _str(raw.get("id"), where, "id")
        line = lines.get(str(raw.get("lineas")))
        if line is None:
            raise FaqContentError(f"{where}: 'lineas' must be one of {sorted(lines)}")
        examples = raw.get("ejemplos")
        if (
            not isinstance(examples, list)
            or not examples
            or not all(isinstance(e, str) and e.strip() for e in examples)
        ):
            raise FaqContentError(f"{where}: 'ejemplos' must be a list of non-empty strings")
        kinds.append(CrisisKind(kind_id, line, tuple(e.strip() for e in examples)))
    return tuple(kinds), tuple(e.strip() for e in calm)


def _parse_entry(
    raw: Any, topic_id: str, path: pathlib.Path, index: int, contact: str
) -> FaqEntry:
    if not isinstance(raw, dict):
        raise FaqContentError(f"{path}: [[entry]] #{index + 1} is not a table")
    entry_id = raw.get("id")
    where = f"{path}: entry '{entry_id}'" if entry_id else f"{path}: [[entry]] #{index + 1}"
    unknown_keys = set(raw) - _ENTRY_KEYS
    if unknown_keys:
        raise FaqContentError(f"{where}: unknown keys {sorted(unknown_keys)}")
    entry_id = _str(entry_id, where, "id")
    if not _SLUG_RE.match(entry_id) or len(entry_id) > MAX_ENTRY_ID_CHARS:
        raise FaqContentError(
            f"{where}: id must be a lowercase ASCII slug of at most {MAX_ENTRY_ID_CHARS} chars"
        )
    question = _str(raw.get("question"), where, "question")
    alternatives = raw.get("alternatives", [])
    if not isinstance(alternatives, list) or not all(
        isinstance(a, str) and a.strip() for a in alternatives
    ):
        raise FaqContentError(f"{where}: 'alternatives' must be a list of non-empty strings")
    answer = _str(raw.get("answer"), where, "answer").replace(CONTACT_PLACEHOLDER, contact)
    _check_html(answer, f"{where} answer")
    if len(answer) > MAX_ANSWER_CHARS:
        raise FaqContentError(
            f"{where}: answer has {len(answer)} characters (max {MAX_ANSWER_CHARS})"
        )
    detail = _str(raw.get("detail"), where, "detail", required=False) or None
    if detail is not None:
        _check_html(detail, f"{where} detail")
    source = _str(raw.get("source"), where, "source")
    related = raw.get("related", [])
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        raise FaqContentError(f"{where}: 'related' must be a list of entry ids")
    reviewed = raw.get("reviewed")
    if not isinstance(reviewed, datetime.date) or isinstance(reviewed, datetime.datetime):
        raise FaqContentError(f"{where}: 'reviewed' must be a TOML date (YYYY-MM-DD)")
    return FaqEntry(
        id=entry_id,
        topic=topic_id,
        question=question,
        alternatives=tuple(a.strip() for a in alternatives),
        answer=answer,
        detail=detail,
        source=source,
        related=tuple(related),
        reviewed=reviewed,
    )


def load_content(directory: pathlib.Path | None = None) -> FaqContent:
    """Reads and validates the FAQ content.

    Args:
        directory: Content directory; defaults to ``<repo>/content/faq``.

    Returns:
        The validated topics, entries and texts.

    Raises:
        FaqContentError: If a file is missing or invalid, naming the file and entry.
    """
    directory = pathlib.Path(directory) if directory is not None else default_content_dir()
    texts = _load_texts(directory)
    topics_path = directory / "topics.toml"
    raw_topics = _read_toml(topics_path).get("topic")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise FaqContentError(f"{topics_path}: needs at least one [[topic]]")

    topic_meta: list[tuple[str, str, str]] = []
    for index, raw in enumerate(raw_topics):
        where = f"{topics_path}: [[topic]] #{index + 1}"
        if not isinstance(raw, dict):
            raise FaqContentError(f"{where}: not a table")
        topic_id = _str(raw.get("id"), where, "id")
        if not _SLUG_RE.match(topic_id) or len(topic_id) > MAX_TOPIC_ID_CHARS:
            raise FaqContentError(f"{where}: id '{topic_id}' must be a short ASCII slug")
        if any(topic_id == t[0] for t in topic_meta):
            raise FaqContentError(f"{where}: duplicate topic id '{topic_id}'")
        title = _str(raw.get("title"), where, "title")
        emoji = _str(raw.get("emoji", ""), where, "emoji", required=False)
        topic_meta.append((topic_id, title, emoji))
    known_topics = {t[0] for t in topic_meta}

    entries: list[FaqEntry] = []
    seen: dict[str, pathlib.Path] = {}
    reserved = {"topics.toml", "texts.toml", "office.toml", "crisis.toml"}
    for path in sorted(directory.glob("*.toml")):
        if path.name in reserved:
            continue
        data = _read_toml(path)
        file_topic = data.get("topic")
        if file_topic not in known_topics:
            raise FaqContentError(
                f"{path}: topic '{file_topic}' is not declared in {topics_path.name}"
            )
        raw_entries = data.get("entry", [])
        if not isinstance(raw_entries, list):
            raise FaqContentError(f"{path}: 'entry' must be an array of tables")
        for index, raw in enumerate(raw_entries):
            entry = _parse_entry(raw, str(file_topic), path, index, texts.office_contact)
            if entry.id in seen:
                raise FaqContentError(
                    f"{path}: entry '{entry.id}' duplicates an id already used in "
                    f"{seen[entry.id].name}"
                )
            seen[entry.id] = path
            entries.append(entry)

    for entry in entries:
        for rel in entry.related:
            if rel not in seen:
                raise FaqContentError(
                    f"{seen[entry.id]}: entry '{entry.id}' has unknown related id '{rel}'"
                )
            if rel == entry.id:
                raise FaqContentError(f"{seen[entry.id]}: entry '{entry.id}' relates to itself")

    topics = tuple(
        Topic(
            id=topic_id,
            title=title,
            entry_ids=tuple(e.id for e in entries if e.topic == topic_id),
            emoji=emoji,
        )
        for topic_id, title, emoji in topic_meta
    )
    for topic in topics:
        if not topic.entry_ids:
            raise FaqContentError(f"{topics_path}: topic '{topic.id}' has no entries")
    crisis_kinds, calm_examples = _load_crisis(directory)
    return FaqContent(
        topics=topics,
        entries=tuple(entries),
        texts=texts,
        crisis_kinds=crisis_kinds,
        calm_examples=calm_examples,
    )
