"""Curated words for check-ins, in plain language."""

from __future__ import annotations

# (code, label): a balanced list, not only difficult feelings.
EMOTIONS: list[tuple[str, str]] = [
    ("calm", "Calm"),
    ("content", "Content"),
    ("happy", "Happy"),
    ("hopeful", "Hopeful"),
    ("grateful", "Grateful"),
    ("proud", "Proud"),
    ("loved", "Loved"),
    ("relieved", "Relieved"),
    ("tired", "Tired"),
    ("bored", "Bored"),
    ("lonely", "Lonely"),
    ("sad", "Sad"),
    ("anxious", "Anxious"),
    ("worried", "Worried"),
    ("stressed", "Stressed"),
    ("overwhelmed", "Overwhelmed"),
    ("irritable", "Irritable"),
    ("angry", "Angry"),
    ("ashamed", "Ashamed"),
    ("guilty", "Guilty"),
    ("hopeless", "Hopeless"),
    ("numb", "Numb"),
]
EMOTION_CODES = frozenset(code for code, _ in EMOTIONS)
EMOTION_LABELS = dict(EMOTIONS)

DEFAULT_ACTIVITIES: list[str] = [
    "Work or study",
    "Exercise",
    "Time outside",
    "Friends",
    "Family",
    "Hobby",
    "Chores",
    "Screen time",
    "Therapy homework",
    "Alcohol",
]
