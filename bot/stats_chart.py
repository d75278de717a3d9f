"""The year's figures as a PNG chart, sized to be read on a phone.

Uses matplotlib's object API (`Figure` + the Agg canvas) instead of pyplot: no global
backend or figure registry, so it is safe to call from a worker thread
(``asyncio.to_thread``) while the bot keeps answering on the event loop.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure

WIDTH_IN, HEIGHT_IN, DPI = 7.2, 9.6, 150
"""1080 × 1440 px: a phone's width, sharp when zoomed."""
BAR_COLOR = "#7a1f5c"
"""The office's guinda (Toluca's institutional maroon)."""
MUTED_COLOR = "#b8a1b0"
TEXT_COLOR = "#222222"
LABEL_WIDTH = 26
MIN_ROWS = 6
"""A few bars keep the width of six, top-aligned, instead of swelling to fill the panel."""


@dataclass(frozen=True)
class Bars:
    """One panel: a title and a value per label, in the order to show them."""

    title: str
    labels: Sequence[str]
    values: Sequence[int]
    muted_last: bool = False
    """Draw the last bar in a lighter color (an "others" bucket)."""


def year_chart_png(*, title: str, by_group: Bars, by_month: Bars) -> bytes:
    """Renders attendees by group (horizontal bars) over attendees by month (columns)."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=15, fontweight="bold", color=TEXT_COLOR)
    top, bottom = figure.subfigures(2, 1, squeeze=False, height_ratios=[3, 2])[:, 0]
    _horizontal(_panel(top, by_group.title), by_group)
    _columns(_panel(bottom, by_month.title), by_month)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _colors(bars: Bars) -> list[str]:
    colors = [BAR_COLOR] * len(bars.values)
    if bars.muted_last and colors:
        colors[-1] = MUTED_COLOR
    return colors


def _panel(area: SubFigure, title: str) -> Axes:
    """A titled panel laid out on its own, so each uses the full width for its labels."""
    area.suptitle(title, x=0.02, ha="left", fontsize=13, color=TEXT_COLOR)
    axes = area.subplots()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=10, colors=TEXT_COLOR)
    return axes


def _value_labels(bars: Bars) -> list[str]:
    """Values as "3,120" (Mexico groups thousands with a comma, like Python's "," format);
    empty bars get no label."""
    return [f"{value:,}" if value else "" for value in bars.values]


def _horizontal(axes: Axes, bars: Bars) -> None:
    labels = [textwrap.fill(label, LABEL_WIDTH) for label in bars.labels]
    positions = range(len(labels))
    drawn = axes.barh(positions, bars.values, color=_colors(bars), height=0.7)
    axes.set_yticks(positions, labels)
    axes.set_ylim(max(len(labels), MIN_ROWS) - 0.5, -0.5)
    axes.bar_label(drawn, labels=_value_labels(bars), padding=4, fontsize=10, color=TEXT_COLOR)
    axes.set_xlim(0, max([*bars.values, 1]) * 1.15)
    axes.xaxis.set_visible(False)
    for side in ("bottom", "left"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0)


def _columns(axes: Axes, bars: Bars) -> None:
    positions = range(len(bars.labels))
    drawn = axes.bar(positions, bars.values, color=_colors(bars), width=0.7)
    axes.set_xticks(positions, bars.labels)
    axes.bar_label(drawn, labels=_value_labels(bars), padding=3, fontsize=10, color=TEXT_COLOR)
    axes.set_ylim(0, max([*bars.values, 1]) * 1.18)
    axes.yaxis.set_visible(False)
    axes.spines["left"].set_visible(False)
