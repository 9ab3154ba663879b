"""Consent history is append-only in the database itself, and clients who used Interlude before
it asked for digital consent keep their data visible, recorded as "consent given before digital
consent existed", until they answer at their next sign-in.

PostgreSQL: a trigger refuses UPDATE and DELETE of consent events. SQLite: it refuses UPDATE
(DELETE stays possible so the test database can be flushed).
"""

from django.db import migrations
from django.utils import timezone

PG_FORWARD = """
CREATE OR REPLACE FUNCTION consent_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent history is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_event_append_only
    BEFORE UPDATE OR DELETE ON consents_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS consent_event_append_only ON consents_consentevent;
DROP FUNCTION IF EXISTS consent_event_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consents_consentevent
BEGIN SELECT RAISE(ABORT, 'consent history is append-only (UPDATE refused)'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS consent_event_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)
    Client = apps.get_model("practices", "Client")
    ClientPrivacy = apps.get_model("consents", "ClientPrivacy")
    ConsentEvent = apps.get_model("consents", "ConsentEvent")
    now = timezone.now()
    for client in Client.objects.all().iterator():
        ClientPrivacy.objects.get_or_create(
            client_id=client.pk,
            defaults={"consent_status": "prior", "consent_at": now, "onboarded_at": now},
        )
        ConsentEvent.objects.create(
            practice_id=client.practice_id,
            client_id=client.pk,
            kind="prior",
            method="recorded",
            at=now,
        )


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial"), ("practices", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
