"""Reminders under Telegram's limits, and the sender's scan time with a large outbox.

Run from the repository root::

    .venv/bin/python benchmarks/reminders.py [--enrollments 3000] [--rate 25]
        [--server-limit 30] [--database-url URL] [--scan-rows 100000]

Three scenarios, each on its own fresh database (temporary SQLite files, or throw-away
databases created on the PostgreSQL server of `--database-url` and dropped afterwards):

1. delivery: N servants enrolled through `bot.services.enrollment.enroll` in one talk; the
   fake clock is set to the moment the 24 h reminders fall due, so N reminders are due at
   once. The real Application (`build_application`) sends them through `run_sender` to a real
   HTTP fake of the Bot API that answers 429 above `--server-limit` messages/s (sliding 1 s
   window) and above 1 message/s per chat. Prints delivered / duplicates / lost, 429s, the
   final states of the outbox, the achieved rate against SEND_RATE_PER_SECOND and PASS/FAIL.
2. throttled: a short run with the server's limit *below* the configured rate, to show that
   429s are honoured: nothing lost, nothing sent twice.
3. scan: `--scan-rows` pending reminders in the future plus a few due now; times one scan of
   the sender (`claim_due(limit=100)`, which also closes what must not be sent, in one
   transaction, rolled back so
   the rows stay due) and prints the query plans of both SELECTs.

Back-off waits (timeouts, 5xx, a message throttled 20 times in a row) are skipped by moving
the fake clock forward, so the elapsed time is the sender's own.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import logging
import math
import pathlib
import statistics
import sys
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker  # noqa: E402
from telegram.warnings import PTBUserWarning  # noqa: E402

# The handlers' ConversationHandler set-up warns about per_* settings and about the JobQueue
# not running here; that says nothing about sending and would hide the figures.
warnings.simplefilter("ignore", PTBUserWarning)

from benchmarks.support import build_schema, scratch_database  # noqa: E402
from bot.app import build_application, dispose  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import create_engine, make_session_factory  # noqa: E402
from bot.models import (  # noqa: E402
    Delivery,
    DeliveryKind,
    DeliveryState,
    Enrollment,
    EnrollmentStatus,
    Modality,
    Servant,
    Talk,
    TalkStatus,
)
from bot.outbox.sender import SenderStats, claim_size, run_sender  # noqa: E402

BATCH_SIZE = claim_size(25)
from bot.outbox import store  # noqa: E402
from bot.services.enrollment import enroll  # noqa: E402
from tests.http_fake_api import HttpFakeBotApi  # noqa: E402

TOKEN = "123456:BENCH-token"
START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
"""The fake clock's start: when the servants enroll."""
TALK_STARTS_IN = timedelta(days=2)
REMINDER_OFFSETS = "24h,1h"
MEASURED_OFFSET = 24 * 60
"""The reminders the delivery scenarios measure: the 24 h ones (the 1 h ones stay pending)."""
PER_CHAT_LIMIT = 1.0
ENROLL_BATCH = 500
MAX_SENDER_ROUNDS = 60
TARGET_RATE_SHARE = 0.95
SCAN_TARGET_MS = 50.0
SCAN_WARMUP = 3
SCAN_FUTURE_TALKS = 20
FIRST_CHAT_ID = 7_000_000
INSERT_CHUNK = 10_000
INDEX_NAME = "ix_deliveries_state_next_attempt"


class FakeClock:
    """The bot's clock, moved by hand (as in tests/conftest.py)."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


# -- databases ----------------------------------------------------------------------------


def _talk_row(talk_id: int, starts_at: datetime, capacity: int) -> dict[str, Any]:
    return {
        "id": talk_id,
        "import_key": f"bench-{talk_id}",
        "title": f"Plática de prueba {talk_id}",
        "topic": "Derechos humanos",
        "description": "Una plática para servidores públicos.",
        "speaker": "Lic. Laura Pérez",
        "organizer": "Defensoría Municipal de Derechos Humanos",
        "starts_at": starts_at,
        "duration_min": 90,
        "modality": Modality.VIRTUAL,
        "meeting_link": "https://meet.example.org/abc-defg",
        "venue": None,
        "capacity": capacity,
        "status": TalkStatus.SCHEDULED,
        "sequence": 0,
        "created_at": START - timedelta(days=30),
        "updated_at": START - timedelta(days=30),
    }


def _servant_row(servant_id: int, chat_id: int) -> dict[str, Any]:
    return {
        "id": servant_id,
        "telegram_user_id": chat_id,
        "chat_id": chat_id,
        "privacy_version": "2026-11",
        "privacy_accepted_at": START,
        "full_name": "María López",
        "dependency": "Tesorería Municipal",
        "email": None,
        "unreachable_at": None,
        "created_at": START,
        "updated_at": START,
    }


async def insert_chunked(
    engine: AsyncEngine, model: type[Any], rows: list[dict[str, Any]]
) -> None:
    """Core `insert(model)` executemany, a chunk per transaction."""
    for first in range(0, len(rows), INSERT_CHUNK):
        async with engine.begin() as connection:
            await connection.execute(insert(model), rows[first : first + INSERT_CHUNK])


# -- scenarios 1 and 2: delivery under the limits -----------------------------------------


@dataclass
class Delivered:
    """What one delivery scenario measured."""

    name: str
    enrollments: int
    rate: float
    server_limit: float
    enroll_outcomes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    sender_rounds: int = 0
    clock_advanced: timedelta = timedelta()
    stats: SenderStats = field(default_factory=SenderStats)
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    strays: int = 0
    throttled: int = 0
    sends_inside_retry_after: int = 0
    refused_inside_retry_after: int = 0
    states: dict[tuple[int | None, str], int] = field(default_factory=dict)
    server_times: list[float] = field(default_factory=list)
    first_send_after: float = 0.0
    scan_ms: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def achieved(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0


async def seed_enrollments(
    factory: async_sessionmaker[AsyncSession], count: int, settings: Settings
) -> tuple[list[int], Counter[str]]:
    """One talk, `count` servants and their enrollments through the real service."""
    starts_at = START + TALK_STARTS_IN
    servants = [_servant_row(index + 1, FIRST_CHAT_ID + index) for index in range(count)]
    async with factory.begin() as session:
        await session.execute(insert(Talk), [_talk_row(1, starts_at, capacity=count + 10)])
        await session.execute(insert(Servant), servants)
    outcomes: Counter[str] = Counter()
    for first in range(0, count, ENROLL_BATCH):
        async with factory.begin() as session:
            rows = await session.scalars(
                select(Servant)
                .where(Servant.id > first, Servant.id <= first + ENROLL_BATCH)
                .order_by(Servant.id)
            )
            for servant in rows.all():
                result = await enroll(
                    session,
                    servant=servant,
                    talk_id=1,
                    now=START,
                    join_waitlist=False,
                    reminder_offsets=settings.reminder_offsets,
                )
                outcomes[result.outcome.value] += 1
    return [row["chat_id"] for row in servants], outcomes


def bench_settings(url: str, api_root: str, rate: float) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        database_url=url,
        telegram_api_base_url=api_root,
        reminder_offsets=REMINDER_OFFSETS,  # type: ignore[arg-type]
        send_rate_per_second=rate,
        log_level="WARNING",
    )


@contextmanager
def timed_scans(record: list[float]) -> Iterator[None]:
    """Times each of the sender's scans by wrapping `claim_due`."""
    claim = store.claim_due

    async def timed_claim(session: AsyncSession, *, now: datetime, limit: int) -> Any:
        began = time.perf_counter()
        try:
            return await claim(session, now=now, limit=limit)
        finally:
            record.append((time.perf_counter() - began) * 1000.0)

    store.claim_due = timed_claim  # type: ignore[assignment]
    try:
        yield
    finally:
        store.claim_due = claim  # type: ignore[assignment]


async def _measured_left(
    factory: async_sessionmaker[AsyncSession],
) -> tuple[int, datetime | None]:
    """(rows claimed but unfinished, earliest retry) of the measured reminders."""
    measured = (Delivery.kind == DeliveryKind.REMINDER) & (
        Delivery.offset_minutes == MEASURED_OFFSET
    )
    async with factory() as session:
        sending = await session.scalar(
            select(func.count()).where(measured, Delivery.state == DeliveryState.SENDING)
        )
        next_try = await session.scalar(
            select(func.min(Delivery.next_attempt_at)).where(
                measured, Delivery.state == DeliveryState.PENDING
            )
        )
    return sending or 0, next_try


def _add_stats(total: SenderStats, stats: SenderStats) -> None:
    total.sent += stats.sent
    total.failed += stats.failed
    total.retried += stats.retried
    total.throttled += stats.throttled
    for reason, count in stats.settled.items():
        total.settled[reason] = total.settled.get(reason, 0) + count


async def drain(app: Any, clock: FakeClock, run: Delivered) -> None:
    """Runs the sender until every measured reminder is final, skipping back-off waits."""
    factory = make_session_factory(app.bot_data["runtime"].engine)
    started = time.perf_counter()
    for _ in range(MAX_SENDER_ROUNDS):
        run.sender_rounds += 1
        _add_stats(run.stats, await run_sender(app))
        sending, next_try = await _measured_left(factory)
        if sending:
            raise RuntimeError(f"{sending} rows left 'sending' after run_sender returned")
        if next_try is None:
            break
        if next_try > clock.now():
            run.clock_advanced += next_try - clock.now()
            clock.set(next_try)
    else:
        raise RuntimeError(f"reminders still pending after {MAX_SENDER_ROUNDS} sender runs")
    run.seconds = time.perf_counter() - started


async def outbox_states(
    factory: async_sessionmaker[AsyncSession],
) -> dict[tuple[int | None, str], int]:
    async with factory() as session:
        rows = await session.execute(
            select(Delivery.offset_minutes, Delivery.state, func.count())
            .group_by(Delivery.offset_minutes, Delivery.state)
            .order_by(Delivery.offset_minutes.desc(), Delivery.state)
        )
        return {(offset, str(state)): count for offset, state, count in rows}


def tally_server(run: Delivered, api: HttpFakeBotApi, chats: list[int], t0: float) -> None:
    """Delivered / duplicates / lost per chat, 429s, and when the server saw each send."""
    per_chat = api.sent_per_chat()
    expected = set(chats)
    run.delivered = sum(1 for chat in chats if per_chat.get(chat, 0) == 1)
    run.duplicates = sum(1 for chat in chats if per_chat.get(chat, 0) > 1)
    run.lost = sum(1 for chat in chats if per_chat.get(chat, 0) == 0)
    run.strays = sum(count for chat, count in per_chat.items() if chat not in expected)
    run.throttled = api.throttled
    sends = api.calls("sendMessage")
    run.server_times = sorted(call.at for call in sends if not call.throttled)
    # This fake always answers retry_after = 1 (its window is 1 s): count the sends that
    # reached it less than 1 s after a 429, i.e. while the bot had been told to wait.
    refused = sorted(call.at for call in sends if call.throttled)
    inside = [
        call
        for call in sends
        if (before := bisect.bisect_left(refused, call.at)) and call.at - refused[before - 1] < 1.0
    ]
    run.sends_inside_retry_after = len(inside)
    run.refused_inside_retry_after = sum(1 for call in inside if call.throttled)
    if run.server_times:
        run.first_send_after = run.server_times[0] - t0


async def delivery_scenario(
    server_url: str | None,
    *,
    name: str,
    enrollments: int,
    rate: float,
    server_limit: float,
) -> Delivered:
    run = Delivered(name, enrollments, rate, server_limit)
    async with scratch_database(server_url, name) as url:
        await build_schema(url)
        with HttpFakeBotApi(rate_limit=server_limit, per_chat_rate_limit=PER_CHAT_LIMIT) as api:
            settings = bench_settings(url, api.root_url, rate)
            engine = create_engine(url)
            try:
                chats, run.enroll_outcomes = await seed_enrollments(
                    make_session_factory(engine), enrollments, settings
                )
            finally:
                await engine.dispose()
            clock = FakeClock(START + TALK_STARTS_IN - timedelta(minutes=MEASURED_OFFSET))
            app = build_application(settings, clock=clock)
            try:
                async with app:
                    t0 = time.monotonic()
                    with timed_scans(run.scan_ms):
                        await drain(app, clock, run)
                    run.states = await outbox_states(
                        make_session_factory(app.bot_data["runtime"].engine)
                    )
            finally:
                await dispose(app)
            tally_server(run, api, chats, t0)
    return run


def _check(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_delivery(run: Delivered, *, full: bool) -> bool:
    """Prints one delivery scenario; returns whether every check passed."""
    print(
        f"\n== {run.name}: {run.enrollments} reminders due at once, "
        f"SEND_RATE_PER_SECOND={run.rate:g}, server limit {run.server_limit:g}/s overall "
        f"and {PER_CHAT_LIMIT:g}/s per chat"
    )
    print(f"enroll outcomes: {dict(run.enroll_outcomes)}")
    print(
        f"delivered {run.delivered}   duplicates {run.duplicates}   lost {run.lost}   "
        f"stray messages {run.strays}   429 answers {run.throttled}"
    )
    stats = run.stats
    print(
        f"sender: sent {stats.sent}, failed {stats.failed}, retried later {stats.retried}, "
        f"throttled {stats.throttled}, settled {stats.settled or '{}'}; "
        f"{run.sender_rounds} run_sender call(s), fake clock moved {run.clock_advanced}"
    )
    if run.throttled:
        print(
            f"sends reaching the server < 1 s after a 429 (retry_after = 1 s), i.e. while told "
            f"to wait: {run.sends_inside_retry_after}, of which refused again "
            f"{run.refused_inside_retry_after}"
        )
    print("deliveries table (offset_minutes, state): count")
    for (offset, state), count in run.states.items():
        print(f"  {offset!s:>6} {state:<10} {count}")
    achieved_share = run.achieved / run.rate if run.rate else 0.0
    print(
        f"elapsed {run.seconds:.2f} s   achieved {run.achieved:.2f}/s vs configured "
        f"{run.rate:g}/s = {achieved_share:.1%}"
    )
    _print_pacing(run)
    checks = [
        (f"{run.enrollments} delivered", run.delivered == run.enrollments),
        ("0 duplicates", run.duplicates == 0 and run.strays == 0),
        ("0 lost", run.lost == 0),
    ]
    if full:
        checks.append(
            (f"achieved ≥ {TARGET_RATE_SHARE:.0%} of configured", achieved_share >= 0.95)
        )
        if run.rate < run.server_limit:
            checks.append(("0 × 429 (configured < server limit)", run.throttled == 0))
    else:
        checks.append(("> 0 × 429 answered and honoured", run.throttled > 0))
    for label, ok in checks:
        print(f"  {_check(ok)}  {label}")
    return all(ok for _, ok in checks)


def _print_pacing(run: Delivered) -> None:
    """Where the time went: the server's view of the sends and the sender's scans."""
    times = run.server_times
    if len(times) < 2:
        return
    span = times[-1] - times[0]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    interval = 1.0 / run.rate
    idle = sum(gap - interval for gap in gaps if gap > 1.5 * interval)
    long_gaps = sorted(gaps, reverse=True)[:3]
    print(
        f"server view: first send {run.first_send_after * 1000:.0f} ms after start, "
        f"{len(times)} accepted over {span:.2f} s = {(len(times) - 1) / span:.2f}/s; "
        f"time lost in gaps > 1.5 × {interval * 1000:.0f} ms: {idle:.2f} s; "
        f"longest gaps {', '.join(f'{gap * 1000:.0f}' for gap in long_gaps)} ms"
    )
    if run.scan_ms:
        scans = run.scan_ms
        print(
            f"sender scans (claim of {BATCH_SIZE}): {len(scans)}, "
            f"total {sum(scans) / 1000:.2f} s, first {scans[0]:.0f} ms, "
            f"p50 {statistics.median(scans):.0f} ms, max {max(scans):.0f} ms"
        )


# -- scenario 3: scan time with many pending rows -----------------------------------------


@dataclass
class Scanned:
    rows: int
    due: int
    seed_seconds: float = 0.0
    claimed: int = 0
    settled: dict[str, int] = field(default_factory=dict)
    timings_ms: list[float] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)
    backend: str = ""


async def seed_scan(engine: AsyncEngine, rows: int, due: int) -> None:
    """`rows` pending reminders in the future (two per enrollment, over many talks) and `due`
    24 h reminders due five minutes ago, with the talks, servants and enrollments they need."""
    now = START
    future_enrollments = math.ceil(rows / 2)
    total = future_enrollments + due
    due_talk = SCAN_FUTURE_TALKS + 1
    talks = [
        _talk_row(number, now + timedelta(days=2 + 3 * number), capacity=total)
        for number in range(1, SCAN_FUTURE_TALKS + 1)
    ]
    talks.append(_talk_row(due_talk, now + timedelta(hours=24, minutes=-5), capacity=total))
    servants = [_servant_row(index, FIRST_CHAT_ID + index) for index in range(1, total + 1)]
    enrollments = []
    outbox = []
    starts = {talk["id"]: talk["starts_at"] for talk in talks}
    for index in range(1, total + 1):
        is_due = index > future_enrollments
        talk_id = due_talk if is_due else 1 + index % SCAN_FUTURE_TALKS
        enrollments.append(
            {
                "id": index,
                "talk_id": talk_id,
                "servant_id": index,
                "status": EnrollmentStatus.ENROLLED,
                "uid": uuid.uuid4().hex,
                "queued_at": now - timedelta(days=1),
                "enrolled_at": now - timedelta(days=1),
                "promoted_at": None,
                "cancelled_at": None,
                "created_at": now - timedelta(days=1),
                "updated_at": now - timedelta(days=1),
            }
        )
        offsets = [24 * 60] if is_due else [24 * 60, 60]
        for offset in offsets:
            if not is_due and len(outbox) >= rows:
                break
            due_at = starts[talk_id] - timedelta(minutes=offset)
            outbox.append(
                {
                    "id": len(outbox) + 1,
                    "kind": DeliveryKind.REMINDER,
                    "servant_id": index,
                    "enrollment_id": index,
                    "offset_minutes": offset,
                    "due_at": due_at,
                    "next_attempt_at": due_at,
                    "state": DeliveryState.PENDING,
                    "attempts": 0,
                    "claimed_at": None,
                    "finished_at": None,
                    "reason": None,
                    "created_at": now - timedelta(days=1),
                    "updated_at": now - timedelta(days=1),
                }
            )
    await insert_chunked(engine, Talk, talks)
    await insert_chunked(engine, Servant, servants)
    await insert_chunked(engine, Enrollment, enrollments)
    await insert_chunked(engine, Delivery, outbox)
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load; without statistics the planner
        # guesses blindly on a freshly filled table.
        async with engine.connect() as connection:
            await connection.execute(text("COMMIT"))
            await connection.execute(text("ANALYZE"))


async def one_scan(factory: async_sessionmaker[AsyncSession]) -> tuple[float, int, dict[str, int]]:
    """One claim in a transaction, rolled back; returns (ms, claimed to send, closed)."""
    async with factory() as session:
        began = time.perf_counter()
        claim = await store.claim_due(session, now=START, limit=BATCH_SIZE)
        elapsed = (time.perf_counter() - began) * 1000.0
        await session.rollback()
    return elapsed, len(claim.to_send), claim.closed


def _which_select(statement: str) -> str | None:
    flat = " ".join(statement.split())
    if flat.startswith("SELECT deliveries.id FROM deliveries WHERE deliveries.state"):
        return "claim_due SELECT"
    return None


async def query_plans(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession]
) -> dict[str, list[str]]:
    """Captures the two SELECTs of a scan as sent to the driver, then EXPLAINs them."""
    captured: dict[str, tuple[str, Any]] = {}

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        label = _which_select(statement)
        if label is not None and label not in captured:
            captured[label] = (statement, params)

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await one_scan(factory)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    plans = {}
    for label, (statement, params) in sorted(captured.items()):
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql(explain + statement, params)
            rows = result.all()
            await connection.rollback()
        plans[label] = [str(row[-1]) for row in rows]
        plans[label].insert(0, " ".join(statement.split()))
    return plans


async def scan_scenario(server_url: str | None, rows: int, due: int, repeats: int) -> Scanned:
    scanned = Scanned(rows, due)
    async with scratch_database(server_url, "scan") as url:
        await build_schema(url)
        engine = create_engine(url)
        factory = make_session_factory(engine)
        scanned.backend = engine.dialect.name
        try:
            began = time.perf_counter()
            await seed_scan(engine, rows, due)
            scanned.seed_seconds = time.perf_counter() - began
            for _ in range(SCAN_WARMUP):
                await one_scan(factory)
            for _ in range(repeats):
                elapsed, scanned.claimed, scanned.settled = await one_scan(factory)
                scanned.timings_ms.append(elapsed)
            scanned.plans = await query_plans(engine, factory)
        finally:
            await engine.dispose()
    return scanned


def print_scan(scanned: Scanned) -> bool:
    timings = scanned.timings_ms
    p50, worst = statistics.median(timings), max(timings)
    print(
        f"\n== scan: {scanned.rows} pending reminders in the future + {scanned.due} due now "
        f"({scanned.backend}; seeded in {scanned.seed_seconds:.1f} s)"
    )
    print(
        f"one scan = claim_due(limit={BATCH_SIZE}) in one transaction, "
        f"rolled back; {len(timings)} runs after {SCAN_WARMUP} warm-up"
    )
    print(
        f"claimed {scanned.claimed} per scan, settled {scanned.settled or '{}'}; "
        f"p50 {p50:.1f} ms   mean {statistics.fmean(timings):.1f} ms   max {worst:.1f} ms"
    )
    index_used = True
    for label, lines in scanned.plans.items():
        print(f"query plan of the {label}:")
        statement, *plan = lines
        print(f"  SQL: {statement[:300]}{'…' if len(statement) > 300 else ''}")
        for line in plan:
            print(f"    {line}")
        if label.startswith("claim_due"):
            index_used = any(INDEX_NAME in line for line in plan)
    checks = [
        (f"scan p50 < {SCAN_TARGET_MS:g} ms", p50 < SCAN_TARGET_MS),
        (f"scan max < {SCAN_TARGET_MS:g} ms", worst < SCAN_TARGET_MS),
        (f"claim SELECT uses {INDEX_NAME}", index_used),
        (
            f"claim returns a full batch of {BATCH_SIZE}",
            scanned.claimed == min(BATCH_SIZE, scanned.due),
        ),
    ]
    for label, ok in checks:
        print(f"  {_check(ok)}  {label}")
    return all(ok for _, ok in checks)


# -- main ---------------------------------------------------------------------------------


class ErrorCounter(logging.Handler):
    """Counts ERROR records (a sender that fails fast would otherwise look good)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


PARTS = ("delivery", "throttled", "scan")


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--enrollments", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=25, help="SEND_RATE_PER_SECOND (≤ 30)")
    parser.add_argument("--server-limit", type=float, default=30, help="fake API's messages/s")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server URL on which throw-away databases are created and dropped "
        "(default: temporary SQLite files)",
    )
    parser.add_argument("--scan-rows", type=int, default=100_000)
    parser.add_argument("--scan-due", type=int, default=120, help="rows due now in the scan")
    parser.add_argument("--scan-repeats", type=int, default=20)
    parser.add_argument("--throttled-enrollments", type=int, default=300)
    parser.add_argument("--throttled-server-limit", type=float, default=10)
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}"
    )
    options = parser.parse_args(argv)
    options.parts = [part.strip() for part in options.parts.split(",") if part.strip()]
    unknown = set(options.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if options.database_url is not None:
        backend = make_url(options.database_url).get_backend_name()
        if backend not in {"postgresql", "postgres"}:
            parser.error("--database-url must be a PostgreSQL server URL (SQLite is the default)")
    return options


async def run(options: argparse.Namespace) -> bool:
    errors = ErrorCounter()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(errors)
    backend = "postgresql" if options.database_url else "sqlite"
    print(f"backend: {backend}")
    passed = True

    async def delivery() -> bool:
        result = await delivery_scenario(
            options.database_url,
            name="delivery",
            enrollments=options.enrollments,
            rate=options.rate,
            server_limit=options.server_limit,
        )
        return print_delivery(result, full=True)

    async def throttled() -> bool:
        result = await delivery_scenario(
            options.database_url,
            name="throttled",
            enrollments=options.throttled_enrollments,
            rate=options.rate,
            server_limit=options.throttled_server_limit,
        )
        return print_delivery(result, full=False)

    async def scan() -> bool:
        result = await scan_scenario(
            options.database_url, options.scan_rows, options.scan_due, options.scan_repeats
        )
        return print_scan(result)

    steps: list[tuple[str, Callable[[], Awaitable[bool]]]] = [
        ("delivery", delivery),
        ("throttled", throttled),
        ("scan", scan),
    ]
    for name, step in steps:
        if name in options.parts:
            passed = await step() and passed
            sys.stdout.flush()
    print(f"\nerrors logged: {errors.count}")
    return passed and errors.count == 0


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    return 0 if asyncio.run(run(options)) else 1


if __name__ == "__main__":
    sys.exit(main())
