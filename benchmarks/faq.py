"""Benchmark of the FAQ engine on the labelled phrasings: lexical-only against hybrid.

Run from the repository root::

    .venv/bin/python benchmarks/faq.py [--failures dev|holdout]

For the development part (used to calibrate) and the held-aside part (never used for
tuning), side by side for the lexical engine alone and the hybrid one, prints: right
answer directly, right answer within one tap, confidently wrong, off-topic answered
confidently, crisis recall, the Línea de la Vida shown for suicidal messages, and false
crisis on in-scope questions. Then latency per question (p50/p99, with the lexical
engine's as the baseline measured in the same run), start-up of the index from its cache,
and the peak RSS of a process that only builds the bot (Application with the encoder), from
the cache and building it.
"""

from __future__ import annotations

import argparse
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.faq import FaqEngine  # noqa: E402
from bot.faq.encoder import load_encoder  # noqa: E402
from bot.faq.evaluation import Case, Report, evaluate, load_cases  # noqa: E402

DATA_DIR = ROOT / "tests" / "faq_data"
DEV_FILES = (
    "servants_dev.toml",
    "dev.toml",
    "crisis_dev.toml",
    "twentyfirst_dev.toml",
    "twentythird_dev.toml",
    "twentyseventh_dev.toml",
    "twentyeighth_dev.toml",
    "twentyninth_dev.toml",
    "thirtieth_dev.toml",
    "thirtysecond_dev.toml",
    "thirtysixth_dev.toml",
    "thirtyseventh_dev.toml",
    "thirtyninth_dev.toml",
    "fortieth_dev.toml",
)
HOLDOUT_FILES = ("servants_holdout.toml", "holdout.toml", "crisis_holdout.toml")
FRESH_FILES = ("fresh_holdout.toml",)
"""A third writer's set, added after the engine was tuned: its totals only, never its misses."""
FIFTH_FILES = ("fifth_holdout.toml",)
"""A fifth writer's set, measured once after the tuning of its session; totals only."""
LATE_FILES = (
    "eighth_holdout.toml",
    "ninth_holdout.toml",
    "eleventh_holdout.toml",
    "thirteenth_holdout.toml",
    "eighteenth_holdout.toml",
    "twentieth_holdout.toml",
    "twentysecond_holdout.toml",
    "twentyfourth_holdout.toml",
    "thirtieth_holdout.toml",
    "thirtyfirst_holdout.toml",
    "thirtythird_holdout.toml",
    "thirtyfourth_holdout.toml",
    "thirtyfifth_holdout.toml",
    "thirtyeighth_holdout.toml",
)
"""Writers who came after the last tuning: totals only, never their misses."""
SIBLING_FILES = ("fourteenth_holdout.toml", "sixteenth_holdout.toml")
"""Half of a fourteenth and of a sixteenth writer's questions, held aside while the other half
(the same entries, asked another way) joined the content: totals only, and not as blind as
the late part."""

ROWS: tuple[tuple[str, str, str], ...] = (
    ("in-scope phrasings", "entries", "d"),
    ("right answer directly", "answer_rate", ".3f"),
    ("right within one tap", "one_tap_rate", ".3f"),
    ("confidently WRONG", "wrong_answer_rate", ".3f"),
    ("off-topic answered", "offtopic_rate", ".3f"),
    ("crisis recall", "crisis_recall", ".3f"),
    ("false crisis (in-scope)", "false_crisis_rate", ".3f"),
    ("calm taken for crisis", "calm_crisis_rate", ".3f"),
)


def _table(title: str, reports: dict[str, Report]) -> None:
    names = list(reports)
    print(f"\n== {title} ==")
    print(f"  {'':26}" + "".join(f"{n:>12}" for n in names))
    for label, attribute, fmt in ROWS:
        values = [format(getattr(reports[n], attribute), fmt) for n in names]
        print(f"  {label:26}" + "".join(f"{v:>12}" for v in values))
    life = [f"{r.suicide_life_line}/{r.suicide}" for r in reports.values()]
    print(f"  {'Línea de la Vida shown':26}" + "".join(f"{v:>12}" for v in life))
    other = [f"{r.other_life_only}/{r.other_crisis}" for r in reports.values()]
    print(f"  {'other danger: vida only':26}" + "".join(f"{v:>12}" for v in other))
    crisis = [f"{r.crisis_routed}/{r.crisis}" for r in reports.values()]
    print(f"  {'crisis routed':26}" + "".join(f"{v:>12}" for v in crisis))
    offtopic = [f"{r.offtopic_answered}/{r.offtopic}" for r in reports.values()]
    print(f"  {'off-topic answered (n)':26}" + "".join(f"{v:>12}" for v in offtopic))


def _latency(engine: FaqEngine, cases: list[Case], rounds: int) -> tuple[float, float]:
    """p50/p99 of the CPU time one question costs this thread (the encoder runs on one
    thread), so the figure does not depend on what else the machine is doing."""
    timings: list[float] = []
    for _ in range(rounds):
        for case in cases:
            start = time.thread_time()
            engine.ask(case.text)
            timings.append((time.thread_time() - start) * 1000.0)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


_BOT_RSS_SCRIPT = """
import pathlib, resource, sys
sys.path.insert(0, sys.argv[1])
from bot.app import build_application
from bot.config import Settings
build_application(Settings(
    _env_file=None, telegram_bot_token="1:benchmark", database_url="sqlite+aiosqlite://",
    faq_encoder=sys.argv[2], faq_cache_dir=pathlib.Path(sys.argv[3]),
))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _bot_peak_rss_mib(encoder: str, cache_dir: pathlib.Path) -> float:
    """Peak RSS of a process that builds the bot's Application as `python -m bot` does, on
    its own: the figure the target is about, without this benchmark's engines and data."""
    result = subprocess.run(
        [sys.executable, "-c", _BOT_RSS_SCRIPT, str(ROOT), encoder, str(cache_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.split()[-1]) / 1024


def main() -> None:
    """Runs the benchmark and prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encoder", default="use", choices=("use",))
    parser.add_argument("--failures", choices=("dev", "holdout"), help="list that part's misses")
    parser.add_argument("--rounds", type=int, default=2, help="latency rounds over the set")
    args = parser.parse_args()

    dev = load_cases([DATA_DIR / f for f in DEV_FILES])
    holdout = load_cases([DATA_DIR / f for f in HOLDOUT_FILES])
    fresh = load_cases([DATA_DIR / f for f in FRESH_FILES])
    fifth = load_cases([DATA_DIR / f for f in FIFTH_FILES])
    late = load_cases([DATA_DIR / f for f in LATE_FILES])
    siblings = load_cases([DATA_DIR / f for f in SIBLING_FILES])
    lexical = FaqEngine.from_directory()

    encoder_start = time.perf_counter()
    encoder = load_encoder(args.encoder)
    encoder_ms = (time.perf_counter() - encoder_start) * 1000.0
    if encoder is None:
        sys.exit(f"encoder {args.encoder!r} could not load")
    with tempfile.TemporaryDirectory() as cache:
        cache_dir = pathlib.Path(cache)
        start = time.perf_counter()
        FaqEngine.from_directory(encoder=encoder, cache_dir=cache_dir)
        cold_ms = (time.perf_counter() - start) * 1000.0
        start = time.perf_counter()
        hybrid = FaqEngine.from_directory(encoder=encoder, cache_dir=cache_dir)
        warm_ms = (time.perf_counter() - start) * 1000.0
    print(
        f"FAQ engine: {len(hybrid.entries)} entries in {len(hybrid.topics)} topics; "
        f"encoder {encoder.model_id}"
    )
    print(
        f"labelled: dev {len(dev)} messages, held-aside {len(holdout)} messages, "
        f"fresh held-aside {len(fresh)} messages, fifth writer {len(fifth)} messages, "
        f"late writers {len(late)} messages, siblings {len(siblings)} messages"
    )

    parts = (
        ("development (calibrated on)", dev),
        ("HELD-ASIDE", holdout),
        ("FRESH HELD-ASIDE (third writer)", fresh),
        ("FIFTH WRITER HELD-ASIDE (written after all tuning)", fifth),
        (
            "LATE WRITERS HELD-ASIDE (8th, 9th, 11th, 13th, 18th, 20th, 22nd, 24th, 30th, 31st,"
            " 33rd, 34th, 35th, 38th: after tuning)",
            late,
        ),
        ("SIBLINGS HELD-ASIDE (14th, 16th: their other halves joined the content)", siblings),
    )
    for title, cases in parts:
        reports = {"lexical": evaluate(lexical, cases), "hybrid": evaluate(hybrid, cases)}
        _table(title, reports)
        if args.failures and title.lower().startswith(args.failures[:3]):
            for line in reports["hybrid"].failures:
                print("   ", line)

    everything = dev + holdout
    lexical_p50, lexical_p99 = _latency(lexical, everything, args.rounds)
    p50, p99 = _latency(hybrid, everything, args.rounds)
    long_case = [Case("¿qué es la ley ingrid? " * 220, "entry", "dev", "x")]
    long_p50, long_p99 = _latency(hybrid, long_case, 20)

    with tempfile.TemporaryDirectory() as cache:
        bot_cold_mib = _bot_peak_rss_mib(args.encoder, pathlib.Path(cache))
        bot_warm_mib = _bot_peak_rss_mib(args.encoder, pathlib.Path(cache))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\n== performance ==")
    print("  (CPU time of the answering thread)")
    print(
        f"  per question, lexical (baseline)  p50 {lexical_p50:.2f} ms   p99 {lexical_p99:.2f} ms"
    )
    print(
        f"  per question, hybrid              p50 {p50:.2f} ms   p99 {p99:.2f} ms"
        f"   (p99 = {p99 / lexical_p99:.1f}x the lexical engine's; target <= 30 ms)"
    )
    print(f"  5,000-character message, hybrid   p50 {long_p50:.2f} ms   p99 {long_p99:.2f} ms")
    print(f"  encoder load                      {encoder_ms:.0f} ms")
    print(f"  index build, no cache             {cold_ms:.0f} ms")
    print(
        f"  index build from cache            {warm_ms:.0f} ms   "
        f"({warm_ms / cold_ms:.2f}x the uncached build; target <= 1,000 ms)"
    )
    print(
        f"  peak RSS of the bot (Application with the encoder): {bot_warm_mib:.0f} MiB from the"
        f" cache, {bot_cold_mib:.0f} MiB building it   (target <= 300 MiB)"
    )
    print(f"  peak RSS of this benchmark (three engines, every labelled set): {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
