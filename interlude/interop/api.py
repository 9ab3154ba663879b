"""JSON API of interop: pushed readings from apps and devices, and import jobs."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["imports and devices"])
