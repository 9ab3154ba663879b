"""Shared pieces of the import pipeline tests (jobs, loader, undo, the command): a Daylio file
written on the fly, an upload read at once, and the import folder in the test's tmp_path."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from interlude.interop import services
from interlude.interop.enums import ImportSource
from interlude.interop.models import ImportJob
from interlude.practices.models import Client

NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # 11:00 in New York, the client's zone
HEADER = "full_date,date,weekday,time,mood,activities,scales,note_title,note"


def point_imports_dir(settings, tmp_path):
    """For a test module's `imports_dir` fixture: uploads go into the test's tmp_path."""
    settings.IMPORTS_DIR = tmp_path / "imports"
    return settings.IMPORTS_DIR


def daylio_line(day: date, time: str, mood: str, activities: str = "", note: str = "") -> str:
    quoted = note.replace('"', '""')
    return (
        f'{day.isoformat()},{day:%B} {day.day},{day:%A},{time},{mood},"{activities}","","",'
        f'"{quoted}"'
    )


def daylio_file(lines: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode()


def daylio_days(count: int, *, start: date = date(2025, 1, 1), mood: str = "good") -> bytes:
    """`count` entries, one a day from `start`, each with an activity and a short note."""
    return daylio_file(
        [
            daylio_line(start + timedelta(days=i), "8:30 pm", mood, "work | walk", f"day {i}")
            for i in range(count)
        ]
    )


# Four readable entries (good, wired (a custom name), awful, meh) and one line whose time cannot
# be read (line 6; the header is line 1).
SMALL = daylio_file(
    [
        daylio_line(date(2025, 3, 2), "8:30 pm", "good", "work | walk", "Felt calmer"),
        daylio_line(date(2025, 3, 3), "21:00", "wired", "coffee"),
        daylio_line(date(2025, 3, 4), "09:15", "awful"),
        daylio_line(date(2025, 3, 5), "10:00", "meh"),
        daylio_line(date(2025, 3, 6), "25:99", "meh"),
    ]
)


def upload(
    client: Client,
    data: bytes,
    *,
    capture,
    source: ImportSource = ImportSource.DAYLIO,
    name: str = "daylio_export.csv",
) -> ImportJob:
    """Upload `data` as the client and run the read (tasks run at once in tests)."""
    with capture(execute=True):
        job = services.import_upload(
            user=client.user,
            client=client,
            source=source,
            file=SimpleUploadedFile(name, data),
            file_name=name,
        )
    job.refresh_from_db()
    return job


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
