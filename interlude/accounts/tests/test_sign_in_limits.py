"""Sign-in limits behind the documented reverse proxy, and per account (SR-05).

Behind nginx every request's REMOTE_ADDR is the proxy, so each counter must key on the client
address taken from X-Forwarded-For by the app's one rule (core.middleware.client_ip), and the
per-account limit must hold whatever address the guesses come from.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client, RequestFactory

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

LOGIN_URL = "/accounts/login/"
RESET_URL = "/accounts/password/reset/"
WRONG = "not-the-right-password-1"
NEW_PASSWORD = "a-brand-new-long-password-7"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROXY = "192.0.2.1"  # documentation addresses (RFC 5737): headers only, nothing is sent
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def _via_proxy(client_address: str) -> Client:
    """A browser at `client_address` reaching the app through one reverse proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def _post_login(client: Client, email: str, password: str):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


# --- One client-address rule -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, PROXY, CLIENT_A, PROXY),  # no proxy trusted: the header is anyone's to forge
        (1, PROXY, CLIENT_A, CLIENT_A),
        (1, PROXY, f"6.6.6.6, {CLIENT_A}", CLIENT_A),  # the forged left part is ignored
        (2, PROXY, f"6.6.6.6, {CLIENT_A}, 192.0.2.2", CLIENT_A),
        (1, PROXY, None, PROXY),  # reached without the proxy: the socket's address
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, "[2001:db8::1]", "2001:db8::1"),
    ],
)
def test_client_ip_takes_the_address_our_proxies_saw(settings, count, remote, forwarded, expected):
    from interlude.core.middleware import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **extra)
    assert client_ip(request) == expected


def test_every_counter_is_told_the_same_proxy_count(settings):
    from django.conf import settings as live

    assert live.AXES_CLIENT_IP_CALLABLE == "interlude.core.middleware.client_ip"
    assert live.ALLAUTH_TRUSTED_PROXY_COUNT == live.TRUSTED_PROXY_COUNT
    assert live.NINJA_NUM_PROXIES == live.TRUSTED_PROXY_COUNT
    assert not hasattr(live, "AXES_IPWARE_PROXY_COUNT") or live.AXES_IPWARE_PROXY_COUNT is None


def test_axes_and_the_audit_trail_record_the_client_not_the_proxy(behind_proxy):
    user = UserFactory()
    for _ in range(5):
        _post_login(_via_proxy(CLIENT_A), user.email, WRONG)

    attempt = AccessAttempt.objects.get(username=user.email)
    assert attempt.ip_address == CLIENT_A
    assert attempt.failures_since_start == 5
    locked = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).first()
    assert locked is not None
    assert locked.ip == CLIENT_A


def test_failures_from_one_address_do_not_lock_another_account_from_another(behind_proxy):
    target, bystander = UserFactory(), UserFactory()
    for _ in range(6):
        _post_login(_via_proxy(CLIENT_A), target.email, WRONG)

    client = _via_proxy(CLIENT_B)
    response = _post_login(client, bystander.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bystander.pk)


def test_allauth_sign_in_rate_limit_counts_per_client_address(behind_proxy, settings):
    # allauth's per-address limit on sign-in attempts (default 30 a minute), made small here. On
    # the proxy's address, one noisy client would block every sign-in in the practice.
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip", "login_failed": None}
    with time_machine.travel(START, tick=False):
        noisy = [
            _post_login(_via_proxy(CLIENT_A), f"guess{i}@example.org", WRONG).status_code
            for i in range(4)
        ]
        user = UserFactory()
        other = _via_proxy(CLIENT_B)
        response = _post_login(other, user.email, PASSWORD)
        signed_in_as = other.session.get("_auth_user_id")

    assert noisy == [200, 200, 200, 429]
    assert response.status_code == 302
    assert signed_in_as == str(user.pk)


# --- Per account, from any address (SR-05) ---------------------------------------------------


@pytest.mark.parametrize("via_proxy", [False, True], ids=["direct", "behind-proxy"])
def test_guesses_from_many_addresses_count_against_the_one_account(settings, via_proxy):
    settings.TRUSTED_PROXY_COUNT = 1 if via_proxy else 0

    def browser(address: str) -> Client:
        return _via_proxy(address) if via_proxy else Client(REMOTE_ADDR=address)

    user = UserFactory()
    statuses = [
        _post_login(browser(f"198.51.100.{i}"), user.email, WRONG).status_code
        for i in range(10, 15)
    ]
    response = _post_login(browser("198.51.100.99"), user.email, PASSWORD)

    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


def test_lockout_answers_at_once_with_retry_after_counting_down():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            _post_login(Client(), user.email, WRONG)
        first = _post_login(Client(), user.email, PASSWORD)
        traveller.shift(timedelta(minutes=10))
        later = _post_login(Client(), user.email, PASSWORD)

    assert first.status_code == later.status_code == 429
    assert first["Retry-After"] == "900"
    assert later["Retry-After"] == "300"
    assert "try again in 5 minutes" in later.content.decode()


def test_retry_after_follows_the_oldest_failures_ageing_out(behind_proxy):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(3):
            _post_login(_via_proxy(CLIENT_A), user.email, WRONG)
        traveller.shift(timedelta(minutes=5))
        for _ in range(2):
            _post_login(_via_proxy(CLIENT_B), user.email, WRONG)
        traveller.shift(timedelta(minutes=1))
        response = _post_login(_via_proxy(CLIENT_B), user.email, PASSWORD)
        # When A's three age out (15 minutes after they were made) only B's two remain.
        traveller.shift(timedelta(minutes=9, seconds=1))
        after = _post_login(_via_proxy(CLIENT_B), user.email, PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == str(9 * 60)
    assert after.status_code == 302


def test_real_and_made_up_accounts_get_identical_lockout_answers(behind_proxy):
    user = UserFactory()
    fake = "nobody-here@example.org"
    with time_machine.travel(START, tick=False):
        for i in range(5):
            _post_login(_via_proxy(f"198.51.100.{i}"), user.email, WRONG)
            _post_login(_via_proxy(f"203.0.113.{i}"), fake, WRONG)
        real = _post_login(_via_proxy(CLIENT_A), user.email, PASSWORD)
        made_up = _post_login(_via_proxy(CLIENT_A), fake, PASSWORD)

    assert real.status_code == made_up.status_code == 429
    assert real["Retry-After"] == made_up["Retry-After"] == "900"
    assert _without_tokens(real.content.decode()) == _without_tokens(made_up.content.decode())


def _reset_password_by_email(client: Client, email: str, new_password: str) -> None:
    mail.outbox.clear()
    assert client.post(RESET_URL, {"email": email}).status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = client.post(path, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302, done.content.decode()[:500]


def test_password_reset_works_while_locked_and_lifts_the_lock():
    user = UserFactory()
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            _post_login(Client(), user.email, WRONG)
        assert _post_login(Client(), user.email, PASSWORD).status_code == 429

        _reset_password_by_email(Client(), user.email, NEW_PASSWORD)
        client = Client()
        response = _post_login(client, user.email, NEW_PASSWORD)
        signed_in_as = client.session.get("_auth_user_id")

    assert response.status_code == 302
    assert signed_in_as == str(user.pk)
    assert not AccessAttempt.objects.filter(username=user.email).exists()
