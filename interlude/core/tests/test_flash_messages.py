"""Flash messages wait in the server-side session, never in a cookie, and carry no names."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from interlude.practices.models import Client
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = {
    "full_name": "Priya Ramanathan",
    "preferred_name": "Jaya",
    "email": "priya.r@example.org",
    "time_zone": "Europe/Berlin",
    "country": "DE",
}


def test_messages_are_kept_in_the_session():
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"


def test_adding_a_client_sets_no_messages_cookie_and_the_message_still_shows(
    django_capture_on_commit_callbacks,
):
    clinician = MembershipFactory(user=UserFactory(mfa_exempt=True))
    http = HttpClient()
    http.force_login(clinician.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/clinic/clients/new/", ADD)
    new = Client.objects.get(full_name="Priya Ramanathan")
    waiting = http.session["_messages"]  # SessionStorage's key, before the next page reads it
    followed = http.get(response["Location"])

    assert response.status_code == 302
    for sent in (response, followed):
        assert "messages" not in sent.cookies
        assert not any("Priya" in morsel.value for morsel in sent.cookies.values())
    assert "messages" not in http.cookies
    message = "Client added, and an invitation was sent to them."
    assert message in waiting
    # The text names nobody; the record it lands on shows who it is.
    assert new.full_name not in waiting
    assert "Jaya" not in waiting
    assert new.email not in waiting
    assert message in followed.content.decode()
    # Shown once: the next page no longer has it.
    assert message not in http.get(response["Location"]).content.decode()
