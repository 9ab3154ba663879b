"""The keyed audit chain and its checkpoints as pure functions (SR-32, ADR 0015): what
verify_chain accepts and what it catches."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from interlude.audit.chain import (
    CHAINED_FIELDS,
    CHECKPOINT_TAG,
    GENESIS_HASH,
    KEYED_FIELDS,
    ChainBreak,
    Checkpoint,
    CheckpointError,
    checkpoint_parse,
    checkpoint_sign,
    checkpoints_read,
    event_hash,
    legacy_event_hash,
    verify_chain,
)
from interlude.audit.enums import AuditAction, AuditOutcome

T0 = datetime(2025, 3, 30, 0, 59, 59, 123456, tzinfo=UTC)
KEY_1 = bytes(range(32))
KEY_2 = bytes(range(32, 64))
KEYS = {1: KEY_1, 2: KEY_2}


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
        "key_id": 1,
    }
    fields.update(overrides)
    return fields


def _append(rows: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """Append one event the way audit.services does: seq + 1, linked to the previous hash."""
    prev_hash = rows[-1]["hash"] if rows else GENESIS_HASH
    fields = _fields(len(rows) + 1, **overrides)
    row = {**fields, "prev_hash": prev_hash, "hash": _digest(prev_hash, fields)}
    rows.append(row)
    return row


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    if fields["key_id"] == 0:
        return legacy_event_hash(prev_hash=prev_hash, fields=fields)
    return event_hash(prev_hash=prev_hash, fields=fields, key=KEYS[fields["key_id"]])


def _chain(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for _ in range(n):
        _append(rows)
    return rows


def _verify(
    rows: list[dict[str, Any]],
    *,
    head_seq: int | None = None,
    head_hash: Any = "last",
    checkpoints: tuple[Checkpoint, ...] = (),
):
    if head_hash == "last":
        head_hash = rows[-1]["hash"] if rows else GENESIS_HASH
    return verify_chain(rows, keys=KEYS, head_seq=len(rows) if head_seq is None else head_seq,
                        head_hash=head_hash, checkpoints=checkpoints)  # fmt: skip


def _checkpoint(rows: list[dict[str, Any]], seq: int, *, key_id: int = 2) -> Checkpoint:
    hash_ = rows[seq - 1]["hash"] if seq else GENESIS_HASH
    return checkpoint_sign(seq=seq, hash=hash_, time=T0, key_id=key_id, key=KEYS[key_id])


# --- event_hash ----------------------------------------------------------------------------------
CANONICAL_1 = (
    '{"action":"client.record_viewed","actor_id":7,"actor_label":"therapist@example.org",'
    '"client_id":11,"detail":{"scope":"profile"},"ip":"203.0.113.9","key_id":1,"object_id":"11",'
    '"object_type":"client","occurred_at":"2025-03-30T01:00:00.123456+00:00","outcome":"success",'
    '"practice_id":3,"request_id":"req1","seq":1}'
)


def test_event_hash_is_hmac_sha256_of_a_label_prev_hash_and_canonical_json_with_the_key_id():
    expected = hmac.new(
        KEY_1,
        b"interlude.audit.event.v2\n" + (GENESIS_HASH + CANONICAL_1).encode(),
        hashlib.sha256,
    ).hexdigest()

    assert event_hash(prev_hash=GENESIS_HASH, fields=_fields(1), key=KEY_1) == expected


def test_event_hash_pinned_value_so_an_outside_verifier_can_reimplement_it():
    # Changing the canonical form would make every stored chain fail verification.
    assert event_hash(prev_hash=GENESIS_HASH, fields=_fields(1), key=KEY_1) == (
        "bdb37ba7e74bb460b061f204e2811a852783b33e21ea62c10001b7ef2cc3858f"
    )


def test_legacy_event_hash_is_the_first_versions_unkeyed_sha256_without_the_key_id():
    # Events stored before the chain was keyed (key_id 0) must still verify byte for byte.
    canonical = CANONICAL_1.replace('"key_id":1,', "")
    expected = hashlib.sha256((GENESIS_HASH + canonical).encode()).hexdigest()

    assert (
        legacy_event_hash(prev_hash=GENESIS_HASH, fields=_fields(1))
        == expected
        == ("ca7da26e2b6a6641b8719f1253a73070d5e41327a2bc37f2e8cf30b2b56e60d7")
    )


def test_event_hash_depends_on_the_key():
    fields = _fields(1)

    assert event_hash(prev_hash=GENESIS_HASH, fields=fields, key=KEY_1) != event_hash(
        prev_hash=GENESIS_HASH, fields=fields, key=KEY_2
    )


def test_event_hash_ignores_fields_outside_the_chain_and_key_order():
    fields = _fields(1)
    with_extras = {
        "id": 99,
        "hash": "x" * 64,
        "prev_hash": "y" * 64,
        **dict(reversed(fields.items())),
    }

    assert event_hash(prev_hash=GENESIS_HASH, fields=with_extras, key=KEY_1) == event_hash(
        prev_hash=GENESIS_HASH, fields=fields, key=KEY_1
    )


def test_event_hash_treats_a_datetime_like_its_iso_string_with_microseconds():
    at = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)  # no microseconds: still written with 6 digits
    as_text = "2025-01-01T12:00:00.000000+00:00"

    assert event_hash(
        prev_hash=GENESIS_HASH, fields=_fields(1, occurred_at=at), key=KEY_1
    ) == event_hash(prev_hash=GENESIS_HASH, fields=_fields(1, occurred_at=as_text), key=KEY_1)


def test_event_hash_changes_with_every_chained_field_the_key_id_and_prev_hash():
    base = _fields(1)
    digest = event_hash(prev_hash=GENESIS_HASH, fields=base, key=KEY_1)
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
        "key_id": 2,
    }
    assert set(changed) == set(KEYED_FIELDS) == {*CHAINED_FIELDS, "key_id"}

    for name, value in changed.items():
        tampered = {**base, name: value}
        assert event_hash(prev_hash=GENESIS_HASH, fields=tampered, key=KEY_1) != digest, name
    assert event_hash(prev_hash="1" * 64, fields=base, key=KEY_1) != digest


# --- verify_chain: intact chains -----------------------------------------------------------------
def test_verify_chain_accepts_an_intact_chain():
    rows = _chain(5)

    assert _verify(rows) == (5, None)


def test_verify_chain_accepts_an_empty_chain_with_a_fresh_head():
    assert verify_chain([], keys=KEYS, head_seq=0, head_hash=GENESIS_HASH) == (0, None)


def test_verify_chain_without_a_head_checks_only_the_links():
    assert verify_chain(_chain(3), keys=KEYS, head_seq=None, head_hash=None) == (3, None)


def test_first_event_links_to_the_genesis_hash():
    rows = _chain(1)

    assert rows[0]["prev_hash"] == GENESIS_HASH == "0" * 64


def test_verify_chain_accepts_a_key_rotation_mid_chain():
    rows = _chain(2)
    _append(rows, key_id=2)
    _append(rows, key_id=2)

    assert _verify(rows, checkpoints=(_checkpoint(rows, 2, key_id=1), _checkpoint(rows, 4))) == (
        4,
        None,
    )


def test_verify_chain_accepts_a_legacy_prefix_covered_by_a_signed_checkpoint():
    rows: list[dict[str, Any]] = []
    _append(rows, key_id=0)
    _append(rows, key_id=0)
    _append(rows)

    assert _verify(rows, checkpoints=(_checkpoint(rows, 2),)) == (3, None)


# --- verify_chain: the six ways to tamper (edit, delete, insert, truncate, rehash, head move) ----
def test_verify_chain_detects_an_edited_field_naming_the_row_id():
    rows = _chain(4)
    for number, row in enumerate(rows, start=101):
        row["id"] = number
    rows[1]["actor_label"] = "nobody@example.org"

    assert _verify(rows) == (1, ChainBreak(2, "event 2 was altered after it was written", 102))


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
    # The attacker writes event 2 after event 1 and shifts the old 2 and 3 up. Without the key
    # the forged event's MAC is wrong.
    forged = _fields(2, actor_label="forged@example.org")
    forged_row = {
        **forged,
        "prev_hash": rows[0]["hash"],
        "hash": event_hash(prev_hash=rows[0]["hash"], fields=forged, key=b"guess" * 8),
    }
    shifted = [{**r, "seq": r["seq"] + 1} for r in rows[1:]]
    tampered = [rows[0], forged_row, *shifted]

    assert _verify(tampered, head_seq=4, head_hash=rows[-1]["hash"]) == (
        1,
        ChainBreak(2, "event 2 was altered after it was written"),
    )


def test_verify_chain_detects_a_relinked_row_whose_hash_was_not_recomputed():
    rows = _chain(3)
    rows[2]["prev_hash"] = "f" * 64

    assert _verify(rows) == (2, ChainBreak(3, "event 3 does not link to event 2"))


def _rehash_from(rows: list[dict[str, Any]], index: int, digest) -> None:
    prev = rows[index - 1]["hash"] if index else GENESIS_HASH
    for row in rows[index:]:
        row["prev_hash"] = prev
        row["hash"] = digest(prev, row)
        prev = row["hash"]


def test_verify_chain_detects_a_tail_rehashed_with_plain_sha256_and_the_head_moved():
    rows = _chain(4)
    rows[1]["actor_label"] = "nobody@example.org"
    _rehash_from(rows, 1, lambda prev, row: legacy_event_hash(prev_hash=prev, fields=row))

    # The head is moved to the rewritten last event, so only the MAC gives it away.
    assert _verify(rows) == (1, ChainBreak(2, "event 2 was altered after it was written"))


def test_verify_chain_detects_a_tail_rewritten_as_unkeyed_legacy_events():
    rows = _chain(4)
    rows[2]["actor_label"] = "nobody@example.org"
    for row in rows[2:]:
        row["key_id"] = 0
    _rehash_from(rows, 2, lambda prev, row: legacy_event_hash(prev_hash=prev, fields=row))

    assert _verify(rows) == (
        2,
        ChainBreak(3, "event 3 carries an unkeyed hash after keyed events"),
    )


def test_verify_chain_detects_a_whole_chain_rewritten_as_legacy_events_by_the_checkpoint():
    rows = _chain(3)
    checkpoint = _checkpoint(rows, 3)
    rows[0]["actor_label"] = "nobody@example.org"
    for row in rows:
        row["key_id"] = 0
    _rehash_from(rows, 0, lambda prev, row: legacy_event_hash(prev_hash=prev, fields=row))

    assert _verify(rows, checkpoints=(checkpoint,)) == (
        2,
        ChainBreak(3, "event 3 differs from the signed checkpoint of 2025-03-30T00:59:59+00:00"),
    )


def test_verify_chain_refuses_legacy_events_no_checkpoint_covers():
    rows: list[dict[str, Any]] = []
    _append(rows, key_id=0)
    _append(rows, key_id=0)
    _append(rows)

    assert _verify(rows, checkpoints=(_checkpoint(rows, 1),)) == (
        3,
        ChainBreak(
            2,
            "events 1 to 2 carry the unkeyed hash of the first version and no signed checkpoint "
            "covers them yet (run `manage.py audit_checkpoint`)",
        ),
    )


def test_verify_chain_detects_an_event_naming_an_unknown_key():
    rows = _chain(2)
    rows[1]["key_id"] = 9

    assert _verify(rows) == (1, ChainBreak(2, "event 2 names key 9, which is not configured"))


def test_verify_chain_detects_a_head_that_does_not_match_the_last_event():
    rows = _chain(3)

    assert _verify(rows, head_hash=rows[1]["hash"]) == (
        3,
        ChainBreak(3, "the chain head does not match the last event"),
    )


def test_verify_chain_detects_a_truncated_tail_through_the_head():
    rows = _chain(5)
    head_hash = rows[-1]["hash"]

    assert _verify(rows[:3], head_seq=5, head_hash=head_hash) == (
        3,
        ChainBreak(
            4,
            "the chain head records 5 events but 3 are stored (events were removed from the end)",
        ),
    )


def test_verify_chain_detects_a_truncated_tail_with_the_head_moved_back_by_the_checkpoint():
    rows = _chain(5)
    checkpoint = _checkpoint(rows, 4)

    # The attacker cuts events 3 to 5 and moves the head to event 2: chain and head agree.
    assert _verify(rows[:2], checkpoints=(checkpoint,)) == (
        2,
        ChainBreak(
            3,
            "the signed checkpoint of 2025-03-30T00:59:59+00:00 records 4 events but only 2 are "
            "stored (events were removed from the end)",
        ),
    )


def test_verify_chain_detects_every_row_removed_and_the_head_reset_by_the_checkpoint():
    rows = _chain(2)

    assert verify_chain(
        [], keys=KEYS, head_seq=0, head_hash=GENESIS_HASH, checkpoints=[_checkpoint(rows, 2)]
    ) == (
        0,
        ChainBreak(
            1,
            "the signed checkpoint of 2025-03-30T00:59:59+00:00 records 2 events but only 0 are "
            "stored (events were removed from the end)",
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


def test_verify_chain_refuses_two_checkpoints_that_disagree():
    rows = _chain(2)
    good = _checkpoint(rows, 2)
    other = checkpoint_sign(seq=2, hash="e" * 64, time=T0, key_id=2, key=KEY_2)

    assert _verify(rows, checkpoints=(good, other)) == (
        0,
        ChainBreak(2, "two signed checkpoints disagree about event 2"),
    )


# --- checkpoints ---------------------------------------------------------------------------------
def test_checkpoint_line_round_trips_and_pins_its_signature():
    checkpoint = checkpoint_sign(seq=7, hash="a" * 64, time=T0, key_id=1, key=KEY_1)
    body = '{"hash":"' + "a" * 64 + '","key_id":1,"seq":7,"time":"2025-03-30T00:59:59+00:00"}'
    expected_mac = hmac.new(
        KEY_1, b"interlude.audit.checkpoint.v1\n" + body.encode(), hashlib.sha256
    ).hexdigest()

    assert checkpoint.hmac == expected_mac
    assert checkpoint.line() == (
        '{"seq":7,"hash":"' + "a" * 64 + '","time":"2025-03-30T00:59:59+00:00","key_id":1,'
        f'"hmac":"{expected_mac}"}}'
    )
    assert checkpoint_parse(checkpoint.line() + "\n", keys=KEYS) == checkpoint


def test_checkpoint_parse_reads_a_syslog_line_and_skips_other_lines():
    checkpoint = checkpoint_sign(seq=3, hash="b" * 64, time=T0, key_id=2, key=KEY_2)
    syslog = f"Mar 30 01:00:00 host interlude {CHECKPOINT_TAG} {checkpoint.line()}\n"

    assert checkpoint_parse(syslog, keys=KEYS) == checkpoint
    assert checkpoint_parse("Mar 30 01:00:00 host sshd[1]: accepted\n", keys=KEYS) is None


def test_checkpoint_parse_refuses_a_forged_or_moved_checkpoint():
    checkpoint = checkpoint_sign(seq=3, hash="b" * 64, time=T0, key_id=1, key=KEY_1)
    moved = checkpoint.line().replace('"seq":3', '"seq":2')
    forged = checkpoint_sign(seq=3, hash="b" * 64, time=T0, key_id=1, key=b"x" * 32).line()
    unknown_key = checkpoint_sign(seq=3, hash="b" * 64, time=T0, key_id=5, key=KEY_1).line()

    for line, reason in (
        (moved, "has a signature that does not match (forged or altered)"),
        (forged, "has a signature that does not match (forged or altered)"),
        (unknown_key, "is signed with key 5, which is not configured"),
        ('{"seq": 1}', "is not a checkpoint record"),
    ):
        try:
            checkpoint_parse(line, keys=KEYS)
        except CheckpointError as exc:
            assert str(exc) == reason
        else:  # pragma: no cover - the assertion above is the test
            raise AssertionError(f"accepted {line}")


def test_checkpoints_read_names_the_bad_line_but_skips_a_torn_last_line():
    one = checkpoint_sign(seq=1, hash="a" * 64, time=T0, key_id=1, key=KEY_1)
    two = checkpoint_sign(seq=2, hash="b" * 64, time=T0, key_id=1, key=KEY_1)
    torn = two.line()[:40]

    assert list(checkpoints_read([one.line() + "\n", two.line() + "\n", torn], keys=KEYS)) == [
        (1, one),
        (2, two),
    ]
    bad = two.line().replace('"seq":2', '"seq":3') + "\n"
    try:
        list(checkpoints_read([one.line() + "\n", bad, two.line() + "\n"], keys=KEYS))
    except CheckpointError as exc:
        assert str(exc) == (
            "checkpoint line 2 has a signature that does not match (forged or altered)"
        )
    else:  # pragma: no cover
        raise AssertionError("accepted a tampered checkpoint line")


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
