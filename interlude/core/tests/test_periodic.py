"""The clock loop behind `alerts_sweep --every` and `audit_checkpoint --every`."""

from __future__ import annotations

import os
import signal
import threading

from interlude.core.periodic import run_every


def test_run_every_works_at_once_then_each_round_and_stops_on_sigterm():
    calls: list[int] = []
    before = signal.getsignal(signal.SIGTERM)

    def work() -> None:
        calls.append(len(calls) + 1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    run_every(seconds=0, work=work, poll=0.01)

    assert calls == [1, 2, 3]
    # The previous handler is back, so the test process (or `serve`) is not left deaf to SIGTERM.
    assert signal.getsignal(signal.SIGTERM) is before


def test_run_every_waits_its_interval_between_rounds():
    calls: list[int] = []
    # SIGTERM arrives from another thread after 0.3 s: about 30 polls, but only one round is due.
    threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGTERM)).start()

    run_every(seconds=3600, work=lambda: calls.append(1), poll=0.01)

    assert calls == [1]
