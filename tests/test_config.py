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


WEBHOOK = {
    "TELEGRAM_BOT_TOKEN": "42:abc",
    "BOT_MODE": "webhook",
    "WEBHOOK_URL": "https://bot.example.gob.mx/telegram/hook",
    "WEBHOOK_SECRET": "A-good_secret-123",
}


def test_webhook_mode_settings(monkeypatch):
    for name, value in WEBHOOK.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert settings.bot_mode == "webhook"
    assert settings.web_port == 8080 and settings.webhook_path == "/telegram/hook"
    assert settings.webhook_max_connections == 10
    monkeypatch.setenv("BOT_MODE", "polling")
    assert Settings(_env_file=None).web_port is None


@pytest.mark.parametrize(
    ("name", "value", "phrase"),
    [
        ("WEBHOOK_URL", "", "falta WEBHOOK_URL"),
        ("WEBHOOK_URL", "http://bot.example.gob.mx/hook", "https://"),
        ("WEBHOOK_SECRET", "", "falta WEBHOOK_SECRET"),
        ("WEBHOOK_SECRET", "con espacios", "WEBHOOK_SECRET solo puede"),
        ("WEBHOOK_SECRET", "x" * 257, "WEBHOOK_SECRET solo puede"),
        ("BOT_MODE", "push", "BOT_MODE debe ser polling"),
        ("LISTEN_PORT", "70000", "LISTEN_PORT debe ser"),
        ("LISTEN_PORT", "ochenta", "LISTEN_PORT debe ser"),
        ("WEBHOOK_MAX_CONNECTIONS", "0", "WEBHOOK_MAX_CONNECTIONS"),
    ],
)
def test_webhook_configuration_errors_are_spanish_sentences(monkeypatch, name, value, phrase):
    for key, setting in WEBHOOK.items():
        monkeypatch.setenv(key, setting)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    assert phrase in str(caught.value)


def test_a_webhook_without_secret_exits_2_with_one_paragraph(tmp_path):
    from tests.test_e2e import EXIT_TIMEOUT, BotProcess, bot_environment

    env = bot_environment(
        TELEGRAM_BOT_TOKEN="42:abc",
        BOT_MODE="webhook",
        WEBHOOK_URL="https://bot.example.gob.mx/hook",
    )
    bot = BotProcess(tmp_path, env)
    try:
        code = bot.wait(EXIT_TIMEOUT)
    finally:
        bot.kill()
    output = bot.stderr().strip()
    assert code == 2, bot.diagnosis(f"exit code {code}")
    assert output.startswith(
        "La configuración tiene errores: con BOT_MODE=webhook falta WEBHOOK_SECRET"
    ), output
    assert "\n" not in output and "Value error" not in output and "Traceback" not in output
