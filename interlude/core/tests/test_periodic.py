"""The clock loop behind `alerts_sweep --every` and `audit_checkpoint --every`."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from interlude.core.periodic import Job, run_clock, run_every


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


# --- run_clock: one clock across processes (ADR 0026) --------------------------------------------
@pytest.fixture(autouse=True)
def deadline():
    """A clock test that went wrong stops after 20 s instead of hanging the run."""
    timer = threading.Timer(20, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    yield
    timer.cancel()


class FakeLock:
    description = "fake lock"

    def __init__(self, *, free_after: int = 0, lost_at: int | None = None) -> None:
        self.tries = 0
        self.free_after = free_after  # acquire fails this many times first
        self.checks = 0
        self.lost_at = lost_at  # held() answers False at this check (the lock expired once)
        self.released = 0

    def acquire(self) -> bool:
        self.tries += 1
        return self.tries > self.free_after

    def held(self) -> bool:
        self.checks += 1
        return self.checks != self.lost_at

    def release(self) -> None:
        self.released += 1


def stop_after(calls: list[str], count: int):
    def check() -> None:
        if len(calls) >= count:
            os.kill(os.getpid(), signal.SIGTERM)

    return check


def test_run_clock_runs_each_job_on_its_own_interval_once_leading():
    calls: list[str] = []
    states: list[str] = []
    stop = stop_after(calls, 5)

    def fast() -> None:
        calls.append("fast")
        stop()

    jobs = [
        Job(name="fast", every=0, run=fast),
        Job(name="slow", every=3600, run=lambda: calls.append("slow")),
    ]
    lock = FakeLock(free_after=2)
    before = signal.getsignal(signal.SIGTERM)

    run_clock(jobs=jobs, lock=lock, standby_poll=0, tick=0.001, on_change=states.append)

    # Two failed tries (standing by, said once), then every job at once, then only the fast one.
    assert states == ["standby", "leading"]
    assert calls == ["fast", "slow", "fast", "fast", "fast"]
    assert lock.tries == 3
    assert lock.released == 1
    assert signal.getsignal(signal.SIGTERM) is before


def test_run_clock_stands_down_when_it_loses_the_lock_and_leads_again_when_it_can():
    calls: list[str] = []
    states: list[str] = []

    def job() -> None:
        calls.append("job")
        if states.count("leading") == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    # held() fails on its second check: the first round ran, the second finds the lock gone.
    lock = FakeLock(lost_at=2)
    run_clock(
        jobs=[Job(name="job", every=0, run=job)],
        lock=lock,
        standby_poll=0,
        tick=0.001,
        on_change=states.append,
    )

    assert states == ["leading", "lost", "leading"]
    assert calls == ["job", "job"]


def test_run_clock_logs_a_failing_job_and_keeps_the_others_running(caplog):
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("queue unreachable")

    def fine() -> None:
        calls.append("fine")
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    run_clock(
        jobs=[Job(name="broken", every=0, run=broken), Job(name="fine", every=0, run=fine)],
        lock=FakeLock(),
        standby_poll=0,
        tick=0.001,
    )

    assert calls == ["fine", "fine"]
    failures = [r for r in caplog.records if r.getMessage() == "clock job broken failed"]
    assert len(failures) == 2
