"""Everyone an alert email reaches can, after signing in, see that alert and act on it: the care
team, the practice owners once it is escalated, a clinician it is handed to (practices/access.py,
`alert_reach`). The alert's page says who was told, when, and who acted; the nav count is what
still needs someone; the reason is encrypted at rest."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient

from interlude.alerts.models import Alert, AlertKind, AlertNotice, AlertStatus, Severity
from interlude.alerts.selectors import alerts_open_count
from interlude.alerts.services import alert_acknowledge, alert_raise, alerts_escalate
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.practices.enums import Role
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db
RAISED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ESCALATED = RAISED + timedelta(minutes=121)  # the default escalation time is 120 minutes
REASON = "PHQ-9 item 9 answered \u201cSeveral days\u201d (1)."


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _raise(client, *, key="risk", severity=Severity.CRITICAL, reason=REASON) -> Alert:
    with time_machine.travel(RAISED, tick=False):
        alert, _ = alert_raise(
            client=client,
            kind=AlertKind.CRITICAL_ITEM,
            severity=severity,
            reason=reason,
            dedupe_key=key,
            actor=client.user,
            instrument_code="phq9",
        )
    return alert


@pytest.fixture
def practice_with_owner():
    """A clinician with a client, and the practice owner, who is on no care team."""
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Kim Lee"
    membership.user.email = "kim@example.org"
    membership.user.save()
    owner = MembershipFactory(
        practice=membership.practice,
        role=Role.OWNER,
        user=UserFactory(mfa_exempt=True, full_name="Sam Owner", email="owner@example.org"),
    )
    return membership, client, owner


def _escalate(mailoutbox) -> None:
    with time_machine.travel(ESCALATED, tick=False):
        assert alerts_escalate(now=ESCALATED) == 1


def test_the_owner_emailed_by_escalation_sees_the_alert_in_the_inbox_and_the_api(
    practice_with_owner, mailoutbox
):
    _membership, client, owner = practice_with_owner
    alert = _raise(client)
    not_escalated = _raise(client, key="other", severity=Severity.HIGH, reason="Worse.")
    http = _as(owner.user)
    # Before escalation the owner, who is not on the care team, has nothing to see.
    assert http.get("/clinic/alerts/").context["alerts"] == []

    _escalate(mailoutbox)

    assert [m.to for m in mailoutbox] == [["owner@example.org"]]
    assert REASON not in mailoutbox[0].body and client.full_name not in mailoutbox[0].body
    page = http.get("/clinic/alerts/")
    assert [a.pk for a in page.context["alerts"]] == [alert.pk]
    html = page.content.decode()
    assert "Escalated to you as a practice owner" in html
    # Outside the care team the owner reads only that a risk answer was given, and whom to turn
    # to: never the answer itself (it stays behind the client's sharing and the care team).
    assert REASON not in html
    assert "A risk answer was given on a questionnaire." in html
    body = http.get("/api/v1/alerts").json()
    assert [(a["id"], a["escalated_at"], a["reached_via"]) for a in body] == [
        (str(alert.public_id), "2026-03-02T17:01:00Z", "escalation")
    ]
    assert body[0]["reason"] == (
        "A risk answer was given on a questionnaire. The details are shown only to the "
        "client's care team. Contact them, or hand this alert to a named clinician who can act "
        "today."
    )
    # Seen from outside the care team: one event per alert, naming the client, per read.
    events = AuditEvent.objects.filter(action=AuditAction.ALERT_VIEWED_AS_RECIPIENT)
    assert [(e.actor_id, e.client_id, e.object_id, e.detail["via"]) for e in events] == [
        (owner.user_id, client.pk, str(alert.public_id), "escalation")
    ] * 2
    # No wider access than the alert: the record itself stays out of reach (no break-glass).
    assert http.get(f"/clinic/clients/{client.public_id}/").status_code == 404
    assert str(not_escalated.public_id) not in html


def test_the_owner_acknowledges_the_escalated_alert_and_the_nav_count_drops(
    practice_with_owner, mailoutbox
):
    _membership, client, owner = practice_with_owner
    alert = _raise(client)
    _escalate(mailoutbox)
    http = _as(owner.user)
    assert alerts_open_count(membership=owner) == 1

    response = http.post(
        f"/clinic/alerts/{alert.public_id}/acknowledge/",
        {"note": "Called the client; plan reviewed.", "source": "inbox"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert '<span id="alerts-nav-count" hx-swap-oob="true"></span>' in response.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by_id, alert.acknowledge_note) == (
        AlertStatus.ACKNOWLEDGED,
        owner.user_id,
        "Called the client; plan reviewed.",
    )
    assert alerts_open_count(membership=owner) == 0


def test_an_owner_of_another_practice_and_a_colleague_never_see_it(practice_with_owner, mailoutbox):
    membership, client, _owner = practice_with_owner
    alert = _raise(client)
    _escalate(mailoutbox)
    other_owner = MembershipFactory(role=Role.OWNER, user=UserFactory(mfa_exempt=True))
    colleague = MembershipFactory(practice=membership.practice, user=UserFactory(mfa_exempt=True))
    for m in (other_owner, colleague):
        http = _as(m.user)
        assert http.get("/clinic/alerts/").context["alerts"] == []
        assert http.get(f"/clinic/alerts/{alert.public_id}/").status_code == 404
        assert http.get("/api/v1/alerts").json() == []


def test_the_owner_hands_the_alert_to_a_named_clinician_who_can_then_act(
    practice_with_owner, mailoutbox, django_capture_on_commit_callbacks
):
    _membership, client, owner = practice_with_owner
    alert = _raise(client)
    _escalate(mailoutbox)
    colleague = MembershipFactory(
        practice=owner.practice,
        user=UserFactory(mfa_exempt=True, full_name="Dr. Ana Cruz", email="ana@example.org"),
    )
    handed_at = ESCALATED + timedelta(minutes=5)

    with (
        time_machine.travel(handed_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _as(owner.user).post(
            f"/api/v1/alerts/{alert.public_id}/handover",
            data=json.dumps({"to": colleague.pk, "note": "Kim is away today."}),
            content_type="application/json",
        )

    assert response.status_code == 200
    assert (response.json()["handed_to"], response.json()["handed_over_at"]) == (
        "Dr. Ana Cruz",
        "2026-03-02T17:06:00Z",
    )
    event = AuditEvent.objects.get(action=AuditAction.ALERT_HANDED_OVER)
    assert (event.actor_id, event.client_id, event.detail["to_user"]) == (
        owner.user_id,
        client.pk,
        colleague.user_id,
    )
    email = mailoutbox[-1]
    assert email.to == ["ana@example.org"]
    assert email.subject == "Interlude: a colleague has handed an alert to you"
    assert f"/clinic/alerts/{alert.public_id}/" in email.body
    for clinical in (REASON, client.full_name, "Kim is away"):
        assert clinical not in email.body
    # The clinician it was handed to sees it, on its page and in the inbox, and acknowledges it.
    http = _as(colleague.user)
    page = http.get(f"/clinic/alerts/{alert.public_id}/")
    assert page.status_code == 200
    assert "This alert was handed to you." in page.content.decode()
    assert [a.pk for a in http.get("/clinic/alerts/").context["alerts"]] == [alert.pk]
    http.post(f"/clinic/alerts/{alert.public_id}/acknowledge/", {"note": "Called."})
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by_id) == (
        AlertStatus.ACKNOWLEDGED,
        colleague.user_id,
    )


@pytest.mark.parametrize("target", ["other_practice", "admin", "self", "missing", "inactive"])
def test_a_handover_needs_an_active_clinician_of_the_same_practice(
    practice_with_owner, mailoutbox, target
):
    _membership, client, owner = practice_with_owner
    alert = _raise(client)
    _escalate(mailoutbox)
    to = {
        "other_practice": lambda: MembershipFactory(role=Role.CLINICIAN).pk,
        "admin": lambda: MembershipFactory(practice=owner.practice, role=Role.ADMIN).pk,
        "self": lambda: owner.pk,
        "missing": lambda: None,
        "inactive": lambda: MembershipFactory(practice=owner.practice, is_active=False).pk,
    }[target]()
    response = _as(owner.user).post(
        f"/api/v1/alerts/{alert.public_id}/handover",
        data=json.dumps({"to": to}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "to"
    alert.refresh_from_db()
    assert (alert.handed_to_id, alert.handed_over_at) == (None, None)
    assert not AuditEvent.objects.filter(action=AuditAction.ALERT_HANDED_OVER).exists()


def test_an_acknowledged_alert_cannot_be_handed_over(practice_with_owner, mailoutbox):
    membership, client, owner = practice_with_owner
    alert = _raise(client)
    alert_acknowledge(actor=membership.user, alert=alert, note="On it.")
    colleague = MembershipFactory(practice=owner.practice, user=UserFactory(mfa_exempt=True))
    response = _as(membership.user).post(
        f"/clinic/alerts/{alert.public_id}/handover/", {"to": colleague.pk}
    )
    assert response.status_code == 422
    assert "already acknowledged or resolved" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).handed_to_id is None


def test_the_alert_page_shows_who_was_told_when_and_who_acted(
    practice_with_owner, mailoutbox, django_capture_on_commit_callbacks
):
    _membership, client, owner = practice_with_owner
    with (
        time_machine.travel(RAISED + timedelta(seconds=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        alert = _raise(client)  # the care team's email goes out after commit
    colleague = MembershipFactory(
        practice=owner.practice,
        user=UserFactory(mfa_exempt=True, full_name="Dr. Ana Cruz", email="ana@example.org"),
    )
    _escalate(mailoutbox)
    with time_machine.travel(ESCALATED + timedelta(minutes=5), tick=False):
        _as(owner.user).post(
            f"/clinic/alerts/{alert.public_id}/handover/",
            {"to": colleague.pk, "note": "Kim is away today."},
        )
    with time_machine.travel(ESCALATED + timedelta(minutes=30), tick=False):
        _as(colleague.user).post(
            f"/clinic/alerts/{alert.public_id}/acknowledge/",
            {"note": "Called; safe.", "source": "detail"},
        )

    page = _as(owner.user).get(f"/clinic/alerts/{alert.public_id}/")

    history = [(e.what, e.who, e.note) for e in page.context["history"]]
    assert history == [
        ("Raised", "", ""),
        ("Emailed (on the care team)", "Dr. Kim Lee", ""),
        ("Emailed (escalated to the practice owner)", "Sam Owner", ""),
        ("Emailed (handed over)", "Dr. Ana Cruz", ""),
        ("Handed over to Dr. Ana Cruz", "Sam Owner", "Kim is away today."),
        ("Acknowledged", "Dr. Ana Cruz", "Called; safe."),
    ]
    assert [n.why for n in AlertNotice.objects.filter(alert=alert)] == [
        "care_team",
        "escalation",
        "handover",
    ]
    assert "Who was told, and who acted" in page.content.decode()


def test_the_nav_count_is_unacknowledged_alerts_and_acknowledged_ones_are_listed_apart():
    membership, client = clinician_with_client()
    first = _raise(client, key="a")
    _raise(client, key="b")
    alert_acknowledge(actor=membership.user, alert=first, note="Called.")

    assert alerts_open_count(membership=membership) == 1
    page = _as(membership.user).get("/clinic/alerts/")
    html = page.content.decode()
    assert '<span class="nav-count">1<span class="visually-hidden"> unacknowledged' in html
    assert '<span class="count" id="alerts-open-count">1 needs someone</span>' in html
    needs, acknowledged = html.split('<h2 id="acknowledged-title">')
    assert f'id="alert-{first.public_id}"' in acknowledged
    assert f'id="alert-{first.public_id}"' not in needs


def test_the_reason_is_stored_encrypted():
    _membership, client = clinician_with_client()
    canary = "CANARY-reason-7f3a item 9 answered Nearly every day"
    alert = _raise(client, reason=canary)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM alerts_alert WHERE id = %s", [alert.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v2:")
    assert "CANARY" not in stored
    assert Alert.objects.get(pk=alert.pk).reason == canary


def test_the_migration_encrypts_reasons_written_in_the_clear():
    _membership, client = clinician_with_client()
    alert = _raise(client)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE alerts_alert SET reason = %s WHERE id = %s", ["Plain.", alert.pk])
    migration = importlib.import_module(
        "interlude.alerts.migrations.0003_handover_notices_encrypted_reason"
    )
    from django.apps import apps

    migration.encrypt_reasons(apps, None)
    migration.encrypt_reasons(apps, None)  # twice changes nothing

    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM alerts_alert WHERE id = %s", [alert.pk])
        assert cursor.fetchone()[0].startswith("v1:")
    assert Alert.objects.get(pk=alert.pk).reason == "Plain."


def test_the_care_team_still_reaches_alerts_of_clients_shared_with_several_clinicians():
    membership, client = clinician_with_client()
    second = MembershipFactory(practice=membership.practice, user=UserFactory(mfa_exempt=True))
    CareTeamMemberFactory(client=client, membership=second)
    other = ClientFactory(practice=membership.practice, user=UserFactory())
    CareTeamMemberFactory(client=other, membership=second)
    alert = _raise(client)
    _raise(other, key="x")
    # One row per alert, even with several clinicians on the care team.
    assert [a.pk for a in _as(membership.user).get("/clinic/alerts/").context["alerts"]] == [
        alert.pk
    ]
