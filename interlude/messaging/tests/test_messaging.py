"""Secure messaging: encrypted at rest, sent and read both ways, attachments checked and served
through the gate, risk words raise an alert and show crisis lines, one email per unread batch,
rate limits, validation, idempotency, messaging hours, the module switch."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image

from interlude.alerts.models import Alert, AlertKind, Severity
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.models import ClientPrivacy
from interlude.messaging.models import Message, MessageAttachment, MessagingSettings, Side
from interlude.messaging.risk_phrases import risk_phrase_match
from interlude.messaging.selectors import messaging_is_open, messaging_next_open
from interlude.messaging.services import Upload, message_send
from interlude.practices.models import CrisisResource
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    membership, client = clinician_with_client()
    CrisisResource.objects.create(
        practice=client.practice,
        country=client.country,
        name="Emergency services",
        phone="911",
        is_emergency=True,
    )
    return membership, client


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def post_json(http: HttpClient, url: str, body: dict):
    return http.post(url, json.dumps(body), content_type="application/json")


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


# --- risk phrases (pure) -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "Honestly I WANT TO DIE tonight",
        "i\u2019m going to kill myself",
        "I keep thinking about suicide",
        "they'd be better off without me",
        "I cut myself again last night",
        "I have   no reason to live",
    ],
)
def test_risk_phrases_catch_first_person_risk(text):
    assert risk_phrase_match(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "Session went well, see you Thursday",
        "I killed it at my presentation",
        "My phone died again",
        "the skill myself taught",  # "kill myself" inside another word: no match
        "I feel hurtful words stay with me",
        "",
    ],
)
def test_risk_phrases_leave_ordinary_text_alone(text):
    assert risk_phrase_match(text) is False


def test_risk_phrases_known_false_positive_is_documented():
    # Conservative by design: an idiom still matches (the module docstring says so).
    assert risk_phrase_match("that film made me want to die of laughter") is True


# --- storage -------------------------------------------------------------------------------------
def test_body_is_encrypted_at_rest(pair):
    _membership, client = pair
    message, created = message_send(
        client=client,
        sender=client.user,
        by=Side.CLIENT,
        body="canary-sleep-worse",
        idempotency_key="k1",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM messaging_message WHERE id = %s", [message.pk])
        raw = cursor.fetchone()[0]
    assert created is True
    assert "canary" not in raw
    assert raw.startswith("v2:")
    assert Message.objects.get(pk=message.pk).body == "canary-sleep-worse"


def test_attachment_bytes_are_encrypted_at_rest(pair):
    _, client = pair
    message, _ = message_send(
        client=client,
        sender=client.user,
        by=Side.CLIENT,
        body="",
        idempotency_key="a1",
        attachment=Upload("notes.pdf", PDF + b"CANARYBYTES"),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM messaging_messageattachment")
        raw = cursor.fetchone()[0]
    assert "CANARY" not in raw and "Q0FOQVJZ" not in raw
    assert MessageAttachment.objects.get(message=message).content == PDF + b"CANARYBYTES"


# --- API -----------------------------------------------------------------------------------------
def test_client_and_clinician_exchange_messages_with_read_state(pair):
    membership, client = pair
    as_client, as_clinician = logged_in(client.user), logged_in(membership.user)
    sent = post_json(as_client, "/api/v1/messages", {"body": "Hello", "idempotency_key": "c1"})
    assert sent.status_code == 200
    assert sent.json()["crisis"] is False
    thread = as_clinician.get(f"/api/v1/clients/{client.public_id}/messages").json()
    assert [(m["by"], m["body"], m["read_at"]) for m in thread["messages"]] == [
        ("client", "Hello", None)
    ]
    read = as_clinician.post(f"/api/v1/messages/{sent.json()['message']['id']}/read")
    assert read.status_code == 200
    assert read.json()["read_at"] == "2026-03-02T15:00:00Z"
    reply = post_json(
        as_clinician,
        f"/api/v1/clients/{client.public_id}/messages",
        {"body": "Hi, thanks", "idempotency_key": "t1"},
    )
    assert reply.status_code == 200
    mine = as_client.get("/api/v1/messages").json()["messages"]
    assert [(m["by"], m["body"]) for m in mine] == [
        ("client", "Hello"),
        ("care_team", "Hi, thanks"),
    ]
    assert mine[0]["read_at"] is not None


def test_idempotent_send_returns_same_message_and_conflicts_on_other_body(pair):
    _, client = pair
    http = logged_in(client.user)
    first = post_json(http, "/api/v1/messages", {"body": "Same", "idempotency_key": "x"})
    again = post_json(http, "/api/v1/messages", {"body": "Same", "idempotency_key": "x"})
    other = post_json(http, "/api/v1/messages", {"body": "Different", "idempotency_key": "x"})
    assert first.json()["message"]["id"] == again.json()["message"]["id"]
    assert other.status_code == 409
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Write a message before sending."),
        ("x" * 5001, "A message can be up to 5,000 characters; this one has 5,001."),
        ("bad\u0000text", "This text contains characters that cannot be stored."),
    ],
)
def test_bad_messages_get_422_naming_the_problem(pair, body, message):
    _, client = pair
    answer = post_json(
        logged_in(client.user), "/api/v1/messages", {"body": body, "idempotency_key": "v"}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["msg"].startswith(message)
    assert Message.objects.count() == 0


def test_malformed_json_without_body_is_422(pair):
    _, client = pair
    answer = post_json(logged_in(client.user), "/api/v1/messages", {"idempotency_key": "v"})
    assert answer.status_code == 422


@override_settings(MESSAGING_SEND_LIMIT=3, MESSAGING_SEND_WINDOW_MINUTES=10)
def test_rate_limit_answers_429_with_a_clear_message(pair):
    _, client = pair
    http = logged_in(client.user)
    codes = [
        post_json(
            http, "/api/v1/messages", {"body": f"m{i}", "idempotency_key": f"r{i}"}
        ).status_code
        for i in range(4)
    ]
    last = post_json(http, "/api/v1/messages", {"body": "m9", "idempotency_key": "r9"})
    assert codes == [200, 200, 200, 429]
    assert "3 messages in the last 10 minutes" in last.json()["detail"]


def test_risk_message_is_stored_raises_alert_and_answers_crisis(pair):
    _, client = pair
    answer = post_json(
        logged_in(client.user),
        "/api/v1/messages",
        {"body": "I don't think I can go on, I want to die", "idempotency_key": "risk"},
    )
    body = answer.json()
    assert answer.status_code == 200
    assert body["crisis"] is True
    assert [r["phone"] for r in body["crisis_resources"]] == ["911"]
    alert = Alert.objects.get(client=client)
    assert (alert.kind, alert.severity) == (AlertKind.MESSAGE_RISK, Severity.CRITICAL)
    assert "want to die" not in alert.reason
    assert Message.objects.get().risk_flagged is True


def test_the_risk_alert_page_leads_the_care_team_to_the_thread(pair):
    membership, client = pair
    post_json(
        logged_in(client.user),
        "/api/v1/messages",
        {"body": "I want to end my life", "idempotency_key": "risk-link"},
    )
    alert = Alert.objects.get(client=client)

    page = logged_in(membership.user).get(f"/clinic/alerts/{alert.public_id}/")

    assert page.status_code == 200
    assert f'href="/clinic/clients/{client.public_id}/messages/"' in page.content.decode()


def test_clinician_message_with_risk_words_raises_no_alert(pair):
    membership, client = pair
    post_json(
        logged_in(membership.user),
        f"/api/v1/clients/{client.public_id}/messages",
        {"body": "If you feel suicidal, call 988", "idempotency_key": "c"},
    )
    assert Alert.objects.count() == 0


def test_other_practice_clinician_gets_404(pair):
    _, client = pair
    other, _ = clinician_with_client()
    http = logged_in(other.user)
    assert http.get(f"/api/v1/clients/{client.public_id}/messages").status_code == 404
    message, _ = message_send(
        client=client, sender=client.user, by=Side.CLIENT, body="hi", idempotency_key="o"
    )
    assert http.post(f"/api/v1/messages/{message.public_id}/read").status_code == 404


def test_module_off_hides_api_page_and_tab(pair):
    _, client = pair
    http = logged_in(client.user)
    assert "/messages/" in http.get("/today/").content.decode()
    ClientPrivacy.objects.update_or_create(client=client, defaults={"modules_off": ["messaging"]})
    assert http.get("/api/v1/messages").status_code == 404
    assert http.get("/messages/").status_code == 404
    assert 'href="/messages/"' not in http.get("/today/").content.decode()


def test_thread_lists_have_constant_query_counts(pair, django_assert_num_queries):
    membership, client = pair
    http = logged_in(membership.user)
    counts = []
    for n in (2, 12):
        for i in range(n):
            message_send(
                client=client,
                sender=client.user,
                by=Side.CLIENT,
                body=f"m{i}",
                idempotency_key=f"q{n}-{i}",
            )
        http.get(f"/api/v1/clients/{client.public_id}/messages")  # warm the data-key cache
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(f"/api/v1/clients/{client.public_id}/messages").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- attachments through the screens -------------------------------------------------------------
def test_pdf_attachment_is_served_only_to_the_thread(pair):
    membership, client = pair
    http = logged_in(client.user)
    answer = http.post(
        "/messages/",
        {
            "body": "my letter",
            "idempotency_key": "f1",
            "attachment": SimpleUploadedFile("My Letter (1).pdf", PDF, "application/pdf"),
        },
    )
    assert answer.status_code == 200
    attachment = MessageAttachment.objects.get()
    assert attachment.filename == "My-Letter-1.pdf"
    url = f"/clinic/clients/{client.public_id}/messages/attachments/{attachment.public_id}/"
    served = logged_in(membership.user).get(url)
    assert served.status_code == 200
    assert served["Content-Disposition"] == 'attachment; filename="My-Letter-1.pdf"'
    assert served.content == PDF
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGE_ATTACHMENT_OPENED).count() == 1
    other, other_client = clinician_with_client()
    assert logged_in(other.user).get(url).status_code == 404
    assert (
        logged_in(other_client.user)
        .get(f"/messages/attachments/{attachment.public_id}/")
        .status_code
        == 404
    )


def test_image_attachment_is_accepted(pair):
    _, client = pair
    http = logged_in(client.user)
    http.post(
        "/messages/",
        {
            "body": "",
            "idempotency_key": "p",
            "attachment": SimpleUploadedFile("x.png", png_bytes(), "image/png"),
        },
    )
    assert MessageAttachment.objects.get().content_type == "image/png"


def test_exe_renamed_pdf_is_refused(pair):
    _, client = pair
    answer = logged_in(client.user).post(
        "/messages/",
        {
            "body": "see this",
            "idempotency_key": "e",
            "attachment": SimpleUploadedFile(
                "report.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf"
            ),
        },
    )
    assert answer.status_code == 422
    assert "must be a PDF or an image" in answer.content.decode()
    assert Message.objects.count() == 0


@override_settings(MESSAGING_ATTACHMENT_MAX_BYTES=1024)
def test_oversize_attachment_is_refused(pair):
    _, client = pair
    answer = logged_in(client.user).post(
        "/messages/",
        {
            "body": "big",
            "idempotency_key": "b",
            "attachment": SimpleUploadedFile("big.pdf", PDF + b"0" * 2000, "application/pdf"),
        },
    )
    assert answer.status_code == 422
    assert Message.objects.count() == 0


# --- screens -------------------------------------------------------------------------------------
def test_client_risk_message_on_the_page_shows_crisis_card(pair):
    _, client = pair
    answer = logged_in(client.user).post(
        "/messages/",
        {"body": "I want to end my life", "idempotency_key": "w"},
        HTTP_HX_REQUEST="true",
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "If you are in danger now" in html
    assert 'href="tel:911"' in html
    assert Alert.objects.filter(kind=AlertKind.MESSAGE_RISK).count() == 1


def test_after_hours_notice_uses_the_practice_zone(pair):
    _, client = pair
    MessagingSettings.objects.create(
        practice=client.practice, hours={"0": ["09:00", "17:00"], "1": ["09:00", "17:00"]}
    )
    http = logged_in(client.user)
    with time_machine.travel(datetime(2026, 3, 2, 14, 30, tzinfo=UTC), tick=False):  # Mon 09:30 NY
        inside = http.get("/messages/").content.decode()
    with time_machine.travel(datetime(2026, 3, 2, 23, 0, tzinfo=UTC), tick=False):  # Mon 18:00 NY
        outside = http.get("/messages/").content.decode()
    assert "outside their messaging hours" not in inside
    assert "outside their messaging hours" in outside
    assert "Tuesday 3 March, 09:00" in outside
    assert "If you are in danger now" in outside


def test_hours_helpers():
    settings = MessagingSettings(hours={"4": ["09:00", "12:00"]})
    friday_11 = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # Fri 11:00 New York
    assert messaging_is_open(settings=settings, zone="America/New_York", at=friday_11) is True
    nxt = messaging_next_open(settings=settings, zone="America/New_York", at=friday_11)
    assert nxt.isoformat() == "2026-03-13T09:00:00-04:00"  # EDT from 8 March 2026


def test_clinician_thread_page_marks_client_messages_seen(pair):
    membership, client = pair
    message_send(
        client=client, sender=client.user, by=Side.CLIENT, body="hello there", idempotency_key="s"
    )
    page = logged_in(membership.user).get(f"/clinic/clients/{client.public_id}/messages/")
    assert page.status_code == 200
    assert "hello there" in page.content.decode()
    assert Message.objects.get().read_at == NOW
    mine = logged_in(client.user).get("/messages/").content.decode()
    assert "Seen" in mine


def test_clinician_inbox_lists_unread(pair):
    membership, client = pair
    message_send(client=client, sender=client.user, by=Side.CLIENT, body="a", idempotency_key="1")
    page = logged_in(membership.user).get("/clinic/messages/").content.decode()
    assert "1 unread" in page


# --- email ---------------------------------------------------------------------------------------
def test_email_says_only_new_message_and_once_per_unread_batch(
    pair, django_capture_on_commit_callbacks
):
    membership, client = pair
    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            message_send(
                client=client,
                sender=client.user,
                by=Side.CLIENT,
                body=f"secret words {i}",
                idempotency_key=f"e{i}",
            )
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "You have a new message in Interlude"
    assert "secret" not in email.body
    assert f"/clinic/clients/{client.public_id}/messages/" in email.body
    assert email.to == [membership.user.email]
    logged_in(membership.user).get(f"/clinic/clients/{client.public_id}/messages/")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            client=client, sender=client.user, by=Side.CLIENT, body="again", idempotency_key="e9"
        )
    assert len(mail.outbox) == 2


def test_settings_page_saves_hours_and_is_audited(pair):
    membership, client = pair
    http = logged_in(membership.user)
    answer = http.post(
        "/clinic/messages/settings/",
        {"open_0": "1", "start_0": "08:00", "end_0": "12:00", "reply_time": "1"},
    )
    assert answer.status_code == 302
    row = MessagingSettings.objects.get(practice=client.practice)
    assert (row.hours, row.reply_time) == ({"0": ["08:00", "12:00"]}, "1")
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGING_SETTINGS_CHANGED).count() == 1
    bad = http.post(
        "/clinic/messages/settings/",
        {"open_1": "1", "start_1": "12:00", "end_1": "08:00", "reply_time": "1"},
    )
    assert bad.status_code == 422


def test_break_glass_reads_the_thread_but_never_writes_or_marks_read(pair):
    from interlude.consents.models import BreakGlassGrant
    from interlude.practices.enums import Role
    from tests.factories import MembershipFactory, UserFactory

    _membership, client = pair
    message_send(
        client=client, sender=client.user, by=Side.CLIENT, body="hello", idempotency_key="bg"
    )
    owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    BreakGlassGrant.objects.create(
        practice=client.practice,
        client=client,
        user=owner.user,
        reason="client unreachable after a risk message",
        expires_at=NOW + timedelta(hours=1),
    )
    http = logged_in(owner.user)
    api = f"/api/v1/clients/{client.public_id}/messages"
    assert http.get(api).status_code == 200
    assert http.get(f"/clinic/clients/{client.public_id}/messages/").status_code == 200
    assert Message.objects.get().read_at is None
    assert post_json(http, api, {"body": "hi", "idempotency_key": "z"}).status_code == 404
    assert Message.objects.count() == 1


def test_demo_thread_is_seeded_once(pair):
    from interlude.messaging.demo import DEMO_THREAD, demo_messages

    _, client = pair
    assert demo_messages(client=client, now=NOW) is True
    assert demo_messages(client=client, now=NOW) is False
    rows = list(Message.objects.filter(client=client))
    assert len(rows) == len(DEMO_THREAD)
    assert {m.by for m in rows} == {Side.CLIENT, Side.CARE_TEAM}
    assert sum(m.read_at is None for m in rows) == 1


def _thought_record(client):
    from interlude.exercises.models import ThoughtRecord

    return ThoughtRecord.objects.create(
        practice=client.practice,
        client=client,
        content='{"situation": "call"}',
        belief_before=80,
        belief_after=40,
        is_complete=True,
        idempotency_key="tr",
        occurred_at=NOW - timedelta(days=2),
        created_by=client.user,
        updated_by=client.user,
    )


@pytest.mark.parametrize(("shared", "shown"), [(True, True), (False, False)])
def test_shared_worksheet_follows_its_own_sharing_category(pair, shared, shown):
    membership, client = pair
    record = _thought_record(client)
    http = logged_in(client.user)
    assert f"thought_record:{record.public_id}" in http.get("/messages/").content.decode()
    http.post(
        "/messages/",
        {
            "body": "have a look",
            "idempotency_key": "sh",
            "share": f"thought_record:{record.public_id}",
        },
    )
    assert Message.objects.get().shared_id == record.public_id
    ClientPrivacy.objects.update_or_create(
        client=client, defaults={"categories": {"worksheets": shared}}
    )
    page = logged_in(membership.user).get(f"/clinic/clients/{client.public_id}/messages/")
    html = page.content.decode()
    assert ("(belief 80 → 40)" in html) is shown
    assert ("A shared thought record that is not shown here." in html) is not shown


def test_sharing_another_clients_record_is_refused(pair):
    _, client = pair
    _, stranger = clinician_with_client()
    record = _thought_record(stranger)
    answer = logged_in(client.user).post(
        "/messages/",
        {"body": "x", "idempotency_key": "sx", "share": f"thought_record:{record.public_id}"},
    )
    assert answer.status_code == 422
    assert Message.objects.count() == 0
