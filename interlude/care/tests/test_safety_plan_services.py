"""safety_plan_save: every save is a new version; stale or invalid input stores nothing."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from interlude.care.models import SafetyPlanVersion
from interlude.care.schemas import MAX_ITEMS, SafetyPlanContent, phone_href
from interlude.care.selectors import (
    safety_plan_content,
    safety_plan_current,
    safety_plan_version_get,
    safety_plan_versions,
)
from interlude.care.services import StaleVersionError, safety_plan_save
from interlude.consents.access import Viewer, care_access_for
from interlude.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def own(client):
    """The client's own view of their record."""
    return care_access_for(client=client, user=client.user, viewer=Viewer.SELF, membership=None)


def plan(**sections):
    return {"warning_signs": ["Not sleeping"], **sections}


def test_three_saves_make_versions_1_2_3_and_keep_the_content_of_each(client, clinician):
    first = safety_plan_save(client=client, actor=client.user, content=plan(), base_version=0)
    second = safety_plan_save(
        client=client,
        actor=clinician.user,
        content=plan(people_to_ask=[{"name": "Sam", "phone": "555 010 2345"}]),
        base_version=1,
    )
    third = safety_plan_save(
        client=client,
        actor=client.user,
        content=plan(reasons_for_living=["My dog, Pepper"]),
        base_version=2,
    )

    assert [first.version, second.version, third.version] == [1, 2, 3]
    versions = safety_plan_versions(access=own(client))
    assert [v.version for v in versions] == [3, 2, 1]
    assert [v.created_by for v in versions] == [client.user, clinician.user, client.user]
    assert safety_plan_content(safety_plan_version_get(access=own(client), version=1)) == (
        SafetyPlanContent(warning_signs=["Not sleeping"])
    )
    assert safety_plan_content(
        safety_plan_version_get(access=own(client), version=2)
    ).people_to_ask[0].model_dump() == {"name": "Sam", "phone": "555 010 2345"}
    current = safety_plan_current(access=own(client))
    assert current is not None and current.version == 3
    assert safety_plan_content(current).reasons_for_living == ["My dog, Pepper"]
    assert safety_plan_content(current).people_to_ask == []
    assert [v.change_note for v in versions] == [
        "Changed people I can ask for help and my reasons for living",
        "Changed people I can ask for help",
        "First version",
    ]


def test_a_stale_base_version_is_refused_and_nothing_is_stored(client, clinician):
    safety_plan_save(client=client, actor=client.user, content=plan(), base_version=0)
    safety_plan_save(
        client=client, actor=clinician.user, content=plan(distraction=["Café"]), base_version=1
    )

    with pytest.raises(StaleVersionError) as caught:
        safety_plan_save(
            client=client,
            actor=client.user,
            content=plan(coping_strategies=["A walk"]),
            base_version=1,
        )

    assert caught.value.current_version == 2
    assert caught.value.field == "base_version"
    assert caught.value.message == (
        "The safety plan was changed while you were editing: you started from version 1, "
        "and version 2 is now the newest. Nothing was saved."
    )
    assert SafetyPlanVersion.objects.filter(client=client).count() == 2
    assert safety_plan_content(safety_plan_current(access=own(client))).coping_strategies == []


def test_a_base_version_ahead_of_the_plan_is_refused_too(client):
    with pytest.raises(StaleVersionError):
        safety_plan_save(client=client, actor=client.user, content=plan(), base_version=4)
    assert SafetyPlanVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        (
            {"warning_signs": ["x"] * (MAX_ITEMS + 1)},
            "warning_signs",
            "“My warning signs” can have up to 20 lines. Remove some, or combine them.",
        ),
        (
            {"coping_strategies": ["ok", "a" * 301]},
            "coping_strategies.1",
            "Each line in “Things I can do on my own” can be up to 300 characters.",
        ),
        (
            {"distraction": ["   "]},
            "distraction.0",
            "Write something here, or leave the line out.",
        ),
        (
            {"people_to_ask": [{"name": "Sam", "phone": "call me"}]},
            "people_to_ask.0.phone",
            "Enter a phone number using digits, like 555 010 2345 or +44 20 7946 0958.",
        ),
        (
            {"people_to_ask": [{"name": "Sam", "phone": "5"}]},
            "people_to_ask.0.phone",
            "Enter a phone number using digits, like 555 010 2345 or +44 20 7946 0958.",
        ),
        (
            {"people_to_ask": [{"name": "", "phone": "555 010 2345"}]},
            "people_to_ask.0.name",
            "Add a name, or leave the line out.",
        ),
        (
            {"professionals": [{"name": "Dr. Kim", "hours": "h" * 101}]},
            "professionals.0.hours",
            (
                "Notes on when to reach them in “Professionals and services” can be up to "
                "100 characters."
            ),
        ),
        (
            {"professionals": [{"phone": "988"}]},
            "professionals.0.name",
            "Add a name in “Professionals and services”.",
        ),
        (
            {"feelings": ["sad"]},
            "feelings",
            "“feelings” is not part of a safety plan.",
        ),
        (
            {"safe_environment": "lock the cabinet"},
            "safe_environment",
            "“Making my surroundings safer” must be a list.",
        ),
        (
            {"reasons_for_living": [7]},
            "reasons_for_living.0",
            "Each line in “My reasons for living” must be text.",
        ),
    ],
)
def test_invalid_content_names_the_field_and_stores_nothing(client, content, field, message):
    with pytest.raises(ApplicationError) as caught:
        safety_plan_save(client=client, actor=client.user, content=content, base_version=0)

    assert (caught.value.field, caught.value.message) == (field, message)
    assert SafetyPlanVersion.objects.count() == 0


def test_lines_are_trimmed_to_one_line_each(client):
    saved = safety_plan_save(
        client=client,
        actor=client.user,
        content={
            "warning_signs": ["  Staying   in bed\nall day  "],
            "people_to_ask": [{"name": " Sam ", "phone": " +1 (555) 010-2345 "}],
        },
        base_version=0,
    )

    content = safety_plan_content(saved)
    assert content.warning_signs == ["Staying in bed all day"]
    assert content.people_to_ask[0].name == "Sam"
    assert content.people_to_ask[0].phone == "+1 (555) 010-2345"
    assert content.people_to_ask[0].phone_href == "tel:+15550102345"


def test_the_plan_is_encrypted_at_rest(client):
    saved = safety_plan_save(client=client, actor=client.user, content=plan(), base_version=0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM care_safetyplanversion WHERE id = %s", [saved.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v2:")
    assert "Not sleeping" not in stored
    reloaded = SafetyPlanVersion.objects.get(pk=saved.pk)
    assert json.loads(reloaded.content)["warning_signs"] == ["Not sleeping"]


def test_saving_the_same_plan_again_still_makes_a_new_version(client):
    safety_plan_save(client=client, actor=client.user, content=plan(), base_version=0)
    again = safety_plan_save(client=client, actor=client.user, content=plan(), base_version=1)

    assert again.version == 2
    assert again.change_note == "Saved without changes"


def test_phone_href_keeps_digits_and_a_leading_plus():
    assert phone_href("+44 20 7946 0958") == "tel:+442079460958"
    assert phone_href("(555) 010-2345") == "tel:5550102345"
