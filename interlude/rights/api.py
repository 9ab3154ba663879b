"""The client's data export over the API: ask for it (or get the one already on its way), follow
its progress, download it once. Only the client themself; anyone else's export is a 404."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import Http404, StreamingHttpResponse
from ninja import Field, Router, Schema, Status

from interlude.consents.access import access_own
from interlude.core.http import InterludeRequest
from interlude.rights.downloads import export_download_response
from interlude.rights.models import ExportJob, ExportStatus
from interlude.rights.selectors import export_job_get
from interlude.rights.services import export_request

router = Router(tags=["data export"])


class ExportOut(Schema):
    id: uuid.UUID
    status: str = Field(..., description="queued, running, ready (download it), failed or deleted")
    progress: int = Field(..., ge=0, le=100, description="Percent done")
    step: str = Field(..., description="What is being prepared now, in plain words")
    size: int | None = Field(None, description="Bytes of the zip, once ready")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(
        None, description="When the file is deleted if nobody downloads it"
    )
    downloaded_at: datetime | None
    error: str = ""
    download_url: str | None = Field(None, description="GET this once the status is ready")


def _out(job: ExportJob) -> ExportOut:
    return ExportOut(
        id=job.public_id,
        status=job.status,
        progress=job.progress,
        step=job.step,
        size=job.size,
        created_at=job.created_at,
        finished_at=job.finished_at,
        expires_at=job.expires_at,
        downloaded_at=job.downloaded_at,
        error=job.error,
        download_url=f"/api/v1/me/export/{job.public_id}/download"
        if job.status == ExportStatus.READY
        else None,
    )


@router.post(
    "/me/export",
    response={200: ExportOut, 202: ExportOut},
    summary="Ask for a download of all your data",
    description="Starts preparing a zip (PDF, one CSV per kind of record, data.json). If one is "
    "already waiting, being prepared or ready, that one is returned (200) instead of a new one "
    "(202). The file is deleted after the first complete download, or a day after it was made.",
    url_name="export_api_request",
)
def export_start(request: InterludeRequest) -> Any:
    care = access_own(user=request.user)
    job, created = export_request(care=care)
    return Status(202 if created else 200, _out(job))


@router.get(
    "/me/export/{export_id}",
    response=ExportOut,
    summary="The progress of one of your exports",
    url_name="export_api_status",
)
def export_status(request: InterludeRequest, export_id: uuid.UUID) -> ExportOut:
    care = access_own(user=request.user)
    job = export_job_get(client_id=care.client.pk, public_id=export_id)
    if job is None:
        raise Http404
    return _out(job)


@router.get(
    "/me/export/{export_id}/download",
    response={200: None},
    summary="Download a ready export (a zip), once",
    description="Streams the zip. After the whole file has been sent it is deleted; a "
    "download that is cut off can be tried again until the export expires.",
    url_name="export_api_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The zip file",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_download(request: InterludeRequest, export_id: uuid.UUID) -> StreamingHttpResponse:
    care = access_own(user=request.user)
    job = export_job_get(client_id=care.client.pk, public_id=export_id)
    return export_download_response(job=job, user=request.user)
