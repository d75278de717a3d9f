"""Fits the FAQ engine's decision weights on the DEVELOPMENT phrasings only.

Run from the repository root::

    .venv/bin/python benchmarks/faq_calibrate.py [--encoder use|none]

Searches a grid of fusion weights and thresholds and prints the best calibration (to copy
into ``bot/faq/engine.py``): the most right answers on the development set with at most
1 % confidently wrong and at most 3 % of off-topic messages answered. The held-aside
phrasings are never read here.
"""

from __future__ import annotations

import argparse
import itertools
import pathlib
import sys
from collections.abc import Sequence
from dataclasses import replace

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.faq import FaqEngine  # noqa: E402
from bot.faq.encoder import SentenceEncoder, Vectors, load_encoder  # noqa: E402
from bot.faq.engine import LEXICAL_CALIBRATION, Calibration, calibration_for  # noqa: E402
from bot.faq.evaluation import Case, evaluate, load_cases  # noqa: E402

DATA_DIR = ROOT / "tests" / "faq_data"
DEV_FILES = ("dev.toml", "servants_dev.toml")
MAX_WRONG = 0.01
MAX_OFFTOPIC = 0.03


class MemoEncoder:
    """Remembers every text's vector, so each calibration tried costs no encoding."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self._encoder = encoder
        self._memo: dict[str, Vectors] = {}
        self.model_id = encoder.model_id

    def encode(self, texts: Sequence[str]) -> Vectors:
        import numpy as np

        missing = [t for t in texts if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self._encoder.encode(missing), strict=True))
        return np.stack([self._memo[t] for t in texts])


def _score(engine: FaqEngine, cases: list[Case]) -> tuple[float, float, float, float]:
    report = evaluate(engine, cases)
    return report.answer_rate, report.one_tap_rate, report.wrong_answer_rate, report.offtopic_rate


def main() -> None:
    """Runs the grid search and prints the best calibration."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encoder", default="use", choices=("use", "none"))
    parser.add_argument("--content", type=pathlib.Path, default=None, help="FAQ folder")
    args = parser.parse_args()

    cases = [c for c in load_cases([DATA_DIR / f for f in DEV_FILES]) if c.kind != "crisis"]
    raw = load_encoder(args.encoder)
    encoder = MemoEncoder(raw) if raw is not None else None
    engine = FaqEngine.from_directory(args.content, encoder=encoder)
    base = calibration_for(raw)
    if encoder is None:
        grid_weights: Sequence[tuple[float, float]] = [(1.0, 0.0)]
    else:
        floors = (0.1, 0.2, 0.3)
        grid_weights = list(itertools.product((0.3, 0.4, 0.5, 0.6), floors))
    best: tuple[float, Calibration] | None = None
    for weight, floor in grid_weights:
        for answer, suggest, margin in itertools.product(
            (0.45, 0.5, 0.55, 0.6, 0.65), (0.3, 0.35, 0.4), (0.0, 0.03, 0.06)
        ):
            calibration = replace(
                base if encoder is not None else LEXICAL_CALIBRATION,
                lexical_weight=weight,
                semantic_floor=floor,
                answer=answer,
                answer_agree=min(answer, base.answer_agree),
                suggest=suggest,
                margin=margin,
            )
            engine.calibration = calibration
            right, one_tap, wrong, offtopic = _score(engine, cases)
            if wrong > MAX_WRONG or offtopic > MAX_OFFTOPIC:
                continue
            objective = right + 0.5 * one_tap
            if best is None or objective > best[0]:
                best = (objective, calibration)
                print(
                    f"w={weight} floor={floor} answer={answer} suggest={suggest} "
                    f"margin={margin}: right {right:.3f} one-tap {one_tap:.3f} "
                    f"wrong {wrong:.3f} off-topic {offtopic:.3f}"
                )
    print("\nbest:", best[1] if best else "none within the limits")


if __name__ == "__main__":
    main()
