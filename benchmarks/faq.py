"""Benchmark of the FAQ engine on the labelled set.

Run from the repository root::

    .venv/bin/python benchmarks/faq.py [--failures]

Prints top-1 accuracy, confident-answer rates, off-topic confident rate and crisis
recall for the whole set, the dev part and the held-out part, then latency per
question (p50/p99), index build time and peak RSS.
"""

from __future__ import annotations

import argparse
import pathlib
import resource
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.faq import FaqEngine  # noqa: E402
from bot.faq.evaluation import Case, Report, evaluate, load_cases  # noqa: E402

DATA_DIR = ROOT / "tests" / "faq_data"


def _print_report(name: str, report: Report, show_failures: bool) -> None:
    print(f"\n== {name} ==")
    print(f"  entry phrasings          {report.entries}")
    print(f"  top-1 accuracy           {report.accuracy:.3f}")
    print(f"  answered right           {report.answer_rate:.3f}")
    print(f"  answered WRONG           {report.wrong_answer_rate:.3f}")
    print(f"  off-topic confident rate {report.offtopic_rate:.3f}  (n={report.offtopic})")
    print(f"  crisis recall            {report.crisis_recall:.3f}  (n={report.crisis})")
    print(f"  false crisis             {report.false_crisis}")
    if show_failures:
        for line in report.failures:
            print("   ", line)


def _latency(engine: FaqEngine, cases: list[Case], rounds: int) -> tuple[float, float]:
    timings: list[float] = []
    for _ in range(rounds):
        for case in cases:
            start = time.perf_counter()
            engine.ask(case.text)
            timings.append((time.perf_counter() - start) * 1000.0)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    return statistics.median(timings), p99


def main() -> None:
    """Runs the benchmark and prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", action="store_true", help="list every miss")
    parser.add_argument("--rounds", type=int, default=5, help="latency rounds over the set")
    args = parser.parse_args()

    start = time.perf_counter()
    engine = FaqEngine.from_directory()
    build_ms = (time.perf_counter() - start) * 1000.0

    cases = load_cases([DATA_DIR / "dev.toml", DATA_DIR / "holdout.toml"])
    dev = [c for c in cases if c.split == "dev"]
    holdout = [c for c in cases if c.split == "holdout"]
    print(f"FAQ engine: {len(engine.entries)} entries in {len(engine.topics)} topics")
    print(
        f"thresholds: answer >= {engine.answer_threshold}, suggest >= "
        f"{engine.suggest_threshold}, margin {engine.answer_margin}"
    )

    _print_report(f"whole set ({len(cases)} messages)", evaluate(engine, cases), False)
    _print_report(f"dev ({len(dev)} messages)", evaluate(engine, dev), args.failures)
    _print_report(f"holdout ({len(holdout)} messages)", evaluate(engine, holdout), args.failures)

    # Cold caches for a fair first round are not needed: the bot keeps one engine.
    p50, p99 = _latency(engine, cases, args.rounds)
    long_p50, long_p99 = _latency(engine, [Case("ley ingrid " * 500, "entry", "dev", "x")], 50)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("\n== performance ==")
    print(f"  latency per question     p50 {p50:.3f} ms   p99 {p99:.3f} ms")
    print(f"  5,000-char message       p50 {long_p50:.3f} ms   p99 {long_p99:.3f} ms")
    print(f"  index build (load+index) {build_ms:.1f} ms")
    print(f"  peak RSS                 {peak_kib / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
