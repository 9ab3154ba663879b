"""Shared builders for the homework tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from interlude.homework.models import Assignment
from interlude.homework.services import AssignmentValues, assignment_create


def assign(membership, client, **values: Any) -> Assignment:
    defaults: dict[str, Any] = {
        "tool_kind": "checkin",
        "starts_on": date(2026, 3, 2),
        "schedule": "rrule",
        "rrule": "FREQ=DAILY",
    }
    defaults.update(values)
    return assignment_create(
        client=client,
        assigned_by=membership,
        actor=membership.user,
        values=AssignmentValues(**defaults),
    )


def thought_record_values(key: str = "tr-1"):
    from interlude.exercises.schemas import ThoughtRecordIn

    return ThoughtRecordIn(
        idempotency_key=key,
        situation="Manager frowned at my slides",
        automatic_thoughts=[{"text": "She thinks I'm useless", "belief": 90, "hot": True}],
        emotions=[{"label": "Anxious", "intensity": 80}],
        evidence_for="She frowned twice",
        evidence_against="She thanked me after",
        distortions=["mind_reading"],
        balanced_thought={"text": "She may have been thinking of something else", "belief": 70},
        hot_thought_belief_after=40,
        emotions_rerated=[{"label": "Anxious", "intensity": 45}],
        action_plan="Ask her in our 1:1",
    )
