"""The progress report: its date range, instrument charts and reliable-change table, and the PDF.

The shaping functions are pure (plain values and already loaded rows in, plain values out). The
PDF is WeasyPrint rendering the same HTML as the preview page; it may fetch nothing but our own
static files (`StaticFilesOnly`), so a report never reaches the network.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from interlude.insights.brief import change_words, number, plural
from interlude.insights.charts import (
    MARKER_LABELS,
    ChartBand,
    ChartPoint,
    instrument_chart_pair_svg,
    instrument_chart_svg,
    marker_icon_svg,
)
from interlude.measures.change import Classification

if TYPE_CHECKING:
    from weasyprint import Document

    from interlude.measures.selectors import InstrumentSeries

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PDF_KIND = "progress_pdf"

# WeasyPrint does not apply the page's stylesheets inside an inline <svg>, so the PDF's charts
# carry their own: the light colours of static/css/clinic.css and charts.css (keep them alike).
SVG_PRINT_CSS = (
    ".chart-band.band-ok{fill:#eef4f1}"
    ".chart-band.band-ok.band-1{fill:#ffffff}"
    ".chart-band.band-clinical.band-0{fill:#fbeee3}"
    ".chart-band.band-clinical.band-1{fill:#f7e2d2}"
    ".chart-band-label{fill:#4f5d62;font-family:sans-serif;font-size:12px}"
    ".chart-tick{fill:#4f5d62;font-family:sans-serif;font-size:13px}"
    ".chart-grid{stroke:#d6d2c8;stroke-width:0.6}"
    ".chart-axis{stroke:#4f5d62;stroke-width:1}"
    ".chart-cutoff{stroke:#8a1c14;stroke-width:1.5;stroke-dasharray:6 4}"
    ".chart-cutoff-label{fill:#8a1c14;font-family:sans-serif;font-size:12px;font-weight:bold}"
    ".chart-line{fill:none;stroke:#2f5d62;stroke-width:2.5;stroke-linejoin:round}"
    ".chart-point{fill:#2f5d62;stroke:#ffffff;stroke-width:1}"
    ".chart-point.marker-improved{fill:#1e6b3a}"
    ".chart-point.marker-recovered{fill:#1e6b3a;stroke:none}"
    ".marker-ring{fill:#ffffff;stroke:#1e6b3a;stroke-width:2}"
    ".chart-point.marker-deteriorated{fill:#b3261e}"
    ".chart-point.marker-critical{fill:#b3261e;stroke:#1f2a2e;stroke-width:1.2}"
)

MARKERS = {
    Classification.RECOVERED.value: "recovered",
    Classification.IMPROVED.value: "improved",
    Classification.DETERIORATED.value: "deteriorated",
}


# --- the date range ------------------------------------------------------------------------------
def long_date(day: date) -> str:
    """ "3 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    """ "3 Mar 2026"."""
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{long_date(self.start)} to {long_date(self.end)}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class RangeError:
    field: str  # "from" or "to": the name of the query parameter and the form field
    message: str


def _parse_day(raw: str, *, field: str, what: str) -> tuple[date | None, RangeError | None]:
    if not ISO_DAY.match(raw):
        return None, RangeError(
            field, f"Enter the {what} as year-month-day, for example 2026-03-01 (not “{raw}”)."
        )
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, RangeError(field, f"The {what} {raw} is not a date in the calendar.")


def range_parse(
    raw_from: str | None, raw_to: str | None, *, default_start: date, today: date
) -> tuple[DateRange, list[RangeError]]:
    """The report's dates from ?from=YYYY-MM-DD&to=YYYY-MM-DD. Missing or empty: from the first
    answer to today. Returns the range to use and what is wrong with the request, if anything."""
    errors: list[RangeError] = []
    start, end = min(default_start, today), today
    raw_from, raw_to = (raw_from or "").strip(), (raw_to or "").strip()
    if raw_from:
        parsed, error = _parse_day(raw_from, field="from", what="start date")
        if error:
            errors.append(error)
        elif parsed:
            start = parsed
    if raw_to:
        parsed, error = _parse_day(raw_to, field="to", what="end date")
        if error:
            errors.append(error)
        elif parsed:
            end = parsed
            if end > today:
                errors.append(
                    RangeError(
                        "to",
                        f"The end date cannot be after today: choose {today.isoformat()} "
                        "or earlier.",
                    )
                )
    if not errors and start > end:
        errors.append(
            RangeError(
                "from",
                f"The start date ({start.isoformat()}) is after the end date "
                f"({end.isoformat()}): choose a start date on or before the end date.",
            )
        )
    return DateRange(start, end), errors


def first_answer_day(series: Sequence[InstrumentSeries], *, zone: ZoneInfo) -> date | None:
    days = [s.baseline.submitted_at.astimezone(zone).date() for s in series if s.baseline]
    return min(days) if days else None


# --- per instrument: chart, sentence and a row of the reliable-change table ----------------------
@dataclass(frozen=True)
class ReportRow:
    short_name: str
    answers: int
    intake: str  # "16 (moderately severe), 3 Mar 2026"
    latest: str
    change: str  # "down 7"
    classification: str  # "Recovered"
    thresholds: str  # "Reliable change 6 or more points; clinical range 10 or more"
    source: str


@dataclass(frozen=True)
class ReportInstrument:
    code: str
    name: str
    short_name: str
    chart_svg: str
    summary: str
    explanation: str
    row: ReportRow
    legend: list[tuple[str, str]]  # (marker picture as SVG, what it means), markers shown only


def _score(total: float | None, band: str) -> str:
    if total is None:
        return "not scored"
    return f"{number(total)} ({band.lower()})" if band else number(total)


def _chart_id(code: str) -> str:
    return "chart-" + re.sub(r"[^a-z0-9-]+", "-", code.lower()).strip("-")


def _clinical_range_words(meta_range: dict[str, Any] | None) -> str:
    if not meta_range:
        return "no clinical cutoff"
    if meta_range.get("at_or_above") is not None:
        return f"clinical range {number(meta_range['at_or_above'])} or more"
    if meta_range.get("at_or_below") is not None:
        return f"clinical range {number(meta_range['at_or_below'])} or less"
    return "no clinical cutoff"


def thresholds_used(meta: dict[str, Any]) -> str:
    """The thresholds stored with the answer when it was scored (response.scoring_meta)."""
    rc = meta.get("reliable_change")
    parts = [
        f"Reliable change {number(rc)} or more points" if rc else "No reliable-change threshold",
        _clinical_range_words(meta.get("clinical_range")),
    ]
    if meta.get("band_preset"):
        parts.append(f"bands: {meta['band_preset']}")
    return "; ".join(parts)


# Definitions cite the project's own notes ("CLINICAL.md 1.4"); a reader of the report cannot
# follow those, so they are left out: "(CLINICAL.md 1.4)", "(...; CLINICAL.md 1.4, secondary)".
_INTERNAL_REFERENCES = (
    (re.compile(r"\(CLINICAL\.md[^;)]*;\s*"), "("),
    (re.compile(r"\s*\(CLINICAL\.md[^)]*\)"), ""),
    (re.compile(r";\s*CLINICAL\.md[^);]*(?=\))"), ""),
)


def _for_readers(source: str) -> str:
    """A source as a reader outside the project can follow it (no pointers to our own notes)."""
    text = source
    for pattern, replacement in _INTERNAL_REFERENCES:
        text = pattern.sub(replacement, text)
    text = text.strip()
    return text if not text or text.endswith(".") else text + "."


def thresholds_source(meta: dict[str, Any], *, clinical_range_source: str) -> str:
    sources = []
    if meta.get("reliable_change_source"):
        sources.append(f"Reliable change: {_for_readers(meta['reliable_change_source'])}")
    if meta.get("clinical_range") and clinical_range_source:
        sources.append(f"Clinical range: {_for_readers(clinical_range_source)}")
    return " ".join(sources)


def report_instrument(
    series: InstrumentSeries, *, date_range: DateRange, zone: ZoneInfo, for_print: bool = False
) -> ReportInstrument | None:
    """One instrument's chart and summary over the range (None when not answered in it)."""
    definition = series.definition
    rows = [
        r for r in series.responses if date_range.contains(r.submitted_at.astimezone(zone).date())
    ]
    baseline = series.baseline
    if not rows or baseline is None:
        return None
    latest = rows[-1]
    points = []
    for r in rows:
        day = r.submitted_at.astimezone(zone).date()
        marker = "critical" if r.is_critical else MARKERS.get(r.classification, "")
        meaning = Classification(r.classification).label.lower() if marker else ""
        label = f"{short_date(day)}: {_score(r.total, r.band_label)}"
        points.append(
            ChartPoint(
                at=r.submitted_at.astimezone(zone),
                value=float(r.total or 0),
                marker=marker,
                label=f"{label}, {meaning}" if meaning else label,
            )
        )
    cutoff = None
    if definition.clinical_range is not None:
        cutoff = (
            definition.clinical_range.at_or_above
            if definition.clinical_range.at_or_above is not None
            else definition.clinical_range.at_or_below
        )
    first_day = rows[0].submitted_at.astimezone(zone).date()
    last_day = latest.submitted_at.astimezone(zone).date()
    summary = (
        f"{plural(len(rows), 'answer')} from {short_date(first_day)} to {short_date(last_day)}; "
        f"latest {_score(latest.total, latest.band_label)} on {short_date(last_day)}."
    )
    # The PDF is always wide; the page on screen has the phone layout too (CSS shows one).
    draw = instrument_chart_svg if for_print else instrument_chart_pair_svg
    svg = draw(
        points,
        chart_id=_chart_id(definition.code),
        title=f"{definition.short_name} scores, {date_range.label}",
        description=summary,
        low=definition.total_min,
        high=definition.total_max,
        zone=zone,
        bands=[ChartBand(b.min, b.max, b.label, b.clinical) for b in definition.bands],
        cutoff=cutoff,
    )
    shown = {p.marker for p in points if p.marker}
    legend = [
        (svg_for_print(marker_icon_svg(m)) if for_print else marker_icon_svg(m), label)
        for m, label in MARKER_LABELS.items()
        if m in shown
    ]
    is_baseline = latest.pk == baseline.pk
    change = (
        "none yet (this is the intake answer)"
        if is_baseline or latest.total is None or baseline.total is None
        else change_words(latest.total - baseline.total)
    )
    meta = latest.scoring_meta or {}
    baseline_day = baseline.submitted_at.astimezone(zone).date()
    return ReportInstrument(
        code=definition.code,
        name=definition.name,
        short_name=definition.short_name,
        chart_svg=svg_for_print(svg) if for_print else svg,
        summary=summary,
        explanation=latest.classification_reason,
        legend=legend,
        row=ReportRow(
            short_name=definition.short_name,
            answers=len(rows),
            intake=f"{_score(baseline.total, baseline.band_label)}, {short_date(baseline_day)}",
            latest=f"{_score(latest.total, latest.band_label)}, {short_date(last_day)}",
            change=change,
            classification=Classification(latest.classification).label,
            thresholds=thresholds_used(meta),
            source=thresholds_source(meta, clinical_range_source=definition.clinical_range_source),
        ),
    )


def report_instruments(
    series: Sequence[InstrumentSeries],
    *,
    date_range: DateRange,
    zone: ZoneInfo,
    for_print: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> list[ReportInstrument]:
    """Each instrument answered in the range. `progress(done, total)` hears of each instrument
    charted (the worker building the PDF shows it), starting with (0, total)."""
    result = []
    for done, s in enumerate(series):
        if progress is not None:
            progress(done, len(series))
        result.append(report_instrument(s, date_range=date_range, zone=zone, for_print=for_print))
    if progress is not None:
        progress(len(series), len(series))
    return [r for r in result if r is not None]


def report_filename(today: date) -> str:
    """No client name in the file name: it shows in download lists and mail attachments."""
    return f"interlude-progress-report-{today.isoformat()}.pdf"


def svg_for_print(svg: str) -> str:
    """The same chart with its colours inside it, for WeasyPrint."""
    end = svg.index(">") + 1
    return f"{svg[:end]}<style>{SVG_PRINT_CSS}</style>{svg[end:]}"


# --- the PDF -------------------------------------------------------------------------------------
def _static_file(path: str) -> Path | None:
    """The file behind a /static/ path: the collected (hashed) copy, else the app's own."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    name = posixpath.normpath(unquote(path)).lstrip("/")
    if name.startswith(".") or "/../" in f"/{name}/" or "\\" in name or "\x00" in name:
        return None
    try:
        collected = Path(staticfiles_storage.path(name))
        if collected.is_file():
            return collected
    except (NotImplementedError, ValueError, OSError):
        pass
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found) if found else None


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """Serves our own static files (stylesheets) to WeasyPrint and refuses every other URL,
        so rendering a report never makes a network request."""

        def __init__(self, base_url: str) -> None:
            super().__init__(allowed_protocols=("http", "https"))
            from django.conf import settings

            self.origins = {_origin(base_url), _origin(settings.STATIC_URL)} - {""}
            self.prefix = urlsplit(settings.STATIC_URL).path or "/static/"

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if (
                parts.scheme not in ("http", "https")
                or _origin(url) not in self.origins
                or not parts.path.startswith(self.prefix)
            ):
                raise ValueError(f"Refused to fetch {url}: a report may only use static files.")
            found = _static_file(parts.path[len(self.prefix) :])
            if found is None:
                raise ValueError(f"No static file at {parts.path}.")
            content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=found.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesOnly


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def static_only_fetcher(*, base_url: str) -> Any:
    return _fetcher_class()(base_url)


def pdf_document(html: str, *, base_url: str) -> Document:
    """The laid-out report (pages and boxes), before it is written as a PDF."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=base_url, url_fetcher=static_only_fetcher(base_url=base_url)
    ).render()


def pdf_write(document: Document) -> bytes:
    """The PDF bytes of a laid-out report, as PDF/UA-1: tagged, with a structure tree and the
    document language, so screen readers can read it in order."""
    return document.write_pdf(pdf_variant="pdf/ua-1")


def pdf_render(html: str, *, base_url: str) -> bytes:
    """The PDF bytes of a report page (print media, our static files only), as PDF/UA-1."""
    return pdf_write(pdf_document(html, base_url=base_url))
