"""The words of the Sharing page, the sharing API's schema and the module switches: what the care
team sees of each category when it is on, and what stays with the client when it is off."""

from __future__ import annotations

from interlude.practices.enums import Module, ShareScope

# What the care team sees of each category when it is on, and what happens when it is off.
CATEGORY_TEXT: dict[ShareScope, tuple[str, str, str]] = {
    ShareScope.CHECKINS: (
        "Check-in scores",
        "Your care team sees your check-in scores: mood, anxiety, energy and sleep, and the "
        "feelings and activities you pick.",
        "Your check-in scores stay with you.",
    ),
    ShareScope.JOURNAL: (
        "Check-in notes and journal",
        "Your care team sees the check-in notes and journal entries you mark to share. Anything "
        "you do not mark stays private.",
        "Your check-in notes and journal stay private, even entries you marked to share.",
    ),
    ShareScope.WORKSHEETS: (
        "Worksheets",
        "Your care team sees the worksheets you fill in: thought records, activity plans, "
        "facing-fears steps and your sleep diary.",
        "Your worksheets stay with you.",
    ),
    ShareScope.MEASURES: (
        "Questionnaires",
        "Your care team sees your questionnaire answers and scores.",
        "Your questionnaire answers and scores stay with you. Scores your clinician enters from "
        "a paper form are still seen.",
    ),
    ShareScope.IMPORTS: (
        "Data from other apps",
        "Your care team sees the data you bring in from other apps, such as steps or sleep.",
        "Data you bring in from other apps stays with you.",
    ),
    ShareScope.RELAXATION: (
        "Relaxation practice",
        "Your care team sees when you practise breathing, relaxation or grounding, and how you "
        "felt before and after.",
        "Your relaxation practice stays with you.",
    ),
}

MODULE_TEXT: dict[Module, str] = {
    Module.CHECKINS: "Daily check-ins of mood, anxiety and sleep.",
    Module.JOURNAL: "Private writing, shared entry by entry.",
    Module.WORKSHEETS: "Thought records, activity planning, facing fears and the sleep diary.",
    Module.RELAXATION: "Breathing, muscle relaxation and grounding exercises.",
    Module.QUESTIONNAIRES: "Questionnaires you schedule, and their reminders on Today.",
    Module.LIBRARY: "Short reads about feelings, thoughts and habits.",
    Module.HOMEWORK: "Things your therapist suggests trying between sessions, on Today.",
    Module.MESSAGING: "A private message thread with your care team.",
    Module.REMINDERS: "Gentle reminders, at a time you choose, that something is waiting.",
    Module.IMPORTS: "Bringing in mood, sleep and activity data from other apps and devices.",
}
