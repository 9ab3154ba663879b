"""Undoing an import removes exactly the rows it added (check-ins with their mood points,
readings, answer sets) and nothing else, in one step, audited with the count."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.core.errors import ApplicationError
from interlude.interop import services
from interlude.interop.enums import ImportStatus
from interlude.interop.tests.import_helpers import (
    NOW,
    daylio_days,
    point_imports_dir,
    upload,
)
from interlude.tracking.models import CheckIn, Observation
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def imports_dir(settings, tmp_path):
    return point_imports_dir(settings, tmp_path)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_undo_removes_exactly_the_jobs_rows(django_capture_on_commit_callbacks):
    _membership, client = clinician_with_client()
    _membership2, other = clinician_with_client()
    capture = django_capture_on_commit_callbacks
    first = services.import_commit(
        user=client.user, job=upload(client, daylio_days(10), capture=capture)
    )
    second = services.import_commit(
        user=client.user,
        job=upload(client, daylio_days(5, start=date(2024, 1, 1), mood="meh"), capture=capture),
    )
    services.import_commit(user=other.user, job=upload(other, daylio_days(10), capture=capture))
    checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=6), idempotency_key="live"
    )
    assert CheckIn.objects.filter(client=client).count() == 16

    undone = services.import_undo(user=client.user, job=first)

    assert undone.status == ImportStatus.UNDONE
    assert undone.undone_at == NOW
    assert undone.summary["removed"] == 10
    assert not CheckIn.objects.filter(import_id=first.public_id).exists()
    assert not Observation.objects.filter(import_id=first.public_id).exists()
    assert CheckIn.objects.filter(client=client, import_id=second.public_id).count() == 5
    assert CheckIn.objects.filter(client=client, idempotency_key="live").count() == 1
    assert Observation.objects.filter(client=client).count() == 6  # 5 imported moods, 1 live
    assert CheckIn.objects.filter(client=other).count() == 10
    event = AuditEvent.objects.get(client=client, action=AuditAction.IMPORT_UNDONE)
    assert event.detail == {"source": "daylio", "removed": 10}
    assert event.object_id == str(first.public_id)

    # Twice is harmless; a job that was never added cannot be undone.
    assert services.import_undo(user=client.user, job=first).status == ImportStatus.UNDONE
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT_UNDONE).count() == 1
    pending = upload(client, daylio_days(3, start=date(2023, 1, 1)), capture=capture)
    with pytest.raises(ApplicationError, match="Only an import that was added can be undone"):
        services.import_undo(user=client.user, job=pending)

    # The undone file can be imported again: its entries are new once more.
    again = upload(client, daylio_days(10), capture=capture)
    assert again.summary["to_add"] == {"checkins": 10}
    services.import_commit(user=client.user, job=again)
    assert CheckIn.objects.filter(client=client).count() == 16
