"""The owner's setting for clients' data downloads (Sharing defaults page): whether the download
includes the clinicians' session notes and, if not, the exemption the practice relies on."""

from __future__ import annotations

import html

import pytest
from django.test import Client as HttpClient

from interlude.audit.models import AuditEvent
from interlude.consents.access import access_own
from interlude.consents.models import PracticePrivacySettings
from interlude.consents.sharing_services import export_policy_update
from interlude.core.errors import ApplicationError
from interlude.practices.enums import Role
from interlude.rights.selectors import export_session_notes
from tests.factories import ClientFactory, MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
URL = "/practice/sharing/"
EXEMPTION = "Notes are kept by the clinician under state law (example)."


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _owner():
    return MembershipFactory(role=Role.OWNER, user=UserFactory(mfa_exempt=True))


def _stored(practice) -> tuple[bool, str]:
    row = PracticePrivacySettings.objects.get(practice=practice)
    return row.export_includes_session_notes, row.export_exemption


# --- the service ------------------------------------------------------------------------------
def test_leaving_notes_out_stores_the_trimmed_exemption_and_no_audit_event():
    owner = _owner()
    events = AuditEvent.objects.count()

    export_policy_update(
        practice=owner.practice,
        actor=owner.user,
        includes_session_notes=False,
        exemption=f"  {EXEMPTION}\n",
    )

    assert _stored(owner.practice) == (False, EXEMPTION)
    assert AuditEvent.objects.count() == events


def test_including_notes_again_keeps_the_written_exemption_and_the_defaults():
    owner = _owner()
    PracticePrivacySettings.objects.create(
        practice=owner.practice,
        default_categories={"journal": True},
        export_includes_session_notes=False,
        export_exemption=EXEMPTION,
    )

    export_policy_update(
        practice=owner.practice, actor=owner.user, includes_session_notes=True, exemption=EXEMPTION
    )

    assert _stored(owner.practice) == (True, EXEMPTION)
    row = PracticePrivacySettings.objects.get(practice=owner.practice)
    assert row.default_categories == {"journal": True}


@pytest.mark.parametrize("exemption", ["", "   \n "])
def test_leaving_notes_out_without_an_exemption_is_refused(exemption):
    owner = _owner()

    with pytest.raises(ApplicationError) as exc:
        export_policy_update(
            practice=owner.practice,
            actor=owner.user,
            includes_session_notes=False,
            exemption=exemption,
        )

    assert exc.value.field == "exemption"
    assert exc.value.message == (
        "Write the exemption the practice relies on to leave session notes out."
    )
    assert not PracticePrivacySettings.objects.filter(practice=owner.practice).exists()


def test_an_exemption_over_the_limit_or_with_a_nul_is_refused():
    owner = _owner()
    for text in ("x" * 2001, "state law\x00"):
        with pytest.raises(ApplicationError) as exc:
            export_policy_update(
                practice=owner.practice,
                actor=owner.user,
                includes_session_notes=False,
                exemption=text,
            )
        assert exc.value.field == "exemption"
    assert not PracticePrivacySettings.objects.filter(practice=owner.practice).exists()


# --- the page ---------------------------------------------------------------------------------
def test_page_shows_the_current_setting():
    owner = _owner()
    http = _as(owner.user)

    fresh = http.get(URL).content.decode()
    PracticePrivacySettings.objects.create(
        practice=owner.practice, export_includes_session_notes=False, export_exemption=EXEMPTION
    )
    set_out = http.get(URL).content.decode()

    assert '<h2 id="downloads">Your clients\' data downloads</h2>' in fresh
    assert (
        '<input type="checkbox" name="include_session_notes" id="include-session-notes" '
        'aria-describedby="include-session-notes-hint" checked>' in fresh
    )
    assert 'aria-describedby="exemption-hint"></textarea>' in fresh
    assert (
        '<input type="checkbox" name="include_session_notes" id="include-session-notes" '
        'aria-describedby="include-session-notes-hint">' in set_out
    )
    assert f'aria-describedby="exemption-hint">{html.escape(EXEMPTION)}</textarea>' in set_out


def test_owner_leaves_notes_out_with_an_exemption():
    owner = _owner()
    http = _as(owner.user)

    response = http.post(URL, {"section": "downloads", "exemption": EXEMPTION})

    assert response.status_code == 302
    assert response["Location"] == URL
    assert _stored(owner.practice) == (False, EXEMPTION)
    # The sharing defaults were not touched by this form.
    assert PracticePrivacySettings.objects.get(practice=owner.practice).default_categories == {}


def test_owner_ticks_the_box_again():
    owner = _owner()
    PracticePrivacySettings.objects.create(
        practice=owner.practice, export_includes_session_notes=False, export_exemption=EXEMPTION
    )

    response = _as(owner.user).post(
        URL, {"section": "downloads", "include_session_notes": "on", "exemption": EXEMPTION}
    )

    assert response.status_code == 302
    assert _stored(owner.practice) == (True, EXEMPTION)


def test_empty_exemption_answers_422_naming_the_field_and_changes_nothing():
    owner = _owner()

    response = _as(owner.user).post(URL, {"section": "downloads", "exemption": "  "})
    page = response.content.decode()

    assert response.status_code == 422
    assert (
        '<p class="field-error" id="exemption-error">Write the exemption the practice relies on '
        "to leave session notes out.</p>" in page
    )
    assert 'aria-describedby="exemption-hint exemption-error" aria-invalid="true">' in page
    # What the owner posted stays on the page: the box unticked.
    assert 'aria-describedby="include-session-notes-hint">' in page
    assert not PracticePrivacySettings.objects.filter(practice=owner.practice).exists()


def test_admin_and_clinician_cannot_set_it():
    admin = MembershipFactory(role=Role.ADMIN, user=UserFactory(mfa_exempt=True))
    clinician, _ = clinician_with_client()
    form = {"section": "downloads", "exemption": EXEMPTION}

    assert _as(admin.user).post(URL, form).status_code == 404
    assert _as(clinician.user).post(URL, form).status_code == 404
    assert not PracticePrivacySettings.objects.exists()


# --- what the client's download says --------------------------------------------------------------
def test_the_download_text_gives_the_exemption_the_owner_saved():
    owner = _owner()
    client = ClientFactory(practice=owner.practice, user=UserFactory())
    _as(owner.user).post(URL, {"section": "downloads", "exemption": f" {EXEMPTION} "})

    notes = export_session_notes(care=access_own(user=client.user))

    assert notes.included is False
    assert notes.practice_exemption == EXEMPTION
    assert notes.explanation == (
        "Your practice does not include your clinicians' session notes in downloads. The reason "
        f"it gives: {EXEMPTION}"
    )
