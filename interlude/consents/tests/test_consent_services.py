"""Informed consent: versioned documents, acceptance with a typed name and the text's hash,
withdrawal, an append-only history (SR-45), and what a client's next page load must ask."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError, transaction

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.clinic.services import client_create
from interlude.consents.consent_selectors import (
    ConsentAsk,
    consent_ask,
    consent_document_list,
    consent_history,
    consent_render,
)
from interlude.consents.consent_services import (
    DEFAULT_TEXT_FILE,
    consent_accept,
    consent_document_current,
    consent_document_publish,
    consent_withdraw,
    onboarding_finish,
    onboarding_time_zone_set,
)
from interlude.consents.models import (
    ClientPrivacy,
    ConsentDocument,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    ConsentStatus,
)
from interlude.core.errors import ApplicationError
from tests.factories import ClientFactory, MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
T1 = datetime(2026, 4, 2, 9, 15, tzinfo=UTC)


def _client(consent: str = "pending"):
    practice = PracticeFactory(name="Riverside Therapy")
    return ClientFactory(practice=practice, user=UserFactory(), consent=consent)


def _actions(client) -> list[str]:
    return list(
        AuditEvent.objects.filter(client=client).order_by("seq").values_list("action", flat=True)
    )


# --- documents -----------------------------------------------------------------------------------
def test_first_use_creates_version_1_from_the_default_text_with_its_hash():
    practice = PracticeFactory(name="Riverside Therapy")

    document = consent_document_current(practice=practice)

    expected = DEFAULT_TEXT_FILE.read_text(encoding="utf-8").replace(
        "{practice}", "Riverside Therapy"
    )
    assert document.version == 1
    assert document.body == expected
    assert document.sha256 == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    assert document.published_by is None
    assert consent_document_current(practice=practice).pk == document.pk
    assert ConsentDocument.objects.filter(practice=practice).count() == 1


def test_default_text_says_what_the_issue_requires_in_plain_words():
    body = consent_document_current(practice=PracticeFactory(name="Riverside Therapy")).body

    for phrase in [
        "## What Interlude keeps",
        "## Who sees what",
        "You can change these choices at any time",
        "Interlude is not watched around the clock",
        "your care team is told",
        "Your safety plan.",
        "appointments, session notes and scores from paper questionnaires",
        "encrypted",
        "download a copy of everything about you",
        "ask to close your account",
        "take your agreement back",
        "Riverside Therapy uses Interlude",
    ]:
        assert phrase in body, phrase
    assert "{practice}" not in body


def test_rendered_document_keeps_headings_and_drops_scripts():
    practice = PracticeFactory()
    owner = MembershipFactory(practice=practice, role="owner").user
    document = consent_document_publish(
        practice=practice,
        actor=owner,
        title="Our terms",
        body="## Hello\n\n<script>alert(1)</script>\n\n- one [call](tel:+15551234)",
    )

    html = str(consent_render(document=document))

    assert html == (
        "<h2>Hello</h2>\n\n\n<ul>\n<li>one "
        '<a href="tel:+15551234" rel="noopener noreferrer">call</a></li>\n</ul>'
    )


def test_publishing_makes_the_next_version_and_asks_clients_again():
    client = _client()
    owner = MembershipFactory(practice=client.practice, role="owner").user
    v1 = consent_document_current(practice=client.practice)
    consent_accept(
        client=client, actor=client.user, version=1, typed_name="Ana", method=ConsentMethod.WEB
    )
    assert consent_ask(client=client) is ConsentAsk.NOTHING

    with time_machine.travel(T1, tick=False):
        v2 = consent_document_publish(
            practice=client.practice, actor=owner, title=v1.title, body=v1.body + "\nMore.\n"
        )

    assert (v2.version, v2.published_at, v2.published_by) == (2, T1, owner)
    assert v2.sha256 == hashlib.sha256((v1.body + "\nMore.\n").encode()).hexdigest()
    assert consent_ask(client=client) is ConsentAsk.CONSENT
    rows = consent_document_list(practice=client.practice)
    assert [(r.document.version, r.accepted_by, r.is_current) for r in rows] == [
        (2, 0, True),
        (1, 1, False),
    ]
    (event,) = AuditEvent.objects.filter(action=AuditAction.CONSENT_PUBLISHED)
    assert (event.practice_id, event.object_id, event.actor_id) == (
        client.practice_id,
        "2",
        owner.pk,
    )


def test_publishing_the_same_text_again_is_refused():
    practice = PracticeFactory()
    owner = MembershipFactory(practice=practice, role="owner").user
    current = consent_document_current(practice=practice)

    with pytest.raises(ApplicationError) as exc:
        consent_document_publish(
            practice=practice, actor=owner, title=current.title, body=current.body
        )

    assert exc.value.field == "body"
    assert ConsentDocument.objects.filter(practice=practice).count() == 1


# --- accepting -----------------------------------------------------------------------------------
def test_accepting_stores_hash_time_typed_name_method_document_and_updates_privacy():
    client = _client()
    document = consent_document_current(practice=client.practice)

    with time_machine.travel(T0, tick=False):
        event = consent_accept(
            client=client,
            actor=client.user,
            version=1,
            typed_name="  Ana   María  ",
            method=ConsentMethod.WEB,
        )

    event.refresh_from_db()
    assert (
        event.kind,
        event.document_id,
        event.document_version,
        event.document_sha256,
        event.typed_name,
        event.method,
        event.at,
        event.actor_id,
        event.practice_id,
    ) == (
        ConsentEventKind.ACCEPTED,
        document.pk,
        1,
        document.sha256,
        "Ana María",
        "web",
        T0,
        client.user.pk,
        client.practice_id,
    )
    privacy = ClientPrivacy.objects.get(client=client)
    assert (privacy.consent_status, privacy.consent_version, privacy.consent_at) == (
        ConsentStatus.ACCEPTED,
        1,
        T0,
    )
    assert _actions(client) == [AuditAction.CONSENT_ACCEPTED]


@pytest.mark.parametrize("typed_name", ["", "   ", "\t\n"])
def test_a_blank_typed_name_is_refused_naming_the_field_and_changes_nothing(typed_name):
    client = _client()
    consent_document_current(practice=client.practice)

    with pytest.raises(ApplicationError) as exc:
        consent_accept(
            client=client,
            actor=client.user,
            version=1,
            typed_name=typed_name,
            method=ConsentMethod.WEB,
        )

    assert exc.value.field == "typed_name"
    assert exc.value.message == (
        "Type your name to show that you agree, for example the name you go by."
    )
    assert ConsentEvent.objects.filter(client=client).count() == 0
    assert ClientPrivacy.objects.get(client=client).consent_status == ConsentStatus.PENDING
    assert _actions(client) == []


def test_accepting_a_version_that_is_not_current_is_refused():
    client = _client()
    owner = MembershipFactory(practice=client.practice, role="owner").user
    v1 = consent_document_current(practice=client.practice)
    consent_document_publish(practice=client.practice, actor=owner, title="New", body=v1.body)

    with pytest.raises(ApplicationError) as exc:
        consent_accept(client=client, actor=client.user, version=1, typed_name="Ana", method="web")

    assert exc.value.field == "version"
    assert exc.value.message == (
        "Version 1 is not the current consent document (version 2 is). Read the current "
        "version and agree to that one."
    )
    assert ConsentEvent.objects.filter(client=client).count() == 0


def test_accepting_the_same_version_twice_keeps_one_answer():
    client = _client()
    consent_document_current(practice=client.practice)

    first = consent_accept(
        client=client, actor=client.user, version=1, typed_name="Ana", method="api"
    )
    again = consent_accept(
        client=client, actor=client.user, version=1, typed_name="Ana", method="api"
    )

    assert again.pk == first.pk
    assert ConsentEvent.objects.filter(client=client).count() == 1
    assert _actions(client) == [AuditAction.CONSENT_ACCEPTED]


def test_accepting_creates_the_privacy_row_when_it_is_missing():
    client = _client(consent="none")
    consent_document_current(practice=client.practice)

    consent_accept(client=client, actor=client.user, version=1, typed_name="Ana", method="web")

    privacy = ClientPrivacy.objects.get(client=client)
    assert (privacy.consent_status, privacy.consent_version) == (ConsentStatus.ACCEPTED, 1)


# --- history is append-only ----------------------------------------------------------------------
def test_a_consent_event_cannot_be_updated():
    client = _client()
    consent_document_current(practice=client.practice)
    event = consent_accept(
        client=client, actor=client.user, version=1, typed_name="Ana", method="web"
    )

    event.typed_name = "Someone else"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(typed_name="Someone else")

    event.refresh_from_db()
    assert event.typed_name == "Ana"


# --- withdrawing ---------------------------------------------------------------------------------
def test_withdrawing_then_giving_consent_again_keeps_every_answer_in_order():
    client = _client()
    document = consent_document_current(practice=client.practice)
    with time_machine.travel(T0, tick=False):
        consent_accept(client=client, actor=client.user, version=1, typed_name="Ana", method="web")
    with time_machine.travel(datetime(2026, 3, 20, 8, 0, tzinfo=UTC), tick=False):
        withdrawal = consent_withdraw(client=client, actor=client.user, method="web")
        assert consent_withdraw(client=client, actor=client.user, method="web").pk == withdrawal.pk
    privacy = ClientPrivacy.objects.get(client=client)
    assert (privacy.consent_status, privacy.consent_at) == (
        ConsentStatus.WITHDRAWN,
        datetime(2026, 3, 20, 8, 0, tzinfo=UTC),
    )
    assert consent_ask(client=client) is ConsentAsk.NOTHING  # withdrawn is an answer too
    with time_machine.travel(T1, tick=False):
        consent_accept(client=client, actor=client.user, version=1, typed_name="Ana", method="api")

    history = consent_history(client=client)
    assert [(e.kind, e.at, e.method, e.document_sha256) for e in history] == [
        (ConsentEventKind.ACCEPTED, T1, "api", document.sha256),
        (
            ConsentEventKind.WITHDRAWN,
            datetime(2026, 3, 20, 8, 0, tzinfo=UTC),
            "web",
            document.sha256,
        ),
        (ConsentEventKind.ACCEPTED, T0, "web", document.sha256),
    ]
    assert ClientPrivacy.objects.get(client=client).consent_status == ConsentStatus.ACCEPTED
    assert _actions(client) == [
        AuditAction.CONSENT_ACCEPTED,
        AuditAction.CONSENT_WITHDRAWN,
        AuditAction.CONSENT_ACCEPTED,
    ]


# --- what a page load asks -----------------------------------------------------------------------
def test_a_new_client_is_pending_with_the_practice_defaults_and_starts_onboarding():
    practice = PracticeFactory()
    membership = MembershipFactory(practice=practice)

    client = client_create(
        actor=membership.user,
        membership=membership,
        full_name="Noor Rahimi",
        time_zone="Europe/Berlin",
    )

    privacy = ClientPrivacy.objects.get(client=client)
    assert (privacy.consent_status, privacy.categories, privacy.onboarded_at) == (
        ConsentStatus.PENDING,
        {},
        None,
    )
    assert consent_ask(client=client) is ConsentAsk.ONBOARDING


@pytest.mark.parametrize(
    ("status", "version", "onboarded", "ask"),
    [
        ("pending", None, False, ConsentAsk.ONBOARDING),
        ("pending", None, True, ConsentAsk.CONSENT),
        ("prior", None, True, ConsentAsk.CONSENT),
        ("accepted", 1, False, ConsentAsk.NOTHING),
        ("accepted", 1, True, ConsentAsk.NOTHING),
        ("withdrawn", 1, True, ConsentAsk.NOTHING),
    ],
)
def test_what_the_next_page_load_asks(status, version, onboarded, ask):
    client = _client(consent="none")
    ClientPrivacy.objects.create(
        client=client,
        consent_status=status,
        consent_version=version,
        onboarded_at=T0 if onboarded else None,
    )

    assert consent_ask(client=client) is ask


def test_a_client_without_a_privacy_row_starts_onboarding():
    assert consent_ask(client=_client(consent="none")) is ConsentAsk.ONBOARDING


# --- onboarding writes ---------------------------------------------------------------------------
def test_time_zone_and_finish_are_saved():
    client = _client()

    onboarding_time_zone_set(client=client, actor=client.user, time_zone="Europe/Berlin")
    with time_machine.travel(T0, tick=False):
        onboarding_finish(client=client, actor=client.user, reminders_opt_in=True)
    with time_machine.travel(T1, tick=False):
        onboarding_finish(client=client, actor=client.user, reminders_opt_in=False)

    client.refresh_from_db()
    privacy = ClientPrivacy.objects.get(client=client)
    assert (client.time_zone, privacy.reminders_opt_in, privacy.onboarded_at) == (
        "Europe/Berlin",
        False,
        T0,
    )
    with pytest.raises(ApplicationError) as exc:
        onboarding_time_zone_set(client=client, actor=client.user, time_zone="Mars/Olympus")
    assert exc.value.field == "time_zone"


def test_the_versions_list_and_the_history_take_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    client = _client()
    owner = MembershipFactory(practice=client.practice, role="owner").user
    consent_document_current(practice=client.practice)
    consent_accept(client=client, actor=client.user, version=1, typed_name="Ana", method="web")
    with django_assert_num_queries(2):
        assert len(consent_document_list(practice=client.practice)) == 1
    with django_assert_num_queries(1):
        assert len(consent_history(client=client)) == 1

    for n in range(2, 7):
        consent_document_publish(
            practice=client.practice, actor=owner, title=f"v{n}", body=f"Text {n}"
        )
        consent_accept(client=client, actor=client.user, version=n, typed_name="Ana", method="web")
        consent_withdraw(client=client, actor=client.user, method="web")

    with django_assert_num_queries(2):
        assert len(consent_document_list(practice=client.practice)) == 6
    with django_assert_num_queries(1):
        assert len(consent_history(client=client)) == 11


def test_the_question_a_page_load_asks_costs_one_query(django_assert_num_queries):
    client = _client()
    consent_document_current(practice=client.practice)

    with django_assert_num_queries(1):
        assert consent_ask(client=client) is ConsentAsk.ONBOARDING
