"""/aviso_todos to thousands of servants under Telegram's limits, and after a crash.

Run from the repository root::

    .venv/bin/python benchmarks/broadcast.py [--servants 3000] [--rate 25]
        [--server-limit 30] [--crash-after 1000] [--database-url URL]

Each scenario gets a fresh database (a temporary SQLite file, or a throw-away PostgreSQL
database on the server of `--database-url`) with N registered servants, and a real HTTP fake
of the Bot API that answers 429 above `--server-limit` messages/s overall and 1/s per chat.
The notice is created through `bot.services.notices.create_notice`, as the staff's confirm
button does, and the real Application (`build_application`) sends it with `run_sender`.

1. full: the sender runs until every row is final. Prints delivered / duplicates / lost,
   429s, the progress edits and final report the staff member got, and the elapsed time
   against the theoretical minimum at SEND_RATE_PER_SECOND and at the server's limit.
2. crash: the sender task is cancelled once `--crash-after` messages arrived (rows it had
   claimed stay `sending`, as after a crash) and the Application is dropped. A NEW
   Application over the same database starts with the clock past STUCK_AFTER and finishes.
   Rows left `sending` end failed "interrupted" (delivery is at-most-once); "lost" counts
   only servants whose row ended neither sent nor interrupted and who got nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import pathlib
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from telegram.warnings import PTBUserWarning  # noqa: E402

# The handlers' ConversationHandler set-up warns about per_* settings; that says nothing about
# sending and would hide the figures.
warnings.simplefilter("ignore", PTBUserWarning)

from benchmarks.reminders import (  # noqa: E402
    FIRST_CHAT_ID,
    START,
    ErrorCounter,
    FakeClock,
    _check,
    _servant_row,
    bench_settings,
    insert_chunked,
)
from benchmarks.support import build_schema, scratch_database  # noqa: E402
from bot.app import build_application, dispose  # noqa: E402
from bot.db import SessionFactory, create_engine, make_session_factory  # noqa: E402
from bot.models import Delivery, DeliveryState, Notice, NoticeAudience, Servant  # noqa: E402
from bot.outbox.rules import STUCK_AFTER  # noqa: E402
from bot.outbox.sender import run_sender  # noqa: E402
from bot.services import notices  # noqa: E402
from tests.http_fake_api import HttpFakeBotApi  # noqa: E402

STAFF_CHAT = 9_000_001
PROGRESS_MESSAGE_ID = 1
MAX_SENDER_ROUNDS = 60
CRASH_POLL_SECONDS = 0.05


@dataclass
class Broadcast:
    """What one scenario measured."""

    name: str
    servants: int
    rate: float
    server_limit: float
    phases: list[float] = field(default_factory=list)
    """Wall-clock seconds of each Application's sending."""
    left_sending: int = 0
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    interrupted: int = 0
    interrupted_but_arrived: int = 0
    throttled: int = 0
    edits: int = 0
    reports: list[str] = field(default_factory=list)
    states: dict[tuple[str, str | None], int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.phases)


async def seed(url: str, count: int) -> tuple[list[int], int]:
    """N registered servants and the /aviso_todos notice to them; returns (chats, notice id)."""
    engine = create_engine(url)
    try:
        rows = [_servant_row(index + 1, FIRST_CHAT_ID + index) for index in range(count)]
        await insert_chunked(engine, Servant, rows)
        async with make_session_factory(engine).begin() as session:
            notice = await notices.create_notice(
                session,
                audience=NoticeAudience.ALL,
                talk_id=None,
                text="Les recordamos que el 10 de diciembre es el Día de los Derechos Humanos.",
                actor=STAFF_CHAT,
                now=START,
                progress_chat_id=STAFF_CHAT,
                progress_message_id=PROGRESS_MESSAGE_ID,
            )
        return [row["chat_id"] for row in rows], notice.id
    finally:
        await engine.dispose()


async def _open_rows(factory: SessionFactory) -> tuple[int, Any]:
    """(rows pending or sending, earliest retry of a pending one)."""
    async with factory.read() as session:
        still_open = await session.scalar(
            select(func.count()).where(
                Delivery.state.in_([DeliveryState.PENDING, DeliveryState.SENDING])
            )
        )
        next_try = await session.scalar(
            select(func.min(Delivery.next_attempt_at)).where(
                Delivery.state == DeliveryState.PENDING
            )
        )
    return still_open or 0, next_try


async def drain(app: Any, clock: FakeClock) -> float:
    """Runs the sender until no row is open, skipping back-off waits; returns the seconds."""
    factory: SessionFactory = app.bot_data["runtime"].session_factory
    began = time.perf_counter()
    for _ in range(MAX_SENDER_ROUNDS):
        await run_sender(app)
        still_open, next_try = await _open_rows(factory)
        if not still_open:
            return time.perf_counter() - began
        if next_try is not None and next_try > clock.now():
            clock.set(next_try)
    raise RuntimeError(f"rows still open after {MAX_SENDER_ROUNDS} sender runs")


async def crash_after(app: Any, api: HttpFakeBotApi, chats: set[int], messages: int) -> float:
    """Sends until `messages` arrived, then cancels the sender mid-batch; returns seconds."""
    began = time.perf_counter()
    sender = asyncio.create_task(run_sender(app))
    while not sender.done():
        arrived = sum(n for chat, n in api.sent_per_chat().items() if chat in chats)
        if arrived >= messages:
            sender.cancel()
            break
        await asyncio.sleep(CRASH_POLL_SECONDS)
    with contextlib.suppress(asyncio.CancelledError):
        await sender
    return time.perf_counter() - began


async def outcome(url: str, run: Broadcast, api: HttpFakeBotApi, chats: list[int]) -> None:
    """Tallies the server's view against the outbox's final states."""
    engine = create_engine(url)
    try:
        async with make_session_factory(engine).read() as session:
            rows = await session.execute(
                select(Delivery.state, Delivery.reason, func.count()).group_by(
                    Delivery.state, Delivery.reason
                )
            )
            run.states = {(str(state), reason): n for state, reason, n in rows.tuples()}
            interrupted_chats = set(
                (
                    await session.scalars(
                        select(Servant.chat_id)
                        .join(Delivery, Delivery.servant_id == Servant.id)
                        .where(Delivery.reason == "interrupted")
                    )
                ).all()
            )
            finished = await session.scalar(select(Notice.finished_at))
    finally:
        await engine.dispose()
    per_chat = api.sent_per_chat()
    run.delivered = sum(1 for chat in chats if per_chat.get(chat, 0) == 1)
    run.duplicates = sum(1 for chat in chats if per_chat.get(chat, 0) > 1)
    run.interrupted = len(interrupted_chats)
    run.interrupted_but_arrived = sum(1 for chat in interrupted_chats if per_chat.get(chat))
    run.lost = sum(1 for chat in chats if not per_chat.get(chat) and chat not in interrupted_chats)
    run.throttled = api.throttled
    run.edits = len(api.calls("editMessageText"))
    run.reports = [
        call.text
        for call in api.calls("sendMessage")
        if call.chat_id == STAFF_CHAT and not call.throttled
    ]
    if finished is None:
        run.reports.append("(the notice was never marked finished)")


async def scenario(
    server_url: str | None, name: str, servants: int, rate: float, limit: float, crash: int
) -> Broadcast:
    run = Broadcast(name, servants, rate, limit)
    async with scratch_database(server_url, f"broadcast-{name}") as url:
        await build_schema(url)
        chats, _ = await seed(url, servants)
        with HttpFakeBotApi(rate_limit=limit, per_chat_rate_limit=1.0) as api:
            settings = bench_settings(url, api.root_url, rate)
            clock = FakeClock(START)
            if crash:
                first = build_application(settings, clock=clock)
                try:
                    async with first:
                        run.phases.append(await crash_after(first, api, set(chats), crash))
                finally:
                    await dispose(first)
                run.left_sending = (await _count_sending(url)) or 0
                clock.set(START + STUCK_AFTER + timedelta(minutes=1))
            app = build_application(settings, clock=clock)
            try:
                async with app:
                    run.phases.append(await drain(app, clock))
            finally:
                await dispose(app)
            await outcome(url, run, api, chats)
    return run


async def _count_sending(url: str) -> int | None:
    engine = create_engine(url)
    try:
        async with make_session_factory(engine).read() as session:
            return await session.scalar(
                select(func.count()).where(Delivery.state == DeliveryState.SENDING)
            )
    finally:
        await engine.dispose()


def report(run: Broadcast, crash: int) -> bool:
    """Prints one scenario; returns whether every check passed."""
    at_rate, at_limit = run.servants / run.rate, run.servants / run.server_limit
    print(
        f"\n== {run.name}: /aviso_todos to {run.servants:,} servants, "
        f"SEND_RATE_PER_SECOND={run.rate:g}, server limit {run.server_limit:g}/s overall "
        f"and 1/s per chat"
    )
    if crash:
        print(
            f"crash after {crash:,} messages: first Application ran {run.phases[0]:.1f} s and "
            f"left {run.left_sending} rows 'sending'; the second ran {run.phases[-1]:.1f} s"
        )
    print(
        f"delivered {run.delivered:,}   duplicates {run.duplicates}   lost {run.lost}   "
        f"interrupted {run.interrupted} (of which arrived anyway: "
        f"{run.interrupted_but_arrived})   429 answers {run.throttled}"
    )
    print(f"outbox states: {dict(sorted(run.states.items(), key=str))}")
    print(
        f"elapsed {run.seconds:.1f} s vs {at_rate:.0f} s at {run.rate:g}/s "
        f"({run.seconds / at_rate:.0%}) and {at_limit:.0f} s at the server's "
        f"{run.server_limit:g}/s ({run.seconds / at_limit:.0%})"
    )
    print(f"staff saw {run.edits} progress edits; final report:")
    for text in run.reports:
        print("  " + text.replace("\n", "\n  "))
    checks = [
        ("0 duplicates", run.duplicates == 0),
        ("0 lost", run.lost == 0),
        (
            "every servant delivered or interrupted",
            run.delivered + run.interrupted - run.interrupted_but_arrived == run.servants,
        ),
        ("one final report", len(run.reports) == 1 and "Aviso terminado" in run.reports[0]),
        ("never faster than the server allows", run.seconds >= at_limit * 0.97 or crash > 0),
    ]
    if not crash:
        checks.append(("0 × 429 (configured < server limit)", run.throttled == 0))
    for label, ok in checks:
        print(f"  {_check(ok)}  {label}")
    return all(ok for _, ok in checks)


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--servants", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=25, help="SEND_RATE_PER_SECOND (≤ 30)")
    parser.add_argument("--server-limit", type=float, default=30, help="fake API's messages/s")
    parser.add_argument("--crash-after", type=int, default=None, help="default: a third of N")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server URL on which throw-away databases are created and dropped "
        "(default: temporary SQLite files)",
    )
    options = parser.parse_args(argv)
    if options.crash_after is None:
        options.crash_after = max(1, options.servants // 3)
    if options.database_url is not None:
        backend = make_url(options.database_url).get_backend_name()
        if backend not in {"postgresql", "postgres"}:
            parser.error("--database-url must be a PostgreSQL server URL (SQLite is the default)")
    return options


async def run(options: argparse.Namespace) -> bool:
    errors = ErrorCounter()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(errors)
    print(f"backend: {'postgresql' if options.database_url else 'sqlite'}")
    passed = True
    for name, crash in (("full", 0), ("crash", options.crash_after)):
        result = await scenario(
            options.database_url,
            name,
            options.servants,
            options.rate,
            options.server_limit,
            crash,
        )
        passed = report(result, crash) and passed
        sys.stdout.flush()
    counted: Counter[str] = Counter({"errors logged": errors.count})
    print(f"\n{dict(counted)}")
    return passed and errors.count == 0


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    return 0 if asyncio.run(run(options)) else 1


if __name__ == "__main__":
    sys.exit(main())
