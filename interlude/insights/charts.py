"""Instrument charts and sparklines as inline SVG. Pure: plain values in, markup out.

Used in HTML pages and in the WeasyPrint PDF (same markup). Styling is by class only (CSP allows no
inline styles); colours live in static/css. Time runs along x by date (not by index), so uneven
gaps between questionnaires show as gaps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 16, 12, 28
PLOT_W = WIDTH - PAD_LEFT - PAD_RIGHT
PLOT_H = HEIGHT - PAD_TOP - PAD_BOTTOM
_ID = re.compile(r"^[a-z0-9-]+$")


@dataclass(frozen=True)
class ChartPoint:
    at: datetime
    value: float
    marker: str = ""  # "improved", "deteriorated", "recovered", "critical" or ""
    label: str = ""  # for the point's <title>


@dataclass(frozen=True)
class ChartBand:
    low: float
    high: float
    label: str
    clinical: bool


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def instrument_chart_svg(
    points: Sequence[ChartPoint],
    *,
    chart_id: str,
    title: str,
    description: str,
    low: float,
    high: float,
    bands: Sequence[ChartBand] = (),
    cutoff: float | None = None,
) -> str:
    """Scores over time: band shading, the clinical cutoff line, reliable-change markers."""
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must be lowercase letters, digits and dashes: {chart_id!r}")
    if high <= low:
        raise ValueError("high must be above low")

    def y(value: float) -> float:
        clamped = min(max(value, low), high)
        return PAD_TOP + (high - clamped) / (high - low) * PLOT_H

    times = [p.at.timestamp() for p in points]
    t0, t1 = (min(times), max(times)) if times else (0.0, 1.0)

    def x(at: datetime) -> float:
        if t1 == t0:
            return PAD_LEFT + PLOT_W / 2
        return PAD_LEFT + (at.timestamp() - t0) / (t1 - t0) * PLOT_W

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart instrument-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, band in enumerate(bands):
        top, bottom = y(min(band.high, high)), y(max(band.low, low))
        kind = "band-clinical" if band.clinical else "band-ok"
        parts.append(
            f'<rect class="chart-band {kind} band-{index % 2}" x="{PAD_LEFT}" y="{_fmt(top)}" '
            f'width="{PLOT_W}" height="{_fmt(max(bottom - top, 0.5))}">'
            f"<title>{escape(band.label)}: {_num(band.low)}\u2013{_num(band.high)}</title></rect>"
        )
        if bottom - top >= 11:
            parts.append(
                f'<text class="chart-band-label" x="{WIDTH - PAD_RIGHT - 4}" '
                f'y="{_fmt(top + 10)}" text-anchor="end">{escape(band.label)}</text>'
            )
    for tick in _ticks(low, high):
        parts.append(
            f'<text class="chart-tick" x="{PAD_LEFT - 6}" y="{_fmt(y(tick) + 4)}" '
            f'text-anchor="end">{_num(tick)}</text>'
        )
    if cutoff is not None and low <= cutoff <= high:
        parts.append(
            f'<line class="chart-cutoff" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" '
            f'y1="{_fmt(y(cutoff))}" y2="{_fmt(y(cutoff))}"/>'
        )
    if points:
        marks = [(points[0].at, "start")]
        if len(points) > 1:
            marks.append((points[-1].at, "end"))
        for at, anchor in marks:
            parts.append(
                f'<text class="chart-tick" x="{_fmt(x(at))}" y="{HEIGHT - 8}" '
                f'text-anchor="{anchor}">{at.day} {at:%b %Y}</text>'
            )
    if len(points) > 1:
        d = " ".join(
            f"{'M' if i == 0 else 'L'}{_fmt(x(p.at))} {_fmt(y(p.value))}"
            for i, p in enumerate(points)
        )
        parts.append(f'<path class="chart-line" fill="none" d="{d}"/>')
    for p in points:
        cls = f"chart-point marker-{p.marker}" if p.marker else "chart-point"
        r = "5" if p.marker else "3.5"
        tip = escape(p.label or f"{p.at:%d %b %Y}: {_num(p.value)}")
        parts.append(
            f'<circle class="{cls}" cx="{_fmt(x(p.at))}" cy="{_fmt(y(p.value))}" r="{r}">'
            f"<title>{tip}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if span / s <= 6)
    first = low if low % step == 0 else low + (step - low % step)
    ticks = []
    value = first
    while value <= high:
        ticks.append(value)
        value += step
    return ticks


def sparkline_svg(
    values: Sequence[float],
    *,
    low: float,
    high: float,
    label: str,
    width: int = 96,
    height: int = 24,
) -> str:
    """A tiny trend line for table cells; `label` is its accessible name (say the numbers)."""
    if high <= low:
        raise ValueError("high must be above low")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="sparkline" role="img" aria-label="{escape(label)}" focusable="false">'
    ]
    if values:
        n = len(values)

        def px(i: int) -> float:
            return 2 + (i * (width - 4) / (n - 1) if n > 1 else (width - 4) / 2)

        def py(v: float) -> float:
            clamped = min(max(v, low), high)
            return 2 + (high - clamped) / (high - low) * (height - 4)

        if n > 1:
            d = " ".join(
                f"{'M' if i == 0 else 'L'}{_fmt(px(i))} {_fmt(py(v))}" for i, v in enumerate(values)
            )
            parts.append(f'<path class="sparkline-line" fill="none" d="{d}"/>')
        parts.append(
            f'<circle class="sparkline-last" cx="{_fmt(px(n - 1))}" '
            f'cy="{_fmt(py(values[-1]))}" r="2.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
