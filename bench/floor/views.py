"""The floor view: parse the JSON body, insert one row, answer JSON. Nothing else."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from bench.floor.models import FloorRow


def floor(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    row = FloorRow.objects.create(
        at=timezone.now(), value=int(body.get("mood", 0)), key=str(body.get("idempotency_key", ""))
    )
    return JsonResponse({"id": row.pk, "key": row.key}, status=201)
