"""The client's privacy summary: one plain sentence per answer, unknown said plainly, never
guessed, and when it was checked."""

from __future__ import annotations

from datetime import date

import pytest

from interlude.catalog.privacy import privacy_summary
from interlude.catalog.tests.test_recommend_helpers import KNOWN, make_app

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 11)


def test_known_answers_each_give_their_sentence_then_the_check_date():
    app = make_app(answers=KNOWN, reviewed_on=date(2026, 2, 1))
    assert privacy_summary(app, today=TODAY) == [
        "You can read its privacy policy before you sign up.",
        "We found no sign that it sells your data or uses it for advertising.",
        "You can delete your data from it.",
        "You can use it without creating an account.",
        "Where your data is kept: On your phone, with an optional backup to your own cloud "
        "account.",
        "It does not point to crisis help. Your safety plan is always in Interlude.",
        "We last checked this in February 2026.",
    ]


def test_unknown_answers_say_we_do_not_know_yet():
    app = make_app(
        unknown=(
            "privacy_policy",
            "sells_or_advertises",
            "data_deletable",
            "account_required",
            "where_data_lives",
            "crisis_help",
        ),
        reviewed_on=date(2026, 1, 15),
    )
    assert privacy_summary(app, today=TODAY) == [
        "We don't know yet whether you can read its privacy policy before you sign up.",
        "We don't know yet whether it sells your data or uses it for advertising.",
        "We don't know yet whether you can delete your data.",
        "We don't know yet whether it needs an account.",
        "We don't know yet where it keeps your data.",
        "We don't know yet whether it points to crisis help. "
        "Your safety plan is always in Interlude.",
        "We last checked this in January 2026.",
    ]


def test_questions_not_answered_at_all_are_unknown_too_and_nothing_was_checked():
    app = make_app()
    summary = privacy_summary(app, today=TODAY)
    assert summary[2] == "We don't know yet whether you can delete your data."
    assert summary[-1] == "We have not checked its privacy yet."
    assert len(summary) == 7


def test_concerns_and_partly_are_said_plainly():
    app = make_app(
        answers={
            "privacy_policy": "no",
            "sells_or_advertises": "yes",
            "data_deletable": "partly",
            "account_required": "yes",
            "crisis_help": "yes",
        },
        unknown=("where_data_lives",),
    )
    assert privacy_summary(app, today=TODAY)[:6] == [
        "Its privacy policy cannot be read before you sign up.",
        "It sells data or uses it for advertising, so think about what you put in it.",
        "You can delete some of your data from it, but not all.",
        "You need to create an account to use it.",
        "We don't know yet where it keeps your data.",
        "It points you to crisis help if you need it.",
    ]


def test_a_check_more_than_a_year_old_says_it_may_have_changed():
    app = make_app(answers=KNOWN, reviewed_on=date(2025, 3, 10))
    assert privacy_summary(app, today=TODAY)[-1] == (
        "We last checked this in March 2025, so some of it may have changed."
    )
    app = make_app(slug="fresh", answers=KNOWN, reviewed_on=date(2025, 3, 11))
    assert privacy_summary(app, today=TODAY)[-1] == "We last checked this in March 2025."


def test_the_summary_reads_the_prefetched_answers_without_a_query(django_assert_num_queries):
    from interlude.catalog.models import CatalogApp

    made = make_app(answers=KNOWN)
    app = CatalogApp.objects.prefetch_related("answers").get(pk=made.pk)
    with django_assert_num_queries(0):
        privacy_summary(app, today=TODAY)
