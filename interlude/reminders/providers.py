"""What is due, asked of the apps above: the reminders app knows no homework or questionnaire.

An app that has something a client should do on a day registers a provider from its AppConfig
`ready()` (homework does, on floor 7). The planner asks every provider for the clients and days it
plans, and schedules at most one reminder per client, local day and wall-clock time, so three
things due today still make one quiet nudge, never three.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time


@dataclass(frozen=True)
class DueItem:
    """Something a client has to do on `local_date` (their own calendar day)."""

    client_id: int
    local_date: date
    # The item's own reminder time, or None for the client's preferred time.
    wall_time: time | None = None


# (client ids, first local date, last local date, both inclusive) -> what is due then.
DueProvider = Callable[[Sequence[int], date, date], Iterable[DueItem]]

_PROVIDERS: list[DueProvider] = []


def due_provider_register(provider: DueProvider) -> None:
    """Ask `provider` whenever reminders are planned (once, however often it is registered)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def due_items(*, client_ids: Sequence[int], first: date, last: date) -> list[DueItem]:
    """Every provider's due items for these clients and days."""
    items: list[DueItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(client_ids, first, last))
    return items
