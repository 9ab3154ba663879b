"""Thinking traps (cognitive distortions) for the thought record picker (CLINICAL.md 4.2).

The eleven common traps, each with a one-sentence plain explanation and an everyday example,
written for this project in second-person language. Codes are stored in
`ThoughtRecord.distortions`; never rename a code (stored records use it), only its wording.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Distortion:
    code: str
    name: str
    explanation: str
    example: str


DISTORTIONS: tuple[Distortion, ...] = (
    Distortion(
        code="all_or_nothing",
        name="All-or-nothing thinking",
        explanation="You see things as total success or total failure, with nothing in between.",
        example="“I made one mistake in the talk, so the whole thing was a disaster.”",
    ),
    Distortion(
        code="overgeneralisation",
        name="Overgeneralising",
        explanation="You treat one thing going wrong as proof that it will always go wrong.",
        example="“She didn't text back. Nobody ever wants to spend time with me.”",
    ),
    Distortion(
        code="mental_filter",
        name="Mental filter",
        explanation="You pick out one bad detail and dwell on it until it colours everything.",
        example="“My review had ten good points and one criticism. All I can think about is "
        "the criticism.”",
    ),
    Distortion(
        code="disqualifying_positive",
        name="Discounting the positive",
        explanation="You wave away good things that happen as luck, or as not counting.",
        example="“They only said it went well to be nice.”",
    ),
    Distortion(
        code="mind_reading",
        name="Mind reading",
        explanation="You feel sure you know what others are thinking about you, and it is bad, "
        "without real evidence.",
        example="“He looked at his phone while I was talking. He thinks I'm boring.”",
    ),
    Distortion(
        code="fortune_telling",
        name="Fortune telling",
        explanation="You predict that things will turn out badly, as if it were already certain.",
        example="“There's no point applying. I won't get the job.”",
    ),
    Distortion(
        code="catastrophising",
        name="Catastrophising",
        explanation="You blow up how bad something is or could get, and shrink the good parts "
        "or your ability to cope.",
        example="“If I fail this test my whole future is ruined.”",
    ),
    Distortion(
        code="emotional_reasoning",
        name="Emotional reasoning",
        explanation="You take a strong feeling as proof that something is true.",
        example="“I feel like a burden, so I must be one.”",
    ),
    Distortion(
        code="should_statements",
        name="“Should” and “must” rules",
        explanation="You hold strict rules about how you and others ought to be, and feel guilty "
        "or angry when they are broken.",
        example="“I should be able to handle this on my own.”",
    ),
    Distortion(
        code="labelling",
        name="Labelling",
        explanation="You sum up yourself or someone else with one harsh word instead of "
        "describing what actually happened.",
        example="“I forgot her birthday. I'm a terrible friend.”",
    ),
    Distortion(
        code="personalisation",
        name="Personalising and blaming",
        explanation="You take the blame for things you could not fully control, or put all the "
        "blame on someone else.",
        example="“The party was flat because I was there.”",
    ),
)

DISTORTIONS_BY_CODE: dict[str, Distortion] = {d.code: d for d in DISTORTIONS}
DISTORTION_CODES: frozenset[str] = frozenset(DISTORTIONS_BY_CODE)


def distortion_names(codes: list[str]) -> list[str]:
    """Names for stored codes, in the order of the list above; unknown codes are skipped."""
    wanted = set(codes)
    return [d.name for d in DISTORTIONS if d.code in wanted]
