"""The audit hash chain as pure functions (SR-32): what verify_chain accepts and what it catches."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from interlude.audit.chain import (
    CHAINED_FIELDS,
    GENESIS_HASH,
    ChainBreak,
    event_hash,
    verify_chain,
)
from interlude.audit.enums import AuditAction, AuditOutcome

T0 = datetime(2025, 3, 30, 0, 59, 59, 123456, tzinfo=UTC)


def _fields(seq: int, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "seq": seq,
        "occurred_at": T0 + timedelta(seconds=seq),
        "actor_id": 7,
        "actor_label": "therapist@example.org",
        "action": str(AuditAction.CLIENT_RECORD_VIEWED),
        "outcome": str(AuditOutcome.SUCCESS),
        "practice_id": 3,
        "client_id": 11,
        "object_type": "client",
        "object_id": "11",
        "request_id": f"req{seq}",
        "ip": "203.0.113.9",
        "detail": {"scope": "profile"},
    }
    fields.update(overrides)
    return fields


def _append(rows: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """Append one event the way audit.services does: seq + 1, linked to the previous hash."""
    prev_hash = rows[-1]["hash"] if rows else GENESIS_HASH
    fields = _fields(len(rows) + 1, **overrides)
    row = {**fields, "prev_hash": prev_hash, "hash": event_hash(prev_hash=prev_hash, fields=fields)}
    rows.append(row)
    return row


def _chain(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for _ in range(n):
        _append(rows)
    return rows


def _verify(rows: list[dict[str, Any]], *, head_seq: int | None = None, head_hash: Any = "last"):
    if head_hash == "last":
        head_hash = rows[-1]["hash"] if rows else GENESIS_HASH
    return verify_chain(rows, head_seq=len(rows) if head_seq is None else head_seq,
                        head_hash=head_hash)  # fmt: skip


# --- event_hash ----------------------------------------------------------------------------------
def test_event_hash_is_sha256_of_prev_hash_and_canonical_json_of_chained_fields():
    fields = _fields(1)
    canonical = (
        '{"action":"client.record_viewed","actor_id":7,"actor_label":"therapist@example.org",'
        '"client_id":11,"detail":{"scope":"profile"},"ip":"203.0.113.9","object_id":"11",'
        '"object_type":"client","occurred_at":"2025-03-30T01:00:00.123456+00:00","outcome":"success",'
        '"practice_id":3,"request_id":"req1","seq":1}'
    )
    expected = hashlib.sha256((GENESIS_HASH + canonical).encode()).hexdigest()

    assert event_hash(prev_hash=GENESIS_HASH, fields=fields) == expected


def test_event_hash_pinned_value_so_an_outside_verifier_can_reimplement_it():
    # Changing the canonical form would make every stored chain fail verification.
    assert event_hash(prev_hash=GENESIS_HASH, fields=_fields(1)) == (
        "ca7da26e2b6a6641b8719f1253a73070d5e41327a2bc37f2e8cf30b2b56e60d7"
    )


def test_event_hash_ignores_fields_outside_the_chain_and_key_order():
    fields = _fields(1)
    with_extras = {
        "id": 99,
        "hash": "x" * 64,
        "prev_hash": "y" * 64,
        **dict(reversed(fields.items())),
    }

    assert event_hash(prev_hash=GENESIS_HASH, fields=with_extras) == event_hash(
        prev_hash=GENESIS_HASH, fields=fields
    )


def test_event_hash_treats_a_datetime_like_its_iso_string_with_microseconds():
    at = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)  # no microseconds: still written with 6 digits

    assert event_hash(prev_hash=GENESIS_HASH, fields=_fields(1, occurred_at=at)) == event_hash(
        prev_hash=GENESIS_HASH, fields=_fields(1, occurred_at="2025-01-01T12:00:00.000000+00:00")
    )


def test_event_hash_changes_with_every_chained_field_and_with_prev_hash():
    base = _fields(1)
    digest = event_hash(prev_hash=GENESIS_HASH, fields=base)
    changed = {
        "seq": 2,
        "occurred_at": T0 + timedelta(microseconds=1),
        "actor_id": 8,
        "actor_label": "someone@example.org",
        "action": str(AuditAction.CLIENT_CREATED),
        "outcome": str(AuditOutcome.DENIED),
        "practice_id": 4,
        "client_id": 12,
        "object_type": "invitation",
        "object_id": "12",
        "request_id": "other",
        "ip": "203.0.113.10",
        "detail": {"scope": "journal"},
    }
    assert set(changed) == set(CHAINED_FIELDS)

    for name, value in changed.items():
        assert event_hash(prev_hash=GENESIS_HASH, fields={**base, name: value}) != digest, name
    assert event_hash(prev_hash="1" * 64, fields=base) != digest


# --- verify_chain: intact chains -----------------------------------------------------------------
def test_verify_chain_accepts_an_intact_chain():
    rows = _chain(5)

    assert _verify(rows) == (5, None)


def test_verify_chain_accepts_an_empty_chain_with_a_fresh_head():
    assert verify_chain([], head_seq=0, head_hash=GENESIS_HASH) == (0, None)


def test_verify_chain_without_a_head_checks_only_the_links():
    assert verify_chain(_chain(3), head_seq=None, head_hash=None) == (3, None)


def test_first_event_links_to_the_genesis_hash():
    rows = _chain(1)

    assert rows[0]["prev_hash"] == GENESIS_HASH == "0" * 64


# --- verify_chain: the four ways to tamper (SR-32: 4/4 detected) ---------------------------------
def test_verify_chain_detects_an_edited_field():
    rows = _chain(4)
    rows[1]["actor_label"] = "nobody@example.org"

    assert _verify(rows) == (1, ChainBreak(2, "event 2 was altered after it was written"))


def test_verify_chain_detects_an_edited_detail_value():
    rows = _chain(3)
    rows[2]["detail"] = {"scope": "journal"}

    assert _verify(rows) == (2, ChainBreak(3, "event 3 was altered after it was written"))


def test_verify_chain_detects_a_deleted_middle_row_as_a_gap():
    rows = _chain(4)
    del rows[1]

    assert _verify(rows, head_seq=4) == (
        1,
        ChainBreak(2, "event 2 is missing (next stored event is 3)"),
    )


def test_verify_chain_detects_a_deleted_first_row():
    rows = _chain(3)
    del rows[0]

    assert _verify(rows, head_seq=3) == (
        0,
        ChainBreak(1, "event 1 is missing (next stored event is 2)"),
    )


def test_verify_chain_detects_a_row_inserted_in_the_middle_with_the_rest_renumbered():
    rows = _chain(3)
    # The attacker writes a valid-looking event 2 after event 1 and shifts the old 2 and 3 up.
    forged = _fields(2, actor_label="forged@example.org")
    forged_row = {
        **forged,
        "prev_hash": rows[0]["hash"],
        "hash": event_hash(prev_hash=rows[0]["hash"], fields=forged),
    }
    shifted = [{**r, "seq": r["seq"] + 1} for r in rows[1:]]
    tampered = [rows[0], forged_row, *shifted]

    assert _verify(tampered, head_seq=4, head_hash=rows[-1]["hash"]) == (
        2,
        ChainBreak(3, "event 3 does not link to event 2"),
    )


def test_verify_chain_detects_a_relinked_row_whose_hash_was_not_recomputed():
    rows = _chain(3)
    rows[2]["prev_hash"] = "f" * 64

    assert _verify(rows) == (2, ChainBreak(3, "event 3 does not link to event 2"))


def test_verify_chain_detects_a_rehashed_tail_through_the_head():
    rows = _chain(3)
    # Edit event 2 and recompute every hash after it: the links hold, the head does not.
    original_head = rows[-1]["hash"]
    rows[1]["actor_label"] = "nobody@example.org"
    prev = rows[0]["hash"]
    for row in rows[1:]:
        row["prev_hash"] = prev
        row["hash"] = event_hash(prev_hash=prev, fields=row)
        prev = row["hash"]

    assert _verify(rows, head_hash=original_head) == (
        3,
        ChainBreak(3, "the chain head does not match the last event"),
    )


def test_verify_chain_detects_a_truncated_tail():
    rows = _chain(5)
    head_hash = rows[-1]["hash"]

    assert _verify(rows[:3], head_seq=5, head_hash=head_hash) == (
        3,
        ChainBreak(
            4,
            "the chain head records 5 events but 3 are stored (events were removed from the end)",
        ),
    )


def test_verify_chain_detects_every_row_removed():
    rows = _chain(2)

    assert verify_chain([], head_seq=2, head_hash=rows[-1]["hash"]) == (
        0,
        ChainBreak(
            1,
            "the chain head records 2 events but 0 are stored (events were removed from the end)",
        ),
    )


def test_verify_chain_detects_rows_appended_behind_the_heads_back():
    rows = _chain(3)
    head_hash = rows[-1]["hash"]
    _append(rows, actor_label="forged@example.org")  # a valid link, but the head was not moved

    assert _verify(rows, head_seq=3, head_hash=head_hash) == (
        3,
        ChainBreak(
            4,
            "the chain head records 3 events but 4 are stored "
            "(event 4 and later were added outside the audit service)",
        ),
    )


def test_verify_chain_reports_only_the_first_break():
    rows = _chain(5)
    rows[1]["actor_label"] = "a"
    rows[3]["actor_label"] = "b"

    assert _verify(rows) == (1, ChainBreak(2, "event 2 was altered after it was written"))


# --- property: whatever gets appended, the chain verifies ----------------------------------------
_text = st.text(max_size=40)
_event = st.fixed_dictionaries(
    {
        "occurred_at": st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ),
        "actor_id": st.none() | st.integers(min_value=1, max_value=2**53),
        "actor_label": _text,
        "action": st.sampled_from([str(a) for a in AuditAction]),
        "outcome": st.sampled_from([str(o) for o in AuditOutcome]),
        "practice_id": st.none() | st.integers(min_value=1, max_value=2**31),
        "client_id": st.none() | st.integers(min_value=1, max_value=2**31),
        "object_type": _text,
        "object_id": _text,
        "request_id": st.text(alphabet="0123456789abcdef", max_size=32),
        "ip": st.none() | st.ip_addresses().map(str),
        "detail": st.dictionaries(
            st.text(max_size=10),
            st.none() | st.booleans() | st.integers() | _text | st.lists(st.integers(), max_size=3),
            max_size=4,
        ),
    }
)


@given(st.lists(_event, max_size=25))
def test_any_sequence_of_appended_events_verifies(events):
    rows: list[dict[str, Any]] = []
    for event in events:
        _append(rows, **event)

    assert _verify(rows) == (len(events), None)


@given(st.lists(_event, min_size=1, max_size=10), st.data())
def test_any_edit_of_a_chained_field_is_detected_at_that_event(events, data):
    rows: list[dict[str, Any]] = []
    for event in events:
        _append(rows, **event)
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    name = data.draw(st.sampled_from([f for f in CHAINED_FIELDS if f != "seq"]))
    original = rows[index][name]
    replacement = data.draw(
        st.sampled_from(["tampered", 424242, None, {"tampered": True}]).filter(
            lambda v: v != original
        )
    )
    rows[index][name] = replacement

    assert _verify(rows) == (
        index,
        ChainBreak(index + 1, f"event {index + 1} was altered after it was written"),
    )
