"""`python -m bot check-content [DIR]`: validates a content folder before it goes live.

Every problem names the file, the line and the key. The reference is the project's own
`content/`: a text the office edits must keep the keys the code asks for (found in the
code and in the reference) and may use only the placeholders the code fills for that key
(those of the reference text) plus the office's (bot.office.PLACEHOLDERS). Start-up runs the
same check and refuses a broken folder.

Pure: returns data (problem codes and details); the CLI turns them into Spanish.
"""

from __future__ import annotations

import contextlib
import re
import string
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bot.content import DEFAULT_CONTENT_DIR
from bot.office import CONTACT_FIELDS, OFFICE_FILE, PLACEHOLDERS
from bot.texts import SETTING_PLACEHOLDERS

CODE_ROOT = Path(__file__).resolve().parent.parent
LITERAL_KEY = re.compile(r"""\b(?:t|plain|raw|button)\(\s*"([a-z_]+(?:\.[a-z_]+)+)\"""")
"""A text key written literally in the code: t("start.greeting"), plain("files.calendar")."""
FAQ_RESERVED = frozenset({"topics.toml", "texts.toml", "office.toml"})
REQUIRED_OFFICE = (
    ("office", "nombre"),
    ("office", "nombre_corto"),
    ("office", "municipio"),
    ("office", "ayuntamiento"),
    ("office", "lugar"),
    ("aviso", "responsable"),
    ("aviso", "unidad_transparencia"),
    ("constancia", "encabezado"),
    ("constancia", "prefijo_folio"),
    ("calendario", "prodid"),
)
TELEGRAM_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "tg-spoiler", "span", "blockquote", "tg-emoji",
    }
)  # fmt: skip
PLAIN_SECTIONS = frozenset({"formats", "files", "check"})
"""Sections that are never sent as HTML (date patterns, file names, this check's report)."""
_TOML_LINE = re.compile(r"at line (\d+)")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_KNOWN_ENTITIES = frozenset({"&lt;", "&gt;", "&amp;", "&quot;"})


@dataclass(frozen=True)
class Problem:
    """One thing to fix: where (file relative to the folder, line, key) and what (a code)."""

    file: str
    line: int | None
    key: str
    code: str
    detail: str = ""
    hint: str = ""


@dataclass
class Report:
    directory: Path
    problems: list[Problem] = field(default_factory=list)
    message_files: int = 0
    texts: int = 0
    faq_entries: int = 0
    faq_topics: int = 0
    templates: int = 0
    office_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(
        self, file: str, line: int | None, key: str, code: str, detail: str = "", hint: str = ""
    ) -> None:
        self.problems.append(Problem(file, line, key, code, detail, hint))


# --- reading TOML with line numbers ----------------------------------------------------------


def _load(path: Path, report: Report) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        report.add(
            _rel(path, report), int(found.group(1)) if found else None, "", "toml", str(exc)
        )
    except (OSError, UnicodeDecodeError) as exc:
        report.add(_rel(path, report), None, "", "unreadable", type(exc).__name__)
    return None


def _rel(path: Path, report: Report) -> str:
    try:
        return path.relative_to(report.directory).as_posix()
    except ValueError:
        return path.as_posix()


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=\s*(.*)$""")


def key_lines(text: str) -> dict[str, int]:
    """Maps each dotted key of a TOML file to the line it starts on (tables included).

    Good enough for the files we write: it skips multi-line strings and arrays; array
    tables ([[entry]]) map to their first line as ``entry#<n>`` (n from 1).
    """
    lines: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    closing: str | None = None
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if closing is not None:
            if closing in line:
                closing = None
            continue
        if depth:
            depth += line.count("[") - line.count("]")
            continue
        header = _HEADER.match(line)
        if header and not _ASSIGN.match(line):
            table = header.group(1).replace('"', "")
            if line.lstrip().startswith("[["):
                counts[table] = counts.get(table, 0) + 1
                lines[f"{table}#{counts[table]}"] = number
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if not assign:
            continue
        name = assign.group(1).strip("\"'")
        lines[f"{table}.{name}" if table else name] = number
        value = assign.group(2)
        for quote in ('"""', "'''"):
            if value.startswith(quote) and value.count(quote) == 1:
                closing = quote
        if value.startswith("[") and closing is None:
            depth = value.count("[") - value.count("]")
    return lines


# --- texts -----------------------------------------------------------------------------------


def _leaves(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, value in node.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, Mapping):
            yield from _leaves(value, key)
        else:
            yield key, value


@dataclass(frozen=True)
class _Messages:
    values: dict[str, Any]
    files: dict[str, str]
    lines: dict[str, int]
    unreadable: set[str]


def _read_messages(directory: Path, report: Report | None) -> _Messages:
    values: dict[str, Any] = {}
    files: dict[str, str] = {}
    lines: dict[str, int] = {}
    sections: dict[str, str] = {}
    unreadable: set[str] = set()
    scratch = report or Report(directory)
    for path in sorted((directory / "messages").glob("*.toml")):
        name = f"messages/{path.name}"
        data = _load(path, scratch)
        if data is None:
            unreadable.add(name)
            continue
        located = key_lines(path.read_text(encoding="utf-8"))
        for section in data:
            if section in sections and report is not None:
                report.add(
                    name, located.get(section), section, "section_repeated", sections[section]
                )
            sections.setdefault(section, name)
        for key, value in _leaves(data):
            values[key], files[key], lines[key] = value, name, located.get(key, 0)
    return _Messages(values, files, lines, unreadable)


def code_text_keys(root: Path = CODE_ROOT) -> set[str]:
    """The text keys written literally in the code (bot/ and handlers/)."""
    keys: set[str] = set()
    for package in ("bot", "handlers"):
        for path in (root / package).rglob("*.py"):
            keys.update(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def placeholders(template: str) -> set[str]:
    """The names a format string asks for; raises ValueError when it is malformed."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    return names


class _TelegramHtml(HTMLParser):
    """Collects what Telegram would reject in a text sent with parse_mode=HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.errors.append(f"<{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}>")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for bracket in "<>":
            if bracket in data:
                self.errors.append(bracket)


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse `text` as HTML, or None."""
    entity: str
    for entity in _ENTITY.findall(text):
        if not entity.startswith("&#") and entity not in _KNOWN_ENTITIES:
            return entity
    if re.search(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[a-zA-Z]+;)", text):
        return "&"
    parser = _TelegramHtml()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError:  # pragma: no cover - HTMLParser's own guard
        return "<"
    if parser.errors:
        return parser.errors[0]
    if parser.open:
        return f"<{parser.open[-1]}>"
    if re.search(r"<(?![a-zA-Z/!])", text):
        return "<"
    return None


def _check_messages(directory: Path, report: Report) -> None:
    mine = _read_messages(directory, report)
    reference = (
        mine if directory == DEFAULT_CONTENT_DIR else _read_messages(DEFAULT_CONTENT_DIR, None)
    )
    report.message_files = len({*mine.files.values()})
    required = set(reference.values) | code_text_keys()
    for key in sorted(required - set(mine.values)):
        if reference.files.get(key) in mine.unreadable:
            continue  # the file's syntax error is reported; its keys would only add noise
        if any(other.startswith(f"{key}.") for other in mine.values):
            continue
        report.add(reference.files.get(key, "messages/"), None, key, "key_missing")
    for key, value in mine.values.items():
        file, line = mine.files[key], mine.lines[key]
        expected = reference.values.get(key, value)
        if type(expected) is not type(value):
            report.add(file, line, key, "key_type", type(expected).__name__)
            continue
        strings = [value] if isinstance(value, str) else []
        if isinstance(value, list):
            strings = [item for item in value if isinstance(item, str)]
        for text in strings:
            report.texts += 1
            _check_text(report, file, line, key, text, expected)


def _check_text(report: Report, file: str, line: int, key: str, text: str, expected: Any) -> None:
    try:
        used = placeholders(text)
    except ValueError as exc:
        report.add(file, line, key, "format", str(exc))
        return
    allowed = set(PLACEHOLDERS) | set(SETTING_PLACEHOLDERS)
    if isinstance(expected, str):
        with contextlib.suppress(ValueError):
            allowed |= placeholders(expected)
    for name in sorted(used - allowed):
        hint = ", ".join(f"{{{known}}}" for known in sorted(allowed))
        report.add(file, line, key, "placeholder_unknown", name, hint)
    if key.split(".", 1)[0] in PLAIN_SECTIONS:
        return
    problem = html_problem(text)
    if problem:
        report.add(file, line, key, "html", problem)


# --- office ------------------------------------------------------------------------------------


def _check_office(directory: Path, report: Report) -> None:
    path = directory / OFFICE_FILE
    name = OFFICE_FILE.as_posix()
    if not path.is_file():
        report.add(name, None, "", "file_missing")
        return
    data = _load(path, report)
    if data is None:
        return
    lines = key_lines(path.read_text(encoding="utf-8"))
    for table, key in REQUIRED_OFFICE:
        value = data.get(table, {}).get(key) if isinstance(data.get(table), dict) else None
        if not isinstance(value, str) or not value.strip():
            report.add(
                name, lines.get(f"{table}.{key}", lines.get(table)), f"{table}.{key}", "required"
            )
    listed_office = data.get("office")
    office = listed_office if isinstance(listed_office, dict) else {}
    if not any(str(office.get(item) or "").strip() for item in CONTACT_FIELDS):
        report.add(
            name, lines.get("office"), "office", "contact_missing", ", ".join(CONTACT_FIELDS)
        )
    listed = data.get("dependencias")
    dependencies = listed.get("lista") if isinstance(listed, dict) else None
    if not isinstance(dependencies, list) or not any(str(d).strip() for d in dependencies):
        line = lines.get("dependencias.lista", lines.get("dependencias"))
        report.add(name, line, "dependencias.lista", "dependencies_missing")
    report.office_name = str(office.get("nombre") or "")


# --- FAQ ---------------------------------------------------------------------------------------


def _check_faq(directory: Path, report: Report) -> None:
    from bot.faq import FaqContentError, load_content

    faq = directory / "faq"
    before = len(report.problems)
    for path in sorted(faq.glob("*.toml")):
        if path.name in FAQ_RESERVED:
            continue
        data = _load(path, report)
        if data is None:
            continue
        lines = key_lines(path.read_text(encoding="utf-8"))
        for index, entry in enumerate(data.get("entry", []), start=1):
            if not isinstance(entry, dict):
                continue
            key = f"entry.{entry.get('id') or index}"
            line = lines.get(f"entry#{index}")
            if not str(entry.get("source") or "").strip():
                report.add(_rel(path, report), line, key, "faq_source")
            reviewed = entry.get("reviewed")
            if not isinstance(reviewed, date) or isinstance(reviewed, datetime):
                report.add(_rel(path, report), line, key, "faq_reviewed")
    if len(report.problems) > before:
        return
    try:
        content = load_content(faq)
    except FaqContentError as exc:
        message = str(exc)
        file, _, detail = message.partition(": ")
        report.add(
            _rel(Path(file), report) if file else "faq/", None, "", "faq", detail or message
        )
        return
    report.faq_entries, report.faq_topics = len(content.entries), len(content.topics)


# --- templates -------------------------------------------------------------------------------


def _check_templates(directory: Path, report: Report) -> None:
    from jinja2 import Environment, FileSystemLoader, TemplateSyntaxError

    web = directory / "web"
    from bot.web.pages import TEMPLATES

    environment = Environment(loader=FileSystemLoader(web), autoescape=True)
    for name in TEMPLATES:
        path = web / name
        if not path.is_file():
            report.add(f"web/{name}", None, "", "file_missing")
            continue
        try:
            environment.get_template(name)
        except TemplateSyntaxError as exc:
            report.add(f"web/{name}", exc.lineno, "", "template", exc.message or "")
            continue
        report.templates += 1


def check_content(directory: Path | str) -> Report:
    """Runs every check on a content folder; the report lists problems in file order."""
    directory = Path(directory).resolve()
    report = Report(directory)
    if not directory.is_dir():
        report.add(directory.as_posix(), None, "", "folder_missing")
        return report
    own_checks = {directory / "messages", directory / "faq"}
    for path in sorted(directory.rglob("*.toml")):
        if path.parent not in own_checks or path.name in {"topics.toml", "texts.toml"}:
            _load(path, report)
    _check_office(directory, report)
    _check_messages(directory, report)
    _check_faq(directory, report)
    _check_templates(directory, report)
    report.problems = sorted(set(report.problems), key=lambda p: (p.file, p.line or 0, p.key))
    return report
