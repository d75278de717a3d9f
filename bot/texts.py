"""Looks up the Spanish texts in the content folder and formats them safely for Telegram HTML.

Templates may contain HTML tags; every value filled into them is escaped, so a name such
as ``<b>Ana & "Luis"</b>`` is shown as typed and never breaks a message. The office's
identity ({oficina}, {municipio}, … from bot.office) may appear in any text.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Mapping
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.content import content_dir, forget_cached, on_change
from bot.office import office

MESSAGES = Path("messages")
"""One TOML file per area (main.toml for servants, staff_*.toml for the office's console);
their top-level sections are merged and may not repeat."""
LOCALE = "es_MX"


def messages_dir() -> Path:
    return content_dir() / MESSAGES


class Markup(str):
    """A string that is already safe HTML and must not be escaped again."""


@cache
def _messages() -> Mapping[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(messages_dir().glob("*.toml")):
        with path.open("rb") as handle:
            sections = tomllib.load(handle)
        repeated = merged.keys() & sections.keys()
        if repeated:
            raise ValueError(f"{path.name} repeats sections {sorted(repeated)}")
        merged.update(sections)
    return merged


SETTING_PLACEHOLDERS: dict[str, str] = {"meses_conservacion": "24"}
"""Placeholders filled from the settings in every text (RETENTION_MONTHS for the privacy
notice), with the settings' defaults until `use_setting_values` runs."""


def use_setting_values(*, retention_months: int) -> None:
    """Fills the settings' placeholders (build_application calls it)."""
    value = str(retention_months)
    if SETTING_PLACEHOLDERS["meses_conservacion"] == value:
        return
    SETTING_PLACEHOLDERS["meses_conservacion"] = value
    forget_cached()  # texts and the screens built from them may say something else now


@cache
def _office_values() -> Mapping[str, str]:
    return {**office().placeholders(), **SETTING_PLACEHOLDERS}


@cache
def _office_html() -> Mapping[str, str]:
    return {name: html.escape(value, quote=False) for name, value in _office_values().items()}


for _forget in (_messages, _office_values, _office_html):
    on_change(_forget.cache_clear)


def raw(key: str) -> Any:
    """Returns the value stored under a dotted key (a string, list or table)."""
    node: Any = _messages()
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(f"missing text '{key}' in {messages_dir()}")
        node = node[part]
    return node


def _escape(value: object) -> str:
    return value if isinstance(value, Markup) else html.escape(str(value), quote=False)


def t(key: str, **values: object) -> Markup:
    """Renders the text under `key`, escaping every value for Telegram HTML."""
    template = raw(key)
    if not isinstance(template, str):
        raise KeyError(f"text '{key}' is not a string")
    filled = dict(_office_html())
    filled.update((name, _escape(v)) for name, v in values.items())
    return Markup(template.format_map(filled))


def plain(key: str, **values: object) -> str:
    """Renders a text without HTML escaping (button labels, file names, CLI output)."""
    template = raw(key)
    if not isinstance(template, str):
        raise KeyError(f"text '{key}' is not a string")
    return template.format_map(
        {**_office_values(), **{name: str(v) for name, v in values.items()}}
    )


@lru_cache(maxsize=4096)
def format_when(moment: datetime, tz: ZoneInfo) -> str:
    """Formats a UTC moment in the office's zone, e.g. "jueves 5 de marzo, 10:00 h"."""
    return format_datetime(moment, raw("formats.datetime"), tzinfo=tz, locale=LOCALE)


on_change(format_when.cache_clear)


def format_date(moment: datetime, tz: ZoneInfo) -> str:
    return format_datetime(moment, raw("formats.date"), tzinfo=tz, locale=LOCALE)
