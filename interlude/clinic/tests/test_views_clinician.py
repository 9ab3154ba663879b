"""Clinician and client pages over HTTP: the gate seen through the Django test client."""

from __future__ import annotations

import re
from html import escape

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.clinic.services import invitation_find
from interlude.practices.enums import ClientStatus, InvitationKind, Role
from interlude.practices.models import CareTeamMember, Client, Invitation
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CLIENT_PAGES = ["/today/", "/progress/", "/tools/", "/messages/", "/me/", "/me/who-has-seen/"]


@pytest.fixture
def practice():
    return PracticeFactory(name="Harbour Counselling")


@pytest.fixture
def clinician(practice):
    return MembershipFactory(
        practice=practice,
        user=UserFactory(full_name="Dr Ada Lovelace", email="ada@harbour.example", mfa_exempt=True),
        title="Clinical psychologist",
    )


@pytest.fixture
def client(practice, clinician):
    c = ClientFactory(
        practice=practice,
        full_name="Jonah Whitfield",
        preferred_name="",
        user=UserFactory(full_name="Jonah Whitfield", email="jonah@example.org"),
    )
    CareTeamMemberFactory(client=c, membership=clinician)
    return c


@pytest.fixture
def other_practice_clinician():
    return MembershipFactory(
        practice=PracticeFactory(name="Elsewhere Therapy"),
        user=UserFactory(full_name="Dr Other Place", mfa_exempt=True),
    )


def _http(user=None, **defaults) -> HttpClient:
    http = HttpClient(**defaults)
    if user is not None:
        http.force_login(user)
    return http


def _record(client: Client) -> str:
    return f"/clinic/clients/{client.public_id}/"


# --- the client record ---------------------------------------------------------------------------
def test_care_team_clinician_sees_the_client_record(clinician, client):
    response = _http(clinician.user).get(_record(client))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Jonah Whitfield" in body
    assert "Dr Ada Lovelace, Clinical psychologist" in body
    assert response["Cache-Control"] == "no-store, private"


def test_record_view_is_audited_with_the_request_id_and_ip(clinician, client):
    http = _http(clinician.user, REMOTE_ADDR="198.51.100.4")

    response = http.get(_record(client), HTTP_X_REQUEST_ID="trace42")

    assert response["X-Request-ID"] == "trace42"
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_RECORD_VIEWED)
    assert (event.actor_id, event.client_id, event.practice_id) == (
        clinician.user.pk,
        client.pk,
        client.practice_id,
    )
    assert (event.request_id, event.ip, event.outcome) == (
        "trace42",
        "198.51.100.4",
        AuditOutcome.SUCCESS,
    )


def test_clinician_of_another_practice_gets_404_for_the_record(client, other_practice_clinician):
    response = _http(other_practice_clinician.user).get(_record(client))

    assert response.status_code == 404
    assert "Jonah Whitfield" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_ACCESS_DENIED)
    assert event.actor_id == other_practice_clinician.user.pk


def test_colleague_off_the_care_team_gets_404_for_the_record(practice, client):
    colleague = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=True))

    response = _http(colleague.user).get(_record(client))

    assert response.status_code == 404
    assert "Jonah Whitfield" not in response.content.decode()


def test_client_user_gets_404_for_their_own_clinician_record_page(client):
    response = _http(client.user).get(_record(client))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED).exists()


def test_practice_admin_gets_404_for_the_record(practice, client):
    admin = MembershipFactory(practice=practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True))

    assert _http(admin.user).get(_record(client)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = _http().get(_record(client))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={_record(client)}"


def test_unknown_client_id_is_404(clinician):
    response = _http(clinician.user).get("/clinic/clients/3f2b8a4e-0000-4000-8000-000000000000/")

    assert response.status_code == 404


# --- the caseload --------------------------------------------------------------------------------
def test_caseload_lists_only_the_clinicians_own_clients(
    practice, clinician, client, other_practice_clinician
):
    second = ClientFactory(practice=practice, full_name="Alma Brook")
    CareTeamMemberFactory(client=second, membership=clinician)
    colleague = MembershipFactory(practice=practice)
    CareTeamMemberFactory(
        client=ClientFactory(practice=practice, full_name="Colleague Client"),
        membership=colleague,
    )
    ClientFactory(practice=other_practice_clinician.practice, full_name="Foreign Client")

    response = _http(clinician.user).get("/clinic/")

    assert response.status_code == 200
    assert [c.full_name for c in response.context["rows"]] == ["Alma Brook", "Jonah Whitfield"]
    body = response.content.decode()
    assert "Alma Brook" in body
    assert "Jonah Whitfield" in body
    assert "Colleague Client" not in body
    assert "Foreign Client" not in body
    assert "2 current clients" in body
    event = AuditEvent.objects.get(action=AuditAction.CASELOAD_VIEWED)
    assert event.detail == {"clients": 2}


def test_caseload_hides_discharged_clients_unless_asked(practice, clinician, client):
    CareTeamMemberFactory(
        client=ClientFactory(
            practice=practice, full_name="Alma Brook", status=ClientStatus.DISCHARGED
        ),
        membership=clinician,
    )
    http = _http(clinician.user)

    current = http.get("/clinic/")
    everyone = http.get("/clinic/", {"status": "all"})

    assert [c.full_name for c in current.context["rows"]] == ["Jonah Whitfield"]
    assert [c.full_name for c in everyone.context["rows"]] == ["Alma Brook", "Jonah Whitfield"]
    assert current.context["total"] == everyone.context["total"] == 2


def test_caseload_htmx_request_gets_only_the_table(clinician, client):
    response = _http(clinician.user).get("/clinic/", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="caseload-table"')
    assert "<html" not in body
    assert "Jonah Whitfield" in body


def test_clinician_without_second_factor_is_sent_to_enrol_from_the_caseload(practice):
    membership = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=False))
    CareTeamMemberFactory(
        client=ClientFactory(practice=practice, full_name="Hidden Person"), membership=membership
    )
    http = _http(membership.user)

    response = http.get("/clinic/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp") == "/accounts/2fa/totp/activate/"
    assert not AuditEvent.objects.filter(action=AuditAction.CASELOAD_VIEWED).exists()


def test_clinician_without_second_factor_is_sent_to_enrol_from_a_record(practice):
    membership = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=False))
    hidden = ClientFactory(practice=practice, full_name="Hidden Person")
    CareTeamMemberFactory(client=hidden, membership=membership)

    response = _http(membership.user).get(_record(hidden))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert "Hidden Person" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED).exists()


def test_home_sends_each_person_to_their_start_page(practice, clinician, client):
    admin = MembershipFactory(practice=practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True))

    assert _http(clinician.user).get("/")["Location"] == "/clinic/"
    assert _http(client.user).get("/")["Location"] == "/today/"
    assert _http(admin.user).get("/")["Location"] == "/practice/"


# --- the client's side ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", CLIENT_PAGES)
def test_client_pages_are_404_for_a_clinician(clinician, client, path):
    assert _http(clinician.user).get(path).status_code == 404


@pytest.mark.parametrize("path", CLIENT_PAGES)
def test_client_pages_open_for_the_client(client, path):
    assert _http(client.user).get(path).status_code == 200


def test_who_has_seen_my_information_lists_the_clinician_after_a_view(clinician, client):
    client_http = _http(client.user)
    before = client_http.get("/me/who-has-seen/").content.decode()
    assert "No one has opened your record yet." in before

    assert _http(clinician.user).get(_record(client)).status_code == 200
    response = client_http.get("/me/who-has-seen/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h3>Dr Ada Lovelace</h3>" in body
    assert [(g.who, g.seen, g.refused) for g in response.context["groups"]] == [
        (
            "Dr Ada Lovelace",
            ("questionnaire scores", "check-ins and mood", "journal and worksheets"),
            False,
        )
    ]


def test_who_has_seen_does_not_list_the_client_themselves(client):
    http = _http(client.user)
    for path in CLIENT_PAGES:
        http.get(path)

    assert http.get("/me/who-has-seen/").context["groups"] == []


# --- adding a client -----------------------------------------------------------------------------
ADD = {
    "full_name": "Priya Ramanathan",
    "preferred_name": "Jaya",
    "email": "Priya.R@Example.org",
    "time_zone": "Europe/Berlin",
    "country": "DE",
}


def test_add_client_creates_the_client_with_the_clinician_on_the_care_team(
    clinician, django_capture_on_commit_callbacks
):
    http = _http(clinician.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/clinic/clients/new/", ADD)

    new = Client.objects.get(full_name="Priya Ramanathan")
    assert response.status_code == 302
    assert response["Location"] == _record(new)
    assert (new.practice_id, new.preferred_name, new.email) == (
        clinician.practice_id,
        "Jaya",
        "priya.r@example.org",
    )
    assert (new.time_zone, new.country, new.status, new.user_id) == (
        "Europe/Berlin",
        "DE",
        ClientStatus.INVITED,
        None,
    )
    assert (new.created_by_id, new.updated_by_id) == (clinician.user.pk, clinician.user.pk)
    assert list(
        CareTeamMember.objects.filter(client=new).values_list("membership_id", "is_primary")
    ) == [(clinician.pk, True)]
    assert list(Invitation.objects.values_list("kind", "email", "client_id")) == [
        (InvitationKind.CLIENT, "priya.r@example.org", new.pk)
    ]
    assert list(
        AuditEvent.objects.exclude(action=AuditAction.LOGIN).values_list("action", "client_id")
    ) == [
        (AuditAction.CLIENT_CREATED, new.pk),
        (AuditAction.INVITATION_SENT, new.pk),
    ]
    followed = http.get(response["Location"]).content.decode()
    assert "Client added, and an invitation was sent to them." in followed


def test_add_client_sends_one_invitation_email_without_personal_detail(
    clinician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _http(clinician.user).post("/clinic/clients/new/", ADD)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["priya.r@example.org"]
    assert message.subject == "Your invitation to Interlude from Harbour Counselling"
    assert "Dr Ada Lovelace at Harbour Counselling has invited you to Interlude" in message.body
    links = re.findall(r"http://testserver/invite/([A-Za-z0-9_\-]+)/", message.body)
    assert len(links) == 1
    assert invitation_find(token=links[0]) == Invitation.objects.get()
    for detail in ("Priya", "Ramanathan", "Jaya", "Europe/Berlin"):
        assert detail not in message.body
        assert detail not in message.subject


def test_add_client_without_email_sends_nothing(clinician, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _http(clinician.user).post("/clinic/clients/new/", {**ADD, "email": ""})

    assert response.status_code == 302
    assert Client.objects.get().email == ""
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_add_client_with_empty_name_re_renders_with_the_field_error(
    clinician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _http(clinician.user).post("/clinic/clients/new/", {**ADD, "full_name": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {"full_name": ["Enter the client's full name."]}
    body = response.content.decode()
    assert '<a href="#id_full_name">' + escape("Enter the client's full name.") + "</a>" in body
    # ...and beside the field itself.
    assert re.search(
        r'<p class="field-error"[^>]*>.*?' + re.escape(escape("Enter the client's full name.")),
        body,
    )
    assert Client.objects.count() == 0
    assert Invitation.objects.count() == 0
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.LOGIN]
    assert mail.outbox == []


def test_add_client_with_unknown_time_zone_names_the_field(clinician):
    response = _http(clinician.user).post("/clinic/clients/new/", {**ADD, "time_zone": "Mars/Base"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["time_zone"]
    assert Client.objects.count() == 0


def test_add_client_form_is_404_for_a_practice_admin(practice):
    admin = MembershipFactory(practice=practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True))

    assert _http(admin.user).post("/clinic/clients/new/", ADD).status_code == 404
    assert Client.objects.count() == 0


def test_add_client_form_is_404_for_a_client(client):
    assert _http(client.user).post("/clinic/clients/new/", ADD).status_code == 404
    assert Client.objects.filter(full_name="Priya Ramanathan").count() == 0
