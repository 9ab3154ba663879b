from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand

from interlude.core.crypto import current_key_id
from interlude.core.key_rotation import rotators


class Command(BaseCommand):
    help = (
        "Re-encrypt stored secrets under the newest key in INTERLUDE_ENCRYPTION_KEYS. Safe to stop "
        "and run again. With --check, only count ciphertexts per key id."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="count only, change nothing")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        current = current_key_id()
        total: Counter[int] = Counter()
        for rotator in rotators():
            if not options["check"]:
                done = rotator.rotate(options["batch_size"])
                self.stdout.write(f"{rotator.name}: re-encrypted {done} under key {current}")
            census = rotator.census()
            total.update(census)
            self.stdout.write(f"{rotator.name}: " + _describe(census))
        old = sum(n for key_id, n in total.items() if key_id != current)
        if old:
            self.stdout.write(f"{old} ciphertexts still use older keys; keep those keys for now.")
        else:
            self.stdout.write(f"Every ciphertext uses key {current}; older keys can be retired.")


def _describe(census: Counter[int]) -> str:
    if not census:
        return "nothing stored"
    return ", ".join(f"{n} under key {key_id}" for key_id, n in sorted(census.items()))
