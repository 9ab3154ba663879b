"""The Goal Attainment Scaling chart as inline SVG. Pure: plain values in, markup out.

In the house style of insights/charts.py: styling by class only (CSP allows no inline styles),
every piece of text escaped here, an accessible name and description on the SVG, and each
point's value in its <title>. The page puts a data table beside it with every review.

Time runs along x by date, so uneven gaps between reviews show as gaps; the y axis is the five
GAS levels, -2 to +2, with the expected level (0) drawn as a reference line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT = 480, 180
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 34, 14, 12, 28
PLOT_W = WIDTH - PAD_LEFT - PAD_RIGHT
PLOT_H = HEIGHT - PAD_TOP - PAD_BOTTOM
LOW, HIGH = -2, 2
_ID = re.compile(r"^[a-z0-9-]+$")

GAS_WORDS = {
    -2: "much less than expected",
    -1: "somewhat less than expected",
    0: "expected level",
    1: "somewhat more than expected",
    2: "much more than expected",
}


@dataclass(frozen=True)
class GasPoint:
    day: date
    score: int


def gas_signed(score: int) -> str:
    """ "+2", "0", "-1" (a minus sign that reads as one)."""
    if score > 0:
        return f"+{score}"
    return f"\u2212{-score}" if score < 0 else "0"


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def gas_description(points: Sequence[GasPoint]) -> str:
    """One sentence with the numbers, for the chart's <desc> and beside it."""
    if not points:
        return "No reviews yet."
    ordered = sorted(points, key=lambda p: p.day)
    first, last = ordered[0], ordered[-1]
    n = len(ordered)
    if n == 1:
        return (
            f"1 review, on {_date(first.day)}: {gas_signed(first.score)}, {GAS_WORDS[first.score]}."
        )
    return (
        f"{n} reviews from {_date(first.day)} to {_date(last.day)}: first "
        f"{gas_signed(first.score)} ({GAS_WORDS[first.score]}), latest "
        f"{gas_signed(last.score)} ({GAS_WORDS[last.score]})."
    )


def gas_chart_svg(points: Sequence[GasPoint], *, chart_id: str, title: str) -> str:
    """Reviews over time on the -2..+2 scale. Raises ValueError for a score outside it."""
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must be lowercase letters, digits and dashes: {chart_id!r}")
    for p in points:
        if isinstance(p.score, bool) or not isinstance(p.score, int) or not LOW <= p.score <= HIGH:
            raise ValueError(f"a GAS score is a whole number from -2 to +2, not {p.score!r}")
    ordered = sorted(points, key=lambda p: p.day)
    days = [p.day.toordinal() for p in ordered]
    d0, d1 = (days[0], days[-1]) if days else (0, 1)
    inset = 8.0

    def x(day: int) -> float:
        if d1 == d0:
            return PAD_LEFT + PLOT_W / 2
        return PAD_LEFT + inset + (day - d0) / (d1 - d0) * (PLOT_W - 2 * inset)

    def y(score: float) -> float:
        return PAD_TOP + (HIGH - score) / (HIGH - LOW) * PLOT_H

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart gas-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(gas_description(ordered))}</desc>',
    ]
    for level in range(LOW, HIGH + 1):
        klass = "chart-cutoff" if level == 0 else "chart-grid"
        parts.append(
            f'<line class="{klass}" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" '
            f'y1="{_fmt(y(level))}" y2="{_fmt(y(level))}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{PAD_LEFT - 6}" y="{_fmt(y(level) + 4)}" '
            f'text-anchor="end">{gas_signed(level)}</text>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" '
        f'y1="{PAD_TOP + PLOT_H}" y2="{PAD_TOP + PLOT_H}"/>'
    )
    if ordered:
        ticks = [(ordered[0].day, "start", float(PAD_LEFT))]
        if d1 != d0:
            ticks.append((ordered[-1].day, "end", float(WIDTH - PAD_RIGHT)))
        else:
            ticks = [(ordered[0].day, "middle", x(d0))]
        for day, anchor, tx in ticks:
            parts.append(
                f'<text class="chart-tick" x="{_fmt(tx)}" y="{HEIGHT - 8}" '
                f'text-anchor="{anchor}">{_date(day)}</text>'
            )
    if len(ordered) > 1:
        d = " ".join(
            f"{'M' if i == 0 else 'L'}{_fmt(x(ordinal))} {_fmt(y(p.score))}"
            for i, (ordinal, p) in enumerate(zip(days, ordered, strict=True))
        )
        parts.append(f'<path class="chart-line" fill="none" d="{d}"/>')
    for ordinal, p in zip(days, ordered, strict=True):
        tip = f"{_date(p.day)}: {gas_signed(p.score)}, {GAS_WORDS[p.score]}"
        parts.append(
            f'<circle class="chart-point" cx="{_fmt(x(ordinal))}" cy="{_fmt(y(p.score))}" r="4">'
            f"<title>{escape(tip)}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
