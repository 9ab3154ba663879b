"""Scheduling questionnaires and entering paper forms from the client record: through the gate,
validated beside each field, audited, and scored by the same service as the client's answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.alerts.models import Alert, AlertKind
from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.care.services import appointment_create
from interlude.consents.access import Viewer, care_access_for
from interlude.measures.models import (
    DueStatus,
    EnteredBy,
    Frequency,
    QuestionnaireDue,
    QuestionnaireResponse,
    QuestionnaireSchedule,
)
from interlude.measures.selectors import instrument_definitions, schedule_list
from interlude.measures.services import response_submit, schedule_create
from interlude.measures.views_clinician import schedules_panel_context
from interlude.practices.enums import Role
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    return clinician_with_client()


def care_view(membership, client):
    """What this care-team clinician may see now, as the gate builds it."""
    return care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def schedule_url(client) -> str:
    return f"/clinic/clients/{client.public_id}/questionnaires/schedule/"


def entry_url(client, code: str) -> str:
    return f"/clinic/clients/{client.public_id}/questionnaires/enter/{code}/"


def record_url(client, anchor: str = "#questionnaire-schedules") -> str:
    return f"/clinic/clients/{client.public_id}/{anchor}"


def _errors(response) -> dict[str, list[str]]:
    form = response.context.get("schedule_form") or response.context["form"]
    return {k: list(v) for k, v in form.errors.items()}


SCHEDULE = {
    "instrument": "phq9",
    "frequency": "every_n_days",
    "interval_days": "14",
    "window_days": "3",
    "starts_on": "2026-03-02",
}


# --- scheduling ----------------------------------------------------------------------------------
def test_the_schedule_page_offers_every_instrument_and_says_which_are_score_only(pair):
    membership, client = pair

    response = logged_in(membership.user).get(schedule_url(client))

    assert response.status_code == 200
    html = response.content.decode()
    isi = '<option value="isi">ISI: Insomnia Severity Index (score only, paper form)</option>'
    assert isi in html
    assert '<option value="phq9">PHQ-9: Patient Health Questionnaire-9</option>' in html
    assert (
        "CORE-10 and ISI are score only: their wording is licensed, so the client is not asked in "
        "the app." in html
    )
    assert 'name="window_days" value="3"' in html
    assert 'name="starts_on" value="2026-03-02"' in html
    viewed = AuditEvent.objects.get(action=AuditAction.CLIENT_RECORD_VIEWED)
    assert (viewed.actor_id, viewed.client_id, viewed.detail) == (
        membership.user.pk,
        client.pk,
        {"scope": "measures"},
    )


def test_scheduling_every_14_days_opens_the_first_one_now_and_goes_back_to_the_record(pair):
    membership, client = pair
    http = logged_in(membership.user)
    mark = _last_seq()

    response = http.post(schedule_url(client), SCHEDULE)

    assert response.status_code == 302
    assert response["Location"] == record_url(client)
    schedule = QuestionnaireSchedule.objects.get(client=client)
    assert (
        schedule.instrument_code,
        schedule.frequency,
        schedule.interval_days,
        schedule.window_days,
        schedule.starts_at,
        schedule.created_by_id,
    ) == ("phq9", Frequency.EVERY_N_DAYS, 14, 3, NOW, membership.user.pk)
    due = QuestionnaireDue.objects.get(schedule=schedule)
    assert (due.opens_at, due.closes_at, due.status) == (NOW, NOW + timedelta(days=3), "due")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "PHQ-9 scheduled every 14 days."
    ]
    events = list(
        AuditEvent.objects.filter(seq__gt=mark)
        .order_by("seq")
        .values_list("action", "client_id", "object_id", "detail")
    )
    assert events == [
        (AuditAction.CLIENT_RECORD_VIEWED, client.pk, str(client.pk), {"scope": "measures"}),
        (
            AuditAction.QUESTIONNAIRE_SCHEDULED,
            client.pk,
            str(schedule.public_id),
            {"instrument": "phq9", "frequency": "every_n_days"},
        ),
    ]


def test_a_later_start_date_opens_the_first_one_at_the_start_of_that_day_for_the_client(pair):
    membership, client = pair

    logged_in(membership.user).post(
        schedule_url(client), {**SCHEDULE, "frequency": "once", "starts_on": "2026-03-05"}
    )

    due = QuestionnaireDue.objects.get(client=client)
    assert due.opens_at == datetime(2026, 3, 5, 5, 0, tzinfo=UTC)  # midnight in New York


def test_before_each_appointment_opens_one_for_every_booked_session(pair):
    membership, client = pair
    session = appointment_create(
        actor=membership.user,
        client=client,
        clinician=membership,
        starts_at=NOW + timedelta(days=7),
    )

    logged_in(membership.user).post(
        schedule_url(client),
        {**SCHEDULE, "instrument": "gad7", "frequency": "before_appointment", "interval_days": ""},
    )

    due = QuestionnaireDue.objects.get(client=client)
    assert (due.instrument_code, due.appointment_id) == ("gad7", session.pk)
    # Three days before the 11:00 session on the client's clock: New York moved its clocks on
    # 8 March, so that is 11:00 EST on 6 March (16:00 UTC), not 72 hours before.
    assert (due.opens_at, due.closes_at) == (
        datetime(2026, 3, 6, 16, 0, tzinfo=UTC),
        NOW + timedelta(days=7),
    )


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"interval_days": ""},
            {"interval_days": ["Say how often, in days (1 to 365), e.g. 14 for every two weeks."]},
        ),
        ({"interval_days": "0"}, {"interval_days": ["Use 1 to 365 days."]}),
        (
            {"interval_days": "2"},
            {"window_days": ["The window cannot be longer than the time between questionnaires."]},
        ),
        ({"window_days": "31"}, {"window_days": ["Use 1 to 30 days."]}),
        ({"window_days": ""}, {"window_days": ["Say how many days it stays open, from 1 to 30."]}),
        ({"starts_on": "2026-03-01"}, {"starts_on": ["The start date cannot be in the past."]}),
        ({"starts_on": "2026-02-30"}, {"starts_on": ["Enter a real date, like 2026-03-02."]}),
        ({"instrument": ""}, {"instrument": ["Choose a questionnaire."]}),
        ({"instrument": "phq99"}, {"instrument": ["Choose a questionnaire from the list."]}),
        (
            {"frequency": "hourly"},
            {"frequency": ["Select a valid choice. hourly is not one of the available choices."]},
        ),
    ],
)
def test_a_broken_rule_is_shown_beside_its_field_and_nothing_is_stored(pair, change, errors):
    membership, client = pair

    response = logged_in(membership.user).post(schedule_url(client), {**SCHEDULE, **change})

    assert response.status_code == 200
    assert _errors(response) == errors
    html = response.content.decode()
    assert "There is a problem" in html
    field = next(iter(errors))
    assert f'id="id_{field}_error"' in html
    assert QuestionnaireSchedule.objects.count() == 0
    assert QuestionnaireDue.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.QUESTIONNAIRE_SCHEDULED).exists()


def test_stopping_asks_first_then_withdraws_what_is_open(pair):
    membership, client = pair
    schedule = schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq9",
        frequency=Frequency.EVERY_N_DAYS,
        interval_days=14,
    )
    url = f"/clinic/clients/{client.public_id}/questionnaires/schedules/{schedule.public_id}/stop/"
    http = logged_in(membership.user)

    confirm = http.get(url)
    stopped = http.post(url)

    assert confirm.status_code == 200
    assert "Stop asking PHQ-9 every 14 days?" in confirm.content.decode()
    assert stopped.status_code == 302
    assert stopped["Location"] == record_url(client)
    schedule.refresh_from_db()
    assert (schedule.is_active, schedule.ended_at, schedule.updated_by_id) == (
        False,
        NOW,
        membership.user.pk,
    )
    assert list(QuestionnaireDue.objects.values_list("status", flat=True)) == [DueStatus.CANCELLED]
    assert [str(m) for m in get_messages(stopped.wsgi_request)] == [
        "Stopped PHQ-9 (every 14 days)."
    ]
    assert http.post(url).status_code == 404  # already stopped


def test_a_schedule_of_another_client_cannot_be_stopped_through_my_client(pair):
    membership, client = pair
    other_membership, other = clinician_with_client(practice=membership.practice)
    theirs = schedule_create(
        actor=other_membership.user, client=other, instrument_code="phq9", frequency=Frequency.ONCE
    )
    url = f"/clinic/clients/{client.public_id}/questionnaires/schedules/{theirs.public_id}/stop/"

    assert logged_in(membership.user).post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active is True


# --- the gate ------------------------------------------------------------------------------------
def _paths(client, schedule_id) -> list[str]:
    return [
        schedule_url(client),
        f"/clinic/clients/{client.public_id}/questionnaires/schedules/{schedule_id}/stop/",
        entry_url(client, "phq9"),
    ]


def test_someone_elses_client_is_a_404_for_every_page_and_nothing_is_stored(pair):
    membership, _ = pair
    other_membership, other = clinician_with_client()
    theirs = schedule_create(
        actor=other_membership.user, client=other, instrument_code="phq9", frequency=Frequency.ONCE
    )
    http = logged_in(membership.user)

    for path in _paths(other, theirs.public_id):
        assert http.get(path).status_code == 404, path
        assert http.post(path, {**SCHEDULE, "item_1": "1"}).status_code == 404, path

    assert QuestionnaireSchedule.objects.count() == 1
    assert QuestionnaireResponse.objects.count() == 0
    theirs.refresh_from_db()
    assert theirs.is_active is True
    denied = AuditEvent.objects.filter(action=AuditAction.CLIENT_ACCESS_DENIED)
    assert denied.count() == 6
    assert set(denied.values_list("actor_id", "client_id", "outcome")) == {
        (membership.user.pk, other.pk, AuditOutcome.DENIED)
    }


def test_the_client_and_a_practice_admin_are_refused(pair):
    membership, client = pair
    admin = MembershipFactory(
        practice=membership.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    for user in (client.user, admin.user):
        http = logged_in(user)
        for path in _paths(client, "00000000-0000-0000-0000-000000000000"):
            assert http.get(path).status_code == 404, path
    assert QuestionnaireSchedule.objects.count() == 0


def test_a_clinician_without_a_second_factor_is_sent_to_set_one_up():
    membership, client = clinician_with_client(mfa_exempt=False)

    response = logged_in(membership.user).get(schedule_url(client))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


# --- paper forms ---------------------------------------------------------------------------------
def _item_labels(html: str) -> list[str]:
    return re.findall(r'<label for="id_item_\d+">([^<]*)</label>', html)


def test_a_score_only_form_shows_item_numbers_never_wording(pair):
    membership, client = pair

    response = logged_in(membership.user).get(entry_url(client, "isi"))

    html = response.content.decode()
    assert response.status_code == 200
    assert _item_labels(html) == [f"Item {n}" for n in range(1, 8)]
    assert "Score only: the ISI wording is licensed" in html
    assert '<option value="" selected>Not answered</option>' in html
    assert '<option value="4">4</option>' in html
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert key is not None
    assert 'name="completed_on" value="2026-03-02"' in html


def test_a_shipped_form_shows_each_item_with_its_answers(pair):
    membership, client = pair

    html = logged_in(membership.user).get(entry_url(client, "phq9")).content.decode()

    labels = _item_labels(html)
    assert len(labels) == 9
    assert labels[8] == (
        "9. Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert '<option value="2">2: More than half the days</option>' in html


def _isi(answers: list[str], key: str = "k-1", day: str = "2026-03-02") -> dict[str, str]:
    return {
        "idempotency_key": key,
        "completed_on": day,
        **{f"item_{n}": a for n, a in enumerate(answers, start=1)},
    }


def test_entering_isi_scores_it_as_the_clinician_and_completes_what_was_due(pair):
    membership, client = pair
    schedule_create(
        actor=membership.user, client=client, instrument_code="isi", frequency=Frequency.ONCE
    )
    http = logged_in(membership.user)
    mark = _last_seq()

    response = http.post(entry_url(client, "isi"), _isi(["3", "2", "2", "2", "2", "2", "2"]))

    stored = QuestionnaireResponse.objects.get(client=client)
    assert response.status_code == 302
    assert response["Location"] == f"{entry_url(client, 'isi')}?saved={stored.public_id}"
    assert (
        stored.instrument_code,
        stored.answers,
        stored.total,
        stored.band_label,
        stored.entered_by,
        stored.created_by_id,
        stored.submitted_at,
        stored.idempotency_key,
    ) == (
        "isi",
        [3, 2, 2, 2, 2, 2, 2],
        15.0,
        "Clinical insomnia (moderate)",
        EnteredBy.CLINICIAN,
        membership.user.pk,
        NOW,
        "k-1",
    )
    assert list(QuestionnaireDue.objects.values_list("status", flat=True)) == ["completed"]
    events = list(
        AuditEvent.objects.filter(seq__gt=mark)
        .order_by("seq")
        .values_list("action", "actor_id", "detail")
    )
    assert events == [
        (AuditAction.CLIENT_RECORD_VIEWED, membership.user.pk, {"scope": "measures"}),
        (
            AuditAction.QUESTIONNAIRE_SUBMITTED,
            membership.user.pk,
            {"instrument": "isi", "entered_by": "clinician"},
        ),
    ]

    saved = http.get(response["Location"])

    text = saved.content.decode()
    assert saved.status_code == 200
    assert "<strong>15</strong> of 28, clinical insomnia (moderate)" in text
    assert "Baseline. The first answer: later answers are compared with this one." in text
    assert "1: 3 · 2: 2 · 3: 2" in text


def test_sending_the_same_form_twice_stores_it_once(pair):
    membership, client = pair
    http = logged_in(membership.user)
    body = _isi(["1"] * 7)

    first = http.post(entry_url(client, "isi"), body)
    second = http.post(entry_url(client, "isi"), body)

    assert first["Location"] == second["Location"]
    assert QuestionnaireResponse.objects.count() == 1


def test_the_same_form_sent_again_with_other_answers_is_refused_with_a_way_on(pair):
    membership, client = pair
    http = logged_in(membership.user)
    http.post(entry_url(client, "isi"), _isi(["1"] * 7))

    response = http.post(entry_url(client, "isi"), _isi(["2"] * 7))

    assert response.status_code == 200
    assert _errors(response) == {
        "__all__": [
            "This form was already saved with other answers. To enter another paper form, "
            "start a new one."
        ]
    }
    assert "Start a new ISI form" in response.content.decode()
    assert QuestionnaireResponse.objects.count() == 1


def test_a_past_date_is_stored_at_midday_in_the_clients_zone(pair):
    membership, client = pair

    logged_in(membership.user).post(entry_url(client, "isi"), _isi(["1"] * 7, day="2026-02-20"))

    stored = QuestionnaireResponse.objects.get()
    assert stored.submitted_at == datetime(2026, 2, 20, 17, 0, tzinfo=UTC)


def test_item_nine_entered_from_paper_raises_the_critical_alert_and_says_so(pair):
    membership, client = pair
    http = logged_in(membership.user)
    body = {
        "idempotency_key": "p",
        "completed_on": "2026-03-02",
        **{f"item_{n}": "1" for n in range(1, 9)},
        "item_9": "2",
    }

    response = http.post(entry_url(client, "phq9"), body)
    page = http.get(response["Location"]).content.decode()

    alert = Alert.objects.get(client=client)
    assert (alert.kind, alert.created_by_id) == (AlertKind.CRITICAL_ITEM, membership.user.pk)
    assert "Critical item endorsed" in page
    assert "Item 9 was answered 2. A critical alert was raised for the care team" in page


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            _isi(["1"] * 7, day="2026-03-03"),
            {"completed_on": ["The date cannot be in the future."]},
        ),
        (_isi(["1"] * 7, day=""), {"completed_on": ["Enter the date the form was completed."]}),
        (
            _isi(["5", "1", "1", "1", "1", "1", "1"]),
            {"item_1": ["Choose one of the answers in the list."]},
        ),
        (
            _isi([""] * 7),
            {
                "__all__": [
                    "Enter at least one answer: every item is set to \u201cNot answered\u201d."
                ]
            },
        ),
    ],
)
def test_paper_form_mistakes_are_named_and_nothing_is_stored(pair, body, errors):
    membership, client = pair

    response = logged_in(membership.user).post(entry_url(client, "isi"), body)

    assert response.status_code == 200
    assert _errors(response) == errors
    assert QuestionnaireResponse.objects.count() == 0


def test_missing_answers_follow_the_instruments_rule(pair):
    membership, client = pair
    http = logged_in(membership.user)

    response = http.post(entry_url(client, "isi"), _isi(["1", "", "1", "1", "1", "1", "1"]))
    page = http.get(response["Location"]).content.decode()

    stored = QuestionnaireResponse.objects.get()
    assert (stored.total, stored.complete, stored.answers[1]) == (None, False, None)
    assert "Not scored: some answers are missing and ISI has no rule for that." in page


def test_an_unknown_instrument_or_saved_id_is_a_404(pair):
    membership, client = pair
    http = logged_in(membership.user)
    assert http.get(entry_url(client, "nope")).status_code == 404
    assert http.get(entry_url(client, "isi") + "?saved=not-a-uuid").status_code == 404
    assert (
        http.get(
            entry_url(client, "isi") + "?saved=00000000-0000-0000-0000-000000000000"
        ).status_code
        == 404
    )


# --- the panel -----------------------------------------------------------------------------------
def test_the_panel_lists_each_schedule_with_next_due_and_last_answer(pair):
    membership, client = pair
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq9",
        frequency=Frequency.EVERY_N_DAYS,
        interval_days=14,
    )
    response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[1] * 9,
        idempotency_key="a",
    )
    context = {"client": client, **schedules_panel_context(access=care_view(membership, client))}

    html = render_to_string("measures/_record_schedules.html", context)

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    row = "PHQ-9 every 14 days 3 days 16 Mar to 19 Mar 2026 2 Mar 2026 2 Mar 2026 Stop PHQ-9"
    assert row in text
    assert f'action="{schedule_url(client)}"' in html
    assert "ISI : enter answers from a paper form (score only)" in text


def test_the_panel_without_the_extra_context_still_lists_schedules_and_links_to_the_form(pair):
    membership, client = pair
    schedule_create(
        actor=membership.user, client=client, instrument_code="gad7", frequency=Frequency.ONCE
    )
    context = {
        "client": client,
        "schedules": schedule_list(client=client),
        "instruments": list(instrument_definitions(practice=client.practice).values()),
    }

    html = render_to_string("measures/_record_schedules.html", context)

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "gad7 once 3 days 2 Mar 2026 Stop" in text
    assert f'href="{schedule_url(client)}"' in html


def test_the_panel_reads_the_same_number_of_queries_for_1_and_6_schedules(pair):
    membership, client = pair

    care = care_view(membership, client)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            schedules_panel_context(access=care)
        return len(ctx.captured_queries)

    schedule_create(
        actor=membership.user, client=client, instrument_code="phq9", frequency=Frequency.ONCE
    )
    one = count_queries()
    for code in ("gad7", "who5", "k10", "pcl5", "isi"):
        schedule_create(
            actor=membership.user,
            client=client,
            instrument_code=code,
            frequency=Frequency.EVERY_N_DAYS,
            interval_days=28,
        )
        response_submit(
            client=client,
            actor=membership.user,
            instrument_code=code,
            answers=[1] * instrument_definitions(practice=client.practice)[code].item_count,
            idempotency_key=code,
            entered_by=EnteredBy.CLINICIAN,
        )
    six = count_queries()

    assert one == six
