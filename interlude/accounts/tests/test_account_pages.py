"""Every account page a person can reach speaks in Interlude's voice, not allauth's defaults.

Each page gets a heading, a plain second-person introduction and a button that says what it does.
allauth's own wording ("Change Password", "Confirm Access", "Deactivate", "Make Primary", …) must
not leak through, and the sessions page names devices instead of printing user-agent strings.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"
)

# allauth's default headings and buttons: none may show on our pages.
ALLAUTH_DEFAULTS = [
    "Change Password",
    "Password Reset",
    "Reset My Password",
    "Sign Out",
    "Confirm Access",
    "Please reauthenticate",
    "Email Addresses",
    "Make Primary",
    "Re-send Verification",
    "Add Email",
    "Two-Factor Authentication",
    "Deactivate Authenticator App",
    "Recovery Codes",
    "Generate new codes",
    "Bad Token",
    "Account Inactive",
    "Sign Up Closed",
    "Current Password",
    "New Password",
]


def _text(response) -> str:
    html = response.content.decode()
    main = html[html.find("<main") :] if "<main" in html else html
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _h1(response) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert found, response.content.decode()[:800]
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def _buttons(response) -> list[str]:
    html = response.content.decode()
    main = html[html.find("<main") :] if "<main" in html else html
    return [
        unescape(re.sub(r"<[^>]+>", "", b)).strip()
        for b in re.findall(r"<button[^>]*>(.*?)</button>", main, re.S)
    ]


def _assert_our_voice(response, *, heading: str, intro: str, button: str | None) -> None:
    assert response.status_code == 200
    assert _h1(response) == heading
    text = _text(response)
    assert intro in text
    if button is not None:
        assert button in _buttons(response)
    for default in ALLAUTH_DEFAULTS:
        assert default not in text, f"allauth's {default!r} on the page"


@pytest.fixture
def person():
    user = UserFactory(email="sam@example.org")
    ClientFactory(user=user)
    return user


def _signed_in(user, user_agent: str = FIREFOX_WINDOWS) -> Client:
    browser = Client(HTTP_USER_AGENT=user_agent)
    response = browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _with_totp(user) -> None:
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)


def test_password_change_page(person):
    page = _signed_in(person).get(reverse("account_change_password"))
    _assert_our_voice(
        page,
        heading="Change your password",
        intro="Choose a new password that you do not use anywhere else.",
        button="Change your password",
    )
    html = page.content.decode()
    assert '<label for="id_oldpassword">Your current password</label>' in html
    assert '<label for="id_password1">New password</label>' in html
    assert '<label for="id_password2">Type the new password again</label>' in html
    assert "placeholder=" not in html


def test_password_change_errors_name_the_field(person):
    page = _signed_in(person).post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "short", "password2": "other"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_oldpassword_error"' in html
    assert "There is a problem" in html


def test_password_reset_pages(person):
    anonymous = Client()
    _assert_our_voice(
        anonymous.get(reverse("account_reset_password")),
        heading="Reset your password",
        intro="Enter the email address you sign in with and we will send you a link",
        button="Send me a reset link",
    )
    _assert_our_voice(
        anonymous.get(reverse("account_reset_password_done")),
        heading="Check your email",
        intro="we have sent it a link to choose a new password",
        button=None,
    )


def test_password_reset_from_key_pages(person):
    anonymous = Client()
    key = default_token_generator.make_token(person)
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(person), "key": key},
    )
    page = anonymous.get(url, follow=True)
    _assert_our_voice(
        page,
        heading="Choose a new password",
        intro="Pick a password that you do not use anywhere else.",
        button="Save your new password",
    )
    bad = Client().get(
        reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(person), "key": "abc-def"},
        ),
        follow=True,
    )
    _assert_our_voice(
        bad,
        heading="This link has expired",
        intro="Password reset links work once, and only for a short time.",
        button=None,
    )
    _assert_our_voice(
        anonymous.get(reverse("account_reset_password_from_key_done")),
        heading="Your password is changed",
        intro="You can sign in with your new password now.",
        button=None,
    )


def test_logout_page(person):
    _assert_our_voice(
        _signed_in(person).get(reverse("account_logout")),
        heading="Sign out?",
        intro="You can sign in again at any time",
        button="Sign out",
    )


def test_email_page(person):
    page = _signed_in(person).get(reverse("account_email"))
    _assert_our_voice(
        page,
        heading="Your email address",
        intro="You sign in with your main email address",
        button="Add this address",
    )
    # One address: nothing to choose between, so no "make main" or "remove" buttons.
    assert "Your address: sam@example.org" in _text(page)
    assert "Make it my main address" not in _buttons(page)


def test_reauthenticate_page(person):
    _assert_our_voice(
        _signed_in(person).get(reverse("account_reauthenticate")),
        heading="Confirm it is you",
        intro="please enter your password once more",
        button="Continue",
    )


def test_second_factor_sign_in_page(person):
    _with_totp(person)
    browser = Client()
    response = browser.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    page = browser.get(reverse("mfa_authenticate"))
    _assert_our_voice(
        page,
        heading="Enter your code",
        intro="Open your authenticator app and type the 6-digit code",
        button="Sign in",
    )
    assert '<label for="id_code">6-digit code</label>' in page.content.decode()


def test_mfa_pages_once_turned_on(person):
    browser = _signed_in(person)
    _with_totp(person)
    _assert_our_voice(
        browser.get(reverse("mfa_index")),
        heading="Two-step verification",
        intro="keeps your information safe even if someone learns your password",
        button=None,
    )
    _assert_our_voice(
        browser.get(reverse("mfa_reauthenticate")),
        heading="Confirm it is you",
        intro="please enter a code from your authenticator app",
        button="Continue",
    )


def _confirmed(browser: Client, url: str):
    """Open a page that asks for the password again first, confirming it as a person would."""
    page = browser.get(url)
    if page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate")):
        assert browser.post(page["Location"], {"password": PASSWORD}).status_code == 302
        page = browser.get(url)
    return page


def test_mfa_change_pages(person):
    browser = _signed_in(person)
    _with_totp(person)
    _assert_our_voice(
        _confirmed(browser, reverse("mfa_deactivate_totp")),
        heading="Turn off your authenticator app?",
        intro="You will then sign in with your password alone",
        button="Turn it off",
    )
    codes = _confirmed(browser, reverse("mfa_view_recovery_codes"))
    _assert_our_voice(
        codes,
        heading="Your recovery codes",
        intro="If you lose your phone, each of these codes lets you sign in once",
        button=None,
    )
    assert "You have 10 of 10 codes left." in _text(codes)
    _assert_our_voice(
        _confirmed(browser, reverse("mfa_generate_recovery_codes")),
        heading="Make new recovery codes?",
        intro="Your old codes stop working at once",
        button="Make new codes",
    )


def test_sessions_page_names_devices(person):
    browser = _signed_in(person, user_agent=FIREFOX_WINDOWS)
    _signed_in(person, user_agent=SAFARI_IPHONE)
    assert UserSession.objects.filter(user=person).count() == 2
    page = browser.get(reverse("usersessions_list"))
    _assert_our_voice(
        page,
        heading="Where you are signed in",
        intro="These are the browsers and devices signed in to your account right now.",
        button="Sign out everywhere else",
    )
    text = _text(page)
    assert "Firefox on Windows This device" in text
    assert "Safari on iPhone" in text
    assert "Mozilla/5.0" not in page.content.decode()


def test_signed_out_message_is_warm(person):
    browser = _signed_in(person)
    page = browser.post(reverse("account_logout"), follow=True)
    assert "You are signed out." in _text(page)
    assert "You have signed out." not in _text(page)
