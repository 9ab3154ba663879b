"""The clinician's alert inbox: open alerts on their clients, most severe first; acknowledge with a
note and resolve, by plain POST or by htmx row swap; every read and write audited; the top bar's
open-count badge costs one COUNT query."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interlude.alerts.context_processors import alerts as alerts_context
from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
from interlude.alerts.selectors import alert_list_for_client
from interlude.alerts.services import alert_raise
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.access import Viewer, care_access_for
from interlude.measures.services import response_submit
from interlude.practices.enums import Role
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db


def _raise(client, kind=AlertKind.NO_CHECKIN, severity=Severity.LOW, key="k", reason="Reason."):
    alert, _ = alert_raise(
        client=client,
        kind=kind,
        severity=severity,
        reason=reason,
        dedupe_key=key,
        actor=client.user,
    )
    return alert


def _critical(client, key="risk"):
    response, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 1],
        idempotency_key=key,
    )
    return Alert.objects.get(response=response, kind=AlertKind.CRITICAL_ITEM)


def _http(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _text(html: bytes | str) -> str:
    if isinstance(html, bytes):
        html = html.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<tr id="alert-[^"]+".*?</tr>', body, flags=re.S)


# --- the inbox ------------------------------------------------------------------------------------
def test_inbox_lists_open_alerts_on_my_clients_critical_first():
    membership, client = clinician_with_client()
    client.full_name = "Robin Ash"
    client.save()
    low = _raise(client, reason="No check-in for 9 days.")
    critical = _critical(client)
    _other_membership, stranger = clinician_with_client(practice=client.practice)
    _raise(stranger, reason="Not mine.")
    page = _http(membership.user).get("/clinic/alerts/")
    html = page.content.decode()
    rows = _rows(html)
    assert [a.pk for a in page.context["alerts"]] == [critical.pk, low.pk]
    assert len(rows) == 2
    first = _text(rows[0])
    assert first.startswith("⚠ Critical Robin Ash Risk item endorsed PHQ-9 item 9 answered")
    assert "Next steps Review with the client the same day." in first
    assert "Structured risk assessment (e.g. C-SSRS )." in first  # (C-SSRS kept on one line)
    assert f'href="/clinic/clients/{client.public_id}/safety-plan/"' in rows[0]
    assert f'<a href="/clinic/clients/{client.public_id}/">Robin Ash</a>' in rows[0]
    exact = timezone.localtime(critical.created_at, ZoneInfo("America/New_York")).strftime(
        "%-d %b %Y, %H:%M"
    )
    assert f'title="{exact}">just now</time><span class="alert-exact">{exact}</span>' in rows[0]
    assert "Open" in first
    second = _text(rows[1])
    assert second.startswith("○ Low Robin Ash No recent check-in No check-in for 9 days.")
    assert "Next steps" not in second
    assert "Not mine." not in html
    assert (
        '<h1>Alerts <span class="count" id="alerts-open-count">2 need someone</span></h1>' in html
    )


def test_inbox_shows_the_time_in_words_and_exactly():
    membership, client = clinician_with_client()
    alert = _raise(client)
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - timedelta(hours=2))
    html = _http(membership.user).get("/clinic/alerts/").content.decode()
    assert ">2\xa0hours ago</time>" in html


def test_inbox_view_is_audited_once_at_practice_level():
    membership, client = clinician_with_client()
    _raise(client)
    _http(membership.user).get("/clinic/alerts/")
    event = AuditEvent.objects.get(action=AuditAction.ALERTS_VIEWED)
    assert (event.actor_id, event.practice_id, event.client_id) == (
        membership.user_id,
        membership.practice_id,
        None,
    )
    assert event.detail == {"alerts": 1}


def test_filter_all_includes_resolved_alerts_with_who_and_why():
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Kim Lee"
    membership.user.save()
    alert = _raise(client)
    http = _http(membership.user)
    http.post(f"/clinic/alerts/{alert.public_id}/resolve/", {"note": "Texted, all fine."})
    assert http.get("/clinic/alerts/").context["alerts"] == []
    assert "No open alerts on your clients." in _text(http.get("/clinic/alerts/").content)
    page = http.get("/clinic/alerts/?show=all")
    row = _text(_rows(page.content.decode())[0])
    assert "Resolved Acknowledged by Dr. Kim Lee," in row
    assert "Resolved by Dr. Kim Lee," in row
    assert row.endswith(
        f"Texted, all fine. History of the no recent check-in alert for {client.full_name}"
    )


def test_the_inbox_uses_the_same_queries_with_3_and_30_alerts():
    counts = []
    for n in (3, 30):
        membership, client = clinician_with_client()
        for i in range(n):
            _raise(client, key=f"k{i}")
        http = _http(membership.user)
        http.get("/clinic/alerts/")
        with CaptureQueriesContext(connection) as ctx:
            page = http.get("/clinic/alerts/")
        assert len(page.context["alerts"]) == n
        counts.append(len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]))
    assert counts[0] == counts[1]


def test_clients_and_admins_do_not_get_the_inbox():
    membership, client = clinician_with_client()
    assert _http(client.user).get("/clinic/alerts/").status_code == 404
    admin = MembershipFactory(
        practice=membership.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    assert _http(admin.user).get("/clinic/alerts/").status_code == 404


# --- acknowledge and resolve ----------------------------------------------------------------------
def test_acknowledge_needs_a_note_and_says_so_by_the_field_and_at_the_top():
    membership, client = clinician_with_client()
    alert = _critical(client)
    page = _http(membership.user).post(
        f"/clinic/alerts/{alert.public_id}/acknowledge/", {"note": "   "}
    )
    html = page.content.decode()
    assert page.status_code == 200
    message = "Write a short note saying what you did or will do, e.g. &#x27;Called, safety plan"
    summary = html.split('<div class="error-summary"')[1].split("</div>")[0]
    assert f'<a href="#acknowledge-note-{alert.public_id}">{message}' in summary
    assert f'<p class="field-error" id="acknowledge-error-{alert.public_id}">' in html
    assert '<details class="alert-action" open>' in html
    assert "<title>Error: Alerts" in html
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert not AuditEvent.objects.filter(action=AuditAction.ALERT_ACKNOWLEDGED).exists()


def test_acknowledge_with_a_note_then_the_inbox_shows_who_when_and_the_note():
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Kim Lee"
    membership.user.save()
    alert = _critical(client)
    http = _http(membership.user)
    done = http.post(
        f"/clinic/alerts/{alert.public_id}/acknowledge/",
        {"note": "Called; safety plan reviewed.", "source": "inbox", "show": "open"},
    )
    assert (done.status_code, done["Location"]) == (302, "/clinic/alerts/")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by_id, alert.acknowledge_note) == (
        AlertStatus.ACKNOWLEDGED,
        membership.user_id,
        "Called; safety plan reviewed.",
    )
    events = list(
        AuditEvent.objects.filter(object_id=str(alert.public_id))
        .order_by("seq")
        .values_list("action", "actor_id")
    )
    assert events[-2:] == [
        (AuditAction.CLIENT_RECORD_VIEWED, membership.user_id),
        (AuditAction.ALERT_ACKNOWLEDGED, membership.user_id),
    ]
    page = http.get("/clinic/alerts/")
    row = _text(_rows(page.content.decode())[0])
    when = timezone.localtime(alert.acknowledged_at, ZoneInfo("America/New_York")).strftime(
        "%-d %b %Y, %H:%M"
    )
    # (tags become spaces here: "…, 15:35</time>: Called" on the page)
    ack = f"Acknowledged Acknowledged by Dr. Kim Lee, {when} : Called; safety plan reviewed."
    assert ack in row
    assert "Alert acknowledged." in page.content.decode()
    # Acknowledged alerts stay in the inbox (still open work) with Resolve, without Acknowledge.
    assert ">Resolve<span" in _rows(page.content.decode())[0]
    assert ">Acknowledge<span" not in _rows(page.content.decode())[0]


def test_htmx_acknowledge_swaps_only_the_row():
    membership, client = clinician_with_client()
    alert = _critical(client)
    http = _http(membership.user)
    response = http.post(
        f"/clinic/alerts/{alert.public_id}/acknowledge/",
        {"note": "Called.", "source": "inbox"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="alert-{alert.public_id}"')
    row, oob = html.split("</tr>")
    assert "<html" not in html
    # The counts that changed travel out of band: the top bar's badge and the heading's. An
    # acknowledged alert has someone on it, so it leaves both counts at once.
    assert oob.strip() == (
        '<template><span id="alerts-nav-count" hx-swap-oob="true"></span></template>'
        '<template><span class="count" id="alerts-open-count" hx-swap-oob="true">'
        "0 need someone</span></template>"
    )
    assert '<span class="visually-hidden" role="status">Alert acknowledged.</span>' in row
    assert "Called." in row
    assert client.full_name in row
    # An error comes back in the row too, with what was typed kept.
    failed = http.post(
        f"/clinic/alerts/{alert.public_id}/resolve/",
        {"note": "x" * 2001, "source": "record"},
        HTTP_HX_REQUEST="true",
    )
    html = failed.content.decode().strip()
    assert failed.status_code == 200
    assert html.startswith("<tr")
    assert html.endswith("</tr>")  # nothing changed: no counts to update
    assert "Keep the note under 2000 characters." in html
    assert client.full_name not in html.split("</td>")[1]  # record rows have no client column


def test_resolve_a_critical_open_alert_needs_a_note_but_other_alerts_do_not():
    membership, client = clinician_with_client()
    critical = _critical(client)
    low = _raise(client)
    http = _http(membership.user)
    refused = http.post(f"/clinic/alerts/{critical.public_id}/resolve/", {"note": ""})
    assert refused.status_code == 200
    assert "A critical alert needs a note before it is resolved" in refused.content.decode()
    critical.refresh_from_db()
    assert critical.status == AlertStatus.OPEN
    done = http.post(f"/clinic/alerts/{low.public_id}/resolve/", {"note": "", "show": "all"})
    assert done["Location"] == "/clinic/alerts/?show=all"
    low.refresh_from_db()
    assert (low.status, low.resolved_by_id, low.resolve_note) == (
        AlertStatus.RESOLVED,
        membership.user_id,
        None,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.ALERT_RESOLVED, object_id=str(low.public_id)
    ).exists()


def test_acknowledging_from_the_client_record_returns_to_the_record():
    membership, client = clinician_with_client()
    alert = _raise(client)
    done = _http(membership.user).post(
        f"/clinic/alerts/{alert.public_id}/acknowledge/", {"note": "Seen.", "source": "record"}
    )
    assert done["Location"] == f"/clinic/clients/{client.public_id}/#alerts"


def test_someone_elses_alert_is_not_found_and_the_attempt_is_audited():
    _membership, client = clinician_with_client()
    alert = _critical(client)
    outsider, _their_client = clinician_with_client()
    http = _http(outsider.user)
    response = http.post(f"/clinic/alerts/{alert.public_id}/acknowledge/", {"note": "Mine now."})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    denied = AuditEvent.objects.get(action=AuditAction.CLIENT_ACCESS_DENIED)
    assert (denied.actor_id, denied.client_id) == (outsider.user_id, client.pk)
    # A GET is refused before anything is looked up, whoever's the alert is.
    assert http.get(f"/clinic/alerts/{alert.public_id}/acknowledge/").status_code == 405


def test_acknowledge_answers_only_post():
    membership, client = clinician_with_client()
    alert = _raise(client)
    assert (
        _http(membership.user).get(f"/clinic/alerts/{alert.public_id}/acknowledge/").status_code
        == 405
    )


# --- the client record's panel --------------------------------------------------------------------
def test_record_panel_lists_the_clients_alerts_with_actions_that_return_to_the_record():
    membership, client = clinician_with_client()
    critical = _critical(client)
    low = _raise(client)
    request = RequestFactory().get("/")
    request.user = membership.user
    care = care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )
    alerts = alert_list_for_client(access=care)
    assert [a.pk for a in alerts] == [critical.pk, low.pk]
    html = render_to_string(
        "alerts/_record_alerts.html", {"alerts": alerts, "client": client}, request=request
    )
    rows = _rows(html)
    assert len(rows) == 2
    assert _text(rows[0]).startswith("⚠ Critical Risk item endorsed PHQ-9 item 9")
    assert '<input type="hidden" name="source" value="record">' in rows[0]
    assert f'action="/clinic/alerts/{critical.public_id}/acknowledge/"' in rows[0]
    assert "Review the safety plan" in rows[0]
    assert client.full_name not in rows[1].split("</td>")[0]
    empty = render_to_string("alerts/_record_alerts.html", {"alerts": [], "client": client})
    assert f"No alerts for {client.full_name}." in empty


# --- the top bar's badge --------------------------------------------------------------------------
def test_top_bar_shows_the_open_count_for_clinicians(django_assert_num_queries):
    membership, client = clinician_with_client()
    _raise(client, key="a")
    _raise(client, key="b")
    resolved = _raise(client, key="c")
    Alert.objects.filter(pk=resolved.pk).update(status=AlertStatus.RESOLVED)
    other_client = ClientFactory(practice=client.practice, user=UserFactory())
    _raise(other_client, key="d")  # not on this clinician's care team
    request = RequestFactory().get("/")
    request.membership = membership
    context = alerts_context(request)
    with django_assert_num_queries(1):
        assert context["alerts_open_count"]() == 2
        assert context["alerts_open_count"]() == 2
    page = _http(membership.user).get("/clinic/")
    assert (
        '<a href="/clinic/alerts/" >Alerts<span id="alerts-nav-count"> <span class="nav-count">2'
        '<span class="visually-hidden"> unacknowledged</span></span></span></a>'
    ) in page.content.decode()


def test_top_bar_has_no_alert_count_for_clients_or_admins():
    membership, _client = clinician_with_client()
    request = RequestFactory().get("/")
    request.membership = None
    assert alerts_context(request) == {}
    request.membership = MembershipFactory(practice=membership.practice, role=Role.ADMIN)
    assert alerts_context(request) == {}


def test_the_badge_is_left_out_when_nothing_is_open():
    membership, client = clinician_with_client()
    CareTeamMemberFactory(client=ClientFactory(practice=client.practice), membership=membership)
    html = _http(membership.user).get("/clinic/alerts/").content.decode()
    assert (
        '<a href="/clinic/alerts/" aria-current="page">Alerts'
        '<span id="alerts-nav-count"></span></a>'
    ) in html
