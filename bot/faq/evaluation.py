"""Labelled evaluation of the FAQ engine (used by the tests and ``benchmarks/faq.py``).

Case files are TOML with ``[[case]]`` tables: ``split`` (``dev``/``holdout``), ``kind``
(``entry``/``offtopic``/``crisis``, or ``calm``: sounds dangerous but is not urgent),
``text``; ``expected`` (the right entry) for
``entry`` cases and optionally for ``crisis`` cases that also ask something; optional
``acceptable`` (other right entries), ``style``, ``tricky``, ``crisis_kind``, ``indirect``
and ``category`` (for reading the failures).
"""

from __future__ import annotations

import pathlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.faq.crisis import Line
from bot.faq.engine import FaqEngine
from bot.faq.models import Decision, FaqResult

KINDS = frozenset({"entry", "offtopic", "crisis", "calm"})
SPLITS = frozenset({"dev", "holdout"})


@dataclass(frozen=True)
class Case:
    """One labelled message."""

    text: str
    kind: str
    split: str
    expected: str | None = None
    acceptable: tuple[str, ...] = ()
    style: str = ""
    crisis_kind: str = ""

    @property
    def right(self) -> frozenset[str]:
        """Entries that count as a right answer."""
        return frozenset(e for e in (self.expected, *self.acceptable) if e is not None)


@dataclass
class Report:
    """Aggregated figures for a set of cases.

    ``top1`` counts the entry the user would see first: the answer, the first
    suggestion, or the entry attached to a crisis reply; ``one_tap`` counts the right
    entry among everything shown (answer, suggestions, the other topic offered).
    """

    entries: int = 0
    top1: int = 0
    one_tap: int = 0
    answered_right: int = 0
    answered_wrong: int = 0
    offtopic: int = 0
    offtopic_answered: int = 0
    crisis: int = 0
    crisis_routed: int = 0
    suicide: int = 0
    suicide_life_line: int = 0
    other_crisis: int = 0
    other_life_only: int = 0
    """Crisis messages of another kind (violence, a child, a fire…) given the Línea de la
    Vida's reply, which lists none of the other lines."""
    false_crisis: int = 0
    calm: int = 0
    calm_crisis: int = 0
    failures: list[str] = field(default_factory=list, repr=False)
    """Never in the repr: a failed assertion must not print a held-aside part's misses."""

    @property
    def accuracy(self) -> float:
        """Top-1 accuracy over entry cases."""
        return self.top1 / self.entries if self.entries else 1.0

    @property
    def answer_rate(self) -> float:
        """Share of entry cases answered confidently and correctly."""
        return self.answered_right / self.entries if self.entries else 1.0

    @property
    def one_tap_rate(self) -> float:
        """Share of entry cases whose right entry is shown, at most one tap away."""
        return self.one_tap / self.entries if self.entries else 1.0

    @property
    def wrong_answer_rate(self) -> float:
        """Share of entry cases answered confidently with the wrong entry."""
        return self.answered_wrong / self.entries if self.entries else 0.0

    @property
    def offtopic_rate(self) -> float:
        """Share of off-topic cases that got a confident answer."""
        return self.offtopic_answered / self.offtopic if self.offtopic else 0.0

    @property
    def crisis_recall(self) -> float:
        """Share of crisis cases routed to ``CRISIS``."""
        return self.crisis_routed / self.crisis if self.crisis else 1.0

    @property
    def calm_crisis_rate(self) -> float:
        """Share of calm messages (danger words, no danger) answered as a crisis."""
        return self.calm_crisis / self.calm if self.calm else 0.0

    @property
    def false_crisis_rate(self) -> float:
        """Share of in-scope questions answered with the emergency lines."""
        return self.false_crisis / self.entries if self.entries else 0.0


def load_cases(paths: Iterable[pathlib.Path]) -> list[Case]:
    """Reads labelled cases from TOML files.

    Args:
        paths: Case files.

    Returns:
        All cases, in file order.

    Raises:
        ValueError: If a case is malformed.
    """
    cases: list[Case] = []
    for path in paths:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for index, raw in enumerate(data.get("case", [])):
            kind, split = raw.get("kind"), raw.get("split")
            if kind not in KINDS or split not in SPLITS or not isinstance(raw.get("text"), str):
                raise ValueError(f"{path}: case #{index + 1} is malformed: {raw!r}")
            expected = raw.get("expected")
            if (kind == "entry" and not isinstance(expected, str)) or (
                kind in {"offtopic", "calm"} and expected is not None
            ):
                raise ValueError(f"{path}: case #{index + 1}: 'expected' is wrong for {kind}")
            acceptable = raw.get("acceptable", [])
            if not isinstance(acceptable, list) or not all(isinstance(a, str) for a in acceptable):
                raise ValueError(f"{path}: case #{index + 1}: 'acceptable' must be a list of ids")
            cases.append(
                Case(
                    raw["text"],
                    kind,
                    split,
                    expected,
                    tuple(acceptable),
                    str(raw.get("style", "")),
                    str(raw.get("crisis_kind", "")),
                )
            )
    return cases


def shown_entry_id(result: FaqResult) -> str | None:
    """Returns the id of the first entry a user would see for a result."""
    if result.entry is not None:
        return result.entry.id
    if result.suggestions:
        return result.suggestions[0].id
    return None


def shown_entry_ids(result: FaqResult) -> set[str]:
    """Returns every entry a result shows or offers (one tap away at most)."""
    shown = {e.id for e in (*result.suggestions, *result.also, *result.nearby)}
    if result.entry is not None:
        shown.add(result.entry.id)
    return shown


def evaluate(engine: FaqEngine, cases: Iterable[Case]) -> Report:
    """Runs the engine over the cases.

    Args:
        engine: The engine under test.
        cases: Labelled cases.

    Returns:
        The aggregated report, with a line per failure.
    """
    report = Report()
    for case in cases:
        result = engine.ask(case.text)
        shown = shown_entry_id(result)
        if case.kind == "crisis":
            report.crisis += 1
            if result.decision is Decision.CRISIS:
                report.crisis_routed += 1
            else:
                report.failures.append(
                    f"[crisis missed] {case.crisis_kind} {case.text!r} -> {result.decision}"
                )
            if case.crisis_kind == "suicide":
                report.suicide += 1
                if result.line == Line.LIFE:
                    report.suicide_life_line += 1
                else:
                    report.failures.append(f"[no life line] {case.text!r} -> {result.line}")
            elif case.crisis_kind:
                report.other_crisis += 1
                if result.line == Line.LIFE:
                    report.other_life_only += 1
                    report.failures.append(
                        f"[only the life line] {case.crisis_kind} {case.text!r}"
                    )
            continue
        if case.kind == "calm":
            report.calm += 1
            if result.decision is Decision.CRISIS:
                report.calm_crisis += 1
                report.failures.append(f"[calm taken for crisis] {case.text!r}")
            continue
        if case.kind == "offtopic":
            report.offtopic += 1
            if result.decision is Decision.ANSWER:
                report.offtopic_answered += 1
                report.failures.append(
                    f"[offtopic answered] {case.text!r} -> {shown} ({result.score:.3f})"
                )
            continue
        report.entries += 1
        if result.decision is Decision.CRISIS:
            report.false_crisis += 1
            report.failures.append(f"[false crisis] {case.text!r}")
        right = case.right
        if shown in right:
            report.top1 += 1
        else:
            report.failures.append(
                f"[wrong top1] {case.style} {case.text!r}: expected {case.expected}, got "
                f"{shown} ({result.decision}, {result.score:.3f})"
            )
        if shown_entry_ids(result) & right:
            report.one_tap += 1
        if result.decision is Decision.ANSWER or (
            result.decision is Decision.CRISIS and result.entry is not None
        ):  # after the emergency lines, a crisis reply gives the answer as well
            if shown in right:
                report.answered_right += 1
            else:
                report.answered_wrong += 1
    return report
