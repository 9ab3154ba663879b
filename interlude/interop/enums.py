"""The sources Interlude imports from, the life of an import, and what a token may do."""

from django.db import models


class ImportSource(models.TextChoices):
    DAYLIO = "daylio", "Daylio"
    BEARABLE = "bearable", "Bearable"
    APPLE_HEALTH = "apple_health", "Apple Health"
    FHIR = "fhir", "FHIR Bundle"
    CSV = "csv", "Spreadsheet (CSV)"


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", "Waiting for its columns to be matched"  # a spreadsheet, before reading
    QUEUED = "queued", "Waiting to be read"
    READING = "reading", "Being read"
    PREVIEW = "preview", "Ready to check"  # staged: nothing visible yet
    COMMITTING = "committing", "Being added"
    COMMITTED = "committed", "Added"
    FAILED = "failed", "Could not be read"
    DISCARDED = "discarded", "Discarded"
    UNDONE = "undone", "Undone"


class StagedKind(models.TextChoices):
    """What one staged row becomes (the summary line's "added" keys)."""

    CHECKIN = "checkins", "Check-in"
    SLEEP = "sleep", "Night of sleep"
    MINDFUL = "mindful", "Mindful session"
    STEPS = "steps", "Day of steps"
    RESPONSE = "responses", "Questionnaire answers"
    MEASUREMENT = "measurements", "Other reading"  # energy, symptoms, factors


class TokenScope(models.TextChoices):
    OBSERVATIONS_WRITE = "observations:write", "Send readings (steps, sleep, mood)"
    CHECKINS_WRITE = "checkins:write", "Send check-ins"
    READ = "read", "Read your data"
