"""Brute-force defence (SR-05): django-axes locks a login after 5 failures for 15 minutes.

The lockout lives in the database (axes' AccessAttempt rows), so it holds across processes and
restarts; a real and a made-up email address get the same answer, so nobody can tell which
accounts exist.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

LOGIN_URL = "/accounts/login/"
LOCKOUT_TEXT = "Too many sign-in attempts"
WRONG = "not-the-right-password-1"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def _post_login(client: Client, email: str, password: str):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def _fail_five_times(client: Client, email: str) -> list[int]:
    return [_post_login(client, email, WRONG).status_code for _ in range(5)]


def _without_tokens(html: str) -> str:
    """The page minus what differs on every response anyway: CSRF token and CSP nonce."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def test_settings_match_sr05():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    # Per account, whatever the address (SR-05); guessing during a lockout does not extend it.
    assert settings.AXES_LOCKOUT_PARAMETERS[0] == ["username"]
    assert settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
    assert settings.AXES_USERNAME_FORM_FIELD == "login"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    # The database handler, not the cache or an in-process one.
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") == (
        "axes.handlers.database.AxesDatabaseHandler"
    )


def test_wrong_password_five_times_locks_out_even_the_right_password():
    user = UserFactory()
    client = Client()
    statuses = _fail_five_times(client, user.email)
    # The first four are the ordinary "wrong password" form; the fifth reaches the limit.
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429

    sixth = _post_login(client, user.email, PASSWORD)

    assert sixth.status_code == 429
    assert LOCKOUT_TEXT in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    # A fresh browser (no cookies) from the same address is locked out too.
    fresh = _post_login(Client(), user.email, PASSWORD)
    assert fresh.status_code == 429
    assert "_auth_user_id" not in fresh.client.session


def test_unknown_email_gets_identical_lockout_answer():
    user = UserFactory()
    real_client, fake_client = Client(), Client()
    real_statuses = _fail_five_times(real_client, user.email)
    fake_statuses = _fail_five_times(fake_client, "nobody-here@example.org")
    assert real_statuses == fake_statuses

    real = _post_login(real_client, user.email, PASSWORD)
    fake = _post_login(fake_client, "nobody-here@example.org", PASSWORD)

    assert real.status_code == fake.status_code == 429
    assert _without_tokens(real.content.decode()) == _without_tokens(fake.content.decode())


def test_wrong_password_page_is_the_same_for_real_and_unknown_email():
    user = UserFactory()
    real = _post_login(Client(), user.email, WRONG)
    fake = _post_login(Client(), "nobody-here@example.org", WRONG)
    assert real.status_code == fake.status_code == 200
    real_html = _without_tokens(real.content.decode()).replace(user.email, "EMAIL")
    fake_html = _without_tokens(fake.content.decode()).replace("nobody-here@example.org", "EMAIL")
    assert real_html == fake_html


def test_lockout_is_stored_in_the_database_and_survives_a_restart():
    user = UserFactory()
    _fail_five_times(Client(), user.email)

    attempt = AccessAttempt.objects.get(username=user.email)
    assert attempt.failures_since_start == 5
    assert attempt.ip_address == "127.0.0.1"

    # A restart loses process memory and any local cache; the rows remain.
    cache.clear()
    response = _post_login(Client(), user.email, PASSWORD)
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()


def test_lockout_is_per_account_not_global():
    locked, other = UserFactory(), UserFactory()
    _fail_five_times(Client(), locked.email)

    response = _post_login(Client(), other.email, PASSWORD)

    assert response.status_code == 302
    assert response.client.session["_auth_user_id"] == str(other.pk)


def test_login_works_again_after_fifteen_minutes():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        _fail_five_times(Client(), user.email)
        traveller.shift(timedelta(minutes=15, seconds=1))
        client = Client()
        response = _post_login(client, user.email, PASSWORD)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_attempt_during_lockout_is_refused_but_does_not_extend_the_lockout():
    # A stranger guessing on must not keep the owner out for good: the lock ends 15 minutes after
    # the fifth failure however many guesses come in meanwhile.
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        _fail_five_times(Client(), user.email)
        traveller.shift(timedelta(minutes=14, seconds=59))
        assert _post_login(Client(), user.email, WRONG).status_code == 429
        assert _post_login(Client(), user.email, PASSWORD).status_code == 429

        traveller.shift(timedelta(seconds=2))
        assert _post_login(Client(), user.email, PASSWORD).status_code == 302


def test_changing_the_case_of_the_email_does_not_buy_more_guesses():
    user = UserFactory(email="casey@example.org")
    client = Client()
    for login in ["casey@example.org", "Casey@example.org", "CASEY@example.org"]:
        _post_login(client, login, WRONG)
    _post_login(client, "casey@Example.org", WRONG)
    _post_login(client, "casey@EXAMPLE.ORG", WRONG)

    response = _post_login(client, user.email, PASSWORD)

    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == "casey@example.org"


def test_failures_and_lockout_are_audited():
    user = UserFactory()
    client = Client()
    _fail_five_times(client, user.email)
    _post_login(client, user.email, PASSWORD)

    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    locked = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT)
    assert failed.count() >= 5
    assert set(failed.values_list("actor_label", flat=True)) == {user.email}
    assert set(failed.values_list("outcome", flat=True)) == {"failure"}
    assert failed.filter(actor__isnull=False).count() == 0
    assert locked.count() >= 1
    assert locked.first().actor_label == user.email
    assert locked.first().outcome == "denied"
    assert locked.first().ip == "127.0.0.1"
    # The locked-out attempt with the right password never counts as a sign-in.
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
