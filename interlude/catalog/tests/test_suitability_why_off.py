"""The client's app says why a part is missing, when asked: "Something missing?" on Tools names
every switched-off part, and the 404 of a switched-off page says why (both gate helpers raise the
same marked 404). No other 404 is marked, so no one else ever sees these words."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.http import Http404
from django.test import Client as HttpClient

from interlude.consents.access import (
    ModuleSwitchedOff,
    access_client,
    access_own,
    access_own_client,
)
from interlude.consents.modules_services import client_modules_set
from interlude.practices.enums import Module
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)

ONE = "Your therapist has not switched this on. If you'd like to use it, you can ask them."
SEVERAL = (
    "Your therapist has not switched these on. If you'd like to use one of them, you can ask them."
)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _details(html: str) -> str:
    start = html.index('<details class="modules-off">')
    return _text(html[start : html.index("</details>", start)])


@pytest.mark.parametrize("module", list(Module))
def test_tools_names_each_switched_off_part_by_its_label(module):
    membership, client = clinician_with_client()
    client_modules_set(client=client, actor=membership.user, modules_off=[module])

    html = _as(client.user).get("/tools/").content.decode()

    assert _details(html) == (
        f"Something missing? This part of the app is not on for you: {module.label} {ONE}"
    )


def test_tools_lists_several_parts_in_order_with_the_plural_words():
    membership, client = clinician_with_client()
    client_modules_set(
        client=client,
        actor=membership.user,
        modules_off=[Module.REMINDERS, Module.JOURNAL, Module.MESSAGING],
    )

    html = _as(client.user).get("/tools/").content.decode()

    assert _details(html) == (
        "Something missing? These parts of the app are not on for you: Journal Messages "
        f"Reminders {SEVERAL}"
    )
    assert "<li>Journal</li>" in html
    assert '<div id="modules-off">' in html  # where the 404 page's "Back to Tools" lands


def test_tools_lists_all_parts_when_all_are_off():
    membership, client = clinician_with_client()
    client_modules_set(client=client, actor=membership.user, modules_off=list(Module))

    html = _as(client.user).get("/tools/").content.decode()

    labels = " ".join(str(m.label) for m in Module)
    assert _details(html) == (
        f"Something missing? These parts of the app are not on for you: {labels} {SEVERAL}"
    )


def test_tools_has_no_disclosure_when_everything_is_on():
    _, client = clinician_with_client()

    html = _as(client.user).get("/tools/").content.decode()

    assert "Something missing?" not in html
    assert "modules-off" not in html


def test_both_gate_helpers_raise_the_marked_404_only_for_a_switched_off_part():
    membership, client = clinician_with_client()
    _, other = clinician_with_client(practice=client.practice)
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.LIBRARY])

    with pytest.raises(ModuleSwitchedOff) as by_access_own:
        access_own(user=client.user, module=Module.LIBRARY)
    with pytest.raises(ModuleSwitchedOff) as by_own_client:
        access_own_client(user=client.user, module=Module.LIBRARY)

    assert isinstance(by_access_own.value, Http404)
    assert (by_access_own.value.module, by_own_client.value.module) == (
        Module.LIBRARY,
        Module.LIBRARY,
    )
    # The marker is the class name: Django's 404 page gets it as `exception` (no message).
    assert by_access_own.value.args == ()
    assert access_own(user=client.user, module=Module.JOURNAL).client == client
    # Out of reach is the plain 404, never the marked one.
    for attempt in (
        lambda: access_client(user=client.user, client_id=other.public_id),
        lambda: access_client(user=membership.user, client_id=uuid.uuid4()),
        lambda: access_own(user=membership.user, module=Module.LIBRARY),
        lambda: access_own_client(user=membership.user, module=Module.LIBRARY),
    ):
        with pytest.raises(Http404) as caught:
            attempt()
        assert type(caught.value) is Http404


def test_a_page_read_through_access_own_client_says_why_too():
    membership, client = clinician_with_client()
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.LIBRARY])
    http = _as(client.user)

    response = http.get("/library/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>This is not switched on for you</h1>" in html
    assert f"<p>{ONE}</p>" in html
    # The parts still on answer as before.
    assert http.get("/tools/").status_code == 200
