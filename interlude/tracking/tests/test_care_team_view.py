"""The care team sees check-in values; a note only when the client shared it."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.sharing_services import sharing_update
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_clinician_sees_values_and_shared_notes_but_not_private_notes():
    membership, client = clinician_with_client()
    # Notes reach the care team only with the notes category on (off by default) and the note's
    # own switch on.
    sharing_update(client=client, actor=client.user, categories={"journal": True})
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(
            mood=3, anxiety=8, note="SHARED-note about the weekend", note_shared=True
        ),
        idempotency_key="a",
    )
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=9, note="PRIVATE-note only for me", note_shared=False),
        idempotency_key="b",
    )

    page = _as(membership.user).get(f"/clinic/clients/{client.public_id}/").content.decode()

    assert "SHARED-note about the weekend" in page
    assert "PRIVATE-note only for me" not in page
    assert "Private note" in page
    assert "<td>8</td>" in page  # the anxiety value
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_RECORD_VIEWED)
    assert event.detail == {"scopes": ["measures", "checkins", "journal"]}


def test_another_practice_sees_no_check_ins():
    _, client = clinician_with_client()
    checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=3), idempotency_key="a"
    )
    stranger = MembershipFactory(user=UserFactory(mfa_exempt=True))

    response = _as(stranger.user).get(f"/clinic/clients/{client.public_id}/")

    assert response.status_code == 404
