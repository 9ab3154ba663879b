"""Instrument charts and sparklines as inline SVG. Pure: plain values in, markup out.

Used in HTML pages and in the WeasyPrint PDF (same markup). Styling is by class only (CSP allows no
inline styles); colours live in static/css/clinic.css. Time runs along x by date (not by index), so
uneven gaps between questionnaires show as gaps. Every piece of text is escaped here.

Markers differ by shape as well as colour (WCAG 1.4.1): reliable improvement a diamond, recovery a
ringed dot, reliable deterioration a square, a critical item a triangle. `marker_icon_svg` draws
the same shapes for a legend in HTML.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape

WIDTH, HEIGHT = 640, 220
# The right margin holds the band names, so they never sit under the line or a marker.
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 156, 12, 28
LABEL_CHARS = 20  # per line of a band name (12-unit text, up to 0.62 em a character: 148 units)
LINE_HEIGHT = 13
PLOT_W = WIDTH - PAD_LEFT - PAD_RIGHT
PLOT_H = HEIGHT - PAD_TOP - PAD_BOTTOM


@dataclass(frozen=True)
class Layout:
    """The chart's geometry in its own units. The page scales the SVG to its box, so text is
    font-size (set per layout in CSS) times box width / `width`: the wide layout is for boxes
    at least 640 px wide (desktop, the PDF), the narrow one for phones, where its 14-unit text
    renders at 12 px or more in a box 280 px wide or wider."""

    name: str  # "wide" or "narrow": the SVG's class chart-<name>, which sets its font sizes
    width: int
    height: int
    pad_left: int
    pad_right: int  # holds the band names, so they never sit under the line or a marker
    pad_top: int
    pad_bottom: int
    label_chars: int  # per line of a band name in the right margin
    line_height: int
    date_ticks: int  # at most this many dates along the bottom

    @property
    def plot_w(self) -> float:
        return self.width - self.pad_left - self.pad_right

    @property
    def plot_h(self) -> float:
        return self.height - self.pad_top - self.pad_bottom


WIDE = Layout(
    "wide", WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM, LABEL_CHARS, LINE_HEIGHT, 3
)
# 14-unit text (0.6 em a character on average): 11 characters of band name in 104 units, and
# two dates ("24 Nov 2026", about 92 units each) side by side under a 188-unit plot.
NARROW = Layout("narrow", 330, 250, 38, 104, 12, 30, 11, 16, 2)
_ID = re.compile(r"^[a-z0-9-]+$")

MARKERS = ("improved", "recovered", "deteriorated", "critical")
MARKER_LABELS = {
    "improved": "Reliable improvement",
    "recovered": "Recovered",
    "deteriorated": "Reliable deterioration",
    "critical": "Critical item endorsed",
}


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


def _date(at: datetime) -> str:
    return f"{at.day} {at:%b %Y}"


def band_edges(bands: Sequence[ChartBand], *, low: float, high: float) -> list[tuple[float, float]]:
    """Where each band's shading starts and ends, so that the bands tile the axis without gaps.

    Scores are whole points (or steps of a scaled total), so PHQ-9 "mild 5-9" and "moderate 10-14"
    meet half-way, at 9.5: a score of 9 is drawn in the mild band and 10 in the moderate one.
    Returned in the order of `bands`; the lowest band starts at `low`, the highest ends at `high`.
    """
    order = sorted(range(len(bands)), key=lambda i: bands[i].low)
    edges: dict[int, tuple[float, float]] = {}
    for pos, index in enumerate(order):
        band = bands[index]
        start = low if pos == 0 else (bands[order[pos - 1]].high + band.low) / 2
        end = high if pos == len(order) - 1 else (band.high + bands[order[pos + 1]].low) / 2
        edges[index] = (max(start, low), min(end, high))
    return [edges[i] for i in range(len(bands))]


def band_label_lines(label: str, *, max_lines: int = 2, chars: int = LABEL_CHARS) -> list[str]:
    """A band's name for the right margin: at most `max_lines` lines of `chars`, words kept
    whole, an ellipsis when it is cut. The band's <title> always has the full name."""
    if max_lines <= 0:
        return []
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    lines = [line if len(line) <= chars else line[: chars - 1] + "\u2026" for line in lines]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1].removesuffix("\u2026")
        if len(last) >= chars and " " in last:
            last = last.rsplit(" ", 1)[0]
        lines[-1] = last[: chars - 1] + "\u2026"
    return lines


def cutoff_position(cutoff: float, bands: Sequence[ChartBand]) -> float:
    """Where to draw the clinical cutoff: on the band boundary it names, else at the value.

    "10 or more" is the lower edge of the band starting at 10 (drawn at 9.5, between 9 and 10);
    "28 or less" is the upper edge of the band ending at 28."""
    pairs = list(itertools.pairwise(sorted(bands, key=lambda b: b.low)))
    for below, above in pairs:
        if cutoff == above.low:
            return (below.high + above.low) / 2
    for below, above in pairs:
        if cutoff == below.high:
            return (below.high + above.low) / 2
    return cutoff


def _polygon(corners: Sequence[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{_fmt(x)} {_fmt(y)}" for x, y in corners) + " Z"


def _marker_shape(marker: str, cx: float, cy: float, *, title: str = "", cls: str = "") -> str:
    """One point's mark. The <title> gives its value and meaning to pointer and screen users."""
    inner = f"<title>{escape(title)}</title>" if title else ""
    klass = f"chart-point marker-{marker}" if marker else "chart-point"
    if cls:
        klass += f" {cls}"
    if marker == "improved":  # diamond
        d = _polygon([(cx, cy - 6.5), (cx + 6.5, cy), (cx, cy + 6.5), (cx - 6.5, cy)])
        return f'<path class="{klass}" d="{d}">{inner}</path>'
    if marker == "deteriorated":  # square
        return (
            f'<rect class="{klass}" x="{_fmt(cx - 5)}" y="{_fmt(cy - 5)}" width="10" height="10">'
            f"{inner}</rect>"
        )
    if marker == "critical":  # triangle, point up
        d = _polygon([(cx, cy - 7.5), (cx + 7, cy + 5), (cx - 7, cy + 5)])
        return f'<path class="{klass}" d="{d}">{inner}</path>'
    if marker == "recovered":  # dot in a ring
        return (
            f'<g class="{klass}">{inner}'
            f'<circle class="marker-ring" cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="6.5"/>'
            f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="3"/></g>'
        )
    return f'<circle class="{klass}" cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="3.5">{inner}</circle>'


def marker_icon_svg(marker: str) -> str:
    """A small picture of a marker for a legend (decorative: the legend text names it)."""
    if marker not in MARKERS and marker != "":
        raise ValueError(f"unknown marker {marker!r}")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 18 18" class="chart-legend-icon" '
        'aria-hidden="true" focusable="false">' + _marker_shape(marker, 9, 9.5) + "</svg>"
    )


def _date_ticks(t0: float, t1: float, count: int) -> list[float]:
    if count <= 1 or t1 == t0:
        return [t0]
    return [t0 + (t1 - t0) * i / (count - 1) for i in range(count)]


def instrument_chart_svg(
    points: Sequence[ChartPoint],
    *,
    chart_id: str,
    title: str,
    description: str,
    low: float,
    high: float,
    zone: tzinfo,
    bands: Sequence[ChartBand] = (),
    cutoff: float | None = None,
    layout: Layout = WIDE,
) -> str:
    """Scores over time: band shading, the clinical cutoff line, reliable-change markers.

    `title` and `description` are the chart's accessible name and description (say the numbers
    and what they mean there; a data table beside the chart carries every value). `zone` is the
    client's: every date on the chart is their local day, as in the table and the text beside it.
    """
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must be lowercase letters, digits and dashes: {chart_id!r}")
    if high <= low:
        raise ValueError("high must be above low")
    L = layout

    def y(value: float) -> float:
        clamped = min(max(value, low), high)
        return L.pad_top + (high - clamped) / (high - low) * L.plot_h

    ordered = sorted(points, key=lambda p: p.at)
    times = [p.at.timestamp() for p in ordered]
    t0, t1 = (times[0], times[-1]) if times else (0.0, 1.0)
    # A little room either side so the first and last markers are not cut by the frame.
    inset = 8.0

    def x_of(ts: float) -> float:
        if t1 == t0:
            return L.pad_left + L.plot_w / 2
        return L.pad_left + inset + (ts - t0) / (t1 - t0) * (L.plot_w - 2 * inset)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {L.width} {L.height}" '
        f'class="chart chart-{L.name} instrument-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (band, (start, end)) in enumerate(
        zip(bands, band_edges(bands, low=low, high=high), strict=True)
    ):
        top, bottom = y(end), y(start)
        kind = "band-clinical" if band.clinical else "band-ok"
        parts.append(
            f'<rect class="chart-band {kind} band-{index % 2}" x="{L.pad_left}" y="{_fmt(top)}" '
            f'width="{L.plot_w}" height="{_fmt(max(bottom - top, 0.5))}">'
            f"<title>{escape(band.label)}: {_num(band.low)}\u2013{_num(band.high)}</title></rect>"
        )
        lines = band_label_lines(
            band.label,
            max_lines=max(0, int((bottom - top) // L.line_height)),
            chars=L.label_chars,
        )
        first = (top + bottom) / 2 - (len(lines) - 1) * L.line_height / 2 + 4
        for n, line in enumerate(lines):
            parts.append(
                f'<text class="chart-band-label" x="{L.width - L.pad_right + 8}" '
                f'y="{_fmt(first + n * L.line_height)}">{escape(line)}</text>'
            )
    for tick in _ticks(low, high):
        parts.append(
            f'<line class="chart-grid" x1="{L.pad_left}" x2="{L.width - L.pad_right}" '
            f'y1="{_fmt(y(tick))}" y2="{_fmt(y(tick))}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{L.pad_left - 6}" y="{_fmt(y(tick) + 4)}" '
            f'text-anchor="end">{_num(tick)}</text>'
        )
    if cutoff is not None and low <= cutoff <= high:
        at = y(cutoff_position(cutoff, bands))
        parts.append(
            f'<line class="chart-cutoff" x1="{L.pad_left}" x2="{L.width - L.pad_right}" '
            f'y1="{_fmt(at)}" y2="{_fmt(at)}"/>'
        )
        parts.append(
            f'<text class="chart-cutoff-label" x="{L.pad_left + 4}" y="{_fmt(at - 4)}">'
            f"cutoff {_num(cutoff)}</text>"
        )
    parts.append(
        f'<line class="chart-axis" x1="{L.pad_left}" x2="{L.width - L.pad_right}" '
        f'y1="{L.pad_top + L.plot_h}" y2="{L.pad_top + L.plot_h}"/>'
    )
    if ordered:
        span_days = (t1 - t0) / 86400
        count = 1 if t1 == t0 else min(L.date_ticks, 2 if span_days < 21 else 3)
        for i, ts in enumerate(_date_ticks(t0, t1, count)):
            if count > 1 and i == 0:
                anchor, tx = "start", float(L.pad_left)
            elif count > 1 and i == count - 1:
                anchor, tx = "end", float(L.width - L.pad_right)
            else:
                anchor, tx = "middle", x_of(ts)
            when = datetime.fromtimestamp(ts, tz=zone)
            parts.append(
                f'<text class="chart-tick" x="{_fmt(tx)}" y="{L.height - 8}" '
                f'text-anchor="{anchor}">{_date(when)}</text>'
            )
    if len(ordered) > 1:
        d = " ".join(
            f"{'M' if i == 0 else 'L'}{_fmt(x_of(ts))} {_fmt(y(p.value))}"
            for i, (ts, p) in enumerate(zip(times, ordered, strict=True))
        )
        parts.append(f'<path class="chart-line" fill="none" d="{d}"/>')
    for ts, p in zip(times, ordered, strict=True):
        tip = p.label or f"{_date(p.at.astimezone(zone))}: {_num(p.value)}"
        parts.append(_marker_shape(p.marker, x_of(ts), y(p.value), title=tip))
    parts.append("</svg>")
    return "".join(parts)


def instrument_chart_pair_svg(points: Sequence[ChartPoint], *, chart_id: str, **options) -> str:
    """The narrow chart and the wide one; CSS shows the one that fits the screen (the other is
    display:none, so hidden from screen readers too). For pages read on phones and desktops."""
    return instrument_chart_svg(
        points, chart_id=f"{chart_id}-narrow", layout=NARROW, **options
    ) + instrument_chart_svg(points, chart_id=chart_id, layout=WIDE, **options)


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if span / s <= 6)
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
    cutoff: float | None = None,
) -> str:
    """A tiny trend line for table cells; `label` is its accessible name (say the numbers).

    Oldest value first. With `cutoff`, a faint dashed line marks where the clinical range starts.
    """
    if high <= low:
        raise ValueError("high must be above low")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="sparkline" role="img" '
        f'aria-label="{escape(label)}" focusable="false">'
    ]

    # Plain arithmetic, no helpers: a caseload draws 500 of these per page.
    y_scale = (height - 6) / (high - low)
    ys = [3 + (high - min(max(v, low), high)) * y_scale for v in values]
    if cutoff is not None and low < cutoff < high:
        cy = f"{3 + (high - cutoff) * y_scale:.1f}"
        parts.append(f'<line class="sparkline-cutoff" x1="0" x2="{width}" y1="{cy}" y2="{cy}"/>')
    if ys:
        n = len(ys)
        step = (width - 6) / (n - 1) if n > 1 else 0.0
        xs = [3 + i * step for i in range(n)] if n > 1 else [3 + (width - 6) / 2]
        if n > 1:
            d = " L".join(f"{x:.1f} {y:.1f}" for x, y in zip(xs, ys, strict=True))
            parts.append(f'<path class="sparkline-line" fill="none" d="M{d}"/>')
        parts.append(
            f'<circle class="sparkline-last" cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
