"""Item answers and flags are encrypted at rest (ADR 0014); totals and bands stay in clear.

Answers are small integers, so a canary search would prove little: the tests assert that every
stored value is a ciphertext, and that the migration turns existing plaintext rows into them.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from interlude.measures.models import QuestionnaireResponse
from interlude.measures.services import response_submit
from tests.factories import clinician_with_client

CIPHERTEXT_PREFIX = "v2:"  # a client's data key (ADR 0017)


def _stored(column: str) -> list[str | None]:
    table = connection.ops.quote_name(QuestionnaireResponse._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_every_stored_answer_set_and_flag_list_is_ciphertext_and_reads_back():
    _m, client = clinician_with_client()
    critical, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[3, 3, 2, 2, 1, 1, 0, 0, 2],
        idempotency_key="a",
    )
    response_submit(
        client=client,
        actor=client.user,
        instrument_code="gad7",
        answers=[0, 1, None, 0, 0, 0, 0],
        idempotency_key="b",
    )
    answers, flags = _stored("answers"), _stored("flags")
    assert len(answers) == len(flags) == 2
    for value in answers + flags:
        assert isinstance(value, str) and value.startswith(CIPHERTEXT_PREFIX), value
    # Totals and bands stay queryable for the caseload.
    assert sorted(_stored("band_code")) == ["", "moderate"]  # GAD-7 incomplete: no band
    fresh = QuestionnaireResponse.objects.get(pk=critical.pk)
    assert fresh.answers == [3, 3, 2, 2, 1, 1, 0, 0, 2]
    assert fresh.flags == [{"flag": "critical_item", "item": 9, "value": 2, "critical": True}]
    assert fresh.is_critical is True
    assert fresh.total == 14.0


@pytest.mark.django_db
def test_an_encrypted_answer_set_moved_to_another_row_does_not_decrypt():
    from interlude.core.crypto import DecryptionError

    _m, client = clinician_with_client()
    one, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq2",
        answers=[1, 1],
        idempotency_key="1",
    )
    two, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq2",
        answers=[0, 0],
        idempotency_key="2",
    )
    table = QuestionnaireResponse._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET answers = (SELECT answers FROM {table} WHERE id = %s) "  # noqa: S608
            "WHERE id = %s",
            [one.pk, two.pk],
        )
    with pytest.raises(DecryptionError):
        _ = QuestionnaireResponse.objects.get(pk=two.pk).answers


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_plaintext_answers_and_flags():
    executor = MigrationExecutor(connection)
    executor.migrate([("measures", "0002_caseload_indexes")])
    old_apps = executor.loader.project_state([("measures", "0002_caseload_indexes")]).apps
    _membership, client = clinician_with_client()
    OldResponse = old_apps.get_model("measures", "QuestionnaireResponse")
    public_id = uuid.uuid4()
    OldResponse.objects.create(
        public_id=public_id,
        practice_id=client.practice_id,
        client_id=client.pk,
        created_by_id=client.user_id,
        updated_by_id=client.user_id,
        instrument_code="phq9",
        instrument_version="1",
        answers=[1, 2, 3, 0, 1, 2, 3, 0, 1],
        idempotency_key="old",
        total=13,
        band_code="moderate",
        complete=True,
        flags=[{"flag": "critical_item", "item": 9, "value": 1, "critical": True}],
    )
    assert json.loads(_stored("answers")[0]) == [1, 2, 3, 0, 1, 2, 3, 0, 1]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("measures"))

    assert all(v.startswith("v1:") for v in _stored("answers") + _stored("flags"))
    row = QuestionnaireResponse.objects.get(public_id=public_id)
    assert row.answers == [1, 2, 3, 0, 1, 2, 3, 0, 1]
    assert row.flags == [{"flag": "critical_item", "item": 9, "value": 1, "critical": True}]
    assert (row.total, row.band_code) == (13.0, "moderate")
