"""Words in a message that can suggest immediate risk of suicide or self-harm.

What it is for: when a client's message contains one of these phrases, the client is shown crisis
resources at once and the care team gets an alert (the message is stored and delivered as usual).
It is a safety net under the thread, never a diagnosis and never a risk assessment: a match says
only "these words appeared"; a clinician reads the message and decides.

Source basis (published): the phrase list follows the screening questions of the Columbia-Suicide
Severity Rating Scale (C-SSRS) screen version (wish to be dead, suicidal thoughts, method, intent,
plan, preparatory behaviour; Posner et al., Am J Psychiatry 2011;168:1266-77), the warning signs
that the 988 Suicide & Crisis Lifeline publishes (talking about wanting to die or kill oneself,
being a burden, having no reason to live, saying goodbye) and NICE guideline NG225 (Self-harm:
assessment, management and preventing recurrence, 2022), which asks services to respond to
self-harm without relying on risk-prediction tools.

What it catches: the first-person phrases below, matched case-insensitively, on word boundaries,
after folding curly apostrophes to straight ones and runs of spaces to one ("I want to DIE",
"i'm going to kill myself", "thinking about suicide").

What it misses, by design or by limit: anything not on the list (new slang, misspellings, other
languages, indirect hints such as giving things away), and risk expressed without words. It is
conservative: it prefers phrases that rarely mean anything else, so it raises some false alarms
("the film made me want to die of laughter" still matches "want to die") and misses much more.
The product therefore never says that anyone watches messages in real time.
"""

from __future__ import annotations

import re

# Lowercase phrases; an apostrophe is the straight one. Keep each one short and first-person.
RISK_PHRASES: tuple[str, ...] = (
    # Wish to be dead (C-SSRS question 1; 988: "talking about wanting to die")
    "want to die",
    "wanna die",
    "wish i was dead",
    "wish i were dead",
    "wish i wasn't alive",
    "better off dead",
    "don't want to be alive",
    "don't want to live",
    "don't want to wake up",
    # Thoughts of suicide (C-SSRS question 2)
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "taking my own life",
    "suicide",
    "suicidal",
    "end it all",
    # Burden, no reason to live, goodbye (988 warning signs)
    "better off without me",
    "no reason to live",
    "nothing to live for",
    "saying goodbye to everyone",
    # Method, intent, plan, preparation (C-SSRS questions 3 to 6)
    "overdose",
    "hang myself",
    "jump off",
    "saved up my pills",
    "take all my pills",
    "wrote a suicide note",
    "wrote a note for my family",
    # Self-harm (NICE NG225)
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "cut myself",
    "cutting myself",
    "self harm",
    "self-harm",
    "burn myself",
)


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2010", "-")
    return re.sub(r"\s+", " ", text).lower()


_PATTERN = re.compile(
    r"(?<![\w'])(?:" + "|".join(re.escape(p) for p in RISK_PHRASES) + r")(?![\w'])"
)


def risk_phrase_match(text: str) -> bool:
    """Whether `text` contains a phrase of RISK_PHRASES (case-insensitive, on word boundaries)."""
    return _PATTERN.search(_normalise(text)) is not None
