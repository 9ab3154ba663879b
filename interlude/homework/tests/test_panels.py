"""The homework panels on the client record and the pre-session brief, and the honest
arithmetic behind "adherence and score change"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine

from interlude.consents.access import access_client
from interlude.homework.panels import rho_interval, score_relation, spearman
from interlude.homework.selectors import assignment_reports
from interlude.homework.services import assignment_complete
from interlude.homework.tests.helpers import assign
from tests.factories import clinician_with_client

NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)


def test_spearman_with_ties_and_constant_input():
    assert spearman([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 2, 3, 4], [1, 2, 3, 4, 5]) == pytest.approx(0.9746794)
    assert spearman([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]) is None


def test_interval_is_wide_with_few_periods():
    low, high = rho_interval(0.5, 6)
    assert (round(low, 2), round(high, 2)) == (-0.57, 0.94)


@dataclass
class _Response:
    submitted_at: datetime
    total: float


@dataclass
class _Definition:
    short_name: str = "PHQ-9"


@dataclass
class _Series:
    responses: list
    definition: _Definition


@pytest.mark.django_db
def test_with_fewer_than_five_periods_no_correlation_is_computed():
    with time_machine.travel(NOW, tick=False):
        membership, client = clinician_with_client()
        a = assign(membership, client, starts_on=date(2026, 3, 2))
        for day in (2, 3, 4, 6):
            assignment_complete(
                assignment=a, occurrence=date(2026, 3, day), status="done", actor=client.user
            )
        care = access_client(user=membership.user, client_id=client.public_id)
        reports = assignment_reports(access=care, today=date(2026, 3, 11))
    series = [
        _Series(
            [
                _Response(datetime(2026, 3, d, 15, tzinfo=UTC), t)
                for d, t in ((2, 18.0), (5, 15.0), (9, 12.0))
            ],
            _Definition(),
        )
    ]
    relation = score_relation(
        reports=reports, series=series, today=date(2026, 3, 11), client=client
    )
    assert relation is not None
    assert relation.n == 2
    assert relation.rho is None
    # 2-5 March: 2, 3 and 4 recorded (5 is the next period's first day); 5-9 March: only the 6th.
    assert [
        (p.start, p.end, p.adherence.completed, p.adherence.n, p.score_change)
        for p in relation.periods
    ] == [
        (date(2026, 3, 2), date(2026, 3, 5), 3, 3, -3.0),
        (date(2026, 3, 5), date(2026, 3, 9), 1, 4, -3.0),
    ]


@pytest.mark.django_db
def test_record_and_brief_show_the_homework_panel():
    from django.test import Client as HttpClient

    with time_machine.travel(NOW, tick=False):
        membership, client = clinician_with_client()
        a = assign(membership, client, title="Evening check-in", starts_on=date(2026, 3, 2))
        assignment_complete(
            assignment=a,
            occurrence=date(2026, 3, 10),
            status="not_possible",
            actor=client.user,
            reason="Migraine all evening",
        )
        http = HttpClient()
        http.force_login(membership.user)
        record = http.get(f"/clinic/clients/{client.public_id}/").content.decode()
        brief = http.get(f"/clinic/clients/{client.public_id}/brief/").content.decode()
    assert "record-assignments-title" in record
    assert "Evening check-in" in record
    assert "No questionnaire scores shared since the homework began" in record
    assert "brief-assignments-title" in brief
    assert "Migraine all evening" in brief
