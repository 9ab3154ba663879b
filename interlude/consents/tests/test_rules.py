"""The privacy rules on plain values: what each viewer sees under each consent state and choice."""

from __future__ import annotations

import pytest

from interlude.consents import rules
from interlude.consents.models import ConsentStatus
from interlude.practices.enums import ShareScope

ALL_ON = dict.fromkeys(rules.SWITCHABLE, True)
ALL_OFF = dict.fromkeys(rules.SWITCHABLE, False)


def test_choices_fall_back_from_client_to_practice_to_project_defaults():
    choices = rules.sharing_choices(
        practice_defaults={"journal": True, "imports": False},
        client_choices={"imports": True, "checkins": False},
    )

    assert choices == {
        ShareScope.CHECKINS: False,  # the client's own choice
        ShareScope.JOURNAL: True,  # the practice default
        ShareScope.WORKSHEETS: True,  # the project default
        ShareScope.MEASURES: True,
        ShareScope.IMPORTS: True,  # the client's choice beats the practice default
        ShareScope.RELAXATION: True,
    }


def test_project_default_keeps_notes_and_journal_private():
    choices = rules.sharing_choices(practice_defaults={}, client_choices={})

    assert [c for c, on in choices.items() if not on] == [ShareScope.JOURNAL]


@pytest.mark.parametrize("junk", ["yes", 1, None, [], {"x": 1}])
def test_a_stored_value_that_is_not_a_boolean_is_ignored(junk):
    choices = rules.sharing_choices(
        practice_defaults={"checkins": False}, client_choices={"checkins": junk, "nope": True}
    )

    assert choices[ShareScope.CHECKINS] is False
    assert set(choices) == set(rules.SWITCHABLE)


def test_the_client_sees_everything_of_their_own_record_whatever_the_state():
    seen = rules.visible_categories(
        is_self=True,
        consent_status=ConsentStatus.WITHDRAWN,
        choices=ALL_OFF,
        hidden_from_viewer=True,
    )

    assert seen == frozenset(ShareScope)


@pytest.mark.parametrize("status", [ConsentStatus.ACCEPTED, ConsentStatus.PRIOR])
def test_care_team_sees_what_is_shared_once_consent_is_active(status):
    choices = {**ALL_ON, ShareScope.JOURNAL: False, ShareScope.IMPORTS: False}

    seen = rules.visible_categories(
        is_self=False, consent_status=status, choices=choices, hidden_from_viewer=False
    )

    assert seen == frozenset(
        {
            ShareScope.PROFILE,
            ShareScope.SAFETY_PLAN,
            ShareScope.RISK,
            ShareScope.CARE_RECORD,
            ShareScope.MESSAGES,
            ShareScope.HOMEWORK,
            ShareScope.READINESS,
            ShareScope.CHECKINS,
            ShareScope.WORKSHEETS,
            ShareScope.MEASURES,
            ShareScope.RELAXATION,
        }
    )


@pytest.mark.parametrize("status", [ConsentStatus.PENDING, ConsentStatus.WITHDRAWN])
def test_without_active_consent_only_what_never_hides_is_seen(status):
    seen = rules.visible_categories(
        is_self=False, consent_status=status, choices=ALL_ON, hidden_from_viewer=False
    )

    assert seen == rules.ALWAYS_VISIBLE


def test_a_clinician_the_client_does_not_share_with_sees_only_what_never_hides():
    seen = rules.visible_categories(
        is_self=False,
        consent_status=ConsentStatus.ACCEPTED,
        choices=ALL_ON,
        hidden_from_viewer=True,
    )

    assert seen == rules.ALWAYS_VISIBLE


def test_what_never_hides_is_the_profile_safety_plan_risk_care_record_thread_homework_readiness():
    assert {
        ShareScope.PROFILE,
        ShareScope.SAFETY_PLAN,
        ShareScope.RISK,
        ShareScope.CARE_RECORD,
        ShareScope.MESSAGES,
        ShareScope.HOMEWORK,
        ShareScope.READINESS,
    } == rules.ALWAYS_VISIBLE
    assert not rules.ALWAYS_VISIBLE & set(rules.SWITCHABLE)


@pytest.mark.parametrize(
    ("source", "source_type", "category"),
    [
        ("checkin", "tracking.checkin", ShareScope.CHECKINS),
        ("api", "tracking.checkin", ShareScope.CHECKINS),
        ("import", "interop.import", ShareScope.IMPORTS),
        ("import", "exercises.relaxationsession", ShareScope.IMPORTS),
        ("exercise", "exercises.relaxationsession", ShareScope.RELAXATION),
        ("exercise", "exercises.sleepdiaryentry", ShareScope.WORKSHEETS),
        ("exercise", "exercises.exposurepractice", ShareScope.WORKSHEETS),
    ],
)
def test_each_point_of_the_time_series_belongs_to_one_category(source, source_type, category):
    assert rules.observation_category(source=source, source_type=source_type) == category
