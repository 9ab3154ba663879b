"""Reads for imports: a client's own jobs and saved column mappings, and the preview.

Imports are the client's own: every read starts from `access_own_client` (with the imports
module switched on), and a job of anyone else is a 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import Http404

from interlude.accounts.models import User
from interlude.consents.access import access_own_client
from interlude.core.clock import client_zone
from interlude.interop import loader
from interlude.interop.canonical import Record, record_from_json
from interlude.interop.enums import StagedKind
from interlude.interop.models import ImportJob, ImportProfile, StagedRecord
from interlude.practices.enums import Module
from interlude.practices.models import Client

SAMPLE_SIZE = 10


def access_import_job(*, user: User, job_id: uuid.UUID) -> ImportJob:
    """The signed-in client's own import `job_id`; 404 for anything else (another client's job,
    a staff member, imports switched off)."""
    client = access_own_client(user=user, module=Module.IMPORTS)
    job = ImportJob.objects.filter(client=client, public_id=job_id).first()
    if job is None:
        raise Http404
    job.client = client  # the same object: no second query for it
    return job


def import_jobs_for_client(*, client: Client) -> list[ImportJob]:
    """The client's imports, newest first (one query)."""
    return list(ImportJob.objects.filter(client=client).order_by("-created_at", "-pk"))


def import_profiles_for_client(*, client: Client) -> list[ImportProfile]:
    return list(ImportProfile.objects.filter(client=client).order_by("name"))


def import_profile_get(*, client: Client, name: str) -> ImportProfile | None:
    return ImportProfile.objects.filter(client=client, name=name).first()


@dataclass(frozen=True)
class MoodChoice:
    name: str  # as the file writes it (spaces around it dropped)
    count: int  # entries with this mood
    default_level: int | None  # the app's own level for it (Daylio's rad=5 ...), if any
    chosen_level: int | None  # the client's choice, if made

    @property
    def level(self) -> int | None:
        return self.chosen_level if self.chosen_level is not None else self.default_level


@dataclass(frozen=True)
class SampleRecord:
    kind: str  # StagedKind value
    kind_label: str
    when: datetime  # aware, in the client's zone
    line: int | None
    record: Record  # the canonical record (decrypted), for display


@dataclass(frozen=True)
class ImportPreview:
    to_add: dict[str, int]  # per StagedKind value
    duplicates: int
    unreadable: list[tuple[int | None, str]]  # (line, message), the first 200
    unreadable_count: int
    skipped: dict[str, int]  # reason -> how many lines
    moods: list[MoodChoice]
    unmapped_moods: list[str]
    assumed_zone: str  # the zone given to times written without one ("" when none)
    samples: list[SampleRecord]

    @property
    def total_to_add(self) -> int:
        return sum(self.to_add.values())


def import_preview(*, job: ImportJob) -> ImportPreview:
    """What adding the job would do, from its read summary and its staged rows (two queries:
    the summary is on the job, the samples are the first ten rows to add)."""
    summary: dict[str, Any] = job.summary or {}
    chosen = (job.options or {}).get("moods") or {}
    moods = [
        MoodChoice(
            name=name,
            count=int(info.get("count", 0)),
            default_level=info.get("default_level"),
            chosen_level=chosen.get(name),
        )
        # By name: PostgreSQL's jsonb does not keep the order the file had.
        for name, info in sorted(
            (summary.get("moods") or {}).items(), key=lambda item: item[0].casefold()
        )
    ]
    zone = client_zone(job.client)
    rows = StagedRecord.objects.filter(job=job, attempt=job.attempt, duplicate=False).order_by(
        "seq"
    )[:SAMPLE_SIZE]
    samples = []
    for row in rows:
        record = record_from_json(row.payload)
        samples.append(
            SampleRecord(
                kind=row.kind,
                kind_label=StagedKind(row.kind).label,
                when=loader.aware(record.when, zone).astimezone(zone),
                line=row.line,
                record=record,
            )
        )
    return ImportPreview(
        to_add={str(k): int(v) for k, v in (summary.get("to_add") or {}).items()},
        duplicates=int(summary.get("duplicates", 0)),
        unreadable=[
            (u.get("line"), str(u.get("message", ""))) for u in summary.get("unreadable") or []
        ],
        unreadable_count=int(summary.get("unreadable_count", 0)),
        skipped={str(k): int(v) for k, v in (summary.get("skipped") or {}).items()},
        moods=moods,
        unmapped_moods=[m.name for m in moods if m.level is None],
        assumed_zone=str(summary.get("assumed_zone") or ""),
        samples=samples,
    )
