"""Re-encrypting stored ciphertexts under the newest key (SECURITY.md SR-25).

Each app that stores ciphertexts registers a rotator in its AppConfig.ready(). A rotator walks
its rows, re-encrypts whatever is not under the current key, and saves in small transactions, so
`manage.py rotate_keys` can be stopped at any point and run again: finished rows are skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rotator:
    name: str
    # rotate(batch_size) -> rows re-encrypted; census() -> ciphertexts per key id
    rotate: Callable[[int], int]
    census: Callable[[], Counter[int]]


_ROTATORS: dict[str, Rotator] = {}


def register_rotator(rotator: Rotator) -> None:
    _ROTATORS[rotator.name] = rotator


def rotators() -> list[Rotator]:
    return list(_ROTATORS.values())
