"""The download itself, for the page and the API alike: the client's own ready export, streamed
from its file; when the last byte has gone out, the file is deleted and the job marked
downloaded. A download cut off half-way deletes nothing, so the client can try again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone

from interlude.accounts.models import User
from interlude.core.clock import client_date
from interlude.rights import package, storage
from interlude.rights.models import ExportJob, ExportStatus
from interlude.rights.services import export_downloaded

CHUNK = 64 * 1024


def _chunks(handle: BinaryIO, *, job: ExportJob, user: User) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
    export_downloaded(job=job, actor=user)


def export_download_response(*, job: ExportJob | None, user: User) -> StreamingHttpResponse:
    """A 404 for anything but this client's ready export whose file is still there and whose
    day is not over (the sweep deletes it within minutes; until then it is gone all the same)."""
    if job is None or job.status != ExportStatus.READY:
        raise Http404
    if job.expires_at is not None and job.expires_at <= timezone.now():
        raise Http404
    path = storage.path_of(job.file_name)
    if path is None:
        raise Http404
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    day = client_date(job.finished_at or job.created_at, job.client)
    response = StreamingHttpResponse(
        _chunks(handle, job=job, user=user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{package.download_name(day)}"'
    if job.size is not None:
        response["Content-Length"] = str(job.size)
    response["Cache-Control"] = "no-store, private"
    return response
