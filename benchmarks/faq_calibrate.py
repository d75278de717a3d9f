"""Fits the FAQ engine's decision weights on the DEVELOPMENT phrasings only.

Run from the repository root::

    .venv/bin/python benchmarks/faq_calibrate.py [--encoder use|none] [--gate]

Searches a grid of fusion weights and thresholds and prints the best calibration (to copy
into ``bot/faq/engine.py``): the most right answers on the development set with at most
1 % confidently wrong and at most 3 % of off-topic messages answered.

``--gate`` fits the answer gate instead (`bot.faq.engine.AnswerGate`): a logistic model of
"the best entry is right" over `GATE_FEATURES`, on the development set's in-scope and
off-topic messages, ranked with the encoder's calibration. Its threshold is chosen by
cross-validation (five folds, five shuffles): the lowest at which the held-out folds get at
most 1 % confidently wrong answers and at most 3 % of off-topic messages answered, the
limits of the grid search, but measured on folds the gate was not fitted on.

The held-aside phrasings are never read here.
"""

from __future__ import annotations

import argparse
import itertools
import pathlib
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.faq import DATA_DIR, DEV_FILES  # noqa: E402
from bot.faq import FaqEngine  # noqa: E402
from bot.faq.encoder import SentenceEncoder, Vectors, load_encoder  # noqa: E402
from bot.faq.engine import (  # noqa: E402
    GATE_FEATURES,
    GATE_MAX_QUERY_WEIGHT,
    LEXICAL_CALIBRATION,
    AnswerGate,
    Calibration,
    calibration_for,
)
from bot.faq.evaluation import Case, evaluate, load_cases  # noqa: E402
from bot.faq.models import Decision  # noqa: E402

MAX_WRONG = 0.01
MAX_OFFTOPIC = 0.03
GATE_L2 = 1.0
GATE_THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


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
    parser.add_argument("--gate", action="store_true", help="fit the answer gate")
    args = parser.parse_args()

    cases = [c for c in load_cases([DATA_DIR / f for f in DEV_FILES]) if c.kind != "crisis"]
    raw = load_encoder(args.encoder)
    encoder = MemoEncoder(raw) if raw is not None else None
    engine = FaqEngine.from_directory(args.content, encoder=encoder)
    base = calibration_for(raw)
    if args.gate:
        if encoder is None:
            sys.exit("the gate weighs the encoder's signals: it needs --encoder use")
        fit_gate(engine, cases, replace(base, gate=None))
        return
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


def fit_gate(engine: FaqEngine, cases: list[Case], thresholds_only: Calibration) -> None:
    """Fits and prints the answer gate (see the module's docstring)."""
    import numpy as np

    engine.calibration = thresholds_only
    features, right, in_scope, eligible = [], [], [], []
    for case in cases:
        if case.kind not in ("entry", "offtopic"):
            continue
        inputs = engine.gate_inputs(case.text)
        decision = engine.ask(case.text).decision
        best_id, row = (None, (0.0,) * len(GATE_FEATURES)) if inputs is None else inputs
        features.append(row)
        right.append(case.kind == "entry" and best_id is not None and best_id.id in case.right)
        in_scope.append(case.kind == "entry")
        # A crisis, a greeting or a query of common words only is never the gate's call.
        weight = row[GATE_FEATURES.index("query_weight")] * GATE_MAX_QUERY_WEIGHT
        eligible.append(
            inputs is not None
            and decision not in (Decision.CRISIS, Decision.GREETING, Decision.THANKS)
            and weight >= thresholds_only.min_query_weight
        )
    x, y = np.array(features), np.array(right, dtype=float)
    scope, can = np.array(in_scope), np.array(eligible)
    held_out = np.zeros((5, len(y)))
    for shuffle in range(5):
        order = np.random.default_rng(shuffle).permutation(len(y))
        for fold in np.array_split(order, 5):
            train = np.setdiff1d(order, fold)
            gate = _logistic(x[train], y[train], threshold=0.0)
            held_out[shuffle, fold] = [gate.probability(row) for row in x[fold]]
    chosen = None
    for threshold in GATE_THRESHOLDS:
        answered = (held_out >= threshold) & can
        direct = (answered & scope & (y == 1)).sum(axis=1).mean() / scope.sum()
        wrong = (answered & scope & (y == 0)).sum(axis=1).mean() / scope.sum()
        offtopic = (answered & ~scope).sum(axis=1).mean() / max(1, (~scope).sum())
        print(
            f"threshold {threshold:.2f}: held-out folds right {direct:.3f} wrong {wrong:.3f} "
            f"off-topic {offtopic:.3f}"
        )
        if chosen is None and wrong <= MAX_WRONG + 1e-9 and offtopic <= MAX_OFFTOPIC:
            chosen = threshold
    if chosen is None:
        print(f"\nno threshold keeps confidently wrong under {MAX_WRONG}: keep the thresholds")
        return
    gate = _logistic(x, y, threshold=chosen)
    print("\ngate fitted on the whole set:")
    print(
        f"AnswerGate(bias={gate.bias:.3f}, "
        f"weights=({', '.join(f'{w:.3f}' for w in gate.weights)}), threshold={chosen})"
    )


def _logistic(x: Any, y: Any, *, threshold: float) -> AnswerGate:
    """L2-regularised logistic regression by gradient descent on standardised features,
    returned on the raw features' scale."""
    import numpy as np

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    design = np.c_[np.ones(len(x)), (x - mean) / scale]
    w = np.zeros(design.shape[1])
    for _ in range(4000):
        predicted = 1.0 / (1.0 + np.exp(-design @ w))
        penalty = GATE_L2 * np.r_[0.0, w[1:]]
        w -= 0.5 * (design.T @ (predicted - y) + penalty) / len(y)
    weights = w[1:] / scale
    bias = w[0] - float((w[1:] * mean / scale).sum())
    return AnswerGate(round(bias, 3), tuple(round(float(v), 3) for v in weights), threshold)


if __name__ == "__main__":
    main()
