"""Throughput of the real Application against a bare python-telegram-bot echo bot.

Run from the repository root::

    .venv/bin/python benchmarks/throughput.py [--updates N] [--users U] [--database-url URL]

Feeds N updates from U servants — /platicas, a talk's detail, enroll, cancel and a question
typed for the FAQ — through `build_application` over an in-process fake Bot API, then the
same updates through an echo bot on the same fake. The echo bot is the floor PTB itself
costs, so the ratio of the two rates says how much the bot's own work (database, rendering)
costs on top; the targets are a ratio ≥ 0.25 on SQLite and ≥ 0.20 on PostgreSQL, and a p99
≤ 10 ms per update. Prints, per kind of update, the bot's mean cost against the echo's (so a
change can be aimed), then updates/s, p50/p99 latency per update, the ratio (with the time
per update the target leaves, and what one database round trip costs), peak RSS and, as
proof that the work really happened, how the enroll attempts ended.

The FAQ runs with the lexical engine by default (`FAQ_ENCODER=none`), so the peak RSS is
the bot's own (target ≤ 120 MB); `--faq-encoder use` loads the sentence encoder instead.

`--database-url` takes an SQLite URL of a file that does not exist yet, or a PostgreSQL
server URL, on which a throw-away database is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import pathlib
import random
import resource
import sys
import time
import tomllib
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning  # noqa: E402

# The handlers' ConversationHandler set-up warns about per_* settings and about the JobQueue
# not running here; that says nothing about throughput and would hide the table.
warnings.simplefilter("ignore", PTBUserWarning)

from benchmarks.support import build_schema, scratch_database  # noqa: E402
from bot import models  # noqa: E402
from bot.app import build_application, dispose  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.context import RUNTIME_KEY, Runtime  # noqa: E402
from bot.db import create_engine, make_session_factory  # noqa: E402
from bot.texts import raw  # noqa: E402
from tests.fakes import BOT_USER, FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH-token"
TARGET_RATIO = {"sqlite": 0.25, "postgresql": 0.20}
TARGET_P99_MS = 10.0
TARGET_RSS_MB = 120.0
FIRST_USER_ID = 6_000_000
WARMUP_UPDATES = 300
MIX = (
    ("platicas", 0.27),
    ("detail", 0.27),
    ("enroll", 0.22),
    ("cancel", 0.14),
    ("faq", 0.10),
)
"""The share of each kind of update; enroll uses the waiting-list button one time in five."""
FAQ_PHRASINGS = ROOT / "tests" / "faq_data" / "servants_dev.toml"
FAQ_QUESTIONS = 40
"""How many of the servants' development phrasings the FAQ updates draw from."""

AnyApp = Application[Any, Any, Any, Any, Any, Any]


# -- the updates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """What one servant does: a command or a button press."""

    kind: str
    user_id: int
    payload: str
    """The message text or the callback data."""


def faq_questions() -> list[str]:
    """Questions servants type, as written by someone who never read the FAQ's content."""
    with FAQ_PHRASINGS.open("rb") as handle:
        cases = tomllib.load(handle)["case"]
    texts = [case["text"] for case in cases if case["kind"] == "entry"]
    return texts[:: max(1, len(texts) // FAQ_QUESTIONS)][:FAQ_QUESTIONS]


def plan_actions(
    count: int, users: int, talk_ids: list[int], seed: int, questions: list[str]
) -> list[Action]:
    """A deterministic mix; cancels mostly target talks the servant asked to enroll in."""
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    asked: list[tuple[int, int]] = []
    actions = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        user_id = FIRST_USER_ID + rng.randrange(users)
        talk_id = rng.choice(talk_ids)
        if kind == "platicas":
            actions.append(Action(kind, user_id, "/platicas"))
        elif kind == "detail":
            actions.append(Action(kind, user_id, f"v1:td:{talk_id}"))
        elif kind == "enroll":
            asked.append((user_id, talk_id))
            button = "wl" if rng.random() < 0.2 else "en"
            actions.append(Action(kind, user_id, f"v1:{button}:{talk_id}"))
        elif kind == "faq":
            actions.append(Action(kind, user_id, rng.choice(questions)))
        else:
            if asked and rng.random() < 0.8:
                user_id, talk_id = rng.choice(asked)
            actions.append(Action(kind, user_id, f"v1:cy:{talk_id}"))
    return actions


def update_data(action: Action, update_id: int) -> dict[str, Any]:
    """The JSON Telegram would send for `action` (shapes as in tests/chat.py)."""
    user = {"id": action.user_id, "is_bot": False, "first_name": "Ana", "language_code": "es"}
    chat = {"id": action.user_id, "type": "private", "first_name": "Ana"}
    now = int(time.time())
    if action.kind in ("platicas", "faq"):
        message = {
            "message_id": update_id,
            "date": now,
            "chat": chat,
            "from": user,
            "text": action.payload,
        }
        if action.payload.startswith("/"):
            length = len(action.payload.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": update_id, "message": message}
    pressed_on = {"message_id": update_id, "date": now, "chat": chat, "from": BOT_USER}
    pressed_on["text"] = "…"
    callback = {
        "id": str(update_id),
        "from": user,
        "chat_instance": str(action.user_id),
        "data": action.payload,
        "message": pressed_on,
    }
    return {"update_id": update_id, "callback_query": callback}


# -- the database -------------------------------------------------------------------------


async def seed(url: str, users: int, talks: int, capacity: int) -> list[int]:
    """Creates the schema, future talks and servants who may enroll without signing up."""
    await build_schema(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with make_session_factory(engine).begin() as session:
            rows = [_talk(number, now, capacity) for number in range(talks)]
            session.add_all(rows)
            session.add_all(_servant(FIRST_USER_ID + index, now) for index in range(users))
            await session.flush()
            return [row.id for row in rows]
    finally:
        await engine.dispose()


def _talk(number: int, now: datetime, capacity: int) -> models.Talk:
    starts_at = now + timedelta(days=3 + number)
    return models.Talk(
        import_key=f"bench-{number}",
        title=f"Plática de prueba {number + 1}",
        topic="Derechos humanos",
        description="Una plática para servidores públicos.",
        speaker="Lic. Laura Pérez",
        organizer="Defensoría Municipal de Derechos Humanos",
        starts_at=starts_at,
        duration_min=90,
        modality=models.Modality.VIRTUAL,
        meeting_link="https://meet.example.org/abc-defg",
        capacity=capacity,
        status=models.TalkStatus.SCHEDULED,
        sequence=0,
        created_at=now,
        updated_at=now,
    )


def _servant(user_id: int, now: datetime) -> models.Servant:
    return models.Servant(
        telegram_user_id=user_id,
        chat_id=user_id,
        privacy_version="2026-11",
        privacy_accepted_at=now,
        full_name="María López",
        dependency="Tesorería Municipal",
        created_at=now,
        updated_at=now,
    )


async def enrollment_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(models.Enrollment.status, func.count()).group_by(models.Enrollment.status)
            )
            return {str(status): count for status, count in rows}
    finally:
        await engine.dispose()


# -- the two bots -------------------------------------------------------------------------


async def _echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)  # type: ignore[union-attr]


async def _echo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()  # type: ignore[union-attr]
    await query.edit_message_text(query.data or "")  # type: ignore[union-attr]


def build_echo(api: FakeBotApi) -> AnyApp:
    """The least a PTB bot can do per update: answer with what it got."""
    app = ApplicationBuilder().token(TOKEN).request(api).get_updates_request(api).build()
    app.add_handler(MessageHandler(filters.TEXT, _echo_text))
    app.add_handler(CallbackQueryHandler(_echo_button))
    return app


def bench_settings(url: str, faq_encoder: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        database_url=url,
        telegram_api_base_url="",
        log_level="WARNING",
        faq_encoder=faq_encoder,
    )


# -- measuring ----------------------------------------------------------------------------


@dataclass
class Run:
    """Timings of one bot over the measured updates."""

    name: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float, kind: str | None = None) -> float:
        ordered = sorted(self.of_kind(kind))
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0

    def of_kind(self, kind: str | None) -> list[float]:
        if kind is None:
            return self.latencies_ms
        return [ms for ms, k in zip(self.latencies_ms, self.kinds, strict=True) if k == kind]

    def mean(self, kind: str | None = None) -> float:
        values = self.of_kind(kind)
        return sum(values) / len(values) if values else 0.0


Observer = Callable[[Action, list[tuple[str, dict[str, Any]]]], None]


async def feed(
    app: AnyApp,
    api: FakeBotApi,
    actions: list[Action],
    first_update_id: int,
    observe: Observer | None = None,
) -> tuple[float, list[float]]:
    """Processes the updates one after another, as PTB does by default; returns timings.

    The JSON → Update conversion is timed too: polling pays it for every update.
    """
    latencies = []
    started = time.perf_counter()
    for offset, action in enumerate(actions):
        data = update_data(action, first_update_id + offset)
        calls_before = len(api.calls)
        begin = time.perf_counter()
        await app.process_update(Update.de_json(data, app.bot))
        latencies.append((time.perf_counter() - begin) * 1000.0)
        if observe is not None:
            observe(action, api.calls[calls_before:])
        forget_calls(api)
    return time.perf_counter() - started, latencies


def forget_calls(api: FakeBotApi) -> None:
    """Drops what the fake recorded of an update, once observed: the peak RSS must be the
    bot's, not that of thousands of calls kept by the fake (and nothing is ever edited)."""
    api.calls.clear()
    api.messages.clear()
    api.touched.clear()


CHUNK = 250
"""Updates fed to one bot before the other takes its turn (see `measure_both`)."""


async def measure_both(
    echo: Run,
    echo_app: AnyApp,
    echo_api: FakeBotApi,
    ours: Run,
    app: AnyApp,
    api: FakeBotApi,
    warmup: list[Action],
    actions: list[Action],
    observe: Observer | None = None,
) -> list[float]:
    """Warms both bots up (caches, statement compilation), then feeds them `actions` in
    alternating chunks: this machine's speed drifts by a third from one minute to the
    next, and interleaving makes the drift fall on both bots alike. Returns each chunk's
    ratio of rates (ours/echo)."""
    ratios = []
    async with echo_app, app:
        await feed(echo_app, echo_api, warmup, 1)
        await feed(app, api, warmup, 1)
        for start in range(0, len(actions), CHUNK):
            part = actions[start : start + CHUNK]
            first = len(warmup) + 1 + start
            echo_seconds, echo_latencies = await feed(echo_app, echo_api, part, first)
            seconds, latencies = await feed(app, api, part, first, observe)
            echo.seconds += echo_seconds
            echo.latencies_ms += echo_latencies
            ours.seconds += seconds
            ours.latencies_ms += latencies
            ratios.append(echo_seconds / seconds if seconds else 0.0)
    for run in (echo, ours):
        run.kinds = [action.kind for action in actions]
    return ratios


def outcome_classifier(run: Run) -> Observer:
    """Tallies how each enroll attempt ended, from the text the bot answered with."""
    markers = [
        ("already", raw("enroll.already_enrolled")),
        ("already", raw("enroll.already_waiting")),
        ("enrolled", raw("enroll.enrolled")),
        ("waiting", raw("enroll.waiting")),
        ("full", raw("enroll_error.full")),
    ]
    prefixes = [(label, template.split("{", 1)[0]) for label, template in markers]

    def observe(action: Action, calls: list[tuple[str, dict[str, Any]]]) -> None:
        if action.kind != "enroll":
            return
        texts = [str(params.get("text", "")) for method, params in calls]
        for label, prefix in prefixes:
            if any(text.startswith(prefix) for text in texts):
                run.outcomes[label] += 1
                return
        run.outcomes["other"] += 1

    return observe


class ErrorCounter(logging.Handler):
    """Counts ERROR records: a handler that fails is fast, so failures must be visible."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


ROUND_TRIPS = 1000


async def round_trip_ms(engine: AsyncEngine) -> float:
    """What the least database work costs through the bot's engine: a connection taken from
    the pool, one `SELECT 1`, the connection given back. Every update that reads or writes
    pays it at least once (a unit of work also pays BEGIN and COMMIT), so it says how far
    the ratio target is from the database's own floor on this machine."""
    statement = text("SELECT 1")
    for _ in range(ROUND_TRIPS // 10):
        async with engine.connect() as connection:
            await connection.execute(statement)
    started = time.perf_counter()
    for _ in range(ROUND_TRIPS):
        async with engine.connect() as connection:
            await connection.execute(statement)
    return (time.perf_counter() - started) * 1000.0 / ROUND_TRIPS


# -- report -------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident memory of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def print_report(
    ours: Run,
    echo: Run,
    counts: dict[str, int],
    errors: int,
    url: str,
    engine: str,
    chunk_ratios: list[float],
    round_trip: float,
) -> None:
    backend = make_url(url).get_backend_name()
    print(f"\nbackend: {backend}   FAQ engine: {engine}")
    print(
        f"\n{'update kind':<12}{'count':>7}{'ours ms':>10}{'echo ms':>10}"
        f"{'ours/echo':>11}{'ours p99':>10}"
    )
    for kind, _share in MIX:
        count = len(ours.of_kind(kind))
        if not count:
            continue
        mine, floor = ours.mean(kind), echo.mean(kind)
        times = mine / floor if floor else 0.0
        print(
            f"{kind:<12}{count:>7}{mine:>10.2f}{floor:>10.2f}"
            f"{times:>10.1f}×{ours.percentile(0.99, kind):>10.2f}"
        )
    print(f"\n{'bot':<14}{'updates':>9}{'updates/s':>12}{'p50 ms':>9}{'p99 ms':>9}")
    for run in (ours, echo):
        print(
            f"{run.name:<14}{len(run.latencies_ms):>9}{run.rate:>12.1f}"
            f"{run.percentile(0.50):>9.2f}{run.percentile(0.99):>9.2f}"
        )
    ratio = ours.rate / echo.rate if echo.rate else 0.0
    target = TARGET_RATIO.get(backend, TARGET_RATIO["sqlite"])
    p99 = ours.percentile(0.99)
    rss = peak_rss_mb()
    print(f"\nratio (ours/echo): {ratio:.3f}  target ≥ {target}  {_verdict(ratio >= target)}")
    spread = sorted(chunk_ratios)
    if spread:
        print(
            f"  per chunk of {CHUNK}: min {spread[0]:.3f}, median "
            f"{spread[len(spread) // 2]:.3f}, max {spread[-1]:.3f}"
        )
    budget = echo.mean() / target
    print(
        f"  the target leaves {budget:.2f} ms per update; one database round trip costs "
        f"{round_trip:.2f} ms ({round_trip / echo.mean():.1f}× the echo's whole update)"
    )
    p99_verdict = _verdict(p99 <= TARGET_P99_MS)
    print(f"p99 per update: {p99:.2f} ms  target ≤ {TARGET_P99_MS}  {p99_verdict}")
    rss_target = (
        f"target ≤ {TARGET_RSS_MB} without the encoder  {_verdict(rss <= TARGET_RSS_MB)}"
        if engine.startswith("lexical")
        else "(the target applies without the encoder: --faq-encoder none)"
    )
    print(f"peak RSS: {rss:.1f} MB  {rss_target}")
    attempts = sum(ours.outcomes.values())
    tally = ", ".join(f"{label} {count}" for label, count in ours.outcomes.most_common())
    print(f"enroll attempts (measured): {attempts} → {tally}")
    print(f"enrollments in the database (incl. warm-up): {dict(sorted(counts.items()))}")
    print(f"errors logged: {errors}")


# -- main ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    updates: int
    users: int
    database_url: str | None
    talks: int
    capacity: int
    seed: int
    faq_encoder: str


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--talks", type=int, default=4)
    parser.add_argument("--capacity", type=int, default=80, help="seats per talk")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--faq-encoder",
        default="none",
        help="FAQ_ENCODER for the bot: none (lexical engine, the default) or use",
    )
    args = parser.parse_args(argv)
    return Options(
        args.updates,
        args.users,
        args.database_url,
        args.talks,
        args.capacity,
        args.seed,
        args.faq_encoder,
    )


async def run(options: Options) -> None:
    errors = ErrorCounter()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(errors)
    async with scratch_database(options.database_url) as url:
        talk_ids = await seed(url, options.users, options.talks, options.capacity)
        questions = faq_questions()
        users, seed_value = options.users, options.seed
        warmup = plan_actions(WARMUP_UPDATES, users, talk_ids, seed_value + 1, questions)
        actions = plan_actions(options.updates, users, talk_ids, seed_value, questions)

        echo_api = FakeBotApi()
        echo = Run("echo (PTB)")
        api = FakeBotApi()
        app = build_application(bench_settings(url, options.faq_encoder), request=api)
        runtime: Runtime = app.bot_data[RUNTIME_KEY]
        semantic = runtime.faq is not None and runtime.faq.semantic
        engine = (
            f"semantic (FAQ_ENCODER={options.faq_encoder})"
            if semantic
            else f"lexical (FAQ_ENCODER={options.faq_encoder})"
        )
        ours = Run("defensoria")
        try:
            ratios = await measure_both(
                echo,
                build_echo(echo_api),
                echo_api,
                ours,
                app,
                api,
                warmup,
                actions,
                outcome_classifier(ours),
            )
            round_trip = await round_trip_ms(runtime.engine)
        finally:
            await dispose(app)
        counts = await enrollment_counts(url)
    print_report(ours, echo, counts, errors.count, url, engine, ratios, round_trip)


def refuse_existing_sqlite(url: str | None) -> None:
    """Old rows would skew the figures, and this script must never touch real data."""
    parsed = make_url(url) if url else None
    if parsed is None or parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    if pathlib.Path(parsed.database).exists():
        raise SystemExit(f"{parsed.database} exists; give the path of a new file")


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    refuse_existing_sqlite(options.database_url)
    asyncio.run(run(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
