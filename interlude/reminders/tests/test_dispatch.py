"""Sending: one claim per reminder, email without clinical content, retries with back-off only
when the channel did not accept, a gone device deleted, a passed day skipped. Web push goes to a
real HTTP server on 127.0.0.1 standing in for the browser maker's push service (pywebpush does the
real encryption and VAPID signing)."""

from __future__ import annotations

import base64
import json
import os
import smtplib
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from py_vapid import Vapid

from interlude.reminders.models import (
    Channel,
    DeliveryAttempt,
    PracticeReminderSettings,
    PushSubscription,
    Reminder,
    ReminderPreferences,
    ReminderStatus,
)
from interlude.reminders.services import (
    MAX_ATTEMPTS,
    reminder_claim,
    reminders_dispatch,
)
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 17, 0, tzinfo=UTC)  # 19:00 in Berlin
CLIENT_NAME = "Quentin Zebedee-Marlowe"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _client(channel: str = Channel.EMAIL):
    _, client = clinician_with_client()
    client.full_name = CLIENT_NAME
    client.time_zone = "Europe/Berlin"
    client.save(update_fields=["full_name", "time_zone"])
    ReminderPreferences.objects.create(client=client, channel=channel)
    return client


def _reminder(client, *, day: date = date(2026, 5, 4), due: datetime = NOW) -> Reminder:
    return Reminder.objects.create(
        practice=client.practice,
        client=client,
        local_date=day,
        wall_time=time(19, 0),
        time_zone="Europe/Berlin",
        due_at=due,
        next_attempt_at=due,
    )


def _log(reminder: Reminder) -> list[tuple[str, str, str]]:
    return list(
        DeliveryAttempt.objects.filter(reminder=reminder).values_list(
            "channel", "outcome", "reason"
        )
    )


# --- claiming -------------------------------------------------------------------------------------
def test_the_second_claim_loses():
    reminder = _reminder(_client())
    assert reminder_claim(reminder_id=reminder.pk, worker="a") is True
    assert reminder_claim(reminder_id=reminder.pk, worker="b") is False
    reminder.refresh_from_db()
    assert (reminder.status, reminder.claimed_by) == (ReminderStatus.CLAIMED, "a")


def test_dispatch_sends_a_due_reminder_once_however_often_it_runs():
    client = _client()
    reminder = _reminder(client)
    with time_machine.travel(NOW, tick=False):
        first = reminders_dispatch(worker="a", plan=False)
        second = reminders_dispatch(worker="b", plan=False)
    assert (first["sent"], second["sent"]) == (1, 0)
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.channel, reminder.finished_at) == (
        ReminderStatus.SENT,
        1,
        Channel.EMAIL,
        NOW,
    )
    assert _log(reminder) == [("email", "sent", "accepted by the mail server")]


def test_a_reminder_not_yet_due_is_not_sent():
    _reminder(_client(), due=NOW + timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        assert reminders_dispatch(plan=False)["sent"] == 0
    assert mail.outbox == []


# --- the email ------------------------------------------------------------------------------------
def test_the_email_says_only_that_something_is_due_and_links_to_today():
    client = _client()
    _reminder(client)
    with time_machine.travel(NOW, tick=False):
        reminders_dispatch(plan=False)
    (message,) = mail.outbox
    assert message.to == [client.user.email]
    assert message.subject == "You have something to do in Interlude today"
    assert "You have something to do in Interlude today." in message.body
    assert "http://127.0.0.1:8000/today/" in message.body
    text = (message.subject + message.body).lower()
    for secret in [
        *CLIENT_NAME.lower().replace("-", " ").split(),
        "homework",
        "worksheet",
        "thought record",
        "phq",
        "questionnaire",
        "breathing",
        "mood",
        "check-in",
    ]:
        assert secret not in text, secret


# --- retries --------------------------------------------------------------------------------------
class RefusingBackend(BaseEmailBackend):
    """A mail server that answers every message with `code`."""

    code = 451

    def send_messages(self, messages):
        raise smtplib.SMTPDataError(self.code, b"try again later")


class PermanentRefusal(RefusingBackend):
    code = 550


def test_a_temporary_smtp_refusal_retries_with_exponential_back_off_then_gives_up(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    reminder = _reminder(_client())
    at = NOW
    expected_waits = [2, 4, 8, 16]
    for wait in expected_waits:
        with time_machine.travel(at, tick=False):
            assert reminders_dispatch(plan=False)["retry"] == 1
        reminder.refresh_from_db()
        assert reminder.status == ReminderStatus.SCHEDULED
        assert reminder.next_attempt_at == at + timedelta(minutes=wait)
        with time_machine.travel(at + timedelta(minutes=wait) - timedelta(seconds=1), tick=False):
            assert reminders_dispatch(plan=False)["retry"] == 0  # not before its time
        at = reminder.next_attempt_at
    with time_machine.travel(at, tick=False):
        assert reminders_dispatch(plan=False)["failed"] == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, MAX_ATTEMPTS)
    assert [o for _, o, _ in _log(reminder)] == ["not_accepted"] * MAX_ATTEMPTS
    assert _log(reminder)[0][2] == "mail server answered 451"


def test_a_permanent_smtp_refusal_is_not_retried(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.PermanentRefusal"}}
    reminder = _reminder(_client())
    with time_machine.travel(NOW, tick=False):
        assert reminders_dispatch(plan=False)["failed"] == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, 1)
    assert _log(reminder) == [("email", "failed", "mail server answered 550")]


# --- skipping -------------------------------------------------------------------------------------
def test_a_reminder_whose_day_has_passed_is_skipped_not_sent_late():
    reminder = _reminder(_client())
    # 00:30 on 5 May in Berlin: the reminder for 4 May is no use any more.
    with time_machine.travel(datetime(2026, 5, 4, 22, 30, tzinfo=UTC), tick=False):
        assert reminders_dispatch(plan=False)["skipped"] == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SKIPPED
    assert mail.outbox == []
    assert _log(reminder) == [("", "skipped", "its day had passed")]


def test_pausing_after_planning_skips_the_reminder():
    client = _client()
    reminder = _reminder(client)
    ReminderPreferences.objects.filter(client=client).update(paused=True)
    with time_machine.travel(NOW, tick=False):
        assert reminders_dispatch(plan=False)["skipped"] == 1
    assert _log(reminder) == [("", "skipped", "paused by the client")]


# --- web push -------------------------------------------------------------------------------------
class PushService:
    """A push service on 127.0.0.1 that answers each POST with the next status in `answers`."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self.bodies: list[bytes] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                service.bodies.append(self.rfile.read(length))
                service.headers = {k.lower(): v for k, v in self.headers.items()}
                self.send_response(service.answers.pop(0) if service.answers else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push/device-1"
        self.headers: dict[str, str] = {}
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def push_service(settings) -> Iterator[PushService]:
    vapid = Vapid()
    vapid.generate_keys()
    settings.VAPID_PRIVATE_KEY = b64(
        vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    )
    settings.VAPID_PUBLIC_KEY = b64(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    service = PushService()
    yield service
    service.server.shutdown()


def _device(client, url: str) -> PushSubscription:
    PracticeReminderSettings.objects.create(practice=client.practice, web_push_enabled=True)
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return PushSubscription.objects.create(
        practice=client.practice,
        client=client,
        subscription={"endpoint": url, "keys": {"p256dh": b64(point), "auth": b64(os.urandom(16))}},
        endpoint_hash="x" * 64,
        created_by=client.user,
        updated_by=client.user,
    )


def test_push_is_sent_encrypted_and_signed(push_service):
    client = _client(Channel.PUSH)
    _device(client, push_service.url)
    reminder = _reminder(client)
    with time_machine.travel(NOW, tick=False):
        assert reminders_dispatch(plan=False)["sent"] == 1
    assert len(push_service.bodies) == 1
    assert b"something to do" not in push_service.bodies[0]  # encrypted (aes128gcm)
    assert push_service.headers["authorization"].startswith("vapid t=")
    assert _log(reminder) == [("push", "sent", "push service accepted (201)")]


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_device_is_deleted_and_the_reminder_fails_without_retry(push_service, status):
    client = _client(Channel.PUSH)
    _device(client, push_service.url)
    push_service.answers = [status]
    reminder = _reminder(client)
    with time_machine.travel(NOW, tick=False):
        assert reminders_dispatch(plan=False)["failed"] == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, 1)
    assert PushSubscription.objects.filter(client=client).count() == 0
    assert _log(reminder) == [("push", "failed", "device no longer subscribed")]


@pytest.mark.parametrize("status", [429, 503])
def test_a_busy_push_service_is_retried_later(push_service, status):
    client = _client(Channel.PUSH)
    _device(client, push_service.url)
    push_service.answers = [status]
    reminder = _reminder(client)
    with time_machine.travel(NOW, tick=False):
        assert reminders_dispatch(plan=False)["retry"] == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.next_attempt_at) == (
        ReminderStatus.SCHEDULED,
        NOW + timedelta(minutes=2),
    )
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        assert reminders_dispatch(plan=False)["sent"] == 1
    assert [o for _, o, _ in _log(reminder)] == ["not_accepted", "sent"]
    assert PushSubscription.objects.filter(client=client).count() == 1


def test_a_push_refused_for_a_bad_request_is_not_retried(push_service):
    client = _client(Channel.PUSH)
    _device(client, push_service.url)
    push_service.answers = [400]
    reminder = _reminder(client)
    with time_machine.travel(NOW, tick=False):
        assert reminders_dispatch(plan=False)["failed"] == 1
    assert _log(reminder) == [("push", "failed", "push service refused (400)")]


def test_the_push_payload_is_as_bland_as_the_email():
    from interlude.reminders.push import PAYLOAD

    assert json.loads(PAYLOAD) == {
        "title": "Interlude",
        "body": "You have something to do in Interlude today",
        "url": "/today/",
    }
