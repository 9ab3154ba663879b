"""Bundles: a `searchset` for search answers and `$everything`, a `collection` for the client's
own export (SR-46). Built from R4B models, so the Bundle validates as it is made."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from interlude.consents.access import CareAccess
from interlude.interop.fhir import selectors


def _entry(resource: Any, base: str | None, mode: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"resource": resource}
    if base:
        entry["fullUrl"] = f"{base}/{resource.get_resource_type()}/{resource.id}"
    if mode:
        entry["search"] = {"mode": mode}
    return entry


def searchset(
    resources: Sequence[Any], *, base: str, self_url: str, now: datetime | None = None
) -> Bundle:
    """A search answer: every match, no paging (`total` says how many)."""
    return Bundle.model_validate(
        {
            "id": str(uuid.uuid4()),
            "type": "searchset",
            "timestamp": (now or datetime.now(UTC)).astimezone(UTC),
            "total": len(resources),
            "link": [{"relation": "self", "url": self_url}],
            "entry": [_entry(res, base, "match") for res in resources] or None,
        }
    )


def everything_bundle(
    *, access: CareAccess, base: str, self_url: str, now: datetime | None = None
) -> Bundle:
    """`Patient/{id}/$everything`: the patient and all this viewer may see of their record."""
    definitions = selectors.definitions_of_client(client=access.client)
    found = selectors.everything(access=access, definitions=definitions)
    return searchset(found, base=base, self_url=self_url, now=now)


def export_bundle(*, access: CareAccess, now: datetime) -> Bundle:
    """The whole record as the client sees it, as a `collection` for their download. No server
    address in it (entries carry no fullUrl; references are relative `Type/id`)."""
    definitions = selectors.definitions_of_client(client=access.client)
    found = selectors.everything(access=access, definitions=definitions)
    return Bundle.model_validate(
        {
            "id": str(uuid.uuid4()),
            "type": "collection",
            "timestamp": now.astimezone(UTC),
            "entry": [_entry(res, None, None) for res in found] or None,
        }
    )


def export_bundle_bytes(*, access: CareAccess, now: datetime) -> bytes:
    """`export_bundle` as indented JSON (UTF-8)."""
    return (
        export_bundle(access=access, now=now)
        .model_dump_json(indent=2, exclude_none=True)
        .encode("utf-8")
    )
