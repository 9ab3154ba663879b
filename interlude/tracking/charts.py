"""Daily series, SVG line charts and one-line summaries, for the Progress page. Pure: no ORM.

A chart is a fixed viewBox that the page scales to its width. Days without data are gaps in the
line: nothing is drawn for them, nothing is filled in and nothing is counted against anyone.
Every piece of text that goes into the SVG is escaped here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from statistics import fmean

from interlude.core.clock import local_date, zone_named

Point = tuple[date, float | None]

WIDTH = 320
HEIGHT = 168
PAD_LEFT = 30  # room for the y-axis labels
PAD_RIGHT = 12
PAD_TOP = 10
PAD_BOTTOM = 26  # room for the date labels
PLOT_WIDTH = WIDTH - PAD_LEFT - PAD_RIGHT
PLOT_HEIGHT = HEIGHT - PAD_TOP - PAD_BOTTOM
_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Scale:
    """The fixed y-axis of a chart: the same range whatever the data, so charts compare."""

    low: float
    high: float
    ticks: tuple[float, ...]


SCALE_0_10 = Scale(0, 10, (0, 5, 10))
SCALE_SLEEP_HOURS = Scale(0, 12, (0, 4, 8, 12))


# --- numbers --------------------------------------------------------------------------------------
def format_number(value: float) -> str:
    """6 -> "6", 6.5 -> "6.5", 6.25 -> "6.2": one decimal at most, none when it is zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def daily_means(
    observations: Iterable[tuple[datetime, str, float]],
    *,
    start: date,
    days: int,
    fallback_zone: str,
) -> list[Point]:
    """One point per day from `start` for `days` days: the mean of that day's values, or None.

    Each observation is (instant, the IANA zone it was recorded in, value). Its day is the
    calendar day in that zone (where the person was), so a check-in at 23:30 in New York belongs
    to that evening even though it is already the next day in UTC. A missing or unknown zone
    falls back to `fallback_zone` (the client's). Observations outside the days are ignored.
    """
    fallback = zone_named(fallback_zone)
    by_day: dict[date, list[float]] = defaultdict(list)
    for instant, zone_name, value in observations:
        by_day[local_date(instant, fallback, record_zone=zone_name)].append(float(value))
    out: list[Point] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        values = by_day.get(day)
        out.append((day, fmean(values) if values else None))
    return out


def summary_text(label: str, points: Sequence[Point], *, unit: str = "") -> str:
    """ "Mood averaged 6.2 over 23 days with a check-in; lowest 3, highest 8."

    The average is over days (each day counts once), and n says how many days it rests on.
    """
    values = [v for _, v in points if v is not None]
    if not values:
        return f"Nothing recorded for {label.lower()} in these {len(points)} days."
    n = len(values)
    days = "day" if n == 1 else "days"
    unit_text = f" {unit}" if unit else ""
    return (
        f"{label} averaged {fmean(values):.1f}{unit_text} over {n} {days} with a check-in; "
        f"lowest {format_number(min(values))}, highest {format_number(max(values))}."
    )


# --- the SVG --------------------------------------------------------------------------------------
def _x(index: int, count: int) -> float:
    if count <= 1:
        return PAD_LEFT + PLOT_WIDTH / 2
    return PAD_LEFT + index * PLOT_WIDTH / (count - 1)


def _y(value: float, scale: Scale) -> float:
    clamped = min(max(value, scale.low), scale.high)
    return PAD_TOP + (scale.high - clamped) / (scale.high - scale.low) * PLOT_HEIGHT


def _num(value: float) -> str:
    return f"{value:.1f}"


def _segments(points: Sequence[Point]) -> list[list[int]]:
    """Runs of consecutive days with a value (indexes); a day without one ends a run."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, (_, value) in enumerate(points):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return runs


def _date_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def line_chart_svg(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str,
    scale: Scale,
) -> str:
    """An inline SVG line chart of daily values, one line segment per run of days with data.

    `chart_id` (lowercase letters, digits, dashes) names the title and description elements;
    `title` and `description` are escaped. The SVG has a fixed viewBox and no width or height,
    so CSS makes it as wide as its container. Styling is by class (no inline styles: CSP).
    """
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must be lowercase letters, digits and dashes: {chart_id!r}")
    if scale.high <= scale.low:
        raise ValueError("scale.high must be above scale.low")
    count = len(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    # y-axis: grid lines and their values
    for tick in scale.ticks:
        y = _num(_y(tick, scale))
        parts.append(
            f'<line class="chart-grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y}" y2="{y}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{PAD_LEFT - 6}" y="{_num(_y(tick, scale) + 4)}" '
            f'text-anchor="end">{escape(format_number(tick))}</text>'
        )
    # x-axis: the first, middle and last day
    if count:
        label_y = HEIGHT - 8
        marks = [(0, "start")]
        if count >= 3:
            marks.append(((count - 1) // 2, "middle"))
        if count >= 2:
            marks.append((count - 1, "end"))
        for index, anchor in marks:
            parts.append(
                f'<text class="chart-tick" x="{_num(_x(index, count))}" y="{label_y}" '
                f'text-anchor="{anchor}">{escape(_date_label(points[index][0]))}</text>'
            )
    # the data: a path per run of days, a dot on every day with a value
    radius = "3.5" if count <= 31 else "2.5"
    for run in _segments(points):
        if len(run) > 1:
            d = " ".join(
                f"{'M' if j == 0 else 'L'}{_num(_x(i, count))} {_num(_y(points[i][1] or 0, scale))}"
                for j, i in enumerate(run)
            )
            parts.append(f'<path class="chart-line" fill="none" d="{d}"/>')
        for i in run:
            parts.append(
                f'<circle class="chart-point" cx="{_num(_x(i, count))}" '
                f'cy="{_num(_y(points[i][1] or 0, scale))}" r="{radius}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def table_rows(points: Sequence[Point]) -> list[tuple[date, str]]:
    """The days that have a value, with the value as shown (for the screen-reader table)."""
    return [(day, format_number(value)) for day, value in points if value is not None]
