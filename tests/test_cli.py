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
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123:cli",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "PYTHONPATH": str(PROJECT_ROOT),
        variable: value,
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert variable in result.stderr
    assert "La configuración tiene errores" in result.stderr
    assert "Traceback" not in result.stderr
