"""A raw dump of the PostgreSQL database holds none of the clinical text clients wrote, and every
stored questionnaire answer set is ciphertext (SR-24, ADR 0009 and 0014).

Canary strings go in through the services (a check-in note, a journal entry, a thought record, a
safety plan); alert reasons are checked with the text the PHQ-9 item 9 rule writes into them;
questionnaire answers and drafts are small integers, so for them the dump is parsed and every
stored value must be a ciphertext. PostgreSQL only: `pg_dump` reads the test database itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.alerts.models import Alert
from interlude.care.services import safety_plan_save
from interlude.exercises.schemas import JournalEntryIn
from interlude.exercises.worksheets_services import journal_entry_create, thought_record_start
from interlude.measures.instruments import shipped_definition
from interlude.measures.models import Frequency, QuestionnaireDraft, QuestionnaireDue
from interlude.measures.services import response_submit, schedule_create
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import clinician_with_client

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump reads a PostgreSQL database; run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]

CANARIES = {
    "checkin": "CANARY-checkin-7f3a9 I could not get out of bed",
    "journal": "CANARY-journal-2b81c the argument with my sister",
    "thought": "CANARY-thought-c04de they all think I am a failure",
    "safety": "CANARY-safety-91e5f call Aunt Ruth when it starts",
}
CIPHERTEXT_PREFIX = ("v1:", "v2:")  # the key ring, or a client's data key (ADR 0017)


def _dump() -> str:
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        shutil.which("pg_dump") or "pg_dump",
        "--data-only",
        "--no-owner",
        "-h",
        settings.get("HOST") or "127.0.0.1",
        "-p",
        str(settings.get("PORT") or 5432),
        "-U",
        settings.get("USER") or "postgres",
        settings["NAME"],
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def _column_values(dump: str, table: str, column: str) -> list[str]:
    """The values of one column in a table's COPY block of a plain-text pg_dump."""
    lines = dump.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith(f"COPY public.{table} ("))
    columns = [c.strip() for c in lines[header].split("(", 1)[1].split(")", 1)[0].split(",")]
    index = columns.index(column)
    values = []
    for line in lines[header + 1 :]:
        if line == "\\.":
            break
        values.append(line.split("\t")[index])
    return values


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_holds_no_canary_and_only_ciphertext_answers():
    membership, client = clinician_with_client()
    actor = client.user
    assert actor is not None
    now = timezone.now()
    checkin_create(
        client=client,
        actor=actor,
        values=CheckInValues(mood=3, note=CANARIES["checkin"], note_shared=True),
        idempotency_key="canary-checkin",
        recorded_at=now - timedelta(hours=1),
    )
    journal_entry_create(
        client=client, actor=actor, values=JournalEntryIn(body=CANARIES["journal"], shared=True)
    )
    thought_record_start(
        client=client,
        actor=actor,
        situation=CANARIES["thought"],
        occurred_at=now - timedelta(hours=2),
        idempotency_key="canary-thought",
    )
    safety_plan_save(
        client=client, actor=actor, content={"warning_signs": [CANARIES["safety"]]}, base_version=0
    )
    # A questionnaire answer set with item 9 endorsed: a critical alert with the rule's reason.
    response_submit(
        client=client,
        actor=actor,
        instrument_code="phq9",
        answers=[2, 1, 3, 0, 2, 1, 0, 3, 2],
        idempotency_key="canary-phq9",
    )
    alert_reason = shipped_definition("phq9").critical_items[0].reason
    assert Alert.objects.filter(client=client).exists()
    # A questionnaire half answered in the app: a draft on the server.
    schedule_create(
        actor=membership.user, client=client, instrument_code="gad7", frequency=Frequency.ONCE
    )
    due = QuestionnaireDue.objects.get(client=client, instrument_code="gad7")
    http = HttpClient()
    http.force_login(actor)
    http.post(f"/questionnaires/{due.public_id}/")
    for step, value in ((1, 3), (2, 2), (3, 1)):
        http.post(f"/questionnaires/{due.public_id}/{step}/", {"answer": str(value)})
    assert QuestionnaireDraft.objects.get(due=due).answers[:3] == [3, 2, 1]

    dump = _dump()

    assert "COPY public.measures_questionnaireresponse" in dump  # the dump is of this database
    for name, canary in CANARIES.items():
        assert canary not in dump, f"the {name} canary is in the dump"
        assert canary.split(" ", 1)[0] not in dump, f"the {name} canary id is in the dump"
    assert alert_reason not in dump, "an alert reason is in the dump in clear"
    for table in ("measures_questionnaireresponse", "measures_questionnairedraft"):
        for column in ("answers",) + (("flags",) if "response" in table else ()):
            values = _column_values(dump, table, column)
            assert values, f"no rows of {table} in the dump"
            assert all(v.startswith(CIPHERTEXT_PREFIX) for v in values), (table, column, values)


BETWEEN_SESSIONS = {
    "message": "CANARY-message-5d0e2 I keep thinking about the anniversary",
    "attachment": "CANARY-attachment-e81f4 scanned diary page",
    "filename": "CANARY-filename-3c9b7",
    "note": "CANARY-note-a7731 discussed the loss of her brother",
    "addendum": "CANARY-addendum-0f6d2 called back about medication",
    "instructions": "CANARY-homework-66b1e write down the thoughts about work",
    "reason": "CANARY-reason-9e4a0 my mother was in hospital",
    "feedback": "CANARY-feedback-2a5c8 well done for trying on a hard day",
    "goal": "CANARY-goal-41d37 sleep through most nights",
}


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_holds_no_plaintext_of_messages_notes_attachments_or_homework():
    from interlude.care.notes_services import (
        session_note_addendum_add,
        session_note_create,
        session_note_sign,
    )
    from interlude.care.plan_services import goal_create
    from interlude.consents.access import access_client
    from interlude.homework.services import (
        AssignmentValues,
        assignment_complete,
        assignment_create,
        assignment_feedback_add,
    )
    from interlude.messaging.models import Side
    from interlude.messaging.services import Upload, message_send
    from interlude.practices.enums import ShareScope

    membership, client = clinician_with_client()
    actor = client.user
    assert actor is not None
    canary = BETWEEN_SESSIONS
    message_send(
        client=client,
        sender=actor,
        by=Side.CLIENT,
        body=canary["message"],
        idempotency_key="canary-message",
        attachment=Upload(
            name=f"{canary['filename']}.pdf",
            data=f"%PDF-1.4\n% {canary['attachment']}\n%%EOF\n".encode(),
        ),
    )
    care = access_client(
        user=membership.user,
        client_id=client.public_id,
        scope=ShareScope.CARE_RECORD,
        for_write=True,
    )
    note = session_note_create(
        care=care,
        template="soap",
        sections={"subjective": canary["note"]},
        session_date=timezone.now().date(),
    )
    session_note_addendum_add(
        care=care, note=session_note_sign(care=care, note=note), text=canary["addendum"]
    )
    goal_create(care=care, description=canary["goal"])
    today = timezone.now().date()
    assignment = assignment_create(
        client=client,
        assigned_by=membership,
        actor=membership.user,
        values=AssignmentValues(
            tool_kind="custom",
            title="Notice the thoughts",
            instructions=canary["instructions"],
            starts_on=today - timedelta(days=3),
            schedule="once",
            due_on=today - timedelta(days=1),
        ),
    )
    occurrence, _ = assignment_complete(
        assignment=assignment,
        occurrence=today - timedelta(days=1),
        status="not_possible",
        actor=actor,
        reason=canary["reason"],
    )
    assignment_feedback_add(
        occurrence=occurrence, membership=membership, actor=membership.user, text=canary["feedback"]
    )

    dump = _dump()

    assert "COPY public.messaging_message" in dump
    for name, text in canary.items():
        assert text not in dump, f"the {name} canary is in the dump"
        assert text.split(" ", 1)[0] not in dump, f"the {name} canary id is in the dump"
    for table, column in (
        ("messaging_message", "body"),
        ("messaging_messageattachment", "content"),
        ("messaging_messageattachment", "filename"),
        ("care_sessionnote", "sections"),
        ("care_sessionnoteaddendum", "text"),
        ("homework_assignment", "instructions"),
        ("homework_assignmentoccurrence", "reason"),
        ("homework_assignmentoccurrence", "feedback"),
    ):
        values = _column_values(dump, table, column)
        assert values, f"no rows of {table} in the dump"
        assert all(v.startswith(CIPHERTEXT_PREFIX) for v in values), (table, column, values)
