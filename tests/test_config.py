"""Configuration: the public variable names, URL normalisation and clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from bot.app import api_urls
from bot.config import Settings, parse_offsets
from bot.db import normalize_database_url


def test_variables_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:abc")
    monkeypatch.setenv("ADMIN_IDS", " 11, 22 ,33")
    monkeypatch.setenv("REMINDER_OFFSETS", "2d, 90m,1h")
    monkeypatch.setenv("TIMEZONE", "America/Mexico_City")
    settings = Settings(_env_file=None)
    assert settings.admin_ids == {11, 22, 33}
    assert settings.reminder_offsets == (
        timedelta(days=2),
        timedelta(minutes=90),
        timedelta(hours=1),
    )
    assert settings.is_staff(22) and not settings.is_staff(44)


@pytest.mark.parametrize("raw", ["", "24", "1x", "-1h", "0m", "h"])
def test_invalid_offsets_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_offsets(raw)


def test_unknown_timezone_is_rejected(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:abc")
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
        ("postgresql://u:p@h:5432/d", "postgresql+asyncpg://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
    ],
)
def test_database_urls_get_their_async_driver(given, expected):
    assert normalize_database_url(given) == expected


def test_mysql_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="SQLite o PostgreSQL"):
        normalize_database_url("mysql://root@localhost/test")


@pytest.mark.parametrize("base", ["http://127.0.0.1:8081", "http://127.0.0.1:8081/bot/"])
def test_api_base_url(base):
    assert api_urls(base) == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")
