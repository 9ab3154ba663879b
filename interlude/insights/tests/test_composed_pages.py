"""Pages built from what the apps register (core.panels, core.timeline): the timeline merges the
registered timeline sources and says "not shared" for a category they read that the client does
not share; a panel registered for the brief shows on it; the report reads in a fixed number of
queries whatever the number of answers."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interlude.consents.access import Category
from interlude.core import panels, timeline
from interlude.core.panels import Page, panel_register, panels_for
from interlude.core.timeline import TimelineItem, timeline_source_register
from interlude.exercises.models import RelaxationSession
from interlude.insights.selectors_record import record_timeline
from interlude.insights.tests.test_record import care_of
from interlude.insights.tests.test_sharing_pages import (  # noqa: F401 - fixtures
    ZONE,
    _now,
    _urls,
    http_for,
    local,
    page,
    pair,
    share,
    text,
)
from interlude.measures.services import response_submit

pytestmark = pytest.mark.django_db


def test_a_timeline_from_registered_sources_says_not_shared_for_a_hidden_category(
    pair,  # noqa: F811
    monkeypatch,
):
    me, client = pair
    monkeypatch.setattr(timeline, "_TIMELINE", {})  # only the source below
    windows = []

    @timeline_source_register(name="sessions", order=10, reads=(Category.RELAXATION,))
    def sessions(access, *, since, until, **ctx):
        windows.append((since, until))
        rows = access.scope(
            RelaxationSession.objects.filter(started_at__gte=since, started_at__lt=until),
            Category.RELAXATION,
        )
        return [
            TimelineItem(
                day=s.started_at.astimezone(since.tzinfo).date(),
                at=s.started_at.astimezone(since.tzinfo),
                kind="relaxation",
                kind_label="Relaxation",
                title=f"FAKE-{s.kind}",
            )
            for s in rows
        ]

    shared = record_timeline(access=care_of(me, client))
    share(client, off=(Category.RELAXATION,))
    hidden = record_timeline(access=care_of(me, client))
    html = page(http_for(me), _urls(client)["record"])

    assert [(e.kind, e.title) for d in shared.days for e in d.entries] == [
        ("relaxation", "FAKE-box")
    ]
    assert shared.not_shared == []
    assert (hidden.days, hidden.total, hidden.counts) == ([], 0, {})
    assert [(m.category, m.text) for m in hidden.not_shared] == [
        (Category.RELAXATION, "Not shared by Jonah")
    ]
    today = timezone.localdate(timezone=ZONE)
    assert windows[0] == (
        datetime.combine(today - timedelta(days=29), time.min, tzinfo=ZONE),
        datetime.combine(today + timedelta(days=1), time.min, tzinfo=ZONE),
    )
    block = html.split('<div id="timeline"', 1)[1].split('<div id="', 1)[0]
    assert 'data-not-shared="relaxation"' in block
    assert "Not shared by Jonah" in text(block)
    assert "FAKE-box" not in html


def test_a_panel_registered_for_the_brief_shows_on_it_in_its_place(pair):  # noqa: F811
    me, client = pair

    @panel_register(
        page=Page.BRIEF,
        name="fake",
        title="Fake",
        order=55,
        template="partials/not_shared.html",
        region="right",
    )
    def fake(access, *, at, **ctx):
        # The panel gets the viewer's CareAccess and the period the page read once.
        return {
            "marker": SimpleNamespace(
                category="fake",
                text=f"FAKE-PANEL for {access.client.display_name}",
                reason=f"FAKE-SINCE {at.period.start_day.isoformat()}",
            )
        }

    try:
        response = http_for(me).get(_urls(client)["brief"])
    finally:
        panels._REGISTRY[Page.BRIEF].pop("fake")

    assert [(p.name, p.region) for p in response.context["panels"]] == [
        ("alerts", ""),
        ("questionnaires", ""),
        ("checkins", "left"),
        ("notable", "left"),
        ("homework", "right"),
        ("fake", "right"),
        ("next_session", "right"),
    ]
    html = response.content.decode()
    start = (timezone.localdate(timezone=ZONE) - timedelta(days=14)).isoformat()
    assert f"FAKE-PANEL for Jonah. FAKE-SINCE {start}" in text(html)
    # In the right-hand column, between the homework and the next session.
    assert html.index("brief-homework-title") < html.index("FAKE-PANEL")
    assert html.index("FAKE-PANEL") < html.index("brief-next-title")
    assert "fake" not in [p.name for p in panels_for(page=Page.BRIEF)]
    again = http_for(me).get(_urls(client)["brief"])
    assert "FAKE-PANEL" not in again.content.decode()


def _report_queries(me, client) -> int:
    http = http_for(me)
    url = _urls(client)["report"]
    # The clock stands still, so no once-every-9-seconds session write falls in.
    with time_machine.travel(timezone.now(), tick=False):
        http.get(url)  # the session settles
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
    return len(queries)


# The report preview: 14 for the session, the gate's read and audit, and the page's frame,
# then its own: the first answer's day (1, for the default period), and the questionnaires panel's
# practice instruments, their settings and the answers (3).
REPORT_QUERIES = 18


def test_the_report_reads_the_same_queries_with_1_and_with_20_answers(pair):  # noqa: F811
    me, client = pair
    one = _report_queries(me, client)
    for n in range(19):
        response_submit(
            client=client,
            actor=client.user,
            instrument_code="phq9",
            answers=[1, 1, 1, 1, 1, 1, 1, 1, 0],
            idempotency_key=str(uuid.uuid4()),
            submitted_at=local(4 + n, 9),
        )

    assert one == _report_queries(me, client) == REPORT_QUERIES
