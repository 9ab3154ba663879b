"""The readable PDF of the export: the same rows as the CSV and JSON files, laid out in plain
language and dated in the client's local day, rendered by WeasyPrint as the progress report is
(tagged PDF/UA-1), with nothing fetched from anywhere: the stylesheet is inside the page and
every URL is refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string

from interlude.rights.package import SECTIONS

TEMPLATE = "rights/export_pdf.html"
# No request here (the worker makes it): a base URL that can name nothing real.
BASE_URL = "http://interlude.invalid/"
_WHEN_KEYS = (
    "recorded_at",
    "written_at",
    "occurred_at",
    "practiced_at",
    "started_at",
    "submitted_at",
    "starts_at",
    "saved_at",
    "at",
)
_DAY_KEYS = ("local_day", "planned_for", "night_of")


def long_date(day: date) -> str:
    """ "3 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def _refusing_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class RefuseEveryURL(URLFetcher):
        """An export fetches nothing: its stylesheet is inside the page."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"Refused to fetch {url}: an export fetches nothing.")

    return RefuseEveryURL(allowed_protocols=())


def pdf_document(html: str) -> Any:
    """The laid-out PDF (pages and boxes), before it is written."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_refusing_fetcher()).render()


def pdf_render(html: str) -> bytes:
    return bytes(pdf_document(html).write_pdf(pdf_variant="pdf/ua-1"))


def _labelled(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row with `day_label` ("3 March 2026", the client's day) and `time_label` ("09:15",
    their clock) for the template."""
    out = dict(row)
    day = next((row[k] for k in _DAY_KEYS if row.get(k)), None)
    out["day_label"] = long_date(date.fromisoformat(day)) if day else ""
    when = next((row[k] for k in _WHEN_KEYS if row.get(k)), None)
    out["time_label"] = datetime.fromisoformat(when).strftime("%H:%M") if when else ""
    return out


def pdf_context(
    *,
    profile: Mapping[str, Any],
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    session_notes: Mapping[str, Any],
    today: date,
) -> dict[str, Any]:
    labelled = {key: [_labelled(r) for r in rows] for key, rows in records.items()}
    plans = labelled.get("safety_plan", [])
    return {
        "profile": profile,
        "generated_on": long_date(today),
        "records": labelled,
        "sections": [{"key": s.key, "title": s.title, "file": s.file_name} for s in SECTIONS],
        "safety_plan_current": plans[0] if plans else None,
        "session_notes": session_notes,
    }


def export_pdf(
    *,
    profile: Mapping[str, Any],
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    session_notes: Mapping[str, Any],
    today: date,
) -> bytes:
    html = render_to_string(
        TEMPLATE,
        pdf_context(profile=profile, records=records, session_notes=session_notes, today=today),
    )
    return pdf_render(html)
