"""Questionnaire item answers and flags encrypted at rest (ADR 0014).

New encrypted columns are added beside the plaintext ones, every row is copied and encrypted (in
batches, bound to the final field names so the values decrypt once renamed), then the plaintext
columns are dropped and the new ones take their names. Reversible: going back decrypts.
"""

import json

from django.db import migrations

import interlude.core.fields

BATCH = 500
FIELDS = (("answers", "answers_sealed"), ("flags", "flags_sealed"))


def _aad(public_id, practice_id, field):
    # The same associated data as core.fields.row_aad for the final field name.
    return f"measures.questionnaireresponse.{field}:{public_id}:{practice_id}"


def encrypt_rows(apps, schema_editor):
    from interlude.core.crypto import encrypt_text

    Response = apps.get_model("measures", "QuestionnaireResponse")
    ids = list(Response.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        rows = Response.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "pk", "public_id", "practice_id", "answers", "flags"
        )
        for pk, public_id, practice_id, answers, flags in rows:
            sealed = {
                new: encrypt_text(
                    json.dumps(value, separators=(",", ":")),
                    aad=_aad(public_id, practice_id, old),
                )
                for (old, new), value in zip(FIELDS, (answers, flags or []), strict=True)
            }
            Response.objects.filter(pk=pk).update(**sealed)


def decrypt_rows(apps, schema_editor):
    from interlude.core.crypto import decrypt_text

    Response = apps.get_model("measures", "QuestionnaireResponse")
    rows = Response.objects.order_by("pk").values_list(
        "pk", "public_id", "practice_id", "answers_sealed", "flags_sealed"
    )
    for pk, public_id, practice_id, answers, flags in rows.iterator():
        Response.objects.filter(pk=pk).update(
            answers=json.loads(decrypt_text(answers, aad=_aad(public_id, practice_id, "answers"))),
            flags=json.loads(decrypt_text(flags, aad=_aad(public_id, practice_id, "flags"))),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0002_caseload_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="questionnaireresponse",
            name="answers_sealed",
            field=interlude.core.fields.EncryptedJSONField(null=True),
        ),
        migrations.AddField(
            model_name="questionnaireresponse",
            name="flags_sealed",
            field=interlude.core.fields.EncryptedJSONField(null=True),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.RemoveField(model_name="questionnaireresponse", name="answers"),
        migrations.RemoveField(model_name="questionnaireresponse", name="flags"),
        migrations.RenameField(
            model_name="questionnaireresponse", old_name="answers_sealed", new_name="answers"
        ),
        migrations.RenameField(
            model_name="questionnaireresponse", old_name="flags_sealed", new_name="flags"
        ),
        migrations.AlterField(
            model_name="questionnaireresponse",
            name="answers",
            field=interlude.core.fields.EncryptedJSONField(),
        ),
        # The database sees no default (a schema editor would try to store "[]" in the clear,
        # which the field refuses); every row already has a value.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="questionnaireresponse",
                    name="flags",
                    field=interlude.core.fields.EncryptedJSONField(),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="questionnaireresponse",
                    name="flags",
                    field=interlude.core.fields.EncryptedJSONField(blank=True, default=list),
                ),
            ],
        ),
    ]
