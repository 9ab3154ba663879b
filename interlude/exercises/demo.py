"""Between-session exercises for the demo clients (never in production): a few thought records,
two weeks of sleep diary, an activation week, an exposure ladder, journal entries (one shared),
relaxation practice and articles read. Deterministic and idempotent: skipped if the client has
any thought record already."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from interlude.exercises.models import JournalEntry, LifeArea, ThoughtRecord
from interlude.exercises.relaxation_services import article_mark_read, relaxation_session_create
from interlude.exercises.schemas import (
    ActivityLogIn,
    ActivityPlanIn,
    BalancedThoughtIn,
    EmotionIn,
    ExposurePracticeIn,
    ExposureStepIn,
    JournalEntryIn,
    SleepDiaryIn,
    ThoughtIn,
    ThoughtRecordIn,
)
from interlude.exercises.worksheets_services import (
    activity_plan_create,
    activity_plan_log,
    exposure_practice_create,
    exposure_step_create,
    journal_entry_create,
    sleep_diary_save,
    thought_record_create,
)
from interlude.practices.models import Client

THOUGHT_RECORDS: list[dict[str, Any]] = [
    {
        "days_ago": 70,
        "situation": "Manager asked to see me at the end of the day, no reason given.",
        "thought": ("I'm going to be let go. I always mess things up.", 85),
        "emotions": [("Anxious", 85), ("Ashamed", 60)],
        "for": "I missed a deadline last month.",
        "against": "I got good feedback on the last project. The meeting could be about anything.",
        "traps": ["fortune_telling", "overgeneralisation"],
        "balanced": (
            "I don't know what the meeting is about. One late deadline is not a pattern.",
            70,
        ),
        "after": (40, [("Anxious", 45), ("Ashamed", 25)]),
    },
    {
        "days_ago": 41,
        "situation": "Friend didn't answer my message all weekend.",
        "thought": ("She's fed up with me.", 75),
        "emotions": [("Sad", 70), ("Lonely", 65)],
        "for": "We haven't met up for a while.",
        "against": "She told me she was away with her family. She invited me to her birthday.",
        "traps": ["mind_reading", "personalisation"],
        "balanced": ("She is busy and away. I can ask to meet next week.", 75),
        "after": (30, [("Sad", 35), ("Lonely", 40)]),
    },
    {
        "days_ago": 12,
        "situation": "Made a small mistake in a presentation in front of the team.",
        "thought": ("Everyone thinks I'm incompetent now.", 70),
        "emotions": [("Embarrassed", 75), ("Anxious", 60)],
        "for": "Someone pointed it out.",
        "against": "Two people thanked me afterwards. Nobody mentioned it again.",
        "traps": ["mind_reading", "catastrophising", "mental_filter"],
        "balanced": (
            "I made one small slip in a good presentation. People remember the whole.",
            80,
        ),
        "after": (25, [("Embarrassed", 30), ("Anxious", 25)]),
    },
]
LADDER = [
    ("Say hello to a neighbour", 20),
    ("Ask a question in the team meeting", 40),
    ("Phone to book a doctor's appointment", 50),
    ("Eat lunch in the busy cafe", 65),
    ("Give a short talk at work", 85),
]
JOURNAL = [
    (
        30,
        "A better week",
        "I noticed I worried less in the mornings. The walks seem to help.",
        True,
    ),
    (9, "", "Hard day. Writing it down so it doesn't go round my head all night.", False),
    (
        2,
        "Small wins",
        "Went to the cafe at lunch, stayed the whole time. Anxious at first, then ok.",
        False,
    ),
]
ARTICLES = ["cbt-triangle", "thinking-traps", "breathing-and-the-body", "anxiety-and-avoidance"]


def demo_exercises(*, client: Client, richness: float = 1.0) -> bool:
    """Create the demo exercises for a client with an account. Returns False if already done."""
    user = client.user
    if user is None or ThoughtRecord.objects.filter(client=client).exists():
        return False
    rng = random.Random(f"interlude-demo-exercises-{client.full_name}")  # nosec B311 # repeatable demo data
    zone = ZoneInfo(client.time_zone)
    today = timezone.localdate(timezone=zone)

    def at(days_ago: int, hour: int, minute: int = 0) -> datetime:
        day = today - timedelta(days=days_ago)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)

    for i, tr in enumerate(THOUGHT_RECORDS[: max(1, round(len(THOUGHT_RECORDS) * richness))]):
        text, belief = tr["thought"]
        balanced_text, balanced_belief = tr["balanced"]
        belief_after, rerated = tr["after"]
        thought_record_create(
            client=client,
            actor=user,
            values=ThoughtRecordIn(
                idempotency_key=f"demo-tr-{i}",
                occurred_at=at(tr["days_ago"], 18),
                situation=tr["situation"],
                automatic_thoughts=[ThoughtIn(text=text, belief=belief, hot=True)],
                emotions=[EmotionIn(label=label, intensity=n) for label, n in tr["emotions"]],
                evidence_for=tr["for"],
                evidence_against=tr["against"],
                distortions=tr["traps"],
                balanced_thought=BalancedThoughtIn(text=balanced_text, belief=balanced_belief),
                hot_thought_belief_after=belief_after,
                emotions_rerated=[EmotionIn(label=label, intensity=n) for label, n in rerated],
            ),
        )

    for nights_ago in range(1, 15):
        if rng.random() < 0.2:
            continue
        bed = time(22 + rng.randint(0, 1), rng.choice([0, 15, 30, 45]))
        wake_hour = 6 + rng.randint(0, 1)
        sleep_diary_save(
            client=client,
            actor=user,
            values=SleepDiaryIn(
                night_of=today - timedelta(days=nights_ago),
                into_bed=bed,
                tried_to_sleep=time(bed.hour, min(59, bed.minute + 10)),
                minutes_to_fall_asleep=rng.choice([10, 15, 20, 30, 45]),
                awakenings=rng.randint(0, 3),
                minutes_awake_after_onset=rng.choice([0, 10, 20, 35]),
                final_awakening=time(wake_hour, rng.choice([0, 20, 40])),
                out_of_bed=time(wake_hour, 50),
                quality=rng.randint(2, 4),
            ),
        )

    monday = today - timedelta(days=today.weekday())
    plans = [
        ("Walk in the park at lunch", LifeArea.HEALTH, 0),
        ("Call my sister", LifeArea.RELATIONSHIPS, 1),
        ("Sort the post pile", LifeArea.HOME, 2),
        ("Sketching for 20 minutes", LifeArea.LEISURE, 3),
        ("Volunteer shift at the library", LifeArea.COMMUNITY, 5),
    ]
    for title, area, offset in plans:
        day = monday + timedelta(days=offset)
        plan = activity_plan_create(
            client=client,
            actor=user,
            values=ActivityPlanIn(title=title, life_area=area, planned_for=day, difficulty=2),
        )
        if day < today:
            done = rng.random() < 0.75
            activity_plan_log(
                activity=plan,
                actor=user,
                values=ActivityLogIn(
                    done=done,
                    mastery=rng.randint(4, 8) if done else None,
                    pleasure=rng.randint(4, 9) if done else None,
                ),
            )

    steps = [
        exposure_step_create(
            client=client,
            actor=user,
            values=ExposureStepIn(description=description, suds_anticipated=suds),
        )
        for description, suds in LADDER
    ]
    for n, (step, days_ago) in enumerate([(0, 20), (0, 16), (1, 13), (1, 8), (2, 5), (3, 2)]):
        pre = LADDER[step][1] - 5
        exposure_practice_create(
            client=client,
            step=steps[step],
            actor=user,
            values=ExposurePracticeIn(
                practiced_at=at(days_ago, 12, n),
                duration_minutes=rng.choice([10, 15, 20, 30]),
                suds_pre=pre,
                suds_peak=min(100, pre + 15),
                suds_post=max(0, pre - 25),
            ),
        )

    for days_ago, title, body, shared in JOURNAL:
        entry = journal_entry_create(
            client=client,
            actor=user,
            values=JournalEntryIn(title=title, body=body, shared=shared),
        )
        # written_at is not encrypted, so back-dating it in place is safe.
        JournalEntry.objects.filter(pk=entry.pk).update(written_at=at(days_ago, 22))

    kinds = ["box", "paced", "478", "pmr", "grounding"]
    for n in range(int(24 * richness)):
        days_ago = rng.randint(1, 60)
        before = rng.randint(4, 8)
        relaxation_session_create(
            client=client,
            actor=user,
            kind=rng.choice(kinds),
            started_at=at(days_ago, 21, rng.randint(0, 59)),
            seconds_practised=rng.choice([60, 120, 180, 300]),
            idempotency_key=f"demo-relax-{n}",
            distress_before=before,
            distress_after=max(0, before - rng.randint(1, 3)),
        )
    for slug in ARTICLES:
        article_mark_read(client=client, slug=slug)
    return True
