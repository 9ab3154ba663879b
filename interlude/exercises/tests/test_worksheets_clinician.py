"""The care team's read-only worksheets page: through the gate, audited once per view, and the
journal shows only entries the client shared."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.access import Viewer, care_access_for
from interlude.consents.sharing_services import sharing_update
from interlude.exercises.models import LifeArea
from interlude.exercises.schemas import (
    ActivityLogIn,
    ActivityPlanIn,
    EmotionIn,
    ExposurePracticeIn,
    ExposureStepIn,
    JournalEntryIn,
    SleepDiaryIn,
    ThoughtIn,
    ThoughtRecordIn,
)
from interlude.exercises.worksheets_selectors import (
    client_local_today,
    monday_of,
    worksheets_summary_for_clinician,
)
from interlude.exercises.worksheets_services import (
    activity_plan_create,
    activity_plan_log,
    exposure_practice_create,
    exposure_step_create,
    journal_entry_create,
    journal_entry_share,
    sleep_diary_save,
    thought_record_create,
)
from interlude.practices.enums import Role
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db

SHARED_BODY = "Shared: the walk on Sunday helped more than I expected."
PRIVATE_BODY = "Private: something I am not ready to talk about."


def page_path(client) -> str:
    return f"/clinic/clients/{client.public_id}/worksheets/"


def share(client, **categories: bool) -> None:
    """The client's own switches on their Sharing page (the real service)."""
    sharing_update(client=client, actor=client.user, categories=categories)


def care_view(membership, client):
    """What this care-team clinician may see now, as the gate builds it."""
    return care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def thought_record(client, key: str = "tr-1"):
    values = ThoughtRecordIn(
        idempotency_key=key,
        situation="Manager frowned at my slides",
        automatic_thoughts=[ThoughtIn(text="She thinks I'm useless", belief=90, hot=True)],
        emotions=[EmotionIn(label="Anxious", intensity=80), EmotionIn(label="Sad", intensity=60)],
        evidence_for="She frowned",
        evidence_against="She thanked me",
        distortions=["mind_reading", "labelling"],
        balanced_thought={"text": "She may be busy", "belief": 70},
        hot_thought_belief_after=40,
        emotions_rerated=[
            EmotionIn(label="Anxious", intensity=45),
            EmotionIn(label="Sad", intensity=50),
        ],
    )
    return thought_record_create(client=client, actor=client.user, values=values)[0]


def test_care_team_clinician_sees_a_shared_entry_and_never_an_unshared_one(care_pair):
    membership, client = care_pair
    share(client, journal=True)
    journal_entry_create(
        client=client, actor=client.user, values=JournalEntryIn(body=SHARED_BODY, shared=True)
    )
    journal_entry_create(client=client, actor=client.user, values=JournalEntryIn(body=PRIVATE_BODY))

    response = logged_in(membership.user).get(page_path(client))

    assert response.status_code == 200
    html = response.content.decode()
    assert SHARED_BODY in html
    assert PRIVATE_BODY not in html
    assert "Private: something" not in html
    assert [e.body for e in response.context["journal_entries"]] == [SHARED_BODY]


def test_unsharing_an_entry_hides_it_from_the_care_team_on_the_next_view(care_pair):
    membership, client = care_pair
    share(client, journal=True)
    entry = journal_entry_create(
        client=client, actor=client.user, values=JournalEntryIn(body=SHARED_BODY, shared=True)
    )
    http = logged_in(membership.user)
    assert SHARED_BODY in http.get(page_path(client)).content.decode()

    journal_entry_share(entry=entry, actor=client.user, shared=False)

    assert SHARED_BODY not in http.get(page_path(client)).content.decode()


def test_each_view_writes_one_audit_event_with_the_page_scopes(care_pair):
    membership, client = care_pair
    AuditEvent.objects.all().delete()

    logged_in(membership.user).get(page_path(client))

    events = list(AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED))
    assert len(events) == 1
    assert events[0].detail == {"scopes": ["worksheets", "relaxation", "journal"]}
    assert events[0].client_id == client.pk


def test_clinician_of_another_practice_gets_404_and_sees_nothing(care_pair):
    _, client = care_pair
    journal_entry_create(
        client=client, actor=client.user, values=JournalEntryIn(body=SHARED_BODY, shared=True)
    )
    other_membership, _ = clinician_with_client()

    response = logged_in(other_membership.user).get(page_path(client))

    assert response.status_code == 404
    assert SHARED_BODY not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_ACCESS_DENIED).count() == 1


def test_same_practice_clinician_off_the_care_team_and_practice_admin_get_404(care_pair):
    membership, client = care_pair
    outsider = MembershipFactory(practice=membership.practice, user=UserFactory(mfa_exempt=True))
    admin = MembershipFactory(
        practice=membership.practice, user=UserFactory(mfa_exempt=True), role=Role.ADMIN
    )

    assert logged_in(outsider.user).get(page_path(client)).status_code == 404
    assert logged_in(admin.user).get(page_path(client)).status_code == 404


def test_the_client_cannot_open_the_care_team_page(care_pair):
    _, client = care_pair

    assert logged_in(client.user).get(page_path(client)).status_code == 404


def test_clinician_without_a_second_factor_is_sent_to_set_one_up(care_pair):
    _, client = care_pair
    membership = MembershipFactory(
        practice=client.practice, user=UserFactory(mfa_exempt=False), role=Role.CLINICIAN
    )
    CareTeamMemberFactory(client=client, membership=membership)

    response = logged_in(membership.user).get(page_path(client))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_page_shows_each_worksheet_with_its_numbers(care_pair):
    membership, client = care_pair
    user = client.user
    thought_record(client)
    today = client_local_today(client=client)
    activity = activity_plan_create(
        client=client,
        actor=user,
        values=ActivityPlanIn(
            title="Walk to the park", life_area=LifeArea.HEALTH, planned_for=today
        ),
    )
    activity_plan_log(
        activity=activity, actor=user, values=ActivityLogIn(done=True, mastery=6, pleasure=8)
    )
    activity_plan_create(
        client=client,
        actor=user,
        values=ActivityPlanIn(
            title="Call Sam", life_area=LifeArea.RELATIONSHIPS, planned_for=today
        ),
    )
    step = exposure_step_create(
        client=client,
        actor=user,
        values=ExposureStepIn(description="Bus, two stops", suds_anticipated=40),
    )
    exposure_practice_create(
        client=client,
        step=step,
        actor=user,
        values=ExposurePracticeIn(duration_minutes=25, suds_pre=50, suds_peak=70, suds_post=30),
    )
    sleep_diary_save(
        client=client,
        actor=user,
        values=SleepDiaryIn(
            night_of=today - timedelta(days=1),
            into_bed=time(22, 30),
            tried_to_sleep=time(23, 0),
            minutes_to_fall_asleep=20,
            awakenings=2,
            minutes_awake_after_onset=30,
            final_awakening=time(6, 30),
            out_of_bed=time(7, 0),
            quality=3,
        ),
    )

    html = logged_in(membership.user).get(page_path(client)).content.decode()

    assert "Anxious 80 → 45" in html
    assert "Sad 60 → 50" in html
    assert "(90 → 40)" in html
    assert "Mind reading, Labelling" in html
    assert "1 of 2 planned activities done" in html
    assert "1 of 2 planned activities done</strong> (50%)" in html
    assert "achievement 6, enjoyment 8" in html
    assert "anticipated SUDS 40" in html
    assert "<td>25</td><td>50</td><td>70</td><td>30</td>" in html
    assert "78.4%" in html
    assert "<td>6h 40m</td>" in html  # total sleep time
    assert "<td>8h 30m</td>" in html  # time in bed


def test_summary_for_the_client_record_counts_and_latest_items(care_pair):
    membership, client = care_pair
    share(client, journal=True)
    user = client.user
    record = thought_record(client)
    today = client_local_today(client=client)
    for i, done in enumerate([True, False, None]):
        a = activity_plan_create(
            client=client,
            actor=user,
            values=ActivityPlanIn(
                title=f"A{i}", life_area=LifeArea.HOME, planned_for=monday_of(today)
            ),
        )
        if done is not None:
            activity_plan_log(
                activity=a,
                actor=user,
                values=ActivityLogIn(
                    done=done, mastery=5 if done else None, pleasure=5 if done else None
                ),
            )
    step = exposure_step_create(
        client=client, actor=user, values=ExposureStepIn(description="Shop", suds_anticipated=30)
    )
    for _ in range(2):
        exposure_practice_create(
            client=client,
            step=step,
            actor=user,
            values=ExposurePracticeIn(duration_minutes=10, suds_pre=30, suds_peak=40, suds_post=20),
        )
    journal_entry_create(client=client, actor=user, values=JournalEntryIn(body="x", shared=True))
    journal_entry_create(client=client, actor=user, values=JournalEntryIn(body="y"))

    summary = worksheets_summary_for_clinician(access=care_view(membership, client))

    assert summary["thought_records_complete"] == 1
    assert summary["latest_thought_record"].public_id == record.public_id
    assert (summary["week_planned"], summary["week_done"]) == (3, 1)
    assert summary["week_summary"] == "1 of 3 planned activities done"
    assert (summary["exposure_steps"], summary["exposure_practices"]) == (1, 2)
    assert summary["sleep_nights"] == 0
    assert summary["journal_shared"] == 1
    html = render_to_string("exercises/clinician/_summary.html", {"summary": summary})
    assert "1 completed" in html
    assert "strongest emotion 80 → 45" in html
    assert "1 step, 2 practices" in html
    assert "1 entry" in html
    assert f'href="/clinic/clients/{client.public_id}/worksheets/"' in html


def test_another_clients_data_never_appears(care_pair):
    membership, client = care_pair
    other = ClientFactory(practice=client.practice, user=UserFactory())
    share(client, journal=True)
    share(other, journal=True)
    CareTeamMemberFactory(client=other, membership=membership)
    journal_entry_create(
        client=other,
        actor=other.user,
        values=JournalEntryIn(body="Other person's entry", shared=True),
    )

    html = logged_in(membership.user).get(page_path(client)).content.decode()

    assert "Other person&#x27;s entry" not in html
    assert "No shared entries." in html
