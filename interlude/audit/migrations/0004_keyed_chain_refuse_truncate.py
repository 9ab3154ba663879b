"""Key the audit chain and refuse TRUNCATE (SR-31, SR-32; ADR 0015).

`key_id` names the AUDIT_HMAC_KEYS entry whose HMAC made an event's hash. Events already stored
get `key_id = 0`: they keep the unkeyed SHA-256 of the first version, because re-chaining them
would mean rewriting history (and the triggers rightly refuse UPDATE). `audit_verify` accepts
them only as the opening stretch of the chain, once a signed checkpoint covers them.

PostgreSQL: a statement trigger now refuses TRUNCATE as well as UPDATE and DELETE.
SQLite: adding a NOT NULL column rebuilds the table, which drops its triggers, so the UPDATE
trigger of 0002 is installed again.
"""

from django.db import migrations, models

PG_FORWARD = """
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""
PG_REVERSE = "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;"
SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_alter_auditevent_action")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(forward, reverse),
    ]
