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
