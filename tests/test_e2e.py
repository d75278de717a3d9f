"""End to end: `python -m bot` as a separate process, over real HTTP, against a fake Bot API.

The rest of the suite drives the Application in-process; only here do the entry point,
configuration from the environment, Alembic at start-up, PTB's HTTP layer, polling and the
SIGTERM shutdown run as in production.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import FAQ_CACHE_DIR
from tests.http_fake_api import HttpFakeBotApi

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0
EXIT_TIMEOUT = 20.0
USER_ID = 5550123

CONFIG_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "DATABASE_URL",
    "ADMIN_IDS",
    "TIMEZONE",
    "LOG_LEVEL",
    "REMINDER_OFFSETS",
    "REMINDER_SCAN_SECONDS",
    "SEND_RATE_PER_SECOND",
    "CONTENT_DIR",
    "LISTEN_HOST",
    "LISTEN_PORT",
    "BOT_MODE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_MAX_CONNECTIONS",
)
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


def bot_environment(**overrides: str) -> dict[str, str]:
    """The parent's environment minus the bot's settings, so nothing leaks in from the shell.

    Proxies are dropped too: httpx would otherwise send 127.0.0.1 traffic through them.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in CONFIG_VARIABLES and name not in PROXY_VARIABLES
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])
    )
    env["PYTHONUNBUFFERED"] = "1"
    # The suite's vector cache: each bot starts in half a second instead of encoding the
    # whole FAQ again (a cold index takes several seconds, more on a loaded machine).
    env["FAQ_CACHE_DIR"] = str(FAQ_CACHE_DIR)
    env.update(overrides)
    return env


class BotProcess:
    """`python -m bot` in a working directory, its output kept in files for diagnosis.

    Files rather than pipes: a chatty bot can never block on a full pipe nobody reads.
    """

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.stdout_path = cwd / "bot.stdout"
        self.stderr_path = cwd / "bot.stderr"
        with self.stdout_path.open("wb") as stdout, self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
            )

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None if the process is still running after `timeout`."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Never leaves a bot running after a failed test."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def diagnosis(self, what: str) -> str:
        return f"{what}\n--- bot stderr ---\n{self.stderr()}\n--- bot stdout ---\n{self.stdout()}"


def start_command(user_id: int, text: str = "/start") -> dict[str, Any]:
    """A private-chat message update carrying a command, with its bot_command entity."""
    user = {"id": user_id, "is_bot": False, "first_name": "Ana", "language_code": "es"}
    command = text.split()[0]
    return {
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Ana"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        }
    }


@pytest.fixture
def fake_api() -> Iterator[HttpFakeBotApi]:
    with HttpFakeBotApi() as api:
        yield api


@pytest.fixture
def running_bot(fake_api: HttpFakeBotApi, tmp_path: Path) -> Iterator[BotProcess]:
    env = bot_environment(
        TELEGRAM_BOT_TOKEN="123:e2e",
        TELEGRAM_API_BASE_URL=fake_api.root_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}",
        ADMIN_IDS="",
    )
    bot = BotProcess(tmp_path, env)
    try:
        yield bot
    finally:
        bot.kill()


def test_bot_answers_start_over_http_and_stops_on_sigterm(
    fake_api: HttpFakeBotApi, running_bot: BotProcess
) -> None:
    fake_api.queue_update(start_command(USER_ID))

    greeting = fake_api.wait_for_message(USER_ID, timeout=START_TIMEOUT)
    assert greeting is not None, running_bot.diagnosis("no reply to /start")
    assert "Defensoría Municipal de Derechos Humanos" in greeting.text, running_bot.diagnosis(
        f"unexpected greeting: {greeting.text!r}"
    )
    assert greeting.token == "123:e2e"
    [set_commands] = fake_api.calls("setMyCommands")
    names = [command["command"] for command in set_commands.json_param("commands")]
    assert "platicas" in names and "ayuda" in names, names

    running_bot.process.send_signal(signal.SIGTERM)
    code = running_bot.wait(EXIT_TIMEOUT)
    assert code == 0, running_bot.diagnosis(f"exit code {code} after SIGTERM")
    assert "Traceback" not in running_bot.stderr(), running_bot.diagnosis("a traceback")


def test_missing_token_explains_and_exits_2(tmp_path: Path) -> None:
    assert not (tmp_path / ".env").exists()
    bot = BotProcess(tmp_path, bot_environment())
    try:
        code = bot.wait(EXIT_TIMEOUT)
        output = bot.stderr()
    finally:
        bot.kill()
    assert code == 2, bot.diagnosis(f"exit code {code}")
    assert "TELEGRAM_BOT_TOKEN" in output, output
    assert "Traceback" not in output, output


def test_the_programme_is_served_alongside_polling(
    fake_api: HttpFakeBotApi, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = bot_environment(
        TELEGRAM_BOT_TOKEN="123:e2e",
        TELEGRAM_API_BASE_URL=fake_api.root_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}",
        LISTEN_PORT=str(port),
    )
    bot = BotProcess(tmp_path, env)
    try:
        page = _get_when_up(f"http://127.0.0.1:{port}/programa", bot)
        assert page.status_code == 200 and '<html lang="es">' in page.text
        assert "no hay pláticas programadas" in page.text
        fake_api.queue_update(start_command(USER_ID))
        assert fake_api.wait_for_message(USER_ID, timeout=START_TIMEOUT) is not None
        bot.process.send_signal(signal.SIGTERM)
        code = bot.wait(EXIT_TIMEOUT)
        assert code == 0, bot.diagnosis(f"exit code {code} after SIGTERM")
        assert "Traceback" not in bot.stderr(), bot.diagnosis("a traceback")
    finally:
        bot.kill()


def _get_when_up(url: str, bot: BotProcess) -> httpx.Response:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            assert bot.process.poll() is None, bot.diagnosis("the bot stopped")
            time.sleep(0.1)
    raise AssertionError(bot.diagnosis(f"{url} never answered"))


def test_a_busy_port_is_explained_and_exits_2(fake_api: HttpFakeBotApi, tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        env = bot_environment(
            TELEGRAM_BOT_TOKEN="123:e2e",
            TELEGRAM_API_BASE_URL=fake_api.root_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}",
            LISTEN_PORT=str(port),
        )
        bot = BotProcess(tmp_path, env)
        try:
            code = bot.wait(START_TIMEOUT)
        finally:
            bot.kill()
    assert code == 2, bot.diagnosis(f"exit code {code}")
    assert f"No pude abrir el puerto {port}" in bot.stderr(), bot.diagnosis("no explanation")
    assert "Traceback" not in bot.stderr(), bot.diagnosis("a traceback")
