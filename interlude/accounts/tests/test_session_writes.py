"""Session bookkeeping writes at most once a minute (accounts/middleware.py): allauth's session
list (last seen, address, browser) and the idle clock, so a client's every API call does not
rewrite two rows in transactions of their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD, ClientFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLIENT_PAGE = "/today/"


def _sign_in(user) -> Client:
    browser = Client(HTTP_USER_AGENT="Phone/1")
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _writes(browser: Client, **headers: str) -> tuple[int, int]:
    """(updates of allauth's session row, saves of the session) for one page."""
    with CaptureQueriesContext(connection) as ctx:
        assert browser.get(CLIENT_PAGE, headers=headers).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    return (
        sum(s.startswith('UPDATE "usersessions_usersession"') for s in sql),
        sum(s.startswith('UPDATE "django_session"') for s in sql),
    )


def test_session_rows_are_written_at_most_once_a_minute():
    user = UserFactory()
    ClientFactory(user=user)
    with time_machine.travel(START, tick=False) as traveller:
        browser = _sign_in(user)
        assert _writes(browser) == (1, 1)  # the first page after sign-in
        for seconds in (1, 30, 59):
            traveller.move_to(START + timedelta(seconds=seconds))
            assert _writes(browser) == (0, 0), seconds
        traveller.move_to(START + timedelta(seconds=60))
        assert _writes(browser) == (1, 1)
        assert UserSession.objects.get(user=user).last_seen_at == START + timedelta(seconds=60)
        traveller.move_to(START + timedelta(seconds=61))
        assert _writes(browser) == (0, 0)
        # Another browser on the same session is recorded at once (allauth tells its listeners).
        assert _writes(browser, user_agent="Laptop/2") == (1, 1)
        assert UserSession.objects.get(user=user).user_agent == "Laptop/2"


def test_a_new_session_key_is_recorded_on_its_first_request():
    """SR-08 ends sessions through allauth's rows: a session must have one from its first
    request on, even when its data (and the last write's time) came over from an older key."""
    user = UserFactory()
    ClientFactory(user=user)
    with time_machine.travel(START, tick=False):
        browser = _sign_in(user)
        browser.get(CLIENT_PAGE)
        session = browser.session
        session.cycle_key()  # same data, new key, as a sign-in step does
        assert session.session_key is not None
        browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        assert _writes(browser)[0] == 0  # created (INSERT), not updated
        assert UserSession.objects.filter(session_key=session.session_key).exists()


def test_the_page_tells_how_much_idle_time_the_server_still_counts():
    clinician = UserFactory(mfa_exempt=True)
    MembershipFactory(user=clinician)
    with time_machine.travel(START, tick=False) as traveller:
        browser = Client()
        browser.post("/accounts/login/", {"login": clinician.email, "password": PASSWORD})
        browser.get("/clinic/")
        # Within 9 s (a hundredth of 15 minutes) the stored time is not rewritten...
        traveller.move_to(START + timedelta(seconds=5))
        assert 'data-expires-in="895"' in browser.get("/clinic/").content.decode()
        # ...after that it is, and the page says the whole 15 minutes again.
        traveller.move_to(START + timedelta(seconds=20))
        assert 'data-expires-in="900"' in browser.get("/clinic/").content.decode()
        traveller.move_to(START + timedelta(seconds=20, minutes=15))
        assert browser.get("/clinic/").status_code == 200
