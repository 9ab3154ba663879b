"""The audit trail names a client by a pseudonym (issue [5], ADR 0017): a row written with the
client as the actor says "client <public id>", never their sign-in e-mail, so once the account is
closed nothing the trail wrote names them. Staff keep their e-mail (their accountability)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.audit.services import event_login
from interlude.consents.models import ClosureRequest, ClosureStatus
from interlude.practices.enums import Role
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-06-01T09:00:00+00:00")


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)  # a sign-in: audited
    return http


def test_a_client_acting_is_written_as_a_pseudonym_and_staff_by_their_email():
    clinician, client = clinician_with_client()

    as_client = event_login(user=client.user)
    as_staff = event_login(user=clinician.user)

    assert as_client.actor_label == f"client {client.public_id}"
    assert as_staff.actor_label == clinician.user.email


def test_after_closure_no_audit_row_names_the_client():
    clinician, client = clinician_with_client()
    owner = MembershipFactory(
        practice=client.practice,
        role=Role.OWNER,
        user=UserFactory(full_name="Olive Owner", email="olive@alder.example", mfa_exempt=True),
    )
    client.full_name = "Zephyrine Quill"
    client.preferred_name = "Zeph"
    client.email = "zephyrine@example.org"
    client.save()
    client.user.full_name = "Zephyrine Quill"
    client.user.email = "zephyrine@example.org"
    client.user.save()

    with time_machine.travel(T0, tick=False):
        me = _as(client.user)
        shared = me.put(
            "/api/v1/me/sharing",
            data=json.dumps({"categories": {"journal": False}}),
            content_type="application/json",
        )
        asked = me.post("/me/close-account/")
        record = _as(clinician.user).get(f"/clinic/clients/{client.public_id}/")
        closure = ClosureRequest.objects.get(client=client)
        done = _as(owner.user).post(
            f"/practice/closures/{closure.public_id}/",
            {"kept": ["alerts"], "retention_reason": "Kept 7 years by law.", "confirm": "on"},
        )

    assert (shared.status_code, asked.status_code, record.status_code) == (200, 302, 200)
    assert done.status_code == 302
    assert ClosureRequest.objects.get(pk=closure.pk).status == ClosureStatus.CLOSED
    rows = list(AuditEvent.objects.order_by("seq"))
    by_client = [e for e in rows if e.actor_id == client.user.pk]
    assert {e.action for e in by_client} >= {
        AuditAction.LOGIN,
        AuditAction.SHARING_CHANGED,
        AuditAction.CLOSURE_REQUESTED,
    }
    assert {e.actor_label for e in by_client} == {f"client {client.public_id}"}
    # Staff stay named: the clinician who read the record, the owner who closed it.
    by_staff = {e.actor_label for e in rows if e.actor_id in (clinician.user.pk, owner.user.pk)}
    assert by_staff == {clinician.user.email, "olive@alder.example"}
    trail = "\n".join(
        f"{e.actor_label} {e.object_type} {e.object_id} {json.dumps(e.detail)}" for e in rows
    )
    for name in ("zephyrine@example.org", "Zephyrine", "Quill", "Zeph"):
        assert name.lower() not in trail.lower(), name
