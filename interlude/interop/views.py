"""The client's pages for bringing in data from other apps: upload, match a spreadsheet's columns,
watch it being read, check the preview (choose mood levels), add it, discard it, undo it.

Thin: each view checks the module is on for this client (404 when a clinician switched it off),
fetches the job through `access_import_job` (404 for anyone else's), calls one service and
redirects (PRG). Only the job's random id is ever in a URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from interlude.consents.access import access_own_client
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.interop import selectors, services
from interlude.interop.canonical import Answers, MoodEntry, Reading
from interlude.interop.enums import ImportSource, ImportStatus, StagedKind
from interlude.interop.forms import (
    SOURCE_CHOICES,
    SOURCE_HINTS,
    ColumnsForm,
    MoodLevelsForm,
    UploadForm,
)
from interlude.interop.models import ImportJob
from interlude.interop.selectors import ImportPreview, SampleRecord
from interlude.practices.enums import Module

# While the job is in one of these, the page shows a progress bar and polls.
WORKING = frozenset({ImportStatus.QUEUED, ImportStatus.READING, ImportStatus.COMMITTING})
POLL_SECONDS = 1


# What each kind of staged row is called, one and many.
KIND_WORDS: dict[str, tuple[str, str]] = {
    StagedKind.CHECKIN.value: ("check-in", "check-ins"),
    StagedKind.SLEEP.value: ("night of sleep", "nights of sleep"),
    StagedKind.MINDFUL.value: ("mindful session", "mindful sessions"),
    StagedKind.STEPS.value: ("day of steps", "days of steps"),
    StagedKind.RESPONSE.value: ("set of questionnaire answers", "sets of questionnaire answers"),
    StagedKind.MEASUREMENT.value: ("other reading", "other readings"),
}
APP_NAMES: dict[str, str] = {
    ImportSource.DAYLIO.value: "Daylio",
    ImportSource.BEARABLE.value: "Bearable",
    ImportSource.APPLE_HEALTH.value: "Apple Health",
    ImportSource.FHIR.value: "FHIR file",
    ImportSource.CSV.value: "Spreadsheet",
}


def count_words(counts: Mapping[str, int]) -> list[str]:
    """{"checkins": 5, "sleep": 1} -> ["5 check-ins", "1 night of sleep"] (zeros left out)."""
    out = []
    for kind, (one, many) in KIND_WORDS.items():
        n = int(counts.get(kind) or 0)
        if n:
            out.append(f"{n} {one if n == 1 else many}")
    return out


def _job(request: InterludeRequest, job_id: uuid.UUID) -> ImportJob:
    access_own_client(user=request.user, module=Module.IMPORTS)
    return selectors.access_import_job(user=request.user, job_id=job_id)


# --- the list and the upload ----------------------------------------------------------------------
@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def imports(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.IMPORTS)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_upload(
                    user=request.user,
                    client=client,
                    source=ImportSource(form.cleaned_data["source"]),
                    file=upload,
                    file_name=upload.name or "",
                )
            except ApplicationError as exc:
                form.add_error("source" if exc.field == "source" else "file", exc.message)
            else:
                if job.status == ImportStatus.MAPPING:
                    return redirect("import_columns", job_id=job.public_id)
                return redirect("import_detail", job_id=job.public_id)
    else:
        # A link from an app suggestion names its app (`?source=daylio`); anything else is ignored.
        source = request.GET.get("source", "")
        form = UploadForm(initial={"source": source} if source in dict(SOURCE_CHOICES) else None)
    return render(
        request,
        "interop/imports.html",
        {
            "client": client,
            "form": form,
            "sources": [
                {"radio": radio, "hint": SOURCE_HINTS.get(str(radio.data["value"]), "")}
                for radio in form["source"]
            ],
            "jobs": [_row(job) for job in selectors.import_jobs_for_client(client=client)],
            "nav": "me",
        },
        status=422 if form.is_bound and form.errors else 200,
    )


def _added(job: ImportJob) -> list[str]:
    return count_words(job.summary.get("added") or {})


def _row(job: ImportJob) -> dict[str, Any]:
    """One earlier import in the list: its app, and what it added (or would add)."""
    counts = ""
    if job.status == ImportStatus.COMMITTED:
        words = _added(job)
        counts = ("Added " + ", ".join(words)) if words else "Nothing new was added"
    elif job.status == ImportStatus.UNDONE:
        words = _added(job)
        counts = ("Took out " + ", ".join(words)) if words else ""
    elif job.status == ImportStatus.PREVIEW:
        words = count_words(job.summary.get("to_add") or {})
        counts = ("Ready to add " + ", ".join(words)) if words else "Nothing new to add"
    return {"job": job, "app": APP_NAMES.get(job.source, job.source), "counts": counts}


# --- one import: progress, preview, result ------------------------------------------------------
def _number(value: float) -> str:
    return f"{value:g}"


def sample_words(sample: SampleRecord) -> str:
    """ "Mon 2 Mar, 20:30 · Check-in · good (work, walk)": one entry as the file has it."""
    when = f"{sample.when:%a} {sample.when.day} {sample.when:%b, %H:%M}"
    record = sample.record
    if isinstance(record, MoodEntry):
        what = record.mood_label or (
            _number(record.mood_value) if record.mood_value is not None else ""
        )
        if record.mood_value is not None and record.mood_label:
            what = f"{record.mood_label} ({_number(record.mood_value)})"
        if record.activities:
            what += f" · {', '.join(record.activities[:5])}"
    elif isinstance(record, Reading):
        what = f"{record.label} {_number(record.value)}".strip()
    elif isinstance(record, Answers):
        what = record.instrument_code.upper()
    else:
        what = ""
    return " · ".join(part for part in (when, sample.kind_label, what) if part)


def preview_shown(preview: ImportPreview) -> dict[str, Any]:
    """The preview in the client's words."""
    unreadable = list(preview.unreadable)
    unreadable_count = max(preview.unreadable_count, len(unreadable))
    return {
        "to_add": count_words(preview.to_add),
        "duplicates": preview.duplicates,
        "unreadable": unreadable,
        "unreadable_count": unreadable_count,
        "unreadable_more": unreadable_count - len(unreadable),
        "skipped": [
            f"{reason}: {n} line{'' if n == 1 else 's'}" for reason, n in preview.skipped.items()
        ],
        "assumed_zone": preview.assumed_zone,
        "samples": [sample_words(s) for s in preview.samples],
    }


def _detail_context(job: ImportJob, *, form: MoodLevelsForm | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "job": job,
        "app": APP_NAMES.get(job.source, job.source),
        "working": job.status in WORKING,
        "poll_seconds": POLL_SECONDS,
        "nav": "me",
    }
    if job.status == ImportStatus.PREVIEW:
        preview = selectors.import_preview(job=job)
        context["shown"] = preview_shown(preview)
        if preview.moods:
            context["form"] = form or MoodLevelsForm(moods=preview.moods)
            context["unmapped_count"] = len(preview.unmapped_moods)
    elif job.status in (ImportStatus.COMMITTED, ImportStatus.UNDONE):
        context["added_words"] = _added(job)
    return context


@access(Access.CLIENT)
def import_detail(request: InterludeRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    if job.status == ImportStatus.MAPPING:
        return redirect("import_columns", job_id=job.public_id)
    if request.htmx:
        if job.status not in WORKING:
            # Done reading or adding: the whole page changes (preview or result), so reload it.
            return HttpResponseClientRefresh()
        return render(request, "interop/import.html#progress", _detail_context(job))
    return render(request, "interop/import.html", _detail_context(job))


@access(Access.CLIENT)
@require_POST
def import_add(request: InterludeRequest, job_id: uuid.UUID) -> HttpResponse:
    """Set the mood levels chosen in the preview, then add the import to the record."""
    job = _job(request, job_id)
    if job.status != ImportStatus.PREVIEW:
        return redirect("import_detail", job_id=job.public_id)
    preview = selectors.import_preview(job=job)
    form = MoodLevelsForm(request.POST, moods=preview.moods) if preview.moods else None
    if form is not None and not form.is_valid():
        return render(request, "interop/import.html", _detail_context(job, form=form), status=422)
    try:
        if form is not None:
            services.import_moods_set(user=request.user, job=job, moods=form.levels())
        services.import_commit(user=request.user, job=job)
    except ApplicationError as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect("import_detail", job_id=job.public_id)
        form.add_error(None, exc.message)
        return render(request, "interop/import.html", _detail_context(job, form=form), status=422)
    # The page itself says what was added (or shows the progress of a large one).
    return redirect("import_detail", job_id=job.public_id)


@access(Access.CLIENT)
@require_POST
def import_discard(request: InterludeRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    try:
        services.import_discard(user=request.user, job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("import_detail", job_id=job.public_id)
    messages.success(request, "Discarded. Nothing from that file was added to your record.")
    return redirect("imports")


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def import_undo(request: InterludeRequest, job_id: uuid.UUID) -> HttpResponse:
    """A confirmation page (works without JavaScript), then the undo itself."""
    job = _job(request, job_id)
    if job.status != ImportStatus.COMMITTED:
        return redirect("import_detail", job_id=job.public_id)
    if request.method == "POST":
        try:
            services.import_undo(user=request.user, job=job)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("import_detail", job_id=job.public_id)
        messages.success(
            request, "Import undone. Everything it added has been taken out of your record."
        )
        return redirect("imports")
    return render(
        request,
        "interop/undo.html",
        {
            "job": job,
            "app": APP_NAMES.get(job.source, job.source),
            "added_words": _added(job),
            "nav": "me",
        },
    )


# --- a spreadsheet's columns ---------------------------------------------------------------------
def _columns(job: ImportJob) -> tuple[list[str], list[list[str]], str]:
    """The spreadsheet's headers and first rows, or why the file cannot be read."""
    try:
        headers, rows = services.import_columns(job=job)
    except ApplicationError as exc:
        return [], [], exc.message
    return list(headers), [list(r) for r in rows[:5]], ""


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def import_columns(request: InterludeRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != ImportStatus.MAPPING:
        return redirect("import_detail", job_id=job.public_id)
    headers, rows, file_error = _columns(job)
    profiles = {
        str(p.public_id): p for p in selectors.import_profiles_for_client(client=job.client)
    }
    choices = [(key, p.name) for key, p in profiles.items()]
    if request.method == "POST":
        form = ColumnsForm(request.POST, headers=headers, profiles=choices)
        if form.is_valid():
            profile = profiles.get(form.cleaned_data.get("profile") or "")
            mapping = dict(profile.mapping) if profile else form.mapping()
            try:
                services.import_mapping_set(
                    user=request.user,
                    job=job,
                    mapping=mapping,
                    profile_name=None if profile else (form.cleaned_data["save_as"] or None),
                )
            except ApplicationError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                return redirect("import_detail", job_id=job.public_id)
    else:
        form = ColumnsForm(
            headers=headers,
            profiles=choices,
            initial={"value_kind": "mood", "scale_min": 1, "scale_max": 5, "tag_separator": ","},
        )
    return render(
        request,
        "interop/columns.html",
        {
            "job": job,
            "form": form,
            "headers": headers,
            "rows": rows,
            "file_error": file_error,
            "nav": "me",
        },
        status=422 if form.is_bound and form.errors else 200,
    )
