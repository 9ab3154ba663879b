"""tracking/charts.py: pure functions, tested on plain values (no database)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from interlude.tracking.charts import (
    SCALE_0_10,
    SCALE_SLEEP_HOURS,
    daily_means,
    format_number,
    line_chart_svg,
    summary_text,
    table_rows,
)

D1, D2, D3, D4 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


def svg(points, **kwargs):
    options = {
        "chart_id": "chart-mood",
        "title": "Mood, last 4 days",
        "description": "Mood averaged 6.7",
        "scale": SCALE_0_10,
    }
    options.update(kwargs)
    return line_chart_svg(points, **options)


# --- daily means --------------------------------------------------------------------------------
def test_a_check_in_at_2330_local_belongs_to_that_local_day_not_the_utc_day():
    # 23:30 on 2 March in New York (UTC-5) is 04:30 on 3 March in UTC.
    late = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)

    points = daily_means([(late, "America/New_York", 4.0)], start=D1, days=3, fallback_zone="UTC")

    assert points == [(D1, None), (D2, 4.0), (D3, None)]


def test_the_same_instant_is_the_next_day_in_a_zone_east_of_utc():
    instant = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 00:30 on 3 March in Berlin

    points = daily_means([(instant, "Europe/Berlin", 7.0)], start=D2, days=2, fallback_zone="UTC")

    assert points == [(D2, None), (D3, 7.0)]


def test_a_days_value_is_the_mean_of_its_observations():
    points = daily_means(
        [
            (datetime(2026, 3, 1, 13, 0, tzinfo=UTC), "America/New_York", 4.0),
            (datetime(2026, 3, 1, 20, 0, tzinfo=UTC), "America/New_York", 7.0),
            (datetime(2026, 3, 2, 1, 0, tzinfo=UTC), "America/New_York", 8.0),  # 20:00 on 1 March
        ],
        start=D1,
        days=2,
        fallback_zone="UTC",
    )

    assert points == [(D1, pytest.approx(19 / 3)), (D2, None)]


def test_a_missing_or_unknown_zone_uses_the_fallback_zone():
    instant = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 22:00 on 1 March in New York

    points = daily_means(
        [(instant, "", 5.0), (instant, "Not/AZone", 7.0)],
        start=D1,
        days=2,
        fallback_zone="America/New_York",
    )

    assert points == [(D1, 6.0), (D2, None)]


def test_observations_outside_the_days_are_left_out():
    points = daily_means(
        [(datetime(2026, 2, 27, 12, tzinfo=UTC), "UTC", 9.0)], start=D1, days=2, fallback_zone="UTC"
    )

    assert points == [(D1, None), (D2, None)]


# --- the SVG --------------------------------------------------------------------------------------
def test_svg_has_a_fixed_viewbox_and_no_size_of_its_own():
    out = svg([(D1, 5.0)])

    assert out.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 168" class="chart" role="img" '
        'aria-labelledby="chart-mood-title chart-mood-desc" focusable="false">'
    )
    assert out.endswith("</svg>")
    assert "width=" not in out and "height=" not in out
    assert "style" not in out  # CSP: classes only


def test_points_lines_and_a_gap_where_a_day_has_no_data():
    out = svg([(D1, 5.0), (D2, None), (D3, 7.0), (D4, 8.0)])

    # D1 stands alone (a dot, no line); D2 is a gap; D3-D4 are joined.
    assert re.findall(r'<path class="chart-line" fill="none" d="([^"]+)"/>', out) == [
        "M215.3 49.6 L308.0 36.4"
    ]
    assert re.findall(
        r'<circle class="chart-point" cx="([\d.]+)" cy="([\d.]+)" r="3.5"/>', out
    ) == [
        ("30.0", "76.0"),
        ("215.3", "49.6"),
        ("308.0", "36.4"),
    ]


def test_no_data_draws_axes_and_nothing_else():
    out = svg([(D1, None), (D2, None)])

    assert "<path" not in out and "<circle" not in out
    assert out.count('<line class="chart-grid"') == 3


def test_a_long_series_uses_smaller_dots():
    points = [(date(2026, 1, 1), 5.0)] * 90

    assert out_radii(svg(points)) == {"2.5"}


def out_radii(out: str) -> set[str]:
    return set(re.findall(r'r="([\d.]+)"', out))


def test_mood_axis_runs_0_to_10_and_sleep_axis_0_to_12():
    mood = svg([(D1, 5.0)])
    sleep = svg([(D1, 7.5)], scale=SCALE_SLEEP_HOURS, chart_id="chart-sleep")

    assert re.findall(r'text-anchor="end">(\d+)</text>', mood) == ["0", "5", "10"]
    assert re.findall(r'<line class="chart-grid" x1="30" x2="308" y1="([\d.]+)"', mood) == [
        "142.0",
        "76.0",
        "10.0",
    ]
    assert re.findall(r'text-anchor="end">(\d+)</text>', sleep) == ["0", "4", "8", "12"]
    assert re.findall(r'<line class="chart-grid" x1="30" x2="308" y1="([\d.]+)"', sleep) == [
        "142.0",
        "98.0",
        "54.0",
        "10.0",
    ]


def test_values_beyond_the_axis_are_drawn_at_its_edge():
    out = svg([(D1, 14.0), (D2, -1.0)], scale=SCALE_SLEEP_HOURS, chart_id="chart-sleep")

    assert re.findall(r'cy="([\d.]+)"', out) == ["10.0", "142.0"]


def test_date_labels_show_the_first_middle_and_last_day():
    out = svg([(D1, 1.0), (D2, 2.0), (D3, 3.0), (D4, 4.0)])

    labels = re.findall(r'text-anchor="(start|middle|end)">([^<]+)</text>', out)
    assert [label for label in labels if not label[1].isdigit()] == [
        ("start", "1 Mar"),
        ("middle", "2 Mar"),
        ("end", "4 Mar"),
    ]


def test_title_and_description_are_escaped():
    out = svg([(D1, 5.0)], title='<script>alert("x")</script> & co', description="5 < 6 & 7 > 3")

    assert (
        '<title id="chart-mood-title">'
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</title>" in out
    )
    assert '<desc id="chart-mood-desc">5 &lt; 6 &amp; 7 &gt; 3</desc>' in out
    assert "<script>" not in out


def test_a_chart_id_that_could_break_out_of_its_attribute_is_refused():
    with pytest.raises(ValueError, match="chart_id"):
        svg([(D1, 5.0)], chart_id='x" onload="alert(1)')


# --- the summary ----------------------------------------------------------------------------------
def test_summary_states_the_average_n_and_range():
    d5, d6 = date(2026, 3, 5), date(2026, 3, 6)
    points = [(D1, 3.0), (D2, 6.0), (D3, None), (D4, 7.0), (d5, 7.0), (d6, 8.0)]

    assert summary_text("Mood", points) == (
        "Mood averaged 6.2 over 5 days with a check-in; lowest 3, highest 8."
    )


def test_summary_of_sleep_names_hours_and_keeps_half_hours():
    points = [(D1, 6.5), (D2, 8.0)]

    assert summary_text("Sleep", points, unit="hours") == (
        "Sleep averaged 7.2 hours over 2 days with a check-in; lowest 6.5, highest 8."
    )


def test_summary_of_one_day_says_one_day():
    assert summary_text("Anxiety", [(D1, None), (D2, 4.0)]) == (
        "Anxiety averaged 4.0 over 1 day with a check-in; lowest 4, highest 4."
    )


def test_summary_without_data_is_plain_and_does_not_scold():
    assert summary_text("Mood", [(D1, None)] * 7) == "Nothing recorded for mood in these 7 days."


def test_table_rows_list_only_days_with_a_value():
    assert table_rows([(D1, 5.5), (D2, None), (D3, 6.0)]) == [(D1, "5.5"), (D3, "6")]


@pytest.mark.parametrize(
    ("value", "text"), [(6.0, "6"), (6.5, "6.5"), (6.25, "6.2"), (0.0, "0"), (10.0, "10")]
)
def test_format_number(value, text):
    assert format_number(value) == text
