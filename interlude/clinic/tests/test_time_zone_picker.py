"""The time-zone picker: the client's likely zones first, then a search; checked on the server."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

import pytest
from django.test import Client as HttpClient

from interlude.clinic.forms import ClientCreateForm
from interlude.practices.models import Client
from interlude.practices.timezones import (
    COUNTRIES,
    COUNTRY_ZONES,
    time_zone_options,
    time_zone_parse,
)
from tests.factories import MembershipFactory, PracticeFactory, UserFactory

ADD = {"full_name": "Priya Ramanathan", "country": "DE", "time_zone": "Europe/Berlin"}


def _datalist_values(html: str) -> list[str]:
    found = re.search(r'<datalist id="id_time_zone_list">(.*?)</datalist>', html, re.S)
    assert found, "no datalist for the time zone"
    return re.findall(r'<option value="([^"]+)"', found.group(1))


@pytest.fixture
def clinician(db):
    practice = PracticeFactory(country="AU", time_zone="Australia/Melbourne")
    return MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=True))


def _http(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_add_client_form_offers_the_practice_countrys_zones_first(clinician):
    html = _http(clinician.user).get("/clinic/clients/new/").content.decode()

    assert '<select name="time_zone"' not in html  # no 600-entry list
    values = _datalist_values(html)
    assert values[:7] == [
        "Australia/Sydney",
        "Australia/Melbourne",
        "Australia/Brisbane",
        "Australia/Perth",
        "Australia/Adelaide",
        "Australia/Hobart",
        "Australia/Darwin",
    ]
    # Then every other zone once, A to Z, to search in.
    assert values[7] == "Africa/Abidjan"
    assert len(values) == len(set(values)) > 300
    assert '<option value="Australia/Sydney" label="New South Wales (Sydney)">' in html
    # The practice's zone is filled in.
    assert re.search(r'<input[^>]*name="time_zone"[^>]*value="Australia/Melbourne"', html)


def test_the_time_zone_field_is_labelled_and_described(clinician):
    html = _http(clinician.user).get("/clinic/clients/new/").content.decode()

    assert '<label for="id_time_zone">Time zone</label>' in html
    field = re.search(r'<input[^>]*id="id_time_zone"[^>]*>', html)
    assert field
    assert 'list="id_time_zone_list"' in field.group(0)
    assert 'aria-describedby="id_time_zone_helptext"' in field.group(0)
    assert 'id="id_time_zone_helptext"' in html
    # Country comes before time zone: it decides which zones are likely.
    assert html.index('id="id_country"') < html.index('id="id_time_zone"')


def test_a_chosen_country_puts_its_zones_first():
    form = ClientCreateForm(data={**ADD, "country": "CA", "time_zone": "nowhere"})
    html = str(form["time_zone"])
    assert _datalist_values(html)[:3] == [
        "America/Toronto",
        "America/Vancouver",
        "America/Edmonton",
    ]


def test_an_unknown_zone_is_a_clear_error_and_nothing_is_saved(clinician):
    response = _http(clinician.user).post(
        "/clinic/clients/new/", {**ADD, "time_zone": "Mars/Olympus_Mons"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "time_zone": [
            "“Mars/Olympus_Mons” is not a time zone we know. Start typing a city, such as "
            "London or New York, and pick the zone from the list."
        ]
    }
    html = response.content.decode()
    field = re.search(r'<input[^>]*id="id_time_zone"[^>]*>', html)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert Client.objects.count() == 0


def test_a_missing_zone_says_what_to_enter(clinician):
    response = _http(clinician.user).post("/clinic/clients/new/", {**ADD, "time_zone": " "})

    assert response.context["form"].errors["time_zone"] == [
        "Enter the client's time zone, for example Europe/London."
    ]


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("  Berlin ", "Europe/Berlin"),
        ("new york", "America/New_York"),
    ],
)
def test_typed_zones_are_understood_and_stored_exactly(clinician, typed, zone):
    response = _http(clinician.user).post("/clinic/clients/new/", {**ADD, "time_zone": typed})

    assert response.status_code == 302
    assert Client.objects.get().time_zone == zone


def test_every_likely_zone_exists_and_every_country_has_some():
    zones = available_timezones()
    for country, _ in COUNTRIES:
        assert COUNTRY_ZONES[country], country
        for zone, label in COUNTRY_ZONES[country]:
            assert zone in zones, zone
            assert label


def test_options_list_every_zone_once_and_nothing_unknown():
    options = [zone for zone, _ in time_zone_options("US")]
    assert len(options) == len(set(options))
    assert set(options) <= available_timezones()
    assert not [z for z in options if z.startswith("Etc/")]
    assert time_zone_options("ZZ")[0] == ("Africa/Abidjan", "")


def test_parse_refuses_what_is_not_a_zone():
    assert time_zone_parse("") is None
    assert time_zone_parse("Mars/Base") is None
    assert time_zone_parse("<script>") is None
