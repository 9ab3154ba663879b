"""Session hygiene (SR-06..SR-08): new id at login, automatic logoff, server-side invalidation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from interlude.accounts.services import user_deactivate, user_sessions_end
from tests.factories import PASSWORD, ClientFactory, MembershipFactory, UserFactory

LOGIN_PATH = "/accounts/login/"
CLINIC_PAGE = "/clinic/"
CLIENT_PAGE = "/today/"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IDLE_MESSAGE = "You were signed out after 15 minutes without activity"

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician():
    # mfa_exempt (honoured while DEMO_ENABLED, as in tests) stands for "second factor passed".
    return MembershipFactory(user=UserFactory(mfa_exempt=True)).user


@pytest.fixture
def client_user():
    user = UserFactory()
    ClientFactory(user=user)
    return user


def _sign_in(user) -> Client:
    browser = Client()
    response = browser.post(LOGIN_PATH, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert browser.session["_auth_user_id"] == str(user.pk)
    return browser


def _session_cookie(browser: Client) -> str:
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def _browser_with_cookie(value: str) -> Client:
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = value
    return browser


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)


# --- SR-06: new session id at login ---------------------------------------------------------------
def test_session_key_changes_at_login(clinician):
    browser = Client()
    before = browser.session  # an anonymous session planted before sign-in (fixation attempt)
    before["planted"] = "by-an-attacker"
    before.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = before.session_key

    response = browser.post(LOGIN_PATH, {"login": clinician.email, "password": PASSWORD})

    assert response.status_code == 302
    after = _session_cookie(browser)
    assert after != before.session_key
    assert not Session.objects.filter(session_key=before.session_key).exists()
    # The planted key does not carry the signed-in user.
    assert _is_login_redirect(_browser_with_cookie(before.session_key).get(CLINIC_PAGE))


def test_session_cookie_is_httponly_and_lax(clinician):
    response = Client().post(LOGIN_PATH, {"login": clinician.email, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# --- SR-07: automatic logoff ----------------------------------------------------------------------
def test_clinician_idle_for_fifteen_minutes_is_signed_out(clinician):
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(clinician)
        assert browser.get(CLINIC_PAGE).status_code == 200
        old_key = _session_cookie(browser)

        traveller.shift(timedelta(minutes=15, seconds=1))
        response = browser.get(CLINIC_PAGE)

        assert _is_login_redirect(response)
        assert "next=/clinic/" in response["Location"]
        assert not Session.objects.filter(session_key=old_key).exists()
        login_page = browser.get(response["Location"])
        assert login_page.status_code == 200
        assert IDLE_MESSAGE in login_page.content.decode()
        # Signed out for good: the next request is anonymous as well.
        assert _is_login_redirect(browser.get(CLINIC_PAGE))


def test_clinician_active_within_fifteen_minutes_stays_signed_in(clinician):
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(clinician)
        assert browser.get(CLINIC_PAGE).status_code == 200
        for _ in range(4):  # 56 minutes in all, never more than 14 idle
            traveller.shift(timedelta(minutes=14))
            assert browser.get(CLINIC_PAGE).status_code == 200


def test_absolute_limit_ends_even_an_active_session(clinician):
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(clinician)
        assert browser.get(CLINIC_PAGE).status_code == 200
        elapsed = timedelta()
        while elapsed + timedelta(minutes=10) <= timedelta(hours=12):
            traveller.shift(timedelta(minutes=10))
            elapsed += timedelta(minutes=10)
            assert browser.get(CLINIC_PAGE).status_code == 200, elapsed
        assert elapsed == timedelta(hours=12)

        traveller.shift(timedelta(seconds=1))
        response = browser.get(CLINIC_PAGE)

        assert _is_login_redirect(response)
        login_page = browser.get(response["Location"])
        assert "Your session reached its time limit" in login_page.content.decode()


def test_session_unused_after_sign_in_still_idles_out(clinician):
    """The clocks start at sign-in, not at the first page after it."""
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(clinician)
        traveller.shift(timedelta(minutes=15, seconds=1))
        assert _is_login_redirect(browser.get(CLINIC_PAGE))


def test_session_unused_after_sign_in_still_ends_at_the_absolute_limit(client_user):
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(client_user)
        traveller.shift(settings.CLIENT_ABSOLUTE_TIMEOUT + timedelta(seconds=1))
        assert _is_login_redirect(browser.get(CLIENT_PAGE))


def test_client_session_survives_an_hour_idle(client_user):
    assert timedelta(hours=1) < settings.CLIENT_IDLE_TIMEOUT
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(client_user)
        assert browser.get(CLIENT_PAGE).status_code == 200

        traveller.shift(timedelta(hours=1))
        assert browser.get(CLIENT_PAGE).status_code == 200


def test_client_session_ends_after_the_client_idle_limit(client_user):
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(client_user)
        assert browser.get(CLIENT_PAGE).status_code == 200

        traveller.shift(settings.CLIENT_IDLE_TIMEOUT + timedelta(seconds=1))
        assert _is_login_redirect(browser.get(CLIENT_PAGE))


def test_keepalive_answers_204_and_counts_as_activity(clinician):
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(clinician)
        assert browser.get(CLINIC_PAGE).status_code == 200

        traveller.shift(timedelta(minutes=14))
        keepalive = browser.post("/accounts/session/keepalive/")
        assert keepalive.status_code == 204

        traveller.shift(timedelta(minutes=14))  # 28 minutes after the last page view
        assert browser.get(CLINIC_PAGE).status_code == 200


def test_keepalive_after_timeout_does_not_revive_the_session(clinician):
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(clinician)
        assert browser.get(CLINIC_PAGE).status_code == 200

        traveller.shift(timedelta(minutes=15, seconds=1))
        assert browser.post("/accounts/session/keepalive/").status_code != 204
        assert _is_login_redirect(browser.get(CLINIC_PAGE))


def test_keepalive_requires_post_and_a_signed_in_user(clinician):
    assert _is_login_redirect(Client().post("/accounts/session/keepalive/"))
    browser = _sign_in(clinician)
    assert browser.get("/accounts/session/keepalive/").status_code == 405


def test_htmx_request_after_timeout_gets_401_with_hx_redirect(clinician):
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(clinician)
        assert browser.get(CLINIC_PAGE).status_code == 200

        traveller.shift(timedelta(minutes=15, seconds=1))
        response = browser.get(CLINIC_PAGE, headers={"HX-Request": "true"})

        assert response.status_code == 401
        assert response["HX-Redirect"] == LOGIN_PATH
        assert _is_login_redirect(browser.get(CLINIC_PAGE))


def test_pages_tell_the_browser_when_the_session_will_idle_out(clinician):
    browser = _sign_in(clinician)
    html = browser.get(CLINIC_PAGE).content.decode()
    assert 'data-expires-in="900"' in html


# --- SR-08: server-side invalidation --------------------------------------------------------------
def test_logout_then_replaying_the_old_cookie_is_not_served(clinician):
    browser = _sign_in(clinician)
    assert browser.get(CLINIC_PAGE).status_code == 200
    old_key = _session_cookie(browser)

    response = browser.post("/accounts/logout/")

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = _browser_with_cookie(old_key).get(CLINIC_PAGE)
    assert _is_login_redirect(replay)


def test_logout_by_get_is_refused(clinician):
    browser = _sign_in(clinician)
    browser.get("/accounts/logout/")
    assert browser.get(CLINIC_PAGE).status_code == 200


def test_deactivating_a_user_ends_all_their_sessions(clinician):
    laptop, phone = _sign_in(clinician), _sign_in(clinician)
    assert laptop.get(CLINIC_PAGE).status_code == 200
    assert phone.get(CLINIC_PAGE).status_code == 200
    keys = [_session_cookie(laptop), _session_cookie(phone)]
    assert UserSession.objects.filter(user=clinician).count() == 2

    user_deactivate(user=clinician)

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=clinician).exists()
    for key in keys:
        assert _is_login_redirect(_browser_with_cookie(key).get(CLINIC_PAGE))
    # Nor can they sign in again.
    response = Client().post(LOGIN_PATH, {"login": clinician.email, "password": PASSWORD})
    assert "_auth_user_id" not in response.client.session


def test_ending_sessions_leaves_other_users_signed_in(clinician, client_user):
    other = _sign_in(client_user)
    _sign_in(clinician)

    assert user_sessions_end(user=clinician) == 1

    assert other.get(CLIENT_PAGE).status_code == 200
