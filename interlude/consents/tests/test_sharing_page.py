"""The client's Sharing page (Me > What I share) and the practice's sharing defaults page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client as HttpClient

from interlude.consents.access import access_client
from interlude.consents.models import ClientPrivacy, PracticePrivacySettings
from interlude.practices.enums import Role, ShareScope
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db
URL = "/me/sharing/"


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _sees(html: str) -> str:
    match = re.search(r'data-sees="([^"]*)"', html)
    assert match, "no summary"
    return match.group(1)


def _switches(html: str) -> list[tuple[str, bool]]:
    return [
        (m.group(1), m.group(2) is not None)
        for m in re.finditer(r'name="share" value="([a-z_]+)"[^>]*?( checked)?>', html)
    ]


def test_me_page_links_to_the_sharing_page():
    _, client = clinician_with_client()

    html = _as(client.user).get("/me/").content.decode()

    assert '<a href="/me/sharing/">What I share with my care team</a>' in html


def test_page_shows_a_switch_per_category_in_order_with_what_each_means():
    _, client = clinician_with_client()

    response = _as(client.user).get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert _switches(html) == [
        ("checkins", True),
        ("journal", False),
        ("worksheets", True),
        ("measures", True),
        ("imports", True),
        ("relaxation", True),
    ]
    assert (
        '<span class="switch-state">Off:</span> Your check-in notes and journal stay private, '
        "even entries you marked to share." in html
    )
    assert "Always shared, whatever you choose here: answers that show you may be at risk" in html
    assert 'href="/help/"' in html
    # One clinician: no per-clinician switches.
    assert 'name="share_with"' not in html
    assert _sees(html) == (
        "Check-in scores|Worksheets|Questionnaires|Data from other apps|Relaxation practice"
    )


def test_switching_off_without_js_hides_it_from_the_clinicians_next_request():
    membership, client = clinician_with_client()
    http = _as(client.user)
    assert access_client(user=membership.user, client_id=client.public_id).can_see(
        ShareScope.CHECKINS
    )

    response = http.post(URL, {"share": ["worksheets", "measures", "imports", "relaxation"]})

    assert response.status_code == 302
    assert response["Location"] == URL
    care = access_client(user=membership.user, client_id=client.public_id)
    assert care.hidden_categories() == [ShareScope.CHECKINS, ShareScope.JOURNAL]
    clinician = _as(membership.user)
    progress = clinician.get(f"/api/v1/progress?client_id={client.public_id}&days=7").json()
    assert (progress["shared"], progress["series"]) == (False, {})
    page = http.get(URL).content.decode()
    assert "Saved. Your care team sees this from now on." in page
    assert _sees(page) == "Worksheets|Questionnaires|Data from other apps|Relaxation practice"


def test_saving_with_htmx_answers_the_summary_only():
    membership, client = clinician_with_client()

    response = _as(client.user).post(
        URL,
        {"share": ["checkins", "journal", "worksheets", "measures", "imports", "relaxation"]},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="sharing-summary"')
    assert "Saved. Your care team sees this from now on." in html
    assert _sees(html) == (
        "Check-in scores|Check-in notes and journal|Worksheets|Questionnaires|"
        "Data from other apps|Relaxation practice"
    )
    assert access_client(user=membership.user, client_id=client.public_id).hidden_categories() == []


def test_unknown_category_posted_is_refused_and_changes_nothing():
    _, client = clinician_with_client()

    response = _as(client.user).post(URL, {"share": ["checkins", "diary"]})

    assert response.status_code == 400
    assert (
        "&#x27;diary&#x27; is not a sharing category you can switch." in response.content.decode()
    )
    assert ClientPrivacy.objects.get(client=client).categories == {}


def test_several_clinicians_get_a_switch_each_and_the_summary_per_clinician():
    first, client = clinician_with_client()
    first.user.full_name = "Ana First"
    first.user.save()
    second = MembershipFactory(
        practice=first.practice, user=UserFactory(mfa_exempt=True, full_name="Zoe Second")
    )
    CareTeamMemberFactory(client=client, membership=second, is_primary=False)
    http = _as(client.user)

    html = http.get(URL).content.decode()
    assert f'name="share_with" value="{first.pk}"' in html
    assert f'name="share_with" value="{second.pk}"' in html

    http.post(
        URL,
        {"share": ["checkins"], "share_with": [str(first.pk)]},
    )

    assert (
        access_client(user=second.user, client_id=client.public_id).can_see(ShareScope.CHECKINS)
        is False
    )
    assert access_client(user=first.user, client_id=client.public_id).can_see(ShareScope.CHECKINS)
    page = http.get(URL).content.decode()
    assert f'<span data-sees-member="{first.pk}">Check-in scores</span>' in page
    assert f'<span data-sees-member="{second.pk}">none of these</span>' in page
    assert ClientPrivacy.objects.get(client=client).hidden_from == [second.pk]


def test_withdrawn_consent_says_nothing_is_shared_and_links_to_consent():
    membership = MembershipFactory(user=UserFactory(mfa_exempt=True))
    client = ClientFactory(practice=membership.practice, user=UserFactory(), consent="withdrawn")
    CareTeamMemberFactory(client=client, membership=membership)

    html = _as(client.user).get(URL).content.decode()

    assert "You withdrew your consent, so nothing you record is shared" in html
    assert '<a href="/me/consent/">Read about consent and give it</a>' in html
    assert _sees(html) == ""
    assert "Nothing you record, until you give your consent." in html


def test_clinician_cannot_open_the_clients_sharing_page():
    membership, _ = clinician_with_client()

    assert _as(membership.user).get(URL).status_code == 404


# --- practice defaults ---------------------------------------------------------------------------
def _owner():
    return MembershipFactory(role=Role.OWNER, user=UserFactory(mfa_exempt=True))


def test_owner_sets_the_defaults_for_new_clients():
    owner = _owner()
    http = _as(owner.user)
    assert "/practice/sharing/" in http.get("/practice/").content.decode()

    response = http.post("/practice/sharing/", {"share": ["checkins", "journal"]})

    assert response.status_code == 302
    assert PracticePrivacySettings.objects.get(practice=owner.practice).default_categories == {
        "checkins": True,
        "journal": True,
        "worksheets": False,
        "measures": False,
        "imports": False,
        "relaxation": False,
    }
    page = http.get("/practice/sharing/").content.decode()
    assert _switches(page) == [
        ("checkins", True),
        ("journal", True),
        ("worksheets", False),
        ("measures", False),
        ("imports", False),
        ("relaxation", False),
    ]


def test_admin_and_clinician_cannot_set_the_defaults():
    admin = MembershipFactory(role=Role.ADMIN, user=UserFactory(mfa_exempt=True))
    clinician, _ = clinician_with_client()

    assert _as(admin.user).get("/practice/sharing/").status_code == 404
    assert _as(clinician.user).post("/practice/sharing/", {"share": []}).status_code == 404
    assert "/practice/sharing/" not in _as(admin.user).get("/practice/").content.decode()


def test_sharing_page_json_api_and_page_agree():
    _, client = clinician_with_client()
    http = _as(client.user)
    http.put(
        "/api/v1/me/sharing",
        data=json.dumps({"categories": {"imports": False}}),
        content_type="application/json",
    )

    assert ("imports", False) in _switches(http.get(URL).content.decode())
