"""In a real browser on a 390 px phone: a client reads "Who has seen my information" with a few
grouped entries (a clinician's day, a colleague's report, an outsider's refusal). axe runs on it,
and nothing scrolls sideways."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.http import Http404

from interlude.audit.services import event_report_exported
from interlude.consents.access import access_client
from interlude.practices.enums import ShareScope
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD = (ShareScope.MEASURES, ShareScope.CHECKINS, ShareScope.JOURNAL)


def _at(instant: str) -> Any:
    return time_machine.travel(datetime.fromisoformat(instant), tick=False)


@pytest.fixture
def history():
    """Jordan (New York) and a history like the demo's: Dr. Alex Rivera reads the record twice
    and the safety plan, a colleague prints a report, someone at another practice is refused."""
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    client.full_name = "Jordan Ellis"
    client.time_zone = "America/New_York"
    client.save()
    colleague = MembershipFactory(
        practice=client.practice, user=UserFactory(full_name="Dr. Sam Okoye", mfa_exempt=True)
    )
    CareTeamMemberFactory(client=client, membership=colleague, is_primary=False)
    stranger = MembershipFactory(
        user=UserFactory(full_name="Dr. Riley Chen", email="riley@other.example", mfa_exempt=True)
    )
    alex = membership.user
    with _at("2026-03-10T13:05:00+00:00"):
        access_client(user=alex, client_id=client.public_id, scope=RECORD)
    with _at("2026-03-10T19:40:00+00:00"):
        access_client(user=alex, client_id=client.public_id, scope=RECORD)
    with _at("2026-03-10T19:42:00+00:00"):
        access_client(user=alex, client_id=client.public_id, scope=ShareScope.PROFILE)
    with _at("2026-03-11T14:00:00+00:00"):
        access_client(user=colleague.user, client_id=client.public_id, scope=RECORD)
        event_report_exported(actor=colleague.user, client=client, kind="pdf")
    with _at("2026-03-11T16:30:00+00:00"), pytest.raises(Http404):
        access_client(user=stranger.user, client_id=client.public_id, scope=RECORD)
    return client


def test_a_client_reads_who_has_seen_their_information_on_a_390px_phone(new_page, history):
    page = new_page("phone")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, history.user.email, PASSWORD)

    goto(page, "/me/who-has-seen/")

    assert page.get_by_role("heading", level=1).inner_text() == "Who has seen my information"
    days = [h.inner_text() for h in page.get_by_role("heading", level=2).all()]
    assert days == ["Wednesday 11 March 2026", "Tuesday 10 March 2026"]
    people = [h.inner_text() for h in page.get_by_role("heading", level=3).all()]
    assert people == [
        "Someone outside your care team (refused)",
        "Dr. Sam Okoye",
        "Dr. Alex Rivera",
    ]
    assert "Riley" not in page.content()
    alex = page.get_by_role("listitem").filter(has_text="Dr. Alex Rivera")
    assert "Looked at your information 3 times:" in alex.inner_text()
    assert "Between 09:05 and 15:42" in alex.inner_text()
    screenshot(page, "client-who-has-seen-390")
    check_axe(page)
