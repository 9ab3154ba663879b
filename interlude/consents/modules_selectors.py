"""Reads of the module switches for code that has no `CareAccess` at hand (workers and sweeps
that create or chase questionnaires, reminders). Pages ask `CareAccess.module_on` instead."""

from __future__ import annotations

from collections.abc import Iterable

from interlude.consents.models import ClientPrivacy
from interlude.practices.enums import Module
from interlude.practices.models import Client


def module_on(*, client: Client | int, module: Module) -> bool:
    """Whether `module` is on for this client (a client without a privacy row has all on)."""
    client_id = client if isinstance(client, int) else client.pk
    rows = ClientPrivacy.objects.filter(client_id=client_id).values_list("modules_off", flat=True)
    return not any(module.value in row for row in rows)


def clients_with_module_off(*, module: Module, client_ids: Iterable[int]) -> set[int]:
    """Of these clients, the ids of those for whom `module` is switched off (one query)."""
    rows = ClientPrivacy.objects.filter(client_id__in=set(client_ids)).values_list(
        "client_id", "modules_off"
    )
    return {client_id for client_id, off in rows if module.value in off}


def modules_for_client(*, client: Client) -> list[tuple[Module, bool]]:
    """Every module with whether it is on for this client, in `Module` order."""
    rows = ClientPrivacy.objects.filter(client=client).values_list("modules_off", flat=True)
    off = set(next(iter(rows), []))
    return [(m, m.value not in off) for m in Module]
