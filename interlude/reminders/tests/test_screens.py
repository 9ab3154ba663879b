"""The client's reminder page and API, device registration, the owner's switch and the record's
"Reaching the client" panel."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.access import access_client
from interlude.consents.modules_services import client_modules_set
from interlude.practices.enums import Module, Role
from interlude.reminders.models import (
    DeliveryAttempt,
    DeliveryOutcome,
    PracticeReminderSettings,
    PushSubscription,
    Reminder,
    ReminderPreferences,
    ReminderStatus,
)
from interlude.reminders.panels import record_reaching
from interlude.tracking.models import CheckIn
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
GOOD = {"channel": "email", "preferred_time": "20:15", "quiet_start": "22:00", "quiet_end": "07:00"}


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _put(http, body):
    return http.put("/api/v1/me/reminders", json.dumps(body), content_type="application/json")


def test_api_reads_defaults_then_saves_and_audits():
    _, client = clinician_with_client()
    http = _as(client.user)
    got = http.get("/api/v1/me/reminders")
    assert got.status_code == 200
    assert got.json() == {
        "channel": "none",  # no onboarding answer: no reminders until the client chooses
        "preferred_time": "19:00",
        "quiet_start": None,
        "quiet_end": None,
        "paused": False,
        "push_available": False,
        "vapid_public_key": None,
    }
    saved = _put(http, GOOD)
    assert saved.status_code == 200
    assert saved.json()["preferred_time"] == "20:15"
    prefs = ReminderPreferences.objects.get(client=client)
    assert (prefs.channel, prefs.preferred_time, prefs.quiet_start, prefs.quiet_end) == (
        "email",
        time(20, 15),
        time(22, 0),
        time(7, 0),
    )
    assert list(
        AuditEvent.objects.filter(action=AuditAction.REMINDER_SETTINGS_CHANGED).values_list(
            "detail", flat=True
        )
    ) == [{"channel": "email", "paused": False}]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"preferred_time": "25:00"}, "preferred_time"),
        ({"preferred_time": 1900}, "preferred_time"),
        ({"preferred_time": "19:00+02:00"}, "preferred_time"),
        ({"quiet_start": "late"}, "quiet_start"),
        ({"quiet_end": None}, "quiet_end"),
        ({"quiet_end": "22:00"}, "quiet_end"),
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "push"}, "channel"),  # the practice has not turned web push on
    ],
)
def test_api_refuses_bad_settings_with_422_naming_the_field(change, field):
    _, client = clinician_with_client()
    response = _put(_as(client.user), {**GOOD, **change})
    assert response.status_code == 422
    assert [d["loc"][-1] for d in response.json()["detail"]] == [field]
    assert not ReminderPreferences.objects.filter(client=client).exists()


def test_module_off_answers_404_on_page_and_api():
    membership, client = clinician_with_client()
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.REMINDERS])
    http = _as(client.user)
    assert http.get("/me/reminders/").status_code == 404
    assert http.get("/api/v1/me/reminders").status_code == 404
    assert _put(http, GOOD).status_code == 404
    device = {"endpoint": "https://push.example.org/x", "keys": {"p256dh": "a", "auth": "b"}}
    posted = http.post("/api/v1/me/push-subscriptions", device, content_type="application/json")
    assert posted.status_code == 404


def test_a_clinician_has_no_reminder_settings_of_their_own():
    membership, _ = clinician_with_client()
    assert _as(membership.user).get("/api/v1/me/reminders").status_code == 404


def test_page_shows_the_form_and_explains_when_push_is_not_offered():
    _, client = clinician_with_client()
    http = _as(client.user)
    page = http.get("/me/reminders/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your practice does not offer notifications on your phone" in html
    assert 'value="push"' not in html
    posted = http.post(
        "/me/reminders/",
        {"channel": "email", "preferred_time": "18:30", "quiet_start": "", "quiet_end": ""},
    )
    assert posted.status_code == 302
    assert ReminderPreferences.objects.get(client=client).preferred_time == time(18, 30)


def test_page_names_the_field_at_fault():
    _, client = clinician_with_client()
    page = _as(client.user).post(
        "/me/reminders/", {"channel": "email", "preferred_time": "18:30", "quiet_start": "22:00"}
    )
    assert page.status_code == 400
    assert "Enter both when quiet hours start and when they end, or neither." in (
        page.content.decode()
    )


def test_page_offers_the_phone_button_when_the_practice_and_server_allow_push(settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = "BPUBLIC", "private"
    _, client = clinician_with_client()
    PracticeReminderSettings.objects.create(practice=client.practice, web_push_enabled=True)
    html = _as(client.user).get("/me/reminders/").content.decode()
    assert 'id="push-subscribe" data-key="BPUBLIC"' in html
    assert 'value="push"' in html


def test_a_device_is_stored_encrypted_and_audited(settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = "BPUBLIC", "private"
    _, client = clinician_with_client()
    http = _as(client.user)
    body = {
        "endpoint": "https://push.example.org/send/canary-endpoint-7731",
        "keys": {
            "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQ",
            "auth": "tBHItJI5svbpez7KI4CCXg",
        },
    }
    refused = http.post("/api/v1/me/push-subscriptions", body, content_type="application/json")
    assert refused.status_code == 422  # the practice has not turned it on
    PracticeReminderSettings.objects.create(practice=client.practice, web_push_enabled=True)
    first = http.post("/api/v1/me/push-subscriptions", body, content_type="application/json")
    again = http.post("/api/v1/me/push-subscriptions", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()  # the same device again
    device = PushSubscription.objects.get(client=client)
    assert device.subscription["endpoint"] == body["endpoint"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT subscription FROM reminders_pushsubscription")
        (raw,) = cursor.fetchone()
    assert "canary-endpoint" not in raw
    assert AuditEvent.objects.filter(action=AuditAction.PUSH_SUBSCRIBED).count() == 2


def test_a_device_must_give_an_https_push_address(settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = "BPUBLIC", "private"
    _, client = clinician_with_client()
    PracticeReminderSettings.objects.create(practice=client.practice, web_push_enabled=True)
    response = _as(client.user).post(
        "/api/v1/me/push-subscriptions",
        {"endpoint": "http://10.0.0.1/steal", "keys": {"p256dh": "abc", "auth": "def"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "endpoint"


def test_owner_turns_web_push_on_and_it_is_audited():
    membership, _ = clinician_with_client()
    owner = MembershipFactory(
        practice=membership.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    http = _as(owner.user)
    assert http.get("/practice/reminders/").status_code == 200
    assert http.post("/practice/reminders/", {"web_push_enabled": "on"}).status_code == 302
    assert PracticeReminderSettings.objects.get(practice=owner.practice).web_push_enabled is True
    assert (
        AuditEvent.objects.filter(action=AuditAction.PRACTICE_REMINDER_SETTINGS_CHANGED).count()
        == 1
    )


def test_record_panel_says_how_long_since_data_and_whether_reminders_reach():
    membership, client = clinician_with_client()
    ReminderPreferences.objects.create(client=client, channel="email")
    with time_machine.travel(datetime(2026, 4, 30, 15, 0, tzinfo=UTC), tick=False):
        checkin_create(
            client=client, actor=client.user, values=CheckInValues(mood=6), idempotency_key="k1"
        )
    sent = Reminder.objects.create(
        practice=client.practice,
        client=client,
        local_date=date(2026, 5, 3),
        wall_time=time(19, 0),
        time_zone=client.time_zone,
        due_at=datetime(2026, 5, 3, 23, 0, tzinfo=UTC),
        next_attempt_at=datetime(2026, 5, 3, 23, 0, tzinfo=UTC),
        status=ReminderStatus.SENT,
        finished_at=datetime(2026, 5, 3, 23, 0, tzinfo=UTC),
    )
    DeliveryAttempt.objects.create(
        reminder=sent,
        channel="email",
        outcome=DeliveryOutcome.NOT_ACCEPTED,
        reason="mail server answered 451",
        at=datetime(2026, 5, 3, 22, 58, tzinfo=UTC),
    )
    with time_machine.travel(NOW, tick=False):
        care = access_client(user=membership.user, client_id=client.public_id)
        ctx = record_reaching(care)
    assert (ctx["shared"], ctx["last_recorded"], ctx["days"], ctx["module_on"]) == (
        True,
        date(2026, 4, 30),
        4,
        True,
    )
    assert ctx["reach"].last_sent_at == datetime(2026, 5, 3, 23, 0, tzinfo=UTC)
    assert ctx["reach"].last_failure_reason == "mail server answered 451"
    assert CheckIn.objects.filter(client=client).count() == 1


def test_demo_seed_is_idempotent():
    from interlude.reminders.demo import seed_demo

    _, client = clinician_with_client()
    for _ in range(2):
        seed_demo(practice=client.practice, clients=[client], now=NOW)
    assert Reminder.objects.filter(client=client, status=ReminderStatus.SENT).count() == 7
    assert DeliveryAttempt.objects.filter(reminder__client=client).count() == 8


def test_reach_summary_reads_in_a_fixed_number_of_queries(django_assert_num_queries):
    from interlude.reminders.selectors import reminder_reach

    _, client = clinician_with_client()
    ReminderPreferences.objects.create(client=client)
    with time_machine.travel(NOW, tick=False):
        from interlude.reminders.demo import seed_demo

        seed_demo(practice=client.practice, clients=[client], now=NOW)
    with django_assert_num_queries(5):
        reach = reminder_reach(client=client)
    assert (reach.channel, reach.paused, reach.devices) == ("email", False, 0)
    assert reach.last_failure_reason == "mail server answered 451"
