"""Instrument charts and sparklines (insights/charts.py): pure SVG, checked as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from interlude.insights.charts import (
    HEIGHT,
    PAD_TOP,
    PLOT_H,
    ChartBand,
    ChartPoint,
    band_edges,
    band_label_lines,
    cutoff_position,
    instrument_chart_svg,
    marker_icon_svg,
    sparkline_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
PHQ9_BANDS = [
    ChartBand(0, 4, "Minimal", False),
    ChartBand(5, 9, "Mild", False),
    ChartBand(10, 14, "Moderate", True),
    ChartBand(15, 19, "Moderately severe", True),
    ChartBand(20, 27, "Severe", True),
]
START = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own markup, in a test


def y_of(value: float, low: float = 0, high: float = 27) -> float:
    return round(PAD_TOP + (high - value) / (high - low) * PLOT_H, 1)


def chart(points, **kwargs):
    options = {
        "chart_id": "phq9",
        "title": "PHQ-9 over time",
        "description": "PHQ-9 9, mild",
        "low": 0,
        "high": 27,
        "bands": PHQ9_BANDS,
        "cutoff": 10,
        "zone": UTC,
    }
    options.update(kwargs)
    return instrument_chart_svg(points, **options)


# --- bands and the cutoff -----------------------------------------------------------------------
def test_bands_tile_the_axis_meeting_half_way_between_whole_scores():
    assert band_edges(PHQ9_BANDS, low=0, high=27) == [
        (0, 4.5),
        (4.5, 9.5),
        (9.5, 14.5),
        (14.5, 19.5),
        (19.5, 27),
    ]


def test_band_edges_keep_the_order_the_bands_were_given_in():
    shuffled = [PHQ9_BANDS[2], PHQ9_BANDS[0], PHQ9_BANDS[1]]

    assert band_edges(shuffled, low=0, high=14) == [(9.5, 14), (0, 4.5), (4.5, 9.5)]


def test_cutoff_at_or_above_is_drawn_on_the_lower_edge_of_its_band():
    assert cutoff_position(10, PHQ9_BANDS) == 9.5


def test_cutoff_at_or_below_is_drawn_on_the_upper_edge_of_its_band():
    who5 = [ChartBand(0, 28, "Poor", True), ChartBand(32, 100, "Not poor", False)]

    assert cutoff_position(28, who5) == 30


def test_cutoff_that_is_no_band_boundary_is_drawn_at_its_value():
    assert cutoff_position(12, PHQ9_BANDS) == 12
    assert cutoff_position(12, []) == 12


def test_chart_shades_every_band_with_its_range_in_a_title():
    root = parse(chart([ChartPoint(START, 16)]))
    rects = root.findall(f"{SVG}rect")

    assert [r.get("class") for r in rects] == [
        "chart-band band-ok band-0",
        "chart-band band-ok band-1",
        "chart-band band-clinical band-0",
        "chart-band band-clinical band-1",
        "chart-band band-clinical band-0",
    ]
    assert [r.find(f"{SVG}title").text for r in rects] == [
        "Minimal: 0\u20134",
        "Mild: 5\u20139",
        "Moderate: 10\u201314",
        "Moderately severe: 15\u201319",
        "Severe: 20\u201327",
    ]
    mild = rects[1]
    assert float(mild.get("y")) == y_of(9.5)
    assert round(float(mild.get("y")) + float(mild.get("height")), 1) == y_of(4.5)


def test_chart_draws_the_cutoff_line_and_names_it():
    root = parse(chart([ChartPoint(START, 16)]))
    line = root.find(f"{SVG}line[@class='chart-cutoff']")

    assert float(line.get("y1")) == float(line.get("y2")) == y_of(9.5)
    label = root.find(f"{SVG}text[@class='chart-cutoff-label']")
    assert label.text == "cutoff 10"


def test_chart_without_cutoff_draws_no_cutoff_line():
    root = parse(chart([ChartPoint(START, 16)], cutoff=None))

    assert root.find(f"{SVG}line[@class='chart-cutoff']") is None


# --- points and markers ---------------------------------------------------------------------------
def test_markers_have_a_different_shape_for_each_meaning():
    points = [
        ChartPoint(START, 16),
        ChartPoint(START + timedelta(days=14), 9, "recovered", "3 Mar: 9, mild; recovered"),
        ChartPoint(START + timedelta(days=28), 8, "improved"),
        ChartPoint(START + timedelta(days=42), 17, "deteriorated"),
        ChartPoint(START + timedelta(days=56), 18, "critical"),
    ]
    root = parse(chart(points))
    marks = [e for e in root if "chart-point" in (e.get("class") or "")]

    assert [(e.tag.removeprefix(SVG), e.get("class")) for e in marks] == [
        ("circle", "chart-point"),
        ("g", "chart-point marker-recovered"),
        ("path", "chart-point marker-improved"),
        ("rect", "chart-point marker-deteriorated"),
        ("path", "chart-point marker-critical"),
    ]
    assert marks[1].find(f"{SVG}title").text == "3 Mar: 9, mild; recovered"
    assert marks[0].find(f"{SVG}title").text == "3 Mar 2026: 16"


def test_time_runs_along_x_by_date_so_gaps_show():
    points = [
        ChartPoint(START, 20),
        ChartPoint(START + timedelta(days=10), 18),
        ChartPoint(START + timedelta(days=40), 12),
    ]
    root = parse(chart(points))
    xs = [float(c.get("cx")) for c in root.findall(f"{SVG}circle")]

    assert xs[1] - xs[0] == pytest.approx((xs[2] - xs[0]) / 4, abs=0.2)


def test_points_are_drawn_oldest_first_whatever_order_they_come_in():
    later = ChartPoint(START + timedelta(days=7), 5)
    root = parse(chart([later, ChartPoint(START, 20)]))
    path = root.find(f"{SVG}path[@class='chart-line']").get("d")

    assert path.startswith("M")
    first_y = float(path.split(" L")[0].split(" ")[1])
    assert first_y == y_of(20)


def test_dates_along_the_bottom_are_first_middle_and_last_for_long_series():
    points = [ChartPoint(START + timedelta(days=7 * i), 10) for i in range(9)]
    root = parse(chart(points))
    ticks = [
        t.text
        for t in root.findall(f"{SVG}text[@class='chart-tick']")
        if t.get("y") == str(HEIGHT - 8)
    ]

    assert ticks == ["3 Mar 2026", "31 Mar 2026", "28 Apr 2026"]


def test_a_single_point_sits_in_the_middle_with_one_date():
    root = parse(chart([ChartPoint(START, 12)]))
    ticks = [
        t.text
        for t in root.findall(f"{SVG}text[@class='chart-tick']")
        if t.get("y") == str(HEIGHT - 8)
    ]

    assert ticks == ["3 Mar 2026"]
    assert root.find(f"{SVG}path[@class='chart-line']") is None


def test_title_description_and_labels_are_escaped():
    svg = chart(
        [ChartPoint(START, 3, label="<b>x</b>")],
        title="A & B <script>",
        description='"quoted"',
        bands=[ChartBand(0, 27, "<i>band</i>", False)],
    )
    root = parse(svg)

    assert root.find(f"{SVG}title").text == "A & B <script>"
    assert "<script>" not in svg
    assert "<i>" not in svg and "<b>" not in svg
    assert root.get("aria-labelledby") == "phq9-title phq9-desc"


def test_chart_id_must_be_safe_and_range_must_be_valid():
    with pytest.raises(ValueError, match="chart_id"):
        chart([], chart_id='x" onload="')
    with pytest.raises(ValueError, match="high must be above low"):
        chart([], low=5, high=5)


def test_empty_chart_still_has_its_name_and_bands():
    root = parse(chart([]))

    assert root.get("role") == "img"
    assert len(root.findall(f"{SVG}rect")) == 5
    assert root.find(f"{SVG}path[@class='chart-line']") is None


def test_marker_icon_is_decorative_and_draws_the_same_shape():
    root = parse(marker_icon_svg("deteriorated"))

    assert root.get("aria-hidden") == "true"
    assert root.find(f"{SVG}rect").get("class") == "chart-point marker-deteriorated"
    with pytest.raises(ValueError):
        marker_icon_svg("sparkly")


# --- sparklines ---------------------------------------------------------------------------------
def test_sparkline_names_itself_with_the_numbers():
    root = parse(sparkline_svg([18, 15, 12], low=0, high=27, label="PHQ-9: 18, 15, 12"))

    assert (root.get("role"), root.get("aria-label")) == ("img", "PHQ-9: 18, 15, 12")
    assert (root.get("width"), root.get("height")) == ("96", "24")


def test_sparkline_plots_values_left_to_right_and_marks_the_last():
    root = parse(sparkline_svg([27, 0], low=0, high=27, label="x"))
    d = root.find(f"{SVG}path").get("d")

    assert d == "M3.0 3.0 L93.0 21.0"
    last = root.find(f"{SVG}circle")
    assert (last.get("cx"), last.get("cy")) == ("93.0", "21.0")


def test_sparkline_of_one_value_is_a_dot_in_the_middle():
    root = parse(sparkline_svg([9], low=0, high=27, label="x"))

    assert root.find(f"{SVG}path") is None
    assert root.find(f"{SVG}circle").get("cx") == "48.0"


def test_sparkline_with_cutoff_draws_a_dashed_line():
    root = parse(sparkline_svg([9, 12], low=0, high=27, label="x", cutoff=10))
    line = root.find(f"{SVG}line")

    assert line.get("class") == "sparkline-cutoff"
    assert line.get("y1") == f"{3 + 17 / 27 * 18:.1f}"


def test_sparkline_clamps_values_outside_the_range_and_escapes_its_label():
    svg = sparkline_svg([-5, 40], low=0, high=27, label='"><script>')
    root = parse(svg)

    assert root.find(f"{SVG}path").get("d") == "M3.0 21.0 L93.0 3.0"
    assert "<script>" not in svg
    with pytest.raises(ValueError):
        sparkline_svg([1], low=1, high=1, label="x")


def test_band_names_wrap_into_the_right_margin_and_are_cut_with_an_ellipsis():
    assert band_label_lines("Moderately severe") == ["Moderately severe"]
    assert band_label_lines("Above the poor-wellbeing range") == [
        "Above the",
        "poor-wellbeing range",
    ]
    assert band_label_lines("Poor wellbeing (50 or less): screen for depression") == [
        "Poor wellbeing (50",
        "or less): screen\u2026",
    ]
    assert band_label_lines("Moderately severe", max_lines=1) == ["Moderately severe"]
    assert band_label_lines("Above the poor-wellbeing range", max_lines=1) == ["Above the\u2026"]
    assert band_label_lines("Severe", max_lines=0) == []


def test_band_names_sit_in_the_right_margin_centred_on_their_band():
    root = parse(chart([ChartPoint(START, 16)]))
    labels = root.findall(f"{SVG}text[@class='chart-band-label']")

    assert [t.text for t in labels] == [
        "Minimal",
        "Mild",
        "Moderate",
        "Moderately severe",
        "Severe",
    ]
    assert {t.get("x") for t in labels} == {str(640 - 156 + 8)}
    mild = labels[1]
    assert float(mild.get("y")) == pytest.approx((y_of(9.5) + y_of(4.5)) / 2 + 4, abs=0.1)
