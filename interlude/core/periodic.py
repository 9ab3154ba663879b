"""The loop behind the clocks that `manage.py serve` starts (alert sweep, audit checkpoints).

One loop so that every clock stops the same way on Ctrl-C or SIGTERM and keeps its rhythm by the
monotonic clock (a wall-clock change or a daylight-saving jump neither skips nor doubles a round).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import Any


def run_every(*, seconds: float, work: Callable[[], object], poll: float = 0.5) -> None:
    """Call `work` now and then every `seconds`, until SIGINT or SIGTERM. `work` handles its own
    errors: an exception escaping it stops the clock, which the supervising `serve` then reports."""
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        next_run = time.monotonic()
        while not stopping:
            if time.monotonic() >= next_run:
                work()
                next_run = time.monotonic() + seconds
            time.sleep(poll)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
