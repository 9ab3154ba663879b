"""Second factor for clinicians and practice managers (SR-04).

A clinician without TOTP is sent to set it up before any client data; TOTP seeds are stored
encrypted (SR-24); signing in with TOTP needs the code; a code works once.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from allauth.core import context as allauth_context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from interlude.accounts.adapters import MFAAdapter
from interlude.accounts.mfa_secrets import mfa_secrets_of
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.clinic.middleware import route_access
from interlude.core.policy import Access
from interlude.practices.enums import Role
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN_PATH = "/accounts/login/"
CLINIC_PAGE = "/clinic/"


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in_password_only(user) -> Client:
    browser = Client()
    response = browser.post(LOGIN_PATH, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(user.pk)
    return browser


def _open_totp_activation(browser: Client) -> str:
    """Open allauth's activation page, confirming the password first as allauth asks; the secret."""
    activate = reverse("mfa_activate_totp")
    page = browser.get(activate)
    if page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate")):
        confirmed = browser.post(page["Location"], {"password": PASSWORD})
        assert confirmed.status_code == 302
        assert confirmed["Location"] == activate
        page = browser.get(activate)
    assert page.status_code == 200
    return browser.session[SECRET_SESSION_KEY]


def _raw_authenticator_data(authenticator: Authenticator) -> str:
    table = Authenticator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {table} WHERE id = %s", [authenticator.pk])  # noqa: S608
        (raw,) = cursor.fetchone()
    return raw if isinstance(raw, str) else json.dumps(raw)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Ten seconds into a 30-second TOTP period, so a computed code cannot expire mid-test."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def clinician():
    membership = MembershipFactory(user=UserFactory(mfa_exempt=False))
    client = ClientFactory(practice=membership.practice, user=UserFactory())
    CareTeamMemberFactory(client=client, membership=membership)
    return membership.user


@pytest.fixture
def totp_clinician(clinician):
    secret = generate_totp_secret()
    TOTP.activate(clinician, secret)
    return clinician, secret


# --- enrolment is required before client data -----------------------------------------------------
def test_unenrolled_clinician_is_sent_to_totp_activation(clinician):
    browser = _sign_in_password_only(clinician)

    response = browser.get(CLINIC_PAGE)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def _guarded_paths(membership, client) -> list[str]:
    """Every concrete URL whose rule needs a clinician, a practice manager or any staff."""
    values = {
        "client_id": str(client.public_id),
        "membership_id": str(membership.pk),
        "resource_id": "1",
        # Any id: the route must refuse before it looks anything up.
        **{
            name: str(uuid.uuid4())
            for name in (
                "alert_id",
                "appointment_id",
                "schedule_id",
                "response_id",
                "due_id",
                "closure_id",
                "grant_id",
                "problem_id",
                "goal_id",
                "note_id",
                "assignment_id",
                "occurrence_id",
                "attachment_id",
                "app_id",
                "recommendation_id",
                "suitability_note_id",
                "report_id",
            )
        },
        "code": "phq9",
        "kind": "checkins",
        "step": "1",
        "version": "1",
    }
    paths: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                rule = route_access(pattern.callback, pattern.name)
                if rule not in (Access.CLINICIAN, Access.PRACTICE_ADMIN, Access.STAFF):
                    continue
                route = prefix + str(pattern.pattern)
                for name, value in values.items():
                    for converter in ("uuid", "int", "str", "slug"):
                        route = route.replace(f"<{converter}:{name}>", value)
                assert "<" not in route, f"fill in a value for {route}"
                paths.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return paths


def test_no_clinical_or_admin_page_is_served_without_a_second_factor():
    owner = MembershipFactory(role=Role.OWNER, user=UserFactory(mfa_exempt=False))
    client = ClientFactory(practice=owner.practice, user=UserFactory())
    CareTeamMemberFactory(client=client, membership=owner)
    browser = _sign_in_password_only(owner.user)
    paths = _guarded_paths(owner, client)
    assert CLINIC_PAGE in paths
    assert len(paths) >= 5

    served = []
    for path in paths:
        for method in ("get", "post"):
            response = getattr(browser, method)(path)
            if response.status_code != 302 or response["Location"] != reverse("mfa_activate_totp"):
                served.append((method, path, response.status_code))

    # The JSON API reads client data through the same gate.
    for path in ("/api/v1/clients", f"/api/v1/clients/{client.public_id}"):
        response = browser.get(path)
        if response.status_code == 200 or client.full_name.encode() in response.content:
            served.append(("get", path, response.status_code))

    attempted = 2 * len(paths) + 2
    assert served == [], f"reachable without a second factor: {len(served)}/{attempted}"


def test_enrolling_totp_through_allauth_opens_the_clinic(
    clinician, django_capture_on_commit_callbacks
):
    browser = _sign_in_password_only(clinician)
    secret = _open_totp_activation(browser)

    wrong = browser.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=clinician).exists()

    with django_capture_on_commit_callbacks() as callbacks:
        response = browser.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    # Outside tests the commit happens inside the request; run allauth's hooks as it would.
    with allauth_context.request_context(response.wsgi_request):
        for callback in callbacks:
            callback()

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=clinician, type=Authenticator.Type.TOTP).exists()
    assert browser.get(CLINIC_PAGE).status_code == 200
    added = AuditEvent.objects.filter(action=AuditAction.MFA_ADDED)
    assert {e.detail["factor"] for e in added} == {"totp", "recovery_codes"}
    assert {e.actor_id for e in added} == {clinician.pk}
    # The person is told that a second factor was added (SR-06).
    assert [m.to for m in mail.outbox] == [[clinician.email]]


def test_enrolled_clinician_sees_the_clinic(totp_clinician):
    clinician, secret = totp_clinician
    browser = Client()
    browser.post(LOGIN_PATH, {"login": clinician.email, "password": PASSWORD})
    browser.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert browser.get(CLINIC_PAGE).status_code == 200


def test_first_totp_set_up_right_after_password_sign_in_asks_no_second_password(clinician):
    """The sign-in minutes ago is the proof; a second prompt would only be friction."""
    browser = _sign_in_password_only(clinician)

    response = browser.get(reverse("mfa_activate_totp"))

    assert response.status_code == 200
    assert "Set up an authenticator app" in response.content.decode()


def test_totp_set_up_long_after_sign_in_needs_the_password_again(clinician):
    """SR-06: past the 5-minute window, setting up a factor needs a fresh password."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        browser = _sign_in_password_only(clinician)
    with time_machine.travel(datetime(2026, 3, 2, 9, 6, tzinfo=UTC), tick=False):
        response = browser.get(reverse("mfa_activate_totp"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        wrong = browser.post(response["Location"], {"password": "not-the-password-at-all"})
        assert wrong.status_code == 200
        assert browser.get(reverse("mfa_activate_totp")).status_code == 302


def test_removing_an_existing_factor_needs_the_password_again(totp_clinician):
    """SR-06: changing a second factor that exists always asks for the password again."""
    clinician, secret = totp_clinician
    browser = Client()
    browser.post(LOGIN_PATH, {"login": clinician.email, "password": PASSWORD})
    browser.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert browser.get(CLINIC_PAGE).status_code == 200

    response = browser.get(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


# --- seeds at rest --------------------------------------------------------------------------------
def test_totp_secret_is_stored_encrypted(totp_clinician):
    clinician, secret = totp_clinician
    authenticator = Authenticator.objects.get(user=clinician, type=Authenticator.Type.TOTP)
    stored = authenticator.data["secret"]

    assert stored.startswith("v1:")
    assert secret not in stored
    assert secret not in _raw_authenticator_data(authenticator)
    assert secret.lower() not in _raw_authenticator_data(authenticator).lower()
    assert isinstance(get_mfa_adapter(), MFAAdapter)
    with mfa_secrets_of(user_id=clinician.pk):
        assert get_mfa_adapter().decrypt(stored) == secret


def test_secret_enrolled_through_the_form_is_encrypted_too(clinician):
    browser = _sign_in_password_only(clinician)
    secret = _open_totp_activation(browser)
    browser.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})

    authenticator = Authenticator.objects.get(user=clinician, type=Authenticator.Type.TOTP)
    assert authenticator.data["secret"].startswith("v1:")
    assert secret not in _raw_authenticator_data(authenticator)
    with mfa_secrets_of(user_id=clinician.pk):
        assert get_mfa_adapter().decrypt(authenticator.data["secret"]) == secret
    # Not left behind in the session either.
    assert SECRET_SESSION_KEY not in browser.session


# --- the demo exemption ---------------------------------------------------------------------------
def test_demo_exemption_works_only_while_demo_is_enabled():
    exempt = MembershipFactory(user=UserFactory(mfa_exempt=True)).user
    browser = _sign_in_password_only(exempt)
    assert settings.DEMO_ENABLED is True
    assert browser.get(CLINIC_PAGE).status_code == 200

    with override_settings(DEMO_ENABLED=False):
        response = browser.get(CLINIC_PAGE)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


# --- signing in with TOTP -------------------------------------------------------------------------
def test_sign_in_with_totp_needs_the_second_step(totp_clinician):
    clinician, secret = totp_clinician
    browser = Client()

    response = browser.post(LOGIN_PATH, {"login": clinician.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in browser.session
    assert browser.get(CLINIC_PAGE)["Location"].startswith(LOGIN_PATH)

    wrong = browser.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in browser.session

    done = browser.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert done.status_code == 302
    assert browser.session["_auth_user_id"] == str(clinician.pk)
    assert browser.get(CLINIC_PAGE).status_code == 200


def test_a_totp_code_is_accepted_only_once(totp_clinician):
    """allauth marks a used code in the cache (TOTP._mark_code_used) for one period (SR-04)."""
    clinician, secret = totp_clinician
    first, second = Client(), Client()
    first.post(LOGIN_PATH, {"login": clinician.email, "password": PASSWORD})
    second.post(LOGIN_PATH, {"login": clinician.email, "password": PASSWORD})
    code = _current_code(secret)

    accepted = first.post(reverse("mfa_authenticate"), {"code": code})
    replayed = second.post(reverse("mfa_authenticate"), {"code": code})

    assert accepted.status_code == 302
    assert first.session["_auth_user_id"] == str(clinician.pk)
    assert replayed.status_code == 200
    assert "_auth_user_id" not in second.session
    assert second.get(CLINIC_PAGE)["Location"].startswith(LOGIN_PATH)


def test_replay_protection_holds_at_the_model_level(totp_clinician):
    clinician, secret = totp_clinician
    totp = TOTP(Authenticator.objects.get(user=clinician, type=Authenticator.Type.TOTP))
    code = _current_code(secret)
    assert totp.validate_code(code) is True
    assert totp.validate_code(code) is False
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 29, tzinfo=UTC), tick=False):
        # Still the same 30-second period: the code is valid but already used.
        assert _current_code(secret) == code
        assert totp.validate_code(code) is False
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 31, tzinfo=UTC), tick=False):
        # Next period: the old code is no longer valid at all (MFA_TOTP_TOLERANCE is 0).
        assert totp.validate_code(code) is False
