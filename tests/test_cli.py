"""Start-up configuration errors are explained in Spanish, with exit code 2 and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT


@pytest.mark.parametrize(
    ("variable", "value"),
    [("REMINDER_OFFSETS", "24h,mañana"), ("TIMEZONE", "Mexico/Toluca"), ("ADMIN_IDS", "ana")],
)
def test_invalid_settings_stop_with_a_clear_message(tmp_path, variable, value):
    result = _run(tmp_path, **{variable: value})
    assert result.returncode == 2
    assert variable in result.stderr
    assert "La configuración tiene errores" in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_token_gets_the_missing_token_explanation(tmp_path):
    result = _run(tmp_path, TELEGRAM_BOT_TOKEN="  ", command=())
    assert result.returncode == 2
    assert "Falta TELEGRAM_BOT_TOKEN" in result.stderr


def test_unreachable_bot_api_stops_with_an_explanation(tmp_path):
    result = _run(tmp_path, TELEGRAM_API_BASE_URL="http://127.0.0.1:9", command=())
    assert result.returncode == 3
    assert "No pude conectar con el servidor de Telegram" in result.stderr.splitlines()[-1]


def _run(tmp_path, *, command=("migrate",), **variables):
    env = {
        **{k: v for k, v in os.environ.items() if "PROXY" not in k.upper()},
        "TELEGRAM_BOT_TOKEN": "123:cli",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "PYTHONPATH": str(PROJECT_ROOT),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
