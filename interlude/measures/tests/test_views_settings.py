"""Practice questionnaire settings: owners and admins change the numbers, clinicians cannot, and the
numbers take effect on the next answer (scored through response_submit)."""

from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.measures.instruments import definition_parse
from interlude.measures.models import InstrumentSetting, MeasuresSettings, PracticeInstrument
from interlude.measures.selectors import instrument_definition_get
from interlude.measures.services import response_submit
from interlude.practices.enums import Role
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db

INDEX = "/practice/questionnaires/"
PHQ9 = "/practice/questionnaires/phq9/"
PHQ9_16 = [2, 2, 2, 2, 2, 2, 2, 2, 0]
PHQ9_11 = [2, 2, 2, 1, 1, 1, 1, 1, 0]


@pytest.fixture
def setup():
    """(admin http client, practice, clinician membership, client)."""
    membership, client = clinician_with_client()
    admin = MembershipFactory(
        practice=membership.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    http = HttpClient()
    http.force_login(admin.user)
    return http, membership.practice, membership, client


def _errors(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {k: list(v) for k, v in form.errors.items()}


def _submit(client, answers, key, days_ago, code="phq9"):
    response, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code=code,
        answers=answers,
        idempotency_key=key,
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )
    return response


def test_index_lists_every_instrument_with_its_numbers_sources_and_unverified_facts(setup):
    http, *_ = setup
    response = http.get(INDEX)
    html = response.content.decode()

    assert response.status_code == 200
    codes = [row.code for row in response.context["rows"]]
    assert codes == [
        "auditc", "core10", "eheals", "gad2", "gad7", "isi", "k10", "pcl5", "phq2", "phq9", "who5"
    ]  # fmt: skip
    assert "<strong>6 points</strong>" in html
    assert "A decrease of 6 or more is a reliable improvement (the NHS Talking Therapies" in html
    assert "<strong>10 or more</strong>" in html
    assert "<strong>50 or less</strong>" in html  # WHO-5: high is good, the range is below
    assert "Reliable-change threshold is secondary (IAPT manual as quoted)" in html
    assert "US/VA, men (4 or more is positive)" in html  # AUDIT-C's default band set
    assert "Item text not shipped: scores only" in html  # ISI and CORE-10
    assert "Howard et al. (1986)" in html
    assert escape("OQ system's are proprietary") in html


def test_clinicians_get_404_on_every_settings_page(setup):
    _http, _practice, membership, _client = setup
    http = HttpClient()
    http.force_login(membership.user)
    for url in [INDEX, PHQ9, "/practice/questionnaires/new/"]:
        assert http.get(url).status_code == 404, url
    assert http.post("/practice/questionnaires/rules/", {"at_risk_after": 4}).status_code == 404
    assert http.post(PHQ9, {"reliable_change": "5"}).status_code == 404
    assert InstrumentSetting.objects.count() == 0


def test_owner_can_edit_too(setup):
    _http, practice, *_ = setup
    owner = MembershipFactory(practice=practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True))
    http = HttpClient()
    http.force_login(owner.user)
    assert http.post(PHQ9, {"reliable_change": "5", "action": "save"}).status_code == 302


def test_phq9_reliable_change_of_5_makes_16_to_11_a_reliable_improvement(setup):
    http, practice, _m, client = setup
    _submit(client, PHQ9_16, "a", 28)
    before = _submit(client, PHQ9_11, "b", 14)
    assert before.classification == "no_reliable_change"

    response = http.post(PHQ9, {"reliable_change": "5", "action": "save"})

    assert response.status_code == 302
    assert response["Location"] == INDEX
    after = _submit(client, PHQ9_11, "c", 0)
    assert (after.total, after.classification) == (11.0, "reliably_improved")
    assert after.classification_reason == "Improved by 5; reliable change is 5 or more."
    assert after.scoring_meta["reliable_change"] == 5.0
    assert after.scoring_meta["reliable_change_source"] == "practice setting"
    event = AuditEvent.objects.get(action=AuditAction.INSTRUMENT_SETTINGS_CHANGED)
    assert (event.object_id, event.practice_id) == ("phq9", practice.pk)
    html = http.get(INDEX).content.decode()
    assert "<strong>5 points</strong>" in html
    assert "Your setting; default 6" in html


def test_clinical_cutoff_changes_who_counts_as_recovered(setup):
    http, _practice, _m, client = setup
    assert http.post(PHQ9, {"clinical_cutoff": "12", "action": "save"}).status_code == 302
    _submit(client, [2, 2, 2, 2, 2, 2, 2, 2, 1], "a", 14)  # 17
    response = _submit(client, [2, 2, 1, 1, 1, 1, 1, 2, 0], "b", 0)  # 11: below 12 now

    assert (response.total, response.classification) == (11.0, "recovered")
    assert response.scoring_meta["clinical_range"] == {"at_or_above": 12.0, "at_or_below": None}


def test_local_norms_set_the_threshold_by_jacobson_truax(setup):
    http, practice, *_ = setup
    # SE = 4 x sqrt(0.16) = 1.6; S_diff = 2.263; 1.96 x S_diff = 4.43: a change of 5 or more.
    response = http.post(PHQ9, {"norm_sd": "4", "norm_reliability": "0.84", "action": "save"})

    assert response.status_code == 302
    setting = InstrumentSetting.objects.get(practice=practice, instrument_code="phq9")
    assert (setting.reliable_change, setting.norm_sd, setting.norm_reliability) == (None, 4, 0.84)
    assert instrument_definition_get(practice=practice, code="phq9").reliable_change == 5.0
    page = http.get(PHQ9).content.decode()
    assert "A change of 5 points or more counts as reliable." in page
    assert "1.96 \u00d7 S<sub>diff</sub> = 4.43 points" in page
    assert "Your local norms (SD 4, reliability 0.84)" in http.get(INDEX).content.decode()


def test_working_out_the_threshold_shows_it_without_saving(setup):
    http, *_ = setup
    data = {"norm_sd": "4", "norm_reliability": "0.84", "action": "preview"}
    page = http.post(PHQ9, data)
    fragment = http.post(PHQ9, data, headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert "A change of 5 points or more counts as reliable." in page.content.decode()
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert text.strip().startswith('<div id="jt-preview"')
    assert "A change of 5 points or more counts as reliable." in text
    assert "<form" not in text
    assert InstrumentSetting.objects.count() == 0


def test_preview_with_half_the_norms_says_what_is_missing(setup):
    http, *_ = setup
    fragment = http.post(
        PHQ9, {"norm_sd": "4", "action": "preview"}, headers={"HX-Request": "true"}
    )
    assert "Enter both the standard deviation" in fragment.content.decode()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"reliable_change": "0"},
            {"reliable_change": ["Reliable change must be more than 0 points."]},
        ),
        ({"reliable_change": "six"}, {"reliable_change": ["Enter a number, e.g. 6 or 5.5."]}),
        (
            {"clinical_cutoff": "30"},
            {"clinical_cutoff": ["The cutoff must be within the PHQ-9 range (0 to 27)."]},
        ),
        (
            {"reliable_change": "5", "norm_sd": "4", "norm_reliability": "0.8"},
            {
                "reliable_change": [
                    "Give either reliable-change points or local norms, not both: clear one of "
                    "them."
                ]
            },
        ),
        (
            {"norm_sd": "4"},
            {"norm_sd": ["Give both the standard deviation and the reliability, or neither."]},
        ),
        (
            {"norm_sd": "4", "norm_reliability": "1"},
            {"norm_reliability": ["Reliability must be from 0 up to (not including) 1."]},
        ),
        (
            {"norm_sd": "-1", "norm_reliability": "0.8"},
            {"norm_sd": ["The standard deviation must be more than 0."]},
        ),
    ],
)
def test_invalid_numbers_are_refused_beside_the_field(setup, data, errors):
    http, *_ = setup
    response = http.post(PHQ9, {**data, "action": "save"})

    assert response.status_code == 400
    assert _errors(response) == errors
    assert "There is a problem" in response.content.decode()
    assert InstrumentSetting.objects.count() == 0


def test_band_preset_changes_the_band_of_the_next_k10(setup):
    http, _practice, _m, client = setup
    page = http.get("/practice/questionnaires/k10/").content.decode()
    assert '<option value="" selected>Default: ABS (Australian Bureau of Statistics' in page
    assert "Likely mild disorder" in page  # the other band set is shown before choosing

    assert (
        http.post(
            "/practice/questionnaires/k10/", {"band_preset": "primary_care", "action": "save"}
        ).status_code
        == 302
    )
    response = _submit(client, [3, 3, 2, 2, 2, 2, 2, 2, 2, 2], "k", 0, code="k10")  # 22

    assert (response.total, response.band_label) == (22.0, "Likely mild disorder")
    assert response.scoring_meta["band_preset"] == "primary_care"
    assert "Primary care (10 to 19 likely to be well)" in http.get(INDEX).content.decode()


def test_instruments_without_band_sets_have_no_band_choice(setup):
    http, *_ = setup
    response = http.get(PHQ9)
    assert "band_preset" not in response.context["form"].fields
    bad = http.post("/practice/questionnaires/k10/", {"band_preset": "nz", "action": "save"})
    assert bad.status_code == 400
    assert list(_errors(bad)) == ["band_preset"]


def test_reset_returns_to_the_published_numbers(setup):
    http, practice, *_ = setup
    http.post(PHQ9, {"reliable_change": "5", "clinical_cutoff": "12", "action": "save"})
    assert "Reset to defaults" in http.get(PHQ9).content.decode()

    response = http.post(PHQ9, {"action": "reset"})

    assert response.status_code == 302
    definition = instrument_definition_get(practice=practice, code="phq9")
    assert (definition.reliable_change, definition.clinical_range.at_or_above) == (6.0, 10)
    assert "Reset to defaults" not in http.get(PHQ9).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.INSTRUMENT_SETTINGS_CHANGED).count() == 2


def test_unknown_instrument_is_404(setup):
    http, *_ = setup
    assert http.get("/practice/questionnaires/nope/").status_code == 404


def test_at_risk_rule_takes_effect_on_the_next_answer(setup):
    http, practice, _m, client = setup
    response = http.post(
        "/practice/questionnaires/rules/", {"at_risk_after": "3", "default_window_days": "5"}
    )
    assert response.status_code == 302
    settings = MeasuresSettings.objects.get(practice=practice)
    assert (settings.at_risk_after, settings.default_window_days) == (3, 5)

    _submit(client, PHQ9_16, "a", 28)
    _submit(client, [2, 2, 2, 2, 2, 2, 2, 1, 0], "b", 14)  # 15
    third = _submit(client, [2, 2, 2, 2, 2, 2, 1, 1, 0], "c", 0)  # 14

    assert third.track_status == "at_risk"
    assert third.track_reason == (
        "No reliable improvement in PHQ-9 after 3 answers (expected by answer 3)."
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"at_risk_after": "1", "default_window_days": "3"},
            "at_risk_after",
            "Use a number of answers from 2 to 52.",
        ),
        (
            {"at_risk_after": "8", "default_window_days": "31"},
            "default_window_days",
            "Use 1 to 30 days.",
        ),
        (
            {"at_risk_after": "", "default_window_days": "3"},
            "at_risk_after",
            "Enter a number of answers, e.g. 8.",
        ),
        (
            {"at_risk_after": "8", "default_window_days": "2.5"},
            "default_window_days",
            "Enter a whole number of days, e.g. 3.",
        ),
    ],
)
def test_rule_errors_are_exact(setup, data, field, message):
    http, *_ = setup
    response = http.post("/practice/questionnaires/rules/", data)

    assert response.status_code == 400
    assert dict(response.context["rules_form"].errors) == {field: [message]}
    assert MeasuresSettings.objects.count() == 0


OWN = {
    "code": "sleep_check",
    "name": "Sleep check",
    "short_name": "SC-4",
    "recall": "Over the last week",
    "instructions": "How often has this been true for you?",
    "items": "I slept badly\n\nI woke up tired\nI worried at night\nI napped in the day\n",
    "options": "0=Never\n1=Sometimes\n2=Often\n3=Always",
    "bands": "0-4 Low\n5-8 Moderate\n9-12 High",
    "direction": "higher_is_worse",
    "clinical_cutoff": "9",
    "reliable_change": "3",
}


def test_admin_adds_a_likert_questionnaire_that_scores_like_any_other(setup):
    http, practice, _m, client = setup
    response = http.post("/practice/questionnaires/new/", OWN)

    assert response.status_code == 302
    own = PracticeInstrument.objects.get(practice=practice)
    definition = definition_parse(own.definition, practice_own=True)
    assert (definition.code, definition.short_name, definition.item_count) == (
        "sleep_check",
        "SC-4",
        4,
    )
    assert [(b.min, b.max, b.code, b.clinical) for b in definition.bands] == [
        (0, 4, "low", False),
        (5, 8, "moderate", False),
        (9, 12, "high", True),
    ]
    assert (definition.reliable_change, definition.clinical_range.at_or_above) == (3.0, 9)
    assert AuditEvent.objects.get(action=AuditAction.INSTRUMENT_SETTINGS_CHANGED).object_id == (
        "sleep_check"
    )
    first = _submit(client, [3, 3, 2, 2], "s1", 14, code="sleep_check")
    second = _submit(client, [2, 1, 1, 2], "s2", 0, code="sleep_check")
    assert (first.total, first.band_label) == (10.0, "High")
    assert (second.total, second.band_label, second.classification) == (
        6.0,
        "Moderate",
        "recovered",
    )
    assert "Your own" in http.get(INDEX).content.decode()
    assert http.get("/practice/questionnaires/sleep_check/").status_code == 200


def test_a_high_is_good_questionnaire_puts_the_clinical_range_below_the_cutoff(setup):
    http, practice, *_ = setup
    data = {**OWN, "direction": "higher_is_better", "clinical_cutoff": "4"}
    assert http.post("/practice/questionnaires/new/", data).status_code == 302
    doc = PracticeInstrument.objects.get(practice=practice).definition
    assert doc["clinical_range"]["at_or_below"] == 4
    assert [b["clinical"] for b in doc["bands"]] == [True, False, False]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"code": "phq9"}, "code", "'phq9' is the code of a shipped instrument; choose another."),
        (
            {"code": "Sleep Check"},
            "code",
            "Use 2 to 40 lowercase letters, digits or underscores, starting with a letter, "
            "e.g. sleep_check.",
        ),
        ({"code": "new"}, "code", "'new' is reserved; choose another code."),
        (
            {"options": "0=Never\nOften\n2=Always"},
            "options",
            "Answer option line 2 (\u201cOften\u201d): write it as value=label, e.g. 2=Often.",
        ),
        (
            {"options": "0=Never\n0=Often"},
            "options",
            "Answer option line 2: the value 0 is used twice.",
        ),
        (
            {"options": "0=Never"},
            "options",
            "Enter at least two answer options, e.g. 0=Never, 1=Often.",
        ),
        (
            {"bands": "0-4 Low\n7-12 High"},
            "bands",
            "No band covers 5 to 6; every total from 0 to 12 needs one.",
        ),
        (
            {"bands": "0-4 Low\n4-12 High"},
            "bands",
            "The bands \u201cLow\u201d and \u201cHigh\u201d overlap at 4.",
        ),
        (
            {"bands": "0-4 Low\n5-10 High"},
            "bands",
            "The last band must end at 12, the highest possible total (10 given).",
        ),
        (
            {"bands": "1-4 Low\n5-12 High"},
            "bands",
            "No band covers 0; the first band must start at 0, the lowest total.",
        ),
        (
            {"bands": "0 to four Low"},
            "bands",
            "Band line 1 (\u201c0 to four Low\u201d): write it as min-max label, e.g. 0-4 Low.",
        ),
        (
            {"bands": "5-4 Low"},
            "bands",
            "Band line 1 (\u201cLow\u201d) starts at 5, after its end 4.",
        ),
        ({"items": ""}, "items", "Enter at least one question."),
        (
            {"clinical_cutoff": "13"},
            "clinical_cutoff",
            "The cutoff must be a possible total, from 0 to 12.",
        ),
        (
            {"reliable_change": "0"},
            "reliable_change",
            "Reliable change must be more than 0 and at most 12 points (the whole range).",
        ),
        ({"direction": ""}, "direction", "Choose what a higher total means."),
    ],
)
def test_own_questionnaire_errors_name_the_problem(setup, change, field, message):
    http, *_ = setup
    response = http.post("/practice/questionnaires/new/", {**OWN, **change})

    assert response.status_code == 400
    assert _errors(response) == {field: [message]}
    assert PracticeInstrument.objects.count() == 0


def test_the_same_code_twice_is_refused(setup):
    http, *_ = setup
    assert http.post("/practice/questionnaires/new/", OWN).status_code == 302
    response = http.post("/practice/questionnaires/new/", OWN)
    assert _errors(response) == {
        "code": ["The practice already has an instrument called 'sleep_check'."]
    }


def test_practice_settings_page_links_to_both_settings_pages(setup):
    http, *_ = setup
    html = http.get("/practice/").content.decode()
    assert 'href="/practice/questionnaires/"' in html
    assert 'href="/practice/alerts/"' in html
