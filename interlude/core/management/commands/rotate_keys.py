from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand

from interlude.core.crypto import current_key_id
from interlude.core.key_rotation import (
    CLINICAL_TEXT_ROTATOR,
    encrypted_fields_migrate,
    encrypted_fields_of_clients_on_ring,
    encrypted_fields_on_data_keys,
    rotators,
)


class Command(BaseCommand):
    help = (
        "Re-encrypt stored secrets under the newest key in INTERLUDE_ENCRYPTION_KEYS, move each "
        "client's encrypted text to the client's own data key, and re-wrap the data keys. Safe to "
        "stop and run again: it continues where it stopped. With --check, only count."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="count only, change nothing")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--max-batches",
            type=int,
            default=None,
            help="stop the clinical text pass after this many batches (run again to continue)",
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="forget recorded progress and walk every table of clinical text again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        current = current_key_id()
        total: Counter[int] = Counter()
        for rotator in rotators():
            if not options["check"]:
                if rotator is CLINICAL_TEXT_ROTATOR:
                    done = encrypted_fields_migrate(
                        batch_size=options["batch_size"],
                        max_batches=options["max_batches"],
                        restart=options["restart"],
                    )
                    self.stdout.write(
                        f"{rotator.name}: re-encrypted {done} under key {current} "
                        "or the clients' data keys"
                    )
                else:
                    done = rotator.rotate(options["batch_size"])
                    self.stdout.write(f"{rotator.name}: re-encrypted {done} under key {current}")
            census = rotator.census()
            total.update(census)
            self.stdout.write(f"{rotator.name}: " + _describe(census))
        self.stdout.write(
            f"clinical text: {encrypted_fields_on_data_keys()} under client data keys"
        )
        pending = encrypted_fields_of_clients_on_ring()
        if pending:
            self.stdout.write(
                f"{pending} values of clients are not yet under their data keys; "
                "run rotate_keys again to continue."
            )
        old = sum(n for key_id, n in total.items() if key_id != current)
        if old:
            self.stdout.write(f"{old} ciphertexts still use older keys; keep those keys for now.")
        else:
            self.stdout.write(f"Every ciphertext uses key {current}; older keys can be retired.")


def _describe(census: Counter[int]) -> str:
    if not census:
        return "nothing stored"
    return ", ".join(f"{n} under key {key_id}" for key_id, n in sorted(census.items()))
