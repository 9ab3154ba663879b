"""Invitations: single-use, expiring links for clients and staff (services and /invite/<token>/)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient

from interlude.accounts.models import User
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.clinic.emails import invitation_email_send
from interlude.clinic.services import (
    invitation_accept,
    invitation_create_for_client,
    invitation_create_for_staff,
    invitation_find,
    invitation_revoke,
)
from interlude.clinic.tasks import invitation_send_email
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.practices.enums import ClientStatus, InvitationKind, Role
from interlude.practices.models import Invitation, Membership
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver/"
GOOD_PASSWORD = "quiet harbour lanterns 42"


@pytest.fixture
def practice():
    return PracticeFactory(name="Harbour Counselling")


@pytest.fixture
def clinician(practice):
    return MembershipFactory(
        practice=practice,
        user=UserFactory(full_name="Dr Ada Lovelace", email="ada@harbour.example", mfa_exempt=True),
    )


@pytest.fixture
def owner(practice):
    return MembershipFactory(
        practice=practice,
        role=Role.OWNER,
        user=UserFactory(full_name="Olive Owner", email="olive@harbour.example", mfa_exempt=True),
    )


@pytest.fixture
def new_client(practice, clinician):
    """A client added by the clinician who has no account yet."""
    c = ClientFactory(
        practice=practice,
        full_name="Sam Okafor",
        email="sam@example.org",
        status=ClientStatus.INVITED,
        started_on=None,
        user=None,
    )
    CareTeamMemberFactory(client=c, membership=clinician)
    return c


@pytest.fixture
def invite(clinician, new_client, django_capture_on_commit_callbacks):
    """Invite the client; returns a function so tests can send more than one."""

    def send(email: str = "sam@example.org") -> tuple[Invitation, str]:
        with django_capture_on_commit_callbacks(execute=True):
            return invitation_create_for_client(
                actor=clinician.user,
                membership=clinician,
                client=new_client,
                email=email,
                base_url=BASE_URL,
            )

    return send


def _url(token: str) -> str:
    return f"/invite/{token}/"


def _accept_data(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Sam Okafor",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        **overrides,
    }


# --- creating and sending ------------------------------------------------------------------------
def test_invitation_stores_only_a_hash_of_the_token(invite):
    invitation, token = invite()

    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_encrypted
    assert invitation_find(token=token) == invitation
    assert len(token) == 43


def test_invitation_expires_after_the_configured_lifetime(invite):
    with time_machine.travel("2026-03-01 09:00:00+00:00", tick=False):
        invitation, _ = invite()

    assert invitation.created_at.isoformat() == "2026-03-01T09:00:00+00:00"
    assert invitation.expires_at == invitation.created_at + settings.INVITATION_LIFETIME


def test_invitation_email_carries_the_practice_and_link_only(invite, new_client):
    _, token = invite()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.org"]
    assert message.subject == "Your invitation to Interlude from Harbour Counselling"
    assert f"http://testserver/invite/{token}/" in message.body
    assert "Dr Ada Lovelace at Harbour Counselling has invited you to Interlude" in message.body
    assert "Sam" not in message.body
    assert "Okafor" not in message.body


def test_invitation_is_audited_as_sent(invite, clinician, new_client):
    invitation, _ = invite()

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.INVITATION_SENT
    assert (event.actor_id, event.client_id, event.practice_id) == (
        clinician.user.pk,
        new_client.pk,
        new_client.practice_id,
    )
    assert (event.object_type, event.object_id, event.detail) == (
        "invitation",
        str(invitation.pk),
        {"kind": "client"},
    )


def test_email_task_is_idempotent(invite):
    invitation, _ = invite()  # the on-commit task has sent it once
    assert len(mail.outbox) == 1

    assert invitation_email_send(invitation_id=invitation.pk, base_url=BASE_URL) is False
    result = invitation_send_email.enqueue(invitation_id=invitation.pk, base_url=BASE_URL)

    assert result.return_value is False
    assert len(mail.outbox) == 1


def test_email_send_twice_sends_one_email(clinician, new_client):
    # Without running on-commit callbacks the email is still unsent.
    invitation, _ = invitation_create_for_client(
        actor=clinician.user,
        membership=clinician,
        client=new_client,
        email="sam@example.org",
        base_url=BASE_URL,
    )
    assert mail.outbox == []

    first = invitation_email_send(invitation_id=invitation.pk, base_url=BASE_URL)
    second = invitation_email_send(invitation_id=invitation.pk, base_url=BASE_URL)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.email_sent_at is not None


def test_email_for_a_revoked_invitation_is_not_sent(clinician, new_client):
    invitation, _ = invitation_create_for_client(
        actor=clinician.user,
        membership=clinician,
        client=new_client,
        email="sam@example.org",
        base_url=BASE_URL,
    )
    invitation_revoke(actor=clinician.user, invitation=invitation)

    assert invitation_email_send(invitation_id=invitation.pk, base_url=BASE_URL) is False
    assert mail.outbox == []


def test_email_for_an_unknown_invitation_is_not_sent():
    assert invitation_email_send(invitation_id=987654, base_url=BASE_URL) is False
    assert mail.outbox == []


def test_invitation_uses_the_new_address_and_updates_the_client(invite, new_client):
    invitation, _ = invite(email=" Sam.New@Example.ORG ")

    new_client.refresh_from_db()
    assert invitation.email == "sam.new@example.org"
    assert new_client.email == "sam.new@example.org"
    assert mail.outbox[0].to == ["sam.new@example.org"]


def test_invitation_for_a_client_of_another_practice_is_refused(clinician):
    foreign = ClientFactory(practice=PracticeFactory(), user=None)

    with pytest.raises(ApplicationError) as excinfo:
        invitation_create_for_client(
            actor=clinician.user,
            membership=clinician,
            client=foreign,
            email="x@example.org",
            base_url=BASE_URL,
        )

    assert excinfo.value.message == "This client belongs to another practice."
    assert Invitation.objects.count() == 0


def test_invitation_for_a_client_with_an_account_is_refused(practice, clinician):
    linked = ClientFactory(practice=practice, user=UserFactory())

    with pytest.raises(ApplicationError) as excinfo:
        invitation_create_for_client(
            actor=clinician.user,
            membership=clinician,
            client=linked,
            email="x@example.org",
            base_url=BASE_URL,
        )

    assert excinfo.value.message == "This client already has an account."


def test_second_invitation_revokes_the_first(invite):
    first, first_token = invite()
    second, second_token = invite()

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_pending
    assert list(AuditEvent.objects.values_list("action", "object_id").order_by("seq")) == [
        (AuditAction.INVITATION_SENT, str(first.pk)),
        (AuditAction.INVITATION_REVOKED, str(first.pk)),
        (AuditAction.INVITATION_SENT, str(second.pk)),
    ]
    old = HttpClient().get(_url(first_token))
    assert old.status_code == 410
    assert "This invitation is no longer valid" in old.content.decode()
    assert HttpClient().get(_url(second_token)).status_code == 200
    assert len(mail.outbox) == 2


def test_resend_from_the_client_record_revokes_the_first(
    clinician, new_client, invite, django_capture_on_commit_callbacks
):
    first, _ = invite()
    http = HttpClient()
    http.force_login(clinician.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"/clinic/clients/{new_client.public_id}/invite/", {"email": "sam@example.org"}
        )

    assert response.status_code == 302
    assert response["Location"] == f"/clinic/clients/{new_client.public_id}/"
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    assert len(mail.outbox) == 2
    page = http.get(response["Location"]).content.decode()
    assert "A new invitation was sent. Earlier links no longer work." in page


# --- accepting -----------------------------------------------------------------------------------
def test_invitation_page_shows_who_invited_and_the_address(invite):
    _, token = invite()

    response = HttpClient().get(_url(token))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Dr Ada Lovelace at Harbour Counselling invited you." in body
    assert 'value="sam@example.org" readonly' in body
    assert response.context["form"].initial == {"full_name": "Sam Okafor"}


def test_accepting_creates_the_account_links_the_client_and_signs_in(invite, new_client):
    invitation, token = invite()
    http = HttpClient()

    response = http.post(_url(token), _accept_data(full_name="Sam O."), follow=True)

    assert response.redirect_chain == [("/", 302), ("/today/", 302)]
    assert response.status_code == 200
    user = User.objects.get(email="sam@example.org")
    assert user.full_name == "Sam O."
    assert user.check_password(GOOD_PASSWORD)
    assert user.mfa_exempt is False
    assert int(http.session["_auth_user_id"]) == user.pk
    new_client.refresh_from_db()
    assert new_client.user == user
    assert new_client.status == ClientStatus.ACTIVE
    assert new_client.started_on == client_today(new_client)  # the client's day, not UTC's
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    accepted = AuditEvent.objects.get(action=AuditAction.INVITATION_ACCEPTED)
    assert (accepted.actor_id, accepted.client_id) == (user.pk, new_client.pk)


def test_used_link_shows_the_already_used_page(invite):
    _, token = invite()
    assert HttpClient().post(_url(token), _accept_data()).status_code == 302

    again = HttpClient().get(_url(token))
    replay = HttpClient().post(_url(token), _accept_data(full_name="Someone Else"))

    assert again.status_code == 410
    assert "This invitation has already been used" in again.content.decode()
    assert replay.status_code == 410
    assert User.objects.filter(email="sam@example.org").count() == 1
    assert User.objects.get(email="sam@example.org").full_name == "Sam Okafor"


def test_accepting_twice_through_the_service_is_refused(invite):
    invitation, _ = invite()
    invitation_accept(invitation_id=invitation.pk, full_name="Sam", password=GOOD_PASSWORD)

    with pytest.raises(ApplicationError) as excinfo:
        invitation_accept(invitation_id=invitation.pk, full_name="Sam", password=GOOD_PASSWORD)

    assert excinfo.value.message == "This invitation has already been used or is no longer valid."


def test_expired_link_shows_the_expired_page(invite):
    invitation, token = invite()

    with time_machine.travel(
        invitation.created_at + settings.INVITATION_LIFETIME + timedelta(minutes=1), tick=False
    ):
        page = HttpClient().get(_url(token))
        attempt = HttpClient().post(_url(token), _accept_data())

    body = page.content.decode()
    assert page.status_code == 410
    assert "This invitation has expired" in body
    assert "Ask Harbour Counselling to send you a new one." in body
    assert attempt.status_code == 410
    assert not User.objects.filter(email="sam@example.org").exists()


def test_link_still_works_just_before_it_expires(invite):
    invitation, token = invite()

    with time_machine.travel(invitation.expires_at - timedelta(seconds=1), tick=False):
        response = HttpClient().get(_url(token))

    assert response.status_code == 200


@pytest.mark.parametrize("token", ["no-such-token", "x" * 101, "A" * 43])
def test_unknown_link_shows_a_clear_404_page(token):
    response = HttpClient().get(_url(token))

    body = response.content.decode()
    assert response.status_code == 404
    assert "We could not find this invitation" in body
    assert "Try copying the whole link from your email" in body


def test_too_short_password_re_renders_with_the_error_and_creates_no_user(invite, new_client):
    invitation, token = invite()

    response = HttpClient().post(
        _url(token), _accept_data(password1="k3x!Tq9w", password2="k3x!Tq9w")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password1": ["This password is too short. It must contain at least 12 characters."]
    }
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(email="sam@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.is_pending
    new_client.refresh_from_db()
    assert new_client.user_id is None


def test_mismatched_passwords_re_render_with_the_error_and_create_no_user(invite):
    _, token = invite()

    response = HttpClient().post(_url(token), _accept_data(password2=GOOD_PASSWORD + "!"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password2": ["The two passwords are different. Type the same one twice."]
    }
    assert not User.objects.filter(email="sam@example.org").exists()


def test_missing_name_re_renders_and_creates_no_user(invite):
    _, token = invite()

    response = HttpClient().post(_url(token), _accept_data(full_name=""))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["full_name"]
    assert not User.objects.filter(email="sam@example.org").exists()


def test_existing_account_with_the_address_must_sign_in_first(invite):
    UserFactory(email="sam@example.org")
    invitation, token = invite()

    response = HttpClient().post(_url(token), _accept_data())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You already have an account with this email address. Sign in first, "
        "then open the invitation link again."
    ]
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_signed_in_invitee_accepts_without_a_new_password(invite, new_client):
    user = UserFactory(email="sam@example.org")
    _, token = invite()
    http = HttpClient()
    http.force_login(user)

    response = http.post(_url(token), {})

    assert response.status_code == 302
    assert response["Location"] == "/"
    new_client.refresh_from_db()
    assert new_client.user == user
    assert user.check_password(PASSWORD)


def test_signed_in_as_someone_else_gets_the_wrong_account_page(invite, clinician, new_client):
    _, token = invite()
    http = HttpClient()
    http.force_login(clinician.user)

    response = http.post(_url(token), _accept_data())

    assert response.status_code == 200
    assert "This invitation is for someone else" in response.content.decode()
    new_client.refresh_from_db()
    assert new_client.user_id is None


# --- staff ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.ADMIN, Role.OWNER])
def test_owner_invites_staff_and_acceptance_creates_the_membership(
    owner, practice, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create_for_staff(
            actor=owner.user,
            membership=owner,
            email="New.Colleague@Example.org",
            role=role,
            base_url=BASE_URL,
        )
    assert (invitation.kind, invitation.email, invitation.role, invitation.client_id) == (
        InvitationKind.STAFF,
        "new.colleague@example.org",
        role,
        None,
    )
    assert "to join the practice's team" in mail.outbox[0].body

    response = HttpClient().post(_url(token), _accept_data(full_name="Nia Colleague"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    membership = Membership.objects.get(user__email="new.colleague@example.org")
    assert (membership.practice, membership.role, membership.is_active) == (practice, role, True)
    assert not hasattr(membership.user, "client_profile")


def test_staff_invitation_page_names_the_role(owner):
    _, token = invitation_create_for_staff(
        actor=owner.user,
        membership=owner,
        email="n@example.org",
        role=Role.ADMIN,
        base_url=BASE_URL,
    )

    body = HttpClient().get(_url(token)).content.decode()

    assert "Olive Owner at Harbour Counselling invited you to join the practice as " in body
    assert "practice admin" in body


def test_owner_invites_staff_over_http(owner, django_capture_on_commit_callbacks):
    http = HttpClient()
    http.force_login(owner.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/practice/invite/", {"email": "n@example.org", "role": "clinician"})

    assert response.status_code == 302
    assert response["Location"] == "/practice/"
    assert list(Invitation.objects.values_list("email", "role")) == [("n@example.org", "clinician")]
    assert len(mail.outbox) == 1


def test_clinician_cannot_invite_staff(clinician):
    with pytest.raises(ApplicationError) as excinfo:
        invitation_create_for_staff(
            actor=clinician.user,
            membership=clinician,
            email="n@example.org",
            role=Role.CLINICIAN,
            base_url=BASE_URL,
        )

    assert excinfo.value.message == "Only the practice owner or an admin can invite team members."
    assert Invitation.objects.count() == 0


def test_clinician_gets_404_from_the_staff_invite_page(clinician):
    http = HttpClient()
    http.force_login(clinician.user)

    response = http.post("/practice/invite/", {"email": "n@example.org", "role": "clinician"})

    assert response.status_code == 404
    assert Invitation.objects.count() == 0


def test_admin_cannot_invite_an_owner(practice):
    admin = MembershipFactory(practice=practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True))

    with pytest.raises(ApplicationError) as excinfo:
        invitation_create_for_staff(
            actor=admin.user,
            membership=admin,
            email="n@example.org",
            role=Role.OWNER,
            base_url=BASE_URL,
        )

    assert (excinfo.value.message, excinfo.value.field) == (
        "Only an owner can invite another owner.",
        "role",
    )


def test_inviting_someone_already_on_the_team_is_refused(owner, clinician):
    with pytest.raises(ApplicationError) as excinfo:
        invitation_create_for_staff(
            actor=owner.user,
            membership=owner,
            email="ADA@harbour.example",
            role=Role.CLINICIAN,
            base_url=BASE_URL,
        )

    assert (excinfo.value.message, excinfo.value.field) == (
        "This person is already on your team.",
        "email",
    )


def test_invitation_link_from_the_email_is_the_one_that_works(invite):
    invite()
    (link,) = re.findall(r"http://testserver(/invite/[^/\s]+/)", mail.outbox[0].body)

    assert HttpClient().get(link).status_code == 200


def test_a_client_accepting_late_in_the_evening_starts_on_their_own_day(invite, new_client):
    """At 23:30 UTC on 28 March it is already 29 March in Auckland: care starts on the 29th."""
    new_client.time_zone = "Pacific/Auckland"
    new_client.save(update_fields=["time_zone"])
    with time_machine.travel(datetime(2026, 3, 28, 20, 0, tzinfo=UTC), tick=False):
        invitation, _ = invite()
    with time_machine.travel(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), tick=False):
        invitation_accept(invitation_id=invitation.pk, full_name="Sam", password=GOOD_PASSWORD)

    new_client.refresh_from_db()
    assert new_client.started_on == date(2026, 3, 29)
