"""Break-glass: an owner outside the care team opens a record only with a reason, for 60 minutes;
the opening and every read are flagged in the audit trail, the care team is emailed (nothing
clinical, no reason), and the client sees it on their "Who has seen my information" page."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.consents.access import Viewer, access_client
from interlude.consents.breakglass_selectors import breakglass_client_list
from interlude.consents.breakglass_services import (
    REASON_MISSING,
    break_glass_notify_send,
    break_glass_open,
)
from interlude.consents.models import BreakGlassGrant
from interlude.core.errors import ApplicationError
from interlude.practices.enums import Role, ShareScope
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-05-04T09:00:00+00:00")
REASON = "Dr Care is away and the client phoned the front desk in distress"


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def world():
    clinician, client = clinician_with_client()
    clinician.user.full_name = "Dr Ada Care"
    clinician.user.email = "ada@alder.example"
    clinician.user.save()
    second = MembershipFactory(
        practice=client.practice,
        user=UserFactory(full_name="Bo Second", email="bo@alder.example", mfa_exempt=True),
    )
    CareTeamMemberFactory(client=client, membership=second, is_primary=False)
    owner = MembershipFactory(
        practice=client.practice,
        role=Role.OWNER,
        user=UserFactory(full_name="Olive Owner", email="olive@alder.example", mfa_exempt=True),
    )
    client.full_name = "Zephyrine Quill"
    client.preferred_name = ""
    client.save()
    return {"clinician": clinician, "second": second, "owner": owner, "client": client}


# --- the service ----------------------------------------------------------------------------------
def test_owner_opens_with_a_reason_for_exactly_60_minutes_and_the_reason_is_encrypted(world):
    owner, client = world["owner"].user, world["client"]

    with time_machine.travel(T0, tick=False):
        grant = break_glass_open(user=owner, client_public_id=client.public_id, reason=REASON)

    grant.refresh_from_db()
    assert (grant.user_id, grant.client_id, grant.practice_id) == (
        owner.pk,
        client.pk,
        client.practice_id,
    )
    assert (grant.opened_at, grant.expires_at) == (T0, T0 + timedelta(minutes=60))
    assert grant.reason == REASON
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM consents_breakglassgrant WHERE id = %s", [grant.pk])
        stored = cursor.fetchone()[0]
    assert REASON not in stored and "distress" not in stored


def test_the_opening_is_one_flagged_audit_event_without_the_reason(world):
    owner, client = world["owner"].user, world["client"]

    with time_machine.travel(T0, tick=False):
        grant = break_glass_open(user=owner, client_public_id=client.public_id, reason=REASON)

    events = list(AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_OPENED))
    assert [(e.actor_id, e.client_id, e.object_id, e.outcome, e.detail) for e in events] == [
        (
            owner.pk,
            client.pk,
            str(grant.public_id),
            AuditOutcome.SUCCESS,
            {"flagged": True, "expires_at": "2026-05-04T10:00:00+00:00"},
        )
    ]
    assert "distress" not in str(events[0].detail)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t  \n"])
def test_an_empty_or_blank_reason_is_refused_naming_the_reason(world, reason):
    with pytest.raises(ApplicationError) as raised:
        break_glass_open(
            user=world["owner"].user, client_public_id=world["client"].public_id, reason=reason
        )

    assert (raised.value.field, raised.value.message) == ("reason", REASON_MISSING)
    assert "reason" in REASON_MISSING
    assert BreakGlassGrant.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_OPENED).exists()


def test_the_reason_is_stored_without_surrounding_spaces(world):
    grant = break_glass_open(
        user=world["owner"].user,
        client_public_id=world["client"].public_id,
        reason=f"  {REASON}\n",
    )

    assert BreakGlassGrant.objects.get(pk=grant.pk).reason == REASON


def test_nobody_but_an_owner_of_the_clients_practice_can_open(world):
    client = world["client"]
    other_clinician, other_client = clinician_with_client()
    other_owner = MembershipFactory(
        practice=other_client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    admin = MembershipFactory(
        practice=client.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    colleague = MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
    removed_owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, is_active=False, user=UserFactory()
    )

    for user in (
        other_owner.user,
        other_clinician.user,
        admin.user,
        colleague.user,
        removed_owner.user,
        client.user,
    ):
        with pytest.raises(Http404):
            break_glass_open(user=user, client_public_id=client.public_id, reason=REASON)
    with pytest.raises(Http404):
        break_glass_open(user=world["owner"].user, client_public_id="not-a-uuid", reason=REASON)

    assert BreakGlassGrant.objects.count() == 0


def test_an_owner_on_the_care_team_is_told_to_open_the_record_directly(world):
    CareTeamMemberFactory(client=world["client"], membership=world["owner"], is_primary=False)

    with pytest.raises(ApplicationError) as raised:
        break_glass_open(
            user=world["owner"].user, client_public_id=world["client"].public_id, reason=REASON
        )

    assert raised.value.field == "reason"
    assert BreakGlassGrant.objects.count() == 0


# --- the gate honours the grant for 60 minutes --------------------------------------------------
def test_the_gate_opens_the_record_for_60_minutes_and_flags_every_read(world):
    owner, client = world["owner"].user, world["client"]
    with time_machine.travel(T0, tick=False):
        with pytest.raises(Http404):
            access_client(user=owner, client_id=client.public_id)
        grant = break_glass_open(user=owner, client_public_id=client.public_id, reason=REASON)
    with time_machine.travel(T0 + timedelta(minutes=59, seconds=59), tick=False):
        care = access_client(user=owner, client_id=client.public_id, scope=ShareScope.MEASURES)
    with time_machine.travel(T0 + timedelta(minutes=60), tick=False), pytest.raises(Http404):
        access_client(user=owner, client_id=client.public_id)

    assert (care.viewer, care.break_glass) == (Viewer.BREAK_GLASS, grant)
    viewed = AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_VIEWED)
    assert [(e.actor_id, e.object_id, e.detail) for e in viewed] == [
        (owner.pk, str(grant.public_id), {"flagged": True, "scopes": ["measures"]})
    ]
    # Every break-glass event is flagged; the refusals before and after are denials.
    flagged = AuditEvent.objects.filter(
        action__in=[AuditAction.BREAK_GLASS_OPENED, AuditAction.BREAK_GLASS_VIEWED]
    )
    assert [e.detail["flagged"] for e in flagged] == [True, True]
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_ACCESS_DENIED).count() == 2


# --- the care team's email -----------------------------------------------------------------------
def test_the_care_team_is_emailed_after_commit_without_the_reason_or_anything_clinical(
    world, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://interlude.example"
    owner, client = world["owner"].user, world["client"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        break_glass_open(user=owner, client_public_id=client.public_id, reason=REASON)
    assert mail.outbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@alder.example", "bo@alder.example"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    message = mail.outbox[0]
    assert message.subject == "Interlude: a client's record was opened in an emergency"
    assert "Olive Owner, an owner of your practice, has opened the record" in message.body
    assert "in an emergency" in message.body
    assert f"https://interlude.example/clinic/clients/{client.public_id}/" in message.body
    for secret in (REASON, "distress", client.full_name, "Zephyrine"):
        assert secret not in message.body
        assert secret not in message.subject


def test_the_notice_is_sent_once_per_grant_even_if_the_task_runs_twice(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant = break_glass_open(
            user=world["owner"].user, client_public_id=world["client"].public_id, reason=REASON
        )

    assert len(mail.outbox) == 2
    assert break_glass_notify_send(grant_id=grant.pk) == 0
    assert len(mail.outbox) == 2


def test_former_and_inactive_care_team_members_are_not_emailed(
    world, django_capture_on_commit_callbacks
):
    world["second"].is_active = False
    world["second"].save()

    with django_capture_on_commit_callbacks(execute=True):
        break_glass_open(
            user=world["owner"].user, client_public_id=world["client"].public_id, reason=REASON
        )

    assert [m.to for m in mail.outbox] == [["ada@alder.example"]]


# --- the pages ----------------------------------------------------------------------------------
def test_owner_finds_the_client_by_name_and_sees_nothing_else_of_the_record(world):
    other = ClientFactory(practice=world["client"].practice, full_name="Abel Mine")
    CareTeamMemberFactory(client=other, membership=world["owner"])
    _, foreign = clinician_with_client()

    response = _as(world["owner"].user).get("/clinic/emergency/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Zephyrine Quill" in body and "Abel Mine" in body
    assert foreign.full_name not in body
    assert f'href="/clinic/emergency/{world["client"].public_id}/"' in body
    # A client on the owner's own care team opens directly.
    assert f'href="/clinic/clients/{other.public_id}/"' in body
    assert f'href="/clinic/emergency/{other.public_id}/"' not in body


def test_the_owners_list_is_read_in_three_queries_whatever_its_length(world):
    for i in range(5):
        ClientFactory(practice=world["client"].practice, full_name=f"Client {i}")

    with CaptureQueriesContext(connection) as queries:
        rows = breakglass_client_list(membership=world["owner"])

    assert len(rows) == 6
    assert len(queries) == 3


@pytest.mark.parametrize("who", ["clinician", "second", "admin"])
def test_the_emergency_pages_are_404_for_anyone_but_an_owner(world, who):
    if who == "admin":
        user = MembershipFactory(
            practice=world["client"].practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
        ).user
    else:
        user = world[who].user
    http = _as(user)
    url = f"/clinic/emergency/{world['client'].public_id}/"

    assert http.get("/clinic/emergency/").status_code == 404
    assert http.get(url).status_code == 404
    assert http.post(url, {"reason": REASON}).status_code == 404
    assert BreakGlassGrant.objects.count() == 0


def test_an_owner_of_another_practice_gets_404_for_the_form(world):
    _, foreign = clinician_with_client()
    owner_b = MembershipFactory(
        practice=foreign.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )

    response = _as(owner_b.user).post(
        f"/clinic/emergency/{world['client'].public_id}/", {"reason": REASON}
    )

    assert response.status_code == 404
    assert "Zephyrine" not in response.content.decode()
    assert BreakGlassGrant.objects.count() == 0


def test_a_blank_reason_on_the_form_names_the_reason_and_opens_nothing(world):
    url = f"/clinic/emergency/{world['client'].public_id}/"

    response = _as(world["owner"].user).post(url, {"reason": "   "})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Please write the reason you need to open this record now." in body
    assert 'href="#id_reason"' in body
    assert BreakGlassGrant.objects.count() == 0


def test_owner_opens_the_record_through_the_form_and_after_60_minutes_it_is_404_again(world):
    client = world["client"]
    record = f"/clinic/clients/{client.public_id}/"

    with time_machine.travel(T0, tick=False):
        http = _as(world["owner"].user)
        before = http.get(record)
        form = http.get(f"/clinic/emergency/{client.public_id}/")
        opened = http.post(f"/clinic/emergency/{client.public_id}/", {"reason": REASON})
    during = []
    # A request every 10 minutes keeps the staff session alive (it ends after 15 idle minutes).
    for minutes in (10, 20, 30, 40, 50, 59):
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            during.append(http.get(record))
    with time_machine.travel(T0 + timedelta(minutes=60), tick=False):
        after = http.get(record)

    assert before.status_code == 404
    assert form.status_code == 200
    assert "Why do you need to open this record now?" in form.content.decode()
    assert (opened.status_code, opened["Location"]) == (302, record)
    assert [r.status_code for r in during] == [200] * 6
    assert "Zephyrine Quill" in during[0].content.decode()
    # The practice works in New York: 10:00 UTC is 06:00 there.
    assert "You have emergency access to this record until 06:00." in during[0].content.decode()
    assert after.status_code == 404
    assert "Zephyrine" not in after.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_VIEWED).count() == 6


def test_the_client_sees_the_opening_and_the_reads_flagged_in_plain_words(world):
    owner, client = world["owner"].user, world["client"]
    client.time_zone = "UTC"
    client.save()
    with time_machine.travel(T0, tick=False):
        break_glass_open(user=owner, client_public_id=client.public_id, reason=REASON)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        access_client(user=owner, client_id=client.public_id, scope=ShareScope.MEASURES)
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        access_client(user=owner, client_id=client.public_id, scope=ShareScope.CHECKINS)

    response = _as(client.user).get("/me/who-has-seen/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Olive Owner (emergency access)" in body
    assert "<strong>Opened your record in an emergency.</strong>" in body
    assert "Looked at your information 2 times:" in body
    assert "<li>questionnaire scores</li>" in body
    assert "<li>check-ins and mood</li>" in body
    assert REASON not in body and "distress" not in body
    group = response.context["groups"][0]
    assert (group.who, group.emergency, group.refused, group.times) == (
        "Olive Owner",
        True,
        False,
        2,
    )
