"""Every text key the code uses exists in content/messages/, and values are escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.content_check import code_text_keys
from bot.services.talk_import import RowError
from bot.texts import Markup, raw, t

SOURCES = [*Path(PROJECT_ROOT, "bot").rglob("*.py"), *Path(PROJECT_ROOT, "handlers").rglob("*.py")]
ERROR_CODE = re.compile(r"""\b(EnrollmentError|ProfileError)\("([a-z_]+)\"""")
IMPORT_CODE = re.compile(r'RowError\(\s*[^,]+,\s*[^,]+,\s*"([a-z_]+)"')


def _code() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)


def test_every_literal_text_key_exists():
    keys = code_text_keys()
    assert len(keys) > 50
    missing = [key for key in sorted(keys) if not _exists(key)]
    assert missing == []


def test_every_error_code_has_a_text():
    prefixes = {"EnrollmentError": "enroll_error", "ProfileError": "profile_error"}
    codes = {(prefixes[kind], code) for kind, code in ERROR_CODE.findall(_code())}
    assert len(codes) > 8
    assert [f"{p}.{c}" for p, c in sorted(codes) if not _exists(f"{p}.{c}")] == []
    import_codes = set(IMPORT_CODE.findall(_code()))
    assert {"required", "bad_datetime", "missing_column"} <= import_codes
    assert [c for c in sorted(import_codes) if not _exists(f"import.error.{c}")] == []


def _exists(key: str) -> bool:
    try:
        raw(key)
    except KeyError:
        return False
    return True


@pytest.mark.parametrize("value", ["<b>x</b>", "a & b", "<script>", "</i>"])
def test_values_are_escaped_but_markup_is_kept(value):
    rendered = t("talks.where_presencial", venue=value)
    assert "<" not in rendered.split(":", 1)[1].replace("&lt;", "")
    assert t("talks.where_presencial", venue=Markup("<b>ok</b>")).endswith("<b>ok</b>")


def test_row_error_is_plain_data():
    assert RowError(3, "cupo", "bad_capacity", "-1").line == 3
