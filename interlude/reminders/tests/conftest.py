"""Fixtures for the reminder tests: a due provider that each test fills in."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, time

import pytest

from interlude.reminders import providers
from interlude.reminders.providers import DueItem


class FakeDue:
    """What is due, as the test says: (client id, local date, wall time or None)."""

    def __init__(self) -> None:
        self.items: list[DueItem] = []

    def add(self, client_id: int, day: date, wall: time | None = None) -> None:
        self.items.append(DueItem(client_id=client_id, local_date=day, wall_time=wall))

    def __call__(self, client_ids: Sequence[int], first: date, last: date) -> list[DueItem]:
        return [
            i for i in self.items if i.client_id in client_ids and first <= i.local_date <= last
        ]


@pytest.fixture
def due() -> Iterator[FakeDue]:
    fake = FakeDue()
    providers.due_provider_register(fake)
    yield fake
    providers._PROVIDERS.remove(fake)
