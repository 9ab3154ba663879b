"""Reads for guided relaxation and the library, plus the breathing patterns the pacer uses.

The client's own reads take the `Client` from `access_own_client`; what the care team sees takes
the gate's `CareAccess` (`relaxation_sessions_for_clinician`), which decides whether relaxation
practice is shared.

Breathing timings (CLINICAL.md 4.6) are conventional, not normative (UNVERIFIED), so they are data
here and a deployment may override them with the `INTERLUDE_BREATHING_PATTERNS` setting, e.g.
`{"paced": {"in": 4, "out": 6}}`. The person can also adjust each phase in the page within
PHASE_MIN_SECONDS..PHASE_MAX_SECONDS (holds may be skipped altogether).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.exercises.models import ArticleRead, RelaxationKind, RelaxationSession
from interlude.practices.models import Client

PHASE_MIN_SECONDS = 2
PHASE_MAX_SECONDS = 10
SESSION_MINUTE_CHOICES = (1, 2, 3, 5)
# A test-only session length in seconds (?seconds=N) is accepted within these bounds.
TEST_SECONDS_MIN = 5
TEST_SECONDS_MAX = 600
RELAXATION_LIST_LIMIT = 1000

BREATHING_KINDS = (RelaxationKind.BOX, RelaxationKind.FOUR_SEVEN_EIGHT, RelaxationKind.PACED)


@dataclass(frozen=True)
class BreathingPattern:
    kind: RelaxationKind
    title: str
    summary: str
    # Seconds per phase; 0 means the pattern has no such phase.
    breathe_in: int
    hold_in: int
    breathe_out: int
    hold_out: int
    default_minutes: int
    has_holds: bool
    steps: tuple[str, ...]
    tip: str = ""

    @property
    def phases(self) -> list[tuple[str, str, int]]:
        """(code, setting label, seconds) for each phase this pattern uses, in order."""
        all_phases = [
            ("in", "Breathe in", self.breathe_in),
            ("hold-in", "Hold after breathing in", self.hold_in),
            ("out", "Breathe out", self.breathe_out),
            ("hold-out", "Hold after breathing out", self.hold_out),
        ]
        return [p for p in all_phases if p[2] > 0]

    @property
    def cycle_seconds(self) -> int:
        return self.breathe_in + self.hold_in + self.breathe_out + self.hold_out


_DEFAULT_PATTERNS: dict[str, BreathingPattern] = {
    RelaxationKind.BOX: BreathingPattern(
        kind=RelaxationKind.BOX,
        title="Box breathing",
        summary="Breathe in, hold, breathe out, hold. Four seconds each, like the four sides of "
        "a box.",
        breathe_in=4,
        hold_in=4,
        breathe_out=4,
        hold_out=4,
        default_minutes=3,
        has_holds=True,
        steps=(
            "Sit or stand in a way that feels steady. You can close your eyes or look at one spot.",
            "Breathe in gently through your nose while you count to 4.",
            "Hold your breath softly while you count to 4.",
            "Breathe out slowly through your mouth while you count to 4.",
            "Hold again while you count to 4. Then start the next box.",
            "Keep going for a few minutes. If your mind wanders, come back to the counting.",
        ),
    ),
    RelaxationKind.FOUR_SEVEN_EIGHT: BreathingPattern(
        kind=RelaxationKind.FOUR_SEVEN_EIGHT,
        title="4-7-8 breathing",
        summary="Breathe in for 4, hold for 7, and breathe out slowly for 8. The long out-breath "
        "helps your body settle.",
        breathe_in=4,
        hold_in=7,
        breathe_out=8,
        hold_out=0,
        default_minutes=1,
        has_holds=True,
        steps=(
            "Sit comfortably. Rest the tip of your tongue just behind your top front teeth.",
            "Breathe out fully through your mouth.",
            "Breathe in quietly through your nose while you count to 4.",
            "Hold your breath while you count to 7.",
            "Breathe out slowly through your mouth while you count to 8.",
            "That is one breath. Start with about four breaths, and add more over time.",
        ),
        tip="If you are new to this, start with one minute (about four breaths).",
    ),
    RelaxationKind.PACED: BreathingPattern(
        kind=RelaxationKind.PACED,
        title="Slow breathing",
        summary="Breathe in for 5 seconds and out for 5 seconds. That is six calm breaths a "
        "minute.",
        breathe_in=5,
        hold_in=0,
        breathe_out=5,
        hold_out=0,
        default_minutes=5,
        has_holds=False,
        steps=(
            "Sit back and let your shoulders drop.",
            "Breathe in gently through your nose while you count to 5. Let your belly rise.",
            "Breathe out slowly while you count to 5. Let your belly fall.",
            "No need to fill your lungs all the way. Soft, slow breaths are enough.",
            "Keep going for a few minutes. If you feel light-headed, breathe a little less deeply.",
        ),
    ),
}


def _clamp_phase(value: Any, *, allow_zero: bool) -> int | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    if allow_zero and seconds == 0:
        return 0
    if PHASE_MIN_SECONDS <= seconds <= PHASE_MAX_SECONDS:
        return seconds
    return None


def breathing_pattern(*, kind: str) -> BreathingPattern | None:
    """The pattern for a breathing kind, with any deployment override applied; None if unknown."""
    pattern = _DEFAULT_PATTERNS.get(kind)
    if pattern is None:
        return None
    overrides = getattr(settings, "INTERLUDE_BREATHING_PATTERNS", {}).get(kind, {})
    changes: dict[str, Any] = {}
    for key, attr, holds in (
        ("in", "breathe_in", False),
        ("hold_in", "hold_in", True),
        ("out", "breathe_out", False),
        ("hold_out", "hold_out", True),
    ):
        if key in overrides:
            seconds = _clamp_phase(overrides[key], allow_zero=holds)
            if seconds is not None:
                changes[attr] = seconds
    minutes = overrides.get("minutes")
    if minutes in SESSION_MINUTE_CHOICES:
        changes["default_minutes"] = minutes
    return replace(pattern, **changes) if changes else pattern


def breathing_test_seconds(raw: str | None) -> int | None:
    """A session length in seconds from ?seconds=N (for browser tests), only within bounds."""
    if raw is None or not raw.isdigit():
        return None
    seconds = int(raw)
    return seconds if TEST_SECONDS_MIN <= seconds <= TEST_SECONDS_MAX else None


def relaxation_session_list(
    *,
    client: Client,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = RELAXATION_LIST_LIMIT,
) -> list[RelaxationSession]:
    """The client's relaxation sessions, newest first, in one query."""
    qs = RelaxationSession.objects.filter(client=client)
    if since is not None:
        qs = qs.filter(started_at__gte=since)
    if until is not None:
        qs = qs.filter(started_at__lt=until)
    return list(qs.order_by("-started_at", "-id")[:limit])


CLINICIAN_RELAXATION_SESSIONS = 20


def relaxation_sessions_for_clinician(
    *, access: CareAccess, limit: int = CLINICIAN_RELAXATION_SESSIONS
) -> list[RelaxationSession] | NotShared:
    """The latest sessions this viewer is shown, newest first, in one query; a `NotShared` marker
    when the client does not share relaxation practice with them."""
    hidden = not_shared_marker(access=access, category=Category.RELAXATION)
    if hidden is not None:
        return hidden
    qs = access.scope(RelaxationSession.objects.all(), Category.RELAXATION)
    return list(qs.order_by("-started_at", "-id")[:limit])


def relaxation_session_get(*, client: Client, public_id: Any) -> RelaxationSession | None:
    return RelaxationSession.objects.filter(client=client, public_id=public_id).first()


def article_read_slugs(*, client: Client) -> set[str]:
    """Slugs of the articles this client has marked read: one query, whatever their number."""
    return set(ArticleRead.objects.filter(client=client).values_list("slug", flat=True))


def article_read_at(*, client: Client, slug: str) -> datetime | None:
    return (
        ArticleRead.objects.filter(client=client, slug=slug)
        .values_list("read_at", flat=True)
        .first()
    )
