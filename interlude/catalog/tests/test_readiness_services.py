"""Asking for the readiness check, answering it (asked or not), withdrawing it, and switching
modules through it: one open request per client, audit rows without the answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.catalog.enums import ReadinessStatus
from interlude.catalog.models import ReadinessCheck
from interlude.catalog.readiness import ReadinessError
from interlude.catalog.readiness_services import (
    readiness_cancel,
    readiness_modules_apply,
    readiness_request,
    readiness_submit,
)
from interlude.consents.access import access_client
from interlude.consents.models import ClientPrivacy
from interlude.core.errors import ApplicationError
from interlude.practices.enums import ShareScope
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)

ANSWERS: dict[str, Any] = {
    "devices": ["smartphone"],
    "connection": "wifi",
    "phone_shared": "shared",
    "comfort": "3",
    "reminders": "few",
    "privacy": ["none"],
    "worksheets": "paper",
    "accessibility": "",
    "apps_used": "no",
}


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def _care(membership, client, *, for_write=True):
    return access_client(
        user=membership.user,
        client_id=client.public_id,
        scope=ShareScope.READINESS,
        for_write=for_write,
    )


def _events(client, action):
    return list(
        AuditEvent.objects.filter(client=client, action=action).values_list(
            "actor_id", "object_type", "object_id", "detail"
        )
    )


def test_asking_twice_keeps_one_open_request_and_audits_once(pair):
    membership, client = pair
    care = _care(membership, client)
    first = readiness_request(care=care, membership=membership)
    again = readiness_request(care=care, membership=membership)
    assert again.pk == first.pk
    assert ReadinessCheck.objects.filter(client=client).count() == 1
    assert first.status == ReadinessStatus.REQUESTED
    assert first.requested_by == membership
    assert _events(client, AuditAction.READINESS_REQUESTED) == [
        (membership.user_id, "readiness_check", str(first.public_id), {})
    ]


def test_answering_the_request_submits_it_with_the_eheals_total(pair):
    membership, client = pair
    asked = readiness_request(care=_care(membership, client), membership=membership)
    check = readiness_submit(
        client=client, actor=client.user, answers=ANSWERS, eheals_answers=[5] * 8
    )
    assert check.pk == asked.pk
    check.refresh_from_db()
    assert check.status == ReadinessStatus.SUBMITTED
    assert check.submitted_at == NOW
    assert check.answers["comfort"] == 3
    assert check.answers["devices"] == ["smartphone"]
    assert check.eheals_answers == [5] * 8
    assert check.eheals_total == 40
    assert check.updated_by == client.user
    (event,) = _events(client, AuditAction.READINESS_SUBMITTED)
    # The audit detail says only whether the eHEALS part was answered: no answer, no total.
    assert event == (client.user_id, "readiness_check", str(check.public_id), {"eheals": True})


def test_answering_without_a_request_makes_one_from_onboarding_with_eheals_skipped(pair):
    _membership, client = pair
    check = readiness_submit(client=client, actor=client.user, answers=ANSWERS, eheals_answers=None)
    check.refresh_from_db()
    assert (check.status, check.requested_by, check.created_by) == (
        ReadinessStatus.SUBMITTED,
        None,
        client.user,
    )
    assert (check.eheals_answers, check.eheals_total) == (None, None)
    assert _events(client, AuditAction.READINESS_REQUESTED) == []
    assert _events(client, AuditAction.READINESS_SUBMITTED) == [
        (client.user_id, "readiness_check", str(check.public_id), {"eheals": False})
    ]


def test_a_second_check_needs_the_care_team_to_ask_again(pair):
    membership, client = pair
    readiness_submit(client=client, actor=client.user, answers=ANSWERS, eheals_answers=None)
    with pytest.raises(ApplicationError) as caught:
        readiness_submit(client=client, actor=client.user, answers=ANSWERS, eheals_answers=None)
    assert caught.value.message == (
        "You have already answered these questions, thank you. If something changes, tell your "
        "care team: they can ask you again."
    )
    readiness_request(care=_care(membership, client), membership=membership)
    readiness_submit(client=client, actor=client.user, answers=ANSWERS, eheals_answers=[3] * 8)
    assert list(
        ReadinessCheck.objects.filter(client=client)
        .order_by("pk")
        .values_list("status", "eheals_total")
    ) == [(ReadinessStatus.SUBMITTED, None), (ReadinessStatus.SUBMITTED, 24)]


def test_a_partly_answered_eheals_is_refused_and_nothing_is_stored(pair):
    _membership, client = pair
    with pytest.raises(ReadinessError) as caught:
        readiness_submit(
            client=client, actor=client.user, answers=ANSWERS, eheals_answers=[2, 2] + [None] * 6
        )
    assert caught.value.message == (
        "The health information statements: you answered 2 of 8. Answer the other 6, or send "
        "without this part."
    )
    assert ReadinessCheck.objects.filter(client=client).count() == 0
    assert _events(client, AuditAction.READINESS_SUBMITTED) == []


def test_a_wrong_answer_is_refused_before_anything_is_stored(pair):
    _membership, client = pair
    with pytest.raises(ApplicationError) as caught:
        readiness_submit(
            client=client,
            actor=client.user,
            answers={**ANSWERS, "reminders": ""},
            eheals_answers=None,
        )
    assert (caught.value.field, caught.value.message) == (
        "reminders",
        "Would you like reminders on your phone? Choose one answer.",
    )
    assert ReadinessCheck.objects.count() == 0


def test_withdrawing_the_request_cancels_it_and_a_new_one_can_be_made(pair):
    membership, client = pair
    care = _care(membership, client)
    asked = readiness_request(care=care, membership=membership)
    assert readiness_cancel(care=care, membership=membership).pk == asked.pk
    assert readiness_cancel(care=care, membership=membership) is None
    asked.refresh_from_db()
    assert asked.status == ReadinessStatus.CANCELLED
    assert _events(client, AuditAction.READINESS_CANCELLED) == [
        (membership.user.pk, "readiness_check", str(asked.public_id), {})
    ]
    again = readiness_request(care=care, membership=membership)
    assert again.pk != asked.pk


def test_applying_switches_sets_the_modules_off_and_audits_the_change(pair):
    membership, client = pair
    care = _care(membership, client)
    privacy = readiness_modules_apply(
        care=care, membership=membership, switched_off=["reminders", "worksheets"]
    )
    assert privacy.modules_off == ["worksheets", "reminders"]
    assert ClientPrivacy.objects.get(client=client).modules_off == ["worksheets", "reminders"]
    assert list(
        AuditEvent.objects.filter(client=client, action=AuditAction.MODULES_CHANGED).values_list(
            "detail", flat=True
        )
    ) == [{"modules_off": ["worksheets", "reminders"]}]


def test_a_clinician_of_another_practice_cannot_ask(pair):
    membership, client = pair
    other, _ = clinician_with_client()
    with pytest.raises(ApplicationError):
        readiness_request(care=_care(membership, client), membership=other)
    with pytest.raises(ApplicationError):
        readiness_modules_apply(care=_care(membership, client), membership=other, switched_off=[])
    assert ReadinessCheck.objects.count() == 0
