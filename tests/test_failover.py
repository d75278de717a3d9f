"""Several `python -m bot` processes on one database: one active, the others standby.

Real processes against the HTTP fake Bot API. Two tokens of the same bot (`123:a`, `123:b`:
one bot id, so one lease) tell which process made each call. The SQLite variants always
run; the PostgreSQL ones (kill -9 with a stream of updates and reminders) need
TEST_DATABASE_URL. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.db import create_engine, make_session_factory
from bot.models import Delivery, DeliveryState
from tests.factories import enroll_in, make_servant, make_talk
from tests.http_fake_api import HttpFakeBotApi
from tests.test_e2e import BotProcess, bot_environment, start_command

START_TIMEOUT = 30.0
SECRET = "s3cr3t_token-for-tests"
TOKEN_A, TOKEN_B = "123:a", "123:b"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Instance:
    """One bot process and its HTTP port."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        cwd.mkdir(parents=True, exist_ok=True)
        self.port = int(env["LISTEN_PORT"])
        self.token = env["TELEGRAM_BOT_TOKEN"]
        self.bot = BotProcess(cwd, env)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def health(self) -> httpx.Response | None:
        try:
            return httpx.get(self.url("/healthz"), timeout=2)
        except httpx.TransportError:
            return None

    def wait_role(self, role: str, timeout: float = START_TIMEOUT) -> float:
        """Seconds until /healthz reports `role`."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            answer = self.health()
            if answer is not None and answer.json().get("role") == role:
                return time.monotonic() - started
            assert self.bot.process.poll() is None, self.bot.diagnosis("the bot stopped")
            time.sleep(0.02)
        raise AssertionError(self.bot.diagnosis(f"never {role}"))

    def stop(self, timeout: float = 20) -> int | None:
        self.bot.process.send_signal(signal.SIGTERM)
        return self.bot.wait(timeout)


@pytest.fixture
def fake_api() -> Iterator[HttpFakeBotApi]:
    with HttpFakeBotApi(idle_poll_seconds=0.2) as api:
        yield api


@pytest.fixture
def instances(fake_api: HttpFakeBotApi, tmp_path: Path) -> Iterator[Callable[..., Instance]]:
    started: list[Instance] = []

    def start(name: str, token: str, database_url: str, **env: str) -> Instance:
        environment = bot_environment(
            TELEGRAM_BOT_TOKEN=token,
            TELEGRAM_API_BASE_URL=fake_api.root_url,
            DATABASE_URL=database_url,
            LISTEN_PORT=str(free_port()),
            FAQ_ENCODER="none",
            **env,
        )
        instance = Instance(tmp_path / name, environment)
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.bot.kill()


def answered_by(api: HttpFakeBotApi, chat_id: int) -> list[str]:
    return [call.token for call in api.calls("sendMessage") if call.chat_id == chat_id]


def test_a_second_process_waits_as_standby_and_takes_over_on_sigterm(
    fake_api: HttpFakeBotApi, instances: Callable[..., Instance], database_url: str
) -> None:
    url = database_url
    first = instances("a", TOKEN_A, url)
    first.wait_role("active")
    second = instances("b", TOKEN_B, url)
    standby = second.wait_role("standby")
    assert second.health().status_code == 503  # type: ignore[union-attr]
    assert first.health().status_code == 200  # type: ignore[union-attr]
    fake_api.queue_update(start_command(101))
    assert fake_api.wait_for_message(101, timeout=START_TIMEOUT) is not None
    time.sleep(1)
    assert [c for c in fake_api.calls("getUpdates") if c.token == TOKEN_B] == []
    assert answered_by(fake_api, 101) == [TOKEN_A]

    signalled = time.monotonic()
    first.bot.process.send_signal(signal.SIGTERM)
    second.wait_role("active", timeout=10)
    hand_over = time.monotonic() - signalled
    assert first.bot.wait(10) == 0, first.bot.diagnosis("no clean exit")
    fake_api.queue_update(start_command(102))
    assert fake_api.wait_for_message(102, timeout=START_TIMEOUT) is not None
    assert answered_by(fake_api, 102) == [TOKEN_B]
    assert answered_by(fake_api, 101) == [TOKEN_A], "the first update was answered again"
    assert hand_over < 2.0, f"hand-over took {hand_over:.2f} s (standby after {standby:.1f})"
    assert second.stop() == 0
    for instance in (first, second):
        assert "Traceback" not in instance.bot.stderr(), instance.bot.diagnosis("traceback")


def post_update(instance: Instance, update: dict, secret: str | None) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return httpx.post(instance.url("/tg/hook"), json=update, headers=headers, timeout=30)


def webhook_env() -> dict[str, str]:
    return {
        "BOT_MODE": "webhook",
        "WEBHOOK_URL": "https://bot.example.test/tg/hook",
        "WEBHOOK_SECRET": SECRET,
    }


def check_webhook_mode(
    fake_api: HttpFakeBotApi, instances: Callable[..., Instance], url: str
) -> None:
    active = instances("a", TOKEN_A, url, **webhook_env())
    active.wait_role("active")
    [set_webhook] = fake_api.calls("setWebhook")
    assert set_webhook.params["url"] == "https://bot.example.test/tg/hook"
    assert set_webhook.params["secret_token"] == SECRET
    assert set_webhook.json_param("allowed_updates") == ["message", "callback_query"]
    assert int(set_webhook.params["max_connections"]) == 10
    assert fake_api.calls("getUpdates") == []

    update = {"update_id": 500, **start_command(201)}
    assert post_update(active, update, None).status_code == 403
    assert post_update(active, update, "wrong").status_code == 403
    assert post_update(active, update, SECRET[:-1]).status_code == 403
    assert answered_by(fake_api, 201) == []
    assert post_update(active, update, SECRET).status_code == 200
    assert answered_by(fake_api, 201) == [TOKEN_A]  # processed before the 200
    assert post_update(active, update, SECRET).status_code == 200
    time.sleep(0.3)
    assert answered_by(fake_api, 201) == [TOKEN_A], "a repeated update was processed twice"

    standby = instances("b", TOKEN_B, url, **webhook_env())
    standby.wait_role("standby")
    answer = post_update(standby, {"update_id": 501, **start_command(202)}, SECRET)
    assert answer.status_code == 503
    assert post_update(standby, update, "wrong").status_code == 403
    assert answered_by(fake_api, 202) == []

    assert active.stop() == 0
    standby.wait_role("active", timeout=10)
    # Telegram's retry of the post the standby refused, twice (a timeout in between).
    retried = {"update_id": 501, **start_command(202)}
    assert post_update(standby, retried, SECRET).status_code == 200
    assert post_update(standby, retried, SECRET).status_code == 200
    # Posts for different chats arrive concurrently, out of order: none is dropped.
    late = [{"update_id": 520 - n, **start_command(210 + n)} for n in range(10)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        codes = list(pool.map(lambda u: post_update(standby, u, SECRET).status_code, late))
    assert codes == [200] * 10
    assert answered_by(fake_api, 201) == [TOKEN_A]
    assert answered_by(fake_api, 202) == [TOKEN_B]
    assert all(answered_by(fake_api, 210 + n) == [TOKEN_B] for n in range(10))
    assert standby.stop() == 0


def test_webhook_mode(
    fake_api: HttpFakeBotApi, instances: Callable[..., Instance], database_url: str
) -> None:
    check_webhook_mode(fake_api, instances, database_url)


def test_back_to_polling_deletes_the_webhook(
    fake_api: HttpFakeBotApi, instances: Callable[..., Instance], tmp_path: Path
) -> None:
    fake_api.webhook = {"url": "https://old.example.test/hook"}
    bot = instances("a", TOKEN_A, f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    bot.wait_role("active")
    fake_api.queue_update(start_command(301))
    assert fake_api.wait_for_message(301, timeout=START_TIMEOUT) is not None
    assert fake_api.webhook is None and len(fake_api.calls("deleteWebhook")) == 1
    assert bot.stop() == 0


STREAM_USERS = 50
STREAM_PER_USER = 4
REMINDERS = 100
FAILOVER_LIMIT = 15.0


async def seed_reminders(url: str, *, due_in: float) -> None:
    """One talk with REMINDERS enrolled servants whose 1-hour reminder falls due soon."""
    engine = create_engine(url)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    talk = await make_talk(
        factory, starts_at=now + timedelta(hours=1, seconds=due_in), capacity=REMINDERS
    )
    for number in range(REMINDERS):
        servant = await make_servant(
            factory, telegram_user_id=900_000 + number, now=now - timedelta(days=1)
        )
        await enroll_in(factory, servant, talk.id, now - timedelta(minutes=5))
    await engine.dispose()


async def reminder_rows(url: str) -> list[Delivery]:
    engine = create_engine(url)
    factory = make_session_factory(engine)
    async with factory.read() as session:
        rows = list(
            (await session.scalars(select(Delivery).where(Delivery.offset_minutes == 60))).all()
        )
    await engine.dispose()
    return rows


def stream_updates(api: HttpFakeBotApi, spacing: float) -> threading.Thread:
    """STREAM_USERS servants send STREAM_PER_USER commands each, interleaved."""

    def run() -> None:
        for round_ in range(STREAM_PER_USER):
            for user in range(STREAM_USERS):
                api.queue_update(
                    start_command(700_000 + user, "/ayuda" if round_ % 2 else "/start")
                )
                time.sleep(spacing)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def test_kill_9_of_the_active_instance_loses_nothing(
    fake_api: HttpFakeBotApi, instances: Callable[..., Instance], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two instances on one database: PostgreSQL (TEST_DATABASE_URL)")
    env = {"REMINDER_OFFSETS": "1h", "REMINDER_SCAN_SECONDS": "1"}
    first = instances("a", TOKEN_A, database_url, **env)
    first.wait_role("active")
    second = instances("b", TOKEN_B, database_url, **env)
    second.wait_role("standby")
    await seed_reminders(database_url, due_in=1.0)
    stream = stream_updates(fake_api, spacing=0.015)
    await asyncio.sleep(3.0)  # the reminders are going out and updates are being answered

    first.bot.process.kill()
    killed = time.monotonic()
    second.wait_role("active", timeout=FAILOVER_LIMIT + 5)
    failover = time.monotonic() - killed
    stream.join(timeout=20)

    deadline = time.monotonic() + 40
    expected = STREAM_USERS * STREAM_PER_USER
    while time.monotonic() < deadline:
        replies = Counter(
            c.chat_id
            for c in fake_api.calls("sendMessage")
            if 700_000 <= (c.chat_id or 0) < 800_000
        )
        rows = await reminder_rows(database_url)
        settled = all(
            row.state not in (DeliveryState.PENDING, DeliveryState.SENDING) for row in rows
        )
        if settled and sum(replies.values()) >= expected:
            break
        await asyncio.sleep(0.5)
    by_token = Counter(
        c.token for c in fake_api.calls("sendMessage") if 700_000 <= (c.chat_id or 0) < 800_000
    )
    reminders = Counter(
        c.chat_id for c in fake_api.calls("sendMessage") if 900_000 <= (c.chat_id or 0) < 1_000_000
    )
    assert len(rows) == REMINDERS
    states = Counter((row.state, row.reason) for row in rows)
    interrupted = [r for r in rows if r.reason == "interrupted"]
    assert max(reminders.values()) == 1, "a reminder was sent twice"
    assert sum(replies.values()) - expected <= 1, f"updates answered twice: {replies}"
    assert all(replies[700_000 + user] >= STREAM_PER_USER for user in range(STREAM_USERS)), replies
    assert by_token[TOKEN_A] > 0 and by_token[TOKEN_B] > 0, by_token
    assert len(reminders) + len(interrupted) >= REMINDERS, states
    assert len(reminders) >= REMINDERS - 1, f"reminders lost: {states}"
    assert failover < FAILOVER_LIMIT, f"failover took {failover:.1f} s"
    print(
        f"failover {failover:.2f} s; reminder rows {dict(states)}; reminders received "
        f"{len(reminders)}; replies {sum(replies.values())} for {expected} updates; "
        f"by instance {dict(by_token)}"
    )
    assert second.stop() == 0


async def test_an_active_instance_that_loses_its_lease_connection_steps_down(
    fake_api: HttpFakeBotApi, instances: Callable[..., Instance], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the lease connection is PostgreSQL's (TEST_DATABASE_URL)")
    import asyncpg

    first = instances("a", TOKEN_A, database_url)
    first.wait_role("active")
    second = instances("b", TOKEN_B, database_url)
    second.wait_role("standby")
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        pid = first.bot.process.pid
        assert pid
        # Cut the active one's lease connection, as a network cut or a DBA would: the one
        # that holds the advisory lock (the standby's waits for it, or is between waits).
        terminated = await admin.fetchval(
            "SELECT count(pg_terminate_backend(a.pid)) FROM pg_stat_activity a"
            " JOIN pg_locks l ON l.pid = a.pid"
            " WHERE a.application_name = 'defensoria-bot lease'"
            " AND l.locktype = 'advisory' AND l.granted"
        )
    finally:
        await admin.close()
    assert terminated == 1
    assert first.bot.wait(10) == 1, first.bot.diagnosis("did not step down")
    second.wait_role("active", timeout=10)
    fake_api.queue_update(start_command(401))
    assert fake_api.wait_for_message(401, timeout=START_TIMEOUT) is not None
    assert answered_by(fake_api, 401) == [TOKEN_B]
    assert second.stop() == 0
