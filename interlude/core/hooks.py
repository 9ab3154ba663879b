"""Hooks from above: "a client finished a tool", told to whoever registered to hear it.

The domain apps (tracking, exercises, measures; floor 6) cannot import the homework app above
them, yet doing a tool should complete the homework that asked for it, in the same transaction.
So the domain service calls `record_done(...)` and the homework app registers a function here
from its AppConfig `ready()` (DESIGN.md, "Layers": a lower floor calls a hook registered from
above). Pure: this module knows no app and no model.

`kind` and `ref` name the tool in the homework app's words: kind "checkin" (ref ""), "worksheet"
(ref "thought_record", "activity", "exposure", "sleep_diary", "journal"), "relaxation" (ref the
exercise code, "box"), "article" (ref the slug), "questionnaire" (ref the instrument code).
`record_type` + `record_id` name the stored record (its public id) so the homework can link it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol


class RecordDoneHook(Protocol):
    def __call__(
        self,
        *,
        client: Any,
        kind: str,
        ref: str,
        record_type: str,
        record_id: str,
        at: datetime,
    ) -> object: ...


_RECORD_DONE: list[RecordDoneHook] = []


def record_done_hook_register(fn: RecordDoneHook) -> None:
    """Run `fn` after each finished tool record (once, however often it is registered)."""
    if fn not in _RECORD_DONE:
        _RECORD_DONE.append(fn)


def record_done(
    *, client: Any, kind: str, ref: str, record_type: str, record_id: str, at: datetime
) -> None:
    """Tell every registered hook that `client` finished a tool at `at`. Call it inside the
    transaction that stored the record, so the record and what the hooks do commit together."""
    for fn in _RECORD_DONE:
        fn(client=client, kind=kind, ref=ref, record_type=record_type, record_id=record_id, at=at)


# --- "a client's record changed": the caseload summary -------------------------------------------
# The caseload reads one summary row per client (insights.summary, floor 7). The apps whose writes
# change it (tracking, exercises, measures on floor 6; alerts on floor 7 beside insights) call
# `client_changed(...)` inside the write's transaction, naming the parts that changed; insights
# registers the function that recomputes those parts from InsightsConfig.ready. Parts:
# "scores" (questionnaire answers), "checkins" (check-ins, own and imported), "activity" (what
# counts as an active day: check-ins, relaxation, exposure, sleep diary, thought records, logged
# activities), "alerts".
SUMMARY_PARTS = frozenset({"scores", "checkins", "activity", "alerts"})


class ClientChangedHook(Protocol):
    def __call__(self, *, client_id: int, parts: frozenset[str], added: Any = None) -> object: ...


_CLIENT_CHANGED: list[ClientChangedHook] = []


def client_changed_hook_register(fn: ClientChangedHook) -> None:
    """Run `fn` after each write that changes a client's summary (once, however often it is
    registered)."""
    if fn not in _CLIENT_CHANGED:
        _CLIENT_CHANGED.append(fn)


def client_changed(*, client_id: int, parts: Iterable[str], added: Any = None) -> None:
    """Tell every registered hook that these parts of a client's record changed. Call it inside
    the transaction that wrote them, so the data and its summary commit together. `added`: the
    one record the write added, when that is all it did (a hook may merge it into what it keeps
    instead of reading the records again)."""
    named = frozenset(parts)
    unknown = named - SUMMARY_PARTS
    if unknown:
        raise ValueError(f"Unknown summary parts: {sorted(unknown)}")
    for fn in _CLIENT_CHANGED:
        fn(client_id=client_id, parts=named, added=added)
