"""The progress report: its dates, its reliable-change table, the HTML preview and the PDF
(WeasyPrint from the same templates, fetching nothing but our static files, built by the task
worker and audited when served). The job's life is in test_report_jobs.py."""

from __future__ import annotations

import urllib.request
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.insights import report
from interlude.insights.models import ReportJob, ReportStatus
from interlude.insights.report import DateRange, RangeError, range_parse
from interlude.measures.services import response_submit
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
FIRST = date(2026, 3, 2)


# --- pure: the date range ------------------------------------------------------------------------
def test_default_range_is_from_the_first_answer_to_today():
    assert range_parse(None, "", default_start=FIRST, today=TODAY) == (
        DateRange(FIRST, TODAY),
        [],
    )
    assert DateRange(FIRST, TODAY).label == "2 March 2026 to 25 November 2026"


def test_a_valid_range_is_used_as_given():
    assert range_parse("2026-04-01", "2026-06-30", default_start=FIRST, today=TODAY) == (
        DateRange(date(2026, 4, 1), date(2026, 6, 30)),
        [],
    )


@pytest.mark.parametrize(
    ("raw_from", "raw_to", "expected"),
    [
        (
            "01/04/2026",
            "",
            RangeError(
                "from",
                "Enter the start date as year-month-day, for example 2026-03-01 "
                "(not “01/04/2026”).",
            ),
        ),
        (
            "",
            "2026-02-30",
            RangeError("to", "The end date 2026-02-30 is not a date in the calendar."),
        ),
        (
            "2026-07-01",
            "2026-06-30",
            RangeError(
                "from",
                "The start date (2026-07-01) is after the end date (2026-06-30): choose a "
                "start date on or before the end date.",
            ),
        ),
        (
            "",
            "2026-12-01",
            RangeError("to", "The end date cannot be after today: choose 2026-11-25 or earlier."),
        ),
    ],
)
def test_range_errors_say_what_is_wrong(raw_from, raw_to, expected):
    _, errors = range_parse(raw_from, raw_to, default_start=FIRST, today=TODAY)
    assert errors == [expected]


def test_report_filename_has_the_date_and_no_name():
    assert report.report_filename(TODAY) == "interlude-progress-report-2026-11-25.pdf"


def test_thresholds_used_and_their_sources_as_a_reader_can_follow_them():
    meta = {
        "reliable_change": 6,
        "reliable_change_source": "NHS Talking Therapies (IAPT): a decrease of 6 or more is a "
        "reliable improvement (CLINICAL.md 1.4, secondary).",
        "clinical_range": {"at_or_above": 10, "at_or_below": None},
        "band_preset": "",
    }
    assert report.thresholds_used(meta) == (
        "Reliable change 6 or more points; clinical range 10 or more"
    )
    assert report.thresholds_source(
        meta,
        clinical_range_source="15 or more is clinical (CLINICAL.md 1.1 and 1.4; bands verified: "
        "VA)",
    ) == (
        "Reliable change: NHS Talking Therapies (IAPT): a decrease of 6 or more is a reliable "
        "improvement. Clinical range: 15 or more is clinical (bands verified: VA)."
    )
    assert report.thresholds_used({"reliable_change": None, "clinical_range": None}) == (
        "No reliable-change threshold; no clinical cutoff"
    )
    assert (
        report.thresholds_used(
            {"reliable_change": 12, "clinical_range": {"at_or_below": 50}, "band_preset": "who"}
        )
        == "Reliable change 12 or more points; clinical range 50 or less; bands: who"
    )


def test_svg_for_print_carries_its_own_colours():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" class="chart"><title>t</title></svg>'
    printed = report.svg_for_print(svg)
    assert printed.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart"><style>.chart-band'
    )
    assert printed.endswith("<title>t</title></svg>")


# --- the PDF never reaches the network ------------------------------------------------------------
def test_fetcher_serves_our_static_files_and_refuses_everything_else():
    fetcher = report.static_only_fetcher(base_url="http://testserver/")
    css = fetcher.fetch("http://testserver/static/css/brief.css")
    assert css.content_type == "text/css"
    assert b".report-doc" in css.read()
    for url in (
        "https://example.com/static/css/brief.css",
        "http://testserver/clinic/alerts/",
        "http://testserver/static/../config/settings/base.py",
        "http://testserver/static/%2e%2e/manage.py",
        "file:///etc/passwd",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_rendering_a_pdf_makes_no_network_request(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("WeasyPrint tried to reach the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = (
        '<html><head><link rel="stylesheet" href="https://example.com/x.css">'
        '<link rel="stylesheet" href="/static/css/brief.css"></head>'
        '<body><p>Hello</p><img src="https://example.com/tracker.png" alt=""></body></html>'
    )
    pdf = report.pdf_render(html, base_url="http://testserver/")
    assert pdf.startswith(b"%PDF")


# --- the pages -----------------------------------------------------------------------------------
def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _utc(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _at_now():
    """Every test here lives at NOW, sign-in included: a session started at another time would
    have gone idle by NOW (CI starts tests at other instants)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def care():
    """PHQ-9 16 on 2 Mar, 12 on 1 Jun, 9 on 20 Nov 2026 (recovered)."""
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr Ann Okafor"
    membership.user.save()
    client.full_name = "Jordan Ellis"
    client.save()
    client.practice.name = "Harbour Counselling"
    client.practice.save()
    with time_machine.travel(NOW, tick=False):
        for key, when, answers in [
            ("a", _utc(3, 2), [2, 2, 2, 2, 2, 2, 2, 2, 0]),
            ("b", _utc(6, 1), [2, 2, 2, 2, 1, 1, 1, 1, 0]),
            ("c", _utc(11, 20), [1, 1, 1, 1, 1, 1, 1, 2, 0]),
        ]:
            response_submit(
                client=client,
                actor=client.user,
                instrument_code="phq9",
                answers=answers,
                idempotency_key=key,
                submitted_at=when,
            )
    return membership, client


def _layout_text(document) -> str:
    """The text WeasyPrint laid out on the pages, in order (no PDF text extractor here)."""
    words: list[str] = []

    def walk(box) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            words.append(text)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(" ".join(words).split())


@pytest.fixture
def rendered(monkeypatch):
    """Records the HTML each PDF was made from (and still lays out the real PDF)."""
    seen: list[str] = []
    original = report.pdf_document

    def spy(html: str, *, base_url: str):
        seen.append(html)
        return original(html, base_url=base_url)

    monkeypatch.setattr(report, "pdf_document", spy)
    return seen


def _pdf_url(client, query: str = "") -> str:
    return f"/clinic/clients/{client.public_id}/report.pdf{query}"


def _make(http: HttpClient, client, capture, **dates: str):
    """The report page's "Download PDF": ask for the PDF (the immediate backend builds it once
    the request commits), then follow to its page. Returns (the POST's response, the job)."""
    with capture(execute=True):
        response = http.post(_pdf_url(client), {k: v for k, v in dates.items()})
    job = ReportJob.objects.order_by("-pk").first()
    return response, job


def _download(http: HttpClient, job):
    return http.get(f"/clinic/reports/{job.public_id}/download/")


@pytest.mark.django_db
def test_pdf_is_a_real_pdf_with_the_chart_the_numbers_and_the_dates(
    care, rendered, django_capture_on_commit_callbacks, reports_dir
):
    membership, client = care
    http = _as(membership.user)
    with time_machine.travel(NOW, tick=False):
        asked, job = _make(http, client, django_capture_on_commit_callbacks)
        page = http.get(asked["Location"])
        response = _download(http, job)

    assert asked.status_code == 303
    assert asked["Location"] == f"/clinic/reports/{job.public_id}/"
    assert "The PDF is ready" in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="interlude-progress-report-2026-11-25.pdf"'
    )
    assert response["Cache-Control"] == "no-store, private"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF-")
    assert pdf == (reports_dir / job.file_name).read_bytes()
    assert (reports_dir / job.file_name).stat().st_mode & 0o777 == 0o600
    assert reports_dir.stat().st_mode & 0o777 == 0o700
    html = rendered[0]
    assert 'class="chart chart-wide instrument-chart"' in html
    assert "<style>.chart-band" in html  # the chart carries its colours into the PDF
    assert "Harbour Counselling" in html
    assert "16 (moderately severe), 2 Mar 2026" in html
    assert "9 (mild), 20 Nov 2026" in html
    assert "<td>down 7</td>" in html
    assert "<td>Recovered</td>" in html
    assert "Reliable change 6 or more points; clinical range 10 or more" in html
    assert (
        "Prepared by Dr Ann Okafor on 25 November 2026. For the clinical record, or for a "
        "referrer with the client's agreement."
    ) in html
    document = report.pdf_document(html, base_url="http://testserver/")
    assert job.pages == len(document.pages) == 1
    assert job.size == len(pdf)
    text = _layout_text(document)
    assert "Patient Health Questionnaire-9 (PHQ-9)" in text
    assert "2 March 2026 to 25 November 2026" in text
    assert "Jordan Ellis" in text


@pytest.mark.django_db
def test_pdf_export_is_audited_when_it_is_served_not_when_it_is_built(
    care, django_capture_on_commit_callbacks
):
    membership, client = care
    http = _as(membership.user)
    with time_machine.travel(NOW, tick=False):
        _, job = _make(http, client, django_capture_on_commit_callbacks)
        assert job.status == ReportStatus.READY
        assert not AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORTED).exists()
        _download(http, job)

    exported = AuditEvent.objects.get(action=AuditAction.REPORT_EXPORTED)
    assert exported.actor_id == membership.user.pk
    assert exported.client_id == client.pk
    assert (exported.object_type, exported.object_id) == ("report", "progress_pdf")
    viewed = AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED).latest("seq")
    assert viewed.detail == {"scopes": ["measures", "checkins", "journal"]}
    assert exported.seq == viewed.seq + 1


@pytest.mark.django_db
def test_pdf_for_a_chosen_period_shows_only_that_period(
    care, rendered, django_capture_on_commit_callbacks
):
    membership, client = care
    with time_machine.travel(NOW, tick=False):
        _, job = _make(
            _as(membership.user),
            client,
            django_capture_on_commit_callbacks,
            **{"from": "2026-05-01", "to": "2026-06-30"},
        )

    assert (job.date_from, job.date_to) == (date(2026, 5, 1), date(2026, 6, 30))
    assert job.status == ReportStatus.READY
    html = rendered[0]
    assert "1 May 2026 to 30 June 2026" in html
    assert "12 (moderate), 1 Jun 2026" in html  # the latest answer in the period
    assert "16 (moderately severe), 2 Mar 2026" in html  # intake stays the first answer
    assert "9 (mild)" not in html


@pytest.mark.django_db
def test_pdf_outside_the_care_team_is_a_404_and_exports_nothing(care):
    _, client = care
    stranger = MembershipFactory(user=UserFactory(mfa_exempt=True))
    http = _as(stranger.user)

    assert http.post(_pdf_url(client)).status_code == 404
    for path in ("report.pdf", "report/"):
        assert http.get(f"/clinic/clients/{client.public_id}/{path}").status_code == 404
    assert not ReportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORTED).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_ACCESS_DENIED).count() == 3


@pytest.mark.django_db
def test_pdf_with_wrong_dates_explains_them_and_asks_for_nothing(care, rendered):
    membership, client = care
    with time_machine.travel(NOW, tick=False):
        response = _as(membership.user).post(
            _pdf_url(client), {"from": "2026-07-01", "to": "2026-06-30"}
        )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "There is a problem with the dates" in page
    assert (
        "The start date (2026-07-01) is after the end date (2026-06-30): choose a start date "
        "on or before the end date."
    ) in page
    assert "Download PDF" not in page
    assert rendered == []
    assert not ReportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORTED).exists()


@pytest.mark.django_db
def test_preview_shows_the_same_report_with_a_download_button(care):
    membership, client = care
    with time_machine.travel(NOW, tick=False):
        response = _as(membership.user).get(f"/clinic/clients/{client.public_id}/report/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="chart chart-wide instrument-chart"' in page
    assert "<style>" not in page  # the page's stylesheets colour the chart on screen
    assert f'<form id="report-pdf" method="post" action="{_pdf_url(client)}" hidden>' in page
    assert '<input type="hidden" name="from" value="2026-03-02">' in page
    assert '<input type="hidden" name="to" value="2026-11-25">' in page
    assert (
        '<button type="submit" form="report-pdf" class="button button-primary">Download PDF'
    ) in page
    assert "<td>Recovered</td>" in page
    assert not ReportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORTED).exists()


@pytest.mark.django_db
def test_preview_with_a_date_that_is_not_a_date(care):
    membership, client = care
    with time_machine.travel(NOW, tick=False):
        response = _as(membership.user).get(
            f"/clinic/clients/{client.public_id}/report/?from=March&to=2026-13-01"
        )

    assert response.status_code == 400
    assert [e.message for e in response.context["errors"]] == [
        "Enter the start date as year-month-day, for example 2026-03-01 (not “March”).",
        "The end date 2026-13-01 is not a date in the calendar.",
    ]
    assert 'aria-invalid="true"' in response.content.decode()


@pytest.mark.django_db
def test_report_for_a_client_without_answers_says_so(rendered, django_capture_on_commit_callbacks):
    membership, client = clinician_with_client()
    http = _as(membership.user)
    with time_machine.travel(NOW, tick=False):
        _, job = _make(http, client, django_capture_on_commit_callbacks)
        response = _download(http, job)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "No questionnaires answered yet." in rendered[0]
    assert (job.steps_done, job.steps_total, job.pages) == (2, 2, 1)


def test_report_instrument_marks_reliable_change_on_the_chart():
    class Row:
        def __init__(self, pk, when, total, band, classification, flags=()):
            self.pk = pk
            self.submitted_at = when
            self.total = total
            self.band_label = band
            self.classification = classification
            self.classification_reason = "Improved by 7."
            self.flags = list(flags)
            self.scoring_meta = {"reliable_change": 6, "clinical_range": {"at_or_above": 10}}

        @property
        def is_critical(self):
            return any(f.get("critical") for f in self.flags)

    from interlude.measures.instruments import shipped_definitions
    from interlude.measures.selectors import InstrumentSeries

    rows = [
        Row(1, _utc(3, 2), 16, "Moderately severe", "baseline"),
        Row(2, _utc(6, 1), 9, "Mild", "recovered"),
        Row(3, _utc(7, 1), 9, "Mild", "recovered", [{"critical": True}]),
    ]
    series = InstrumentSeries(definition=shipped_definitions()["phq9"], responses=rows)
    shaped = report.report_instrument(
        series, date_range=DateRange(FIRST, TODAY), zone=ZoneInfo("America/New_York")
    )
    assert shaped is not None
    assert 'class="chart-point marker-recovered"' in shaped.chart_svg
    assert 'class="chart-point marker-critical"' in shaped.chart_svg
    assert [label for _, label in shaped.legend] == ["Recovered", "Critical item endorsed"]
    assert (
        shaped.summary == "3 answers from 2 Mar 2026 to 1 Jul 2026; latest 9 (mild) on 1 Jul 2026."
    )
    assert shaped.row.change == "down 7"
    assert (
        report.report_instrument(
            series, date_range=DateRange(date(2026, 8, 1), TODAY), zone=ZoneInfo("UTC")
        )
        is None
    )


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed object streams inflated, to look for dictionary keys."""
    import re
    import zlib

    out = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(out)


@pytest.mark.django_db
def test_pdf_has_no_css_warnings_is_tagged_and_its_chart_text_is_12px_or_more(
    care, rendered, caplog, django_capture_on_commit_callbacks
):
    """WeasyPrint warns about CSS it ignores: the report uses none. The PDF is PDF/UA (tagged:
    a structure tree, marked content) for screen readers. The chart is laid out at 640 px or
    wider, so its 12-unit text prints at 12 CSS px or more; band names stay inside it."""
    import logging

    membership, client = care
    http = _as(membership.user)
    with time_machine.travel(NOW, tick=False):
        _, job = _make(http, client, django_capture_on_commit_callbacks)
        served = b"".join(_download(http, job).streaming_content)
    html = rendered[0]

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = report.pdf_document(html, base_url="http://testserver/")
        pdf = report.pdf_render(html, base_url="http://testserver/")
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING
    ]

    assert warnings == [], "\n".join(sorted(set(warnings)))
    for pdf_bytes in (pdf, served):
        objects = _pdf_objects(pdf_bytes)
        assert b"/StructTreeRoot" in objects
        assert b"/MarkInfo" in objects
        assert b"pdfuaid:part" in objects  # the PDF/UA identification in its XMP metadata

    widths = []

    def walk(box) -> None:
        if str(getattr(box, "element_tag", "")).endswith("svg") and "instrument-chart" in (
            box.element.get("class") or ""
        ):
            widths.append(box.width)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    assert widths, "no instrument chart in the PDF"
    assert min(widths) >= 640
