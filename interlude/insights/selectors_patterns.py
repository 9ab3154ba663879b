"""Patterns in a client's own data (mood with activities, sleep, relaxation). See patterns.py."""

from __future__ import annotations

from typing import Any

from interlude.practices.models import Client


def patterns_for_client(*, client: Client) -> list[Any]:
    """Placeholder until the patterns work lands: no pattern is shown."""
    return []
