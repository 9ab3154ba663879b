"""Acceptance ([8]): a client with messaging switched off sees no Messages tab and gets 404 from
the messages API and pages (ADR 0002); their safety plan and crisis help stay. Asked why, the app
says so: on Tools ("Something missing?") and on the 404 of a switched-off page, and only there:
not on the 404 of an unknown address or of another client's record."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.consents.modules_services import client_modules_set
from interlude.messaging.models import Message, Side
from interlude.messaging.services import message_send
from interlude.practices.enums import Module
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
WHY = "Your therapist has not switched this on. If you'd like to use it, you can ask them."
WHY_START = "Your therapist has not switched"
TABBAR = re.compile(r'<nav class="tabbar" aria-label="Main">.*?</nav>', re.S)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    membership, client = clinician_with_client()
    _, other = clinician_with_client(practice=client.practice)
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.MESSAGING])
    return membership, client, other


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _tab_hrefs(html: str) -> list[str]:
    match = TABBAR.search(html)
    assert match is not None
    return re.findall(r'href="([^"]+)"', match.group(0))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_no_messages_tab_on_today_and_tools_and_safety_plan_and_crisis_help_stay(world):
    _, client, _ = world
    http = _as(client.user)

    for url in ("/today/", "/tools/"):
        response = http.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _tab_hrefs(html) == ["/today/", "/progress/", "/tools/", "/me/"], url
        assert "Messages</a>" not in TABBAR.search(html).group(0)
        # The header's links on every page of the client's app.
        assert '<a class="plan-link" href="/safety-plan/">Safety plan</a>' in html
        assert '<a class="help-link" href="/help/">Need help now?</a>' in html
    tools = http.get("/tools/").content.decode()
    assert (
        '<li><a class="tile" href="/safety-plan/"><strong>My safety plan</strong>'
        "<span>Your steps for getting through a crisis.</span></a></li>"
    ) in tools
    assert (
        '<li><a class="tile" href="/help/"><strong>Need help now?</strong>'
        "<span>Crisis lines and what to do.</span></a></li>"
    ) in tools
    assert http.get("/safety-plan/").status_code == 200
    assert http.get("/help/").status_code == 200
    plan = http.get("/api/v1/safety-plan")
    assert plan.status_code == 200
    assert plan["Content-Type"] == "application/json; charset=utf-8"


def test_with_messaging_on_the_tab_is_there(world):
    membership, client, _ = world
    client_modules_set(client=client, actor=membership.user, modules_off=[])

    html = _as(client.user).get("/today/").content.decode()

    assert _tab_hrefs(html) == ["/today/", "/progress/", "/tools/", "/messages/", "/me/"]


def test_the_messages_api_answers_a_plain_404(world):
    membership, client, _ = world
    http = _as(client.user)
    # A message from the care team, sent before messaging was switched off.
    client_modules_set(client=client, actor=membership.user, modules_off=[])
    message, _ = message_send(
        client=client,
        sender=membership.user,
        by=Side.CARE_TEAM,
        body="Hello",
        idempotency_key="care-1",
    )
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.MESSAGING])

    answers = [
        http.get("/api/v1/messages"),
        http.post(
            "/api/v1/messages",
            data=json.dumps({"body": "Hello", "idempotency_key": "k-1"}),
            content_type="application/json",
        ),
        http.post(f"/api/v1/messages/{message.public_id}/read"),
    ]

    for response in answers:
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json() == {"detail": "Not Found"}
    assert Message.objects.filter(client=client).count() == 1


def test_the_messages_pages_answer_404_and_say_why(world):
    _, client, _ = world
    http = _as(client.user)

    for url in ("/messages/", f"/messages/attachments/{uuid.uuid4()}/"):
        response = http.get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert "<title>Not switched on for you" in html
        end = '<a href="/tools/#modules-off">Back to Tools</a></p>'
        words = html[html.index("<h1>") : html.index(end) + len(end)]
        assert _text(words) == (
            "This is not switched on for you " + WHY + " Your safety plan and crisis help are "
            "always there for you. Back to Tools"
        )
        assert '<a href="/tools/#modules-off">Back to Tools</a>' in html
        assert "Messages</a>" not in TABBAR.search(html).group(0)
    assert http.post("/messages/", {"body": "Hello"}).status_code == 404


def test_tools_says_what_is_off_and_why(world):
    _, client, _ = world

    html = _as(client.user).get("/tools/").content.decode()

    start = html.index('<details class="modules-off">')
    details = html[start : html.index("</details>", start) + len("</details>")]
    assert _text(details) == (
        "Something missing? This part of the app is not on for you: Messages " + WHY
    )


def test_the_why_is_not_on_other_404s(world):
    membership, client, other = world
    http = _as(client.user)

    for url in (
        "/no-such-page/",
        f"/clinic/clients/{other.public_id}/",
        f"/clinic/clients/{other.public_id}/messages/",
        f"/clinic/clients/{client.public_id}/messages/",
    ):
        response = http.get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert "<h1>Page not found</h1>" in html, url
        assert WHY_START not in html, url
        assert "not switched on" not in html, url
    # Another client's thread through the API: the plain 404, as for anyone.
    response = http.get(f"/api/v1/clients/{other.public_id}/messages")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})
    # The care team opening a page that is not there sees the plain 404 too.
    staff = _as(membership.user).get(f"/clinic/clients/{uuid.uuid4()}/")
    assert staff.status_code == 404
    assert WHY_START not in staff.content.decode()


def test_the_other_client_with_messaging_on_sees_no_why(world):
    _, _, other = world
    other_http = _as(other.user)

    tools = other_http.get("/tools/").content.decode()
    missing = other_http.get("/no-such-page/").content.decode()

    assert "Something missing?" not in tools
    assert WHY_START not in tools
    assert WHY_START not in missing
    assert other_http.get("/messages/").status_code == 200
