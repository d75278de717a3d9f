"""Failover and webhook figures, with real `python -m bot` processes and the HTTP fake Bot API.

    .venv/bin/python benchmarks/failover.py [--runs 5] [--updates 300] [--database-url URL]

1. Failover: an active instance and a standby; `kill -9` the active one and at the same
   moment queue a /start: the time until the standby has answered it (the failover a servant
   feels), median and max over `--runs` kills (each run starts a fresh standby).
2. SIGTERM hand-over: the same with SIGTERM (a deploy).
3. Updates/s of one instance: `--updates` /ayuda commands from 50 servants, through
   polling (the fake's getUpdates) and through the webhook (HTTP posts, 10 at a time, as
   Telegram with max_connections 10), until every reply arrived.

Default database: a temporary SQLite file (the standby waits on the file lock);
`--database-url postgresql://…` runs on a throw-away database of that server.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import httpx

from benchmarks.support import build_schema, scratch_database
from tests.http_fake_api import HttpFakeBotApi
from tests.test_e2e import bot_environment, start_command
from tests.test_failover import SECRET, Instance, free_port, webhook_env

USERS = 50


class Fleet:
    """Bot processes against one fake API and one database, numbered tokens of one bot."""

    def __init__(self, api: HttpFakeBotApi, url: str, folder: pathlib.Path) -> None:
        self.api, self.url, self.folder = api, url, folder
        self.started: list[Instance] = []

    def start(self, **env: str) -> Instance:
        number = len(self.started)
        environment = bot_environment(
            TELEGRAM_BOT_TOKEN=f"123:i{number}",
            TELEGRAM_API_BASE_URL=self.api.root_url,
            DATABASE_URL=self.url,
            LISTEN_PORT=str(free_port()),
            FAQ_ENCODER="none",
            LOG_LEVEL="INFO",
            **env,
        )
        instance = Instance(self.folder / f"i{number}", environment)
        self.started.append(instance)
        return instance

    def close(self) -> None:
        for instance in self.started:
            instance.bot.kill()


def failovers(fleet: Fleet, runs: int, *, hard: bool, first_chat: int) -> tuple[list[float], int]:
    """Seconds from the kill (or SIGTERM) to the new active instance's first reply, and how
    many times the old instance itself answered the probe queued right after the signal.

    After SIGTERM the old instance finishes what it already received: a probe its long poll
    picked up before the signal was handled is answered by it (correctly, once), and then
    a second probe measures the new instance. Every probe must be answered exactly once."""
    times = []
    answered_by_old = 0
    active = fleet.start()
    active.wait_role("active")
    for run in range(runs):
        standby = fleet.start()
        standby.wait_role("standby")
        chat = first_chat + 2 * run
        if hard:
            active.bot.process.kill()
        else:
            active.bot.process.terminate()
        stopped = time.monotonic()
        fleet.api.queue_update(start_command(chat))
        reply = fleet.api.wait_for(
            lambda call, chat=chat: call.method == "sendMessage" and call.chat_id == chat,
            timeout=60,
        )
        assert reply is not None, active.bot.diagnosis("old") + standby.bot.diagnosis("no reply")
        if reply.token != standby.token:
            answered_by_old += 1
            chat += 1
            fleet.api.queue_update(start_command(chat))
            reply = fleet.api.wait_for(
                lambda call, chat=chat, token=standby.token: (
                    call.method == "sendMessage" and call.chat_id == chat and call.token == token
                ),
                timeout=60,
            )
            assert reply is not None, standby.bot.diagnosis("no reply to the second probe")
        times.append(reply.at - stopped)
        active.bot.wait(10)
        active = standby
    active.bot.process.terminate()
    active.bot.wait(20)
    probes = range(first_chat, first_chat + 2 * runs)
    answers = Counter(c.chat_id for c in fleet.api.calls("sendMessage") if c.chat_id in probes)
    assert set(answers.values()) <= {1}, f"a probe answered twice: {answers}"
    return times, answered_by_old


def replies(api: HttpFakeBotApi, chats: range) -> int:
    return sum(1 for call in api.calls("sendMessage") if call.chat_id in chats)


def wait_replies(
    api: HttpFakeBotApi, chats: range, count: int, bot: Instance, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while replies(api, chats) < count:
        if time.monotonic() > deadline:
            polls = [c.params.get("offset") for c in api.calls("getUpdates")][-3:]
            pending = [u["update_id"] for u in api._pending][:5]
            got = Counter(c.chat_id for c in api.calls("sendMessage") if c.chat_id in chats)
            raise AssertionError(
                bot.bot.diagnosis(
                    f"only {replies(api, chats)} of {count} replies; last offsets {polls}, "
                    f"pending {pending}, replies per chat {sorted(Counter(got.values()).items())}"
                )
            )
        time.sleep(0.01)


def polling_rate(fleet: Fleet, updates: int, first_chat: int) -> float:
    bot = fleet.start()
    bot.wait_role("active")
    chats = range(first_chat, first_chat + USERS)
    started = time.monotonic()
    for number in range(updates):
        fleet.api.queue_update(start_command(chats[number % USERS], "/ayuda"))
    wait_replies(fleet.api, chats, updates, bot)
    rate = updates / (time.monotonic() - started)
    bot.bot.process.terminate()
    bot.bot.wait(20)
    return rate


def webhook_rate(fleet: Fleet, updates: int, first_chat: int) -> float:
    bot = fleet.start(**webhook_env())
    bot.wait_role("active")
    chats = range(first_chat, first_chat + USERS)
    client = httpx.Client(timeout=60)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

    def post(number: int) -> int:
        update = {
            "update_id": 10_000_000 + number,
            **start_command(chats[number % USERS], "/ayuda"),
        }
        return client.post(bot.url("/tg/hook"), json=update, headers=headers).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(post, range(updates)))
    wait_replies(fleet.api, chats, updates, bot)
    rate = updates / (time.monotonic() - started)
    assert set(codes) == {200}, set(codes)
    client.close()
    bot.bot.process.terminate()
    bot.bot.wait(20)
    return rate


async def prepare(url: str) -> None:
    await build_schema(url)


def figures(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in times)})"
    )


async def run(options: argparse.Namespace) -> int:
    backend = "postgresql" if options.database_url else "sqlite"
    print(f"backend: {backend}")
    async with scratch_database(options.database_url, "failover") as url:
        await prepare(url)
        with (
            tempfile.TemporaryDirectory(prefix="failover-") as folder,
            HttpFakeBotApi(idle_poll_seconds=0.2) as api,
        ):
            fleet = Fleet(api, url, pathlib.Path(folder))
            try:
                kills, _ = await asyncio.to_thread(
                    failovers, fleet, options.runs, hard=True, first_chat=800_000
                )
                print(f"kill -9 → first reply from the new active: {figures(kills)}")
                terms, by_old = await asyncio.to_thread(
                    failovers, fleet, options.runs, hard=False, first_chat=810_000
                )
                print(
                    f"SIGTERM → first reply from the new active: {figures(terms)}; "
                    f"{by_old} of {options.runs} probes sent at the signal were answered, "
                    "once, by the old instance before it stopped"
                )
                polled = await asyncio.to_thread(polling_rate, fleet, options.updates, 820_000)
                hooked = await asyncio.to_thread(webhook_rate, fleet, options.updates, 830_000)
                print(
                    f"{options.updates} updates from {USERS} servants: polling {polled:.0f}/s, "
                    f"webhook {hooked:.0f}/s"
                )
            finally:
                fleet.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server URL on which a throw-away database is created and dropped",
    )
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
