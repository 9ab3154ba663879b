"""Fixtures for the safety plan tests: a practice with crisis lines, its clinician and client."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from interlude.practices.models import CrisisResource
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)


@pytest.fixture
def practice():
    practice = PracticeFactory(name="Harbour Counselling", country="US")
    CrisisResource.objects.create(
        practice=practice,
        country="US",
        name="Emergency services",
        phone="911",
        hours="24/7",
        is_emergency=True,
    )
    CrisisResource.objects.create(
        practice=practice,
        country="US",
        name="988 Suicide & Crisis Lifeline",
        phone="988",
        hours="24/7",
        position=1,
    )
    CrisisResource.objects.create(
        practice=practice, country="GB", name="Samaritans", phone="116 123", hours="24/7"
    )
    return practice


@pytest.fixture
def clinician(practice):
    return MembershipFactory(
        practice=practice,
        user=UserFactory(
            full_name="Dr. Alex Rivera", email="alex@harbour.example", mfa_exempt=True
        ),
    )


@pytest.fixture
def client(practice, clinician):
    c = ClientFactory(
        practice=practice,
        full_name="Jordan Ellis",
        preferred_name="",
        country="US",
        time_zone="America/New_York",
        user=UserFactory(full_name="Jordan Ellis", email="jordan@example.org"),
    )
    CareTeamMemberFactory(client=c, membership=clinician)
    return c


@pytest.fixture
def other_clinician():
    return MembershipFactory(
        practice=PracticeFactory(name="Elsewhere Therapy"),
        user=UserFactory(full_name="Dr. Other", email="other@elsewhere.example", mfa_exempt=True),
    )


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http
