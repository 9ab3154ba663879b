"""Alert rule settings: owners and admins change the numbers, clinicians cannot, and the numbers
are what the rules then use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient

from interlude.alerts.models import Alert, AlertKind, AlertSettings
from interlude.alerts.services import alert_settings_get, alerts_sweep_checkins
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.core.clock import client_today
from interlude.practices.enums import Role
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db

URL = "/practice/alerts/"
DEFAULTS = {
    "escalation_minutes": "120",
    "no_checkin_days": "7",
    "overdue_days": "2",
    "mood_recent_days": "3",
    "mood_baseline_days": "28",
    "mood_min_baseline_days": "10",
    "mood_drop_sd": "1.5",
    "mood_drop_min_points": "2",
}


@pytest.fixture
def setup():
    membership, client = clinician_with_client()
    admin = MembershipFactory(
        practice=membership.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    http = HttpClient()
    http.force_login(admin.user)
    return http, membership.practice, membership, client


def test_page_shows_current_numbers_with_their_rules_and_says_it_is_not_watched_around_the_clock(
    setup,
):
    http, *_ = setup
    response = http.get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    form = response.context["form"]
    assert {name: form[name].value() for name in DEFAULTS} == {
        "escalation_minutes": 120,
        "no_checkin_days": 7,
        "overdue_days": 2,
        "mood_recent_days": 3,
        "mood_baseline_days": 28,
        "mood_min_baseline_days": 10,
        "mood_drop_sd": 1.5,
        "mood_drop_min_points": 2.0,
    }
    assert "Alerts are reviewed during your practice's working hours." in html
    assert "Interlude is not monitored around the clock and is not an emergency service." in html
    assert "baseline average \u2212 recent average \u2265 the larger of" in html
    assert "practice owners get an email too" in html


def test_clinician_gets_404(setup):
    _http, _practice, membership, _client = setup
    http = HttpClient()
    http.force_login(membership.user)

    assert http.get(URL).status_code == 404
    assert http.post(URL, {**DEFAULTS, "escalation_minutes": "30"}).status_code == 404
    assert AlertSettings.objects.count() == 0


def test_admin_saves_the_numbers_and_it_is_audited(setup):
    http, practice, *_ = setup
    response = http.post(URL, {**DEFAULTS, "escalation_minutes": "30", "mood_drop_sd": "2.5"})

    assert response.status_code == 302
    assert response["Location"] == URL
    saved = alert_settings_get(practice=practice)
    assert (saved.escalation_minutes, saved.mood_drop_sd, saved.no_checkin_days) == (30, 2.5, 7)
    event = AuditEvent.objects.get(action=AuditAction.ALERT_SETTINGS_CHANGED)
    assert event.practice_id == practice.pk
    assert http.get(URL).context["form"]["escalation_minutes"].value() == 30


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"escalation_minutes": "4"}, "escalation_minutes", "Use a value from 5 to 10080."),
        ({"no_checkin_days": "0"}, "no_checkin_days", "Use a value from 1 to 90."),
        ({"overdue_days": "31"}, "overdue_days", "Use a value from 0 to 30."),
        ({"mood_recent_days": "1"}, "mood_recent_days", "Use a value from 2 to 14."),
        ({"mood_drop_sd": "0.4"}, "mood_drop_sd", "Use a value from 0.5 to 5."),
        ({"mood_drop_min_points": "11"}, "mood_drop_min_points", "Use a value from 0.5 to 10."),
        (
            {"mood_baseline_days": "14", "mood_min_baseline_days": "20"},
            "mood_min_baseline_days",
            "The minimum days with data cannot exceed the baseline period.",
        ),
        ({"no_checkin_days": ""}, "no_checkin_days", "Enter a number of days."),
        ({"escalation_minutes": "1.5"}, "escalation_minutes", "Enter a whole number of minutes."),
        ({"mood_drop_sd": "lots"}, "mood_drop_sd", "Enter a number, e.g. 1.5."),
    ],
)
def test_errors_are_exact_and_nothing_is_saved(setup, change, field, message):
    http, *_ = setup
    response = http.post(URL, {**DEFAULTS, **change})

    assert response.status_code == 400
    assert dict(response.context["form"].errors) == {field: [message]}
    assert "There is a problem" in response.content.decode()
    assert AlertSettings.objects.count() == 0


def test_no_checkin_days_takes_effect_in_the_sweep(setup):
    http, _practice, _m, client = setup
    client.started_on = client_today(client) - timedelta(days=4)  # the client's days
    client.save()
    alerts_sweep_checkins()
    assert Alert.objects.filter(kind=AlertKind.NO_CHECKIN).count() == 0  # 7 days by default

    assert http.post(URL, {**DEFAULTS, "no_checkin_days": "3"}).status_code == 302
    alerts_sweep_checkins()

    alert = Alert.objects.get(client=client, kind=AlertKind.NO_CHECKIN)
    assert alert.reason == "No check-in yet, 4 days after starting."
