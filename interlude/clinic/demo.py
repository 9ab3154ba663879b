"""The demo practice that `make run` seeds outside production. Idempotent: safe to run again.

Later issues extend this with between-session data for the demo clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.clinic.invitation_tokens import token_digest
from interlude.clinic.services import client_create, practice_create
from interlude.core.errors import ApplicationError
from interlude.practices.enums import ClientStatus, InvitationKind, Role
from interlude.practices.models import Client, Invitation, Membership, Practice

DEMO_DOMAIN = "demo.interlude.test"


@dataclass(frozen=True)
class DemoClient:
    full_name: str
    preferred_name: str
    email: str | None  # login email; None = no account yet
    status: ClientStatus
    time_zone: str
    country: str
    started_days_ago: int | None
    active_days_ago: int | None


DEMO_CLIENTS = [
    DemoClient(
        "Jordan Ellis",
        "",
        f"client@{DEMO_DOMAIN}",
        ClientStatus.ACTIVE,
        "America/New_York",
        "US",
        120,
        0,
    ),
    DemoClient(
        "Samira Haddad",
        "Sam",
        f"client2@{DEMO_DOMAIN}",
        ClientStatus.ACTIVE,
        "America/Chicago",
        "US",
        63,
        1,
    ),
    DemoClient(
        "Priya Natarajan",
        "",
        f"priya@{DEMO_DOMAIN}",
        ClientStatus.ACTIVE,
        "America/Los_Angeles",
        "US",
        9,
        2,
    ),
    DemoClient(
        "Lena Fischer",
        "",
        f"lena@{DEMO_DOMAIN}",
        ClientStatus.PAUSED,
        "Europe/Berlin",
        "DE",
        200,
        34,
    ),
    DemoClient(
        "Chris Walker",
        "",
        f"chris@{DEMO_DOMAIN}",
        ClientStatus.DISCHARGED,
        "America/New_York",
        "US",
        380,
        95,
    ),
    DemoClient(
        "Daniel Okafor", "Dan", None, ClientStatus.INVITED, "America/New_York", "US", None, None
    ),
]


def _demo_user(email: str, full_name: str) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=email, password=settings.DEMO_PASSWORD, full_name=full_name, mfa_exempt=True
    )
    return user, True


@transaction.atomic
def demo_seed() -> dict[str, int]:
    """Create the demo practices, people and clients that do not exist yet. Returns counts."""
    if not settings.DEMO_ENABLED:
        raise ApplicationError("Demo data is disabled in production.")
    created = {"users": 0, "practices": 0, "clients": 0}
    now = timezone.now()

    owner, new = _demo_user(f"owner@{DEMO_DOMAIN}", "Morgan Lee")
    created["users"] += new
    practice = Practice.objects.filter(name="Demo Practice").first()
    if practice is None:
        practice = practice_create(
            name="Demo Practice", country="US", time_zone="America/New_York", owner=owner
        )
        created["practices"] += 1
    therapist, new = _demo_user(f"therapist@{DEMO_DOMAIN}", "Dr. Alex Rivera")
    created["users"] += new
    membership, _ = Membership.objects.get_or_create(
        practice=practice,
        user=therapist,
        defaults={"role": Role.CLINICIAN, "title": "Clinical psychologist"},
    )

    for spec in DEMO_CLIENTS:
        if Client.objects.filter(practice=practice, full_name=spec.full_name).exists():
            continue
        client = client_create(
            actor=therapist,
            membership=membership,
            full_name=spec.full_name,
            preferred_name=spec.preferred_name,
            email=spec.email or f"{spec.preferred_name.lower()}@example.net",
            time_zone=spec.time_zone,
            country=spec.country,
        )
        created["clients"] += 1
        if spec.email:
            user, new = _demo_user(spec.email, spec.full_name)
            created["users"] += new
            client.user = user
        client.status = spec.status
        if spec.started_days_ago is not None:
            client.started_on = (now - timedelta(days=spec.started_days_ago)).date()
        if spec.active_days_ago is not None:
            client.last_activity_at = now - timedelta(days=spec.active_days_ago, hours=3)
        client.save()
        if client.user is not None:
            _demo_consent(client)
        if spec.status == ClientStatus.INVITED:
            # A pending invitation whose link nobody knows: shows the "invited" stage.
            Invitation.objects.create(
                practice=practice,
                kind=InvitationKind.CLIENT,
                email=client.email,
                client=client,
                token_hash=token_digest(f"demo-unknown-{client.public_id}"),
                created_by=therapist,
                expires_at=now + settings.INVITATION_LIFETIME,
                email_sent_at=now,
            )

    _demo_between_sessions(practice)

    # A second practice, to show that practices never see each other's clients.
    other, new = _demo_user(f"other@{DEMO_DOMAIN}", "Dr. Riley Chen")
    created["users"] += new
    harbour = Practice.objects.filter(name="Harbour Counselling").first()
    if harbour is None:
        harbour = practice_create(
            name="Harbour Counselling", country="GB", time_zone="Europe/London", owner=other
        )
        created["practices"] += 1
    other_membership = Membership.objects.get(practice=harbour, user=other)
    if not Client.objects.filter(practice=harbour).exists():
        client = client_create(
            actor=other,
            membership=other_membership,
            full_name="Tom Hughes",
            email=f"other-client@{DEMO_DOMAIN}",
            time_zone="Europe/London",
            country="GB",
        )
        user, new = _demo_user(f"other-client@{DEMO_DOMAIN}", "Tom Hughes")
        created["users"] += new
        client.user = user
        client.status = ClientStatus.ACTIVE
        client.started_on = (now - timedelta(days=30)).date()
        client.last_activity_at = now - timedelta(days=1)
        client.save()
        _demo_consent(client)
        created["clients"] += 1
    return created


def _demo_consent(client: Client) -> None:
    """The demo clients have read and agreed to their practice's current consent document."""
    from interlude.consents.consent_services import (
        consent_accept,
        consent_document_current,
        onboarding_finish,
    )
    from interlude.consents.models import ConsentMethod

    assert client.user is not None
    document = consent_document_current(practice=client.practice)
    consent_accept(
        client=client,
        actor=client.user,
        version=document.version,
        typed_name=client.full_name,
        method=ConsentMethod.WEB,
    )
    onboarding_finish(client=client, actor=client.user, reminders_opt_in=True)


# Which demo clients have a between-session history, and what kind: (story, days of history).
DEMO_HISTORIES = {
    "Jordan Ellis": ("improving", 120),
    "Samira Haddad": ("struggling", 63),
    "Priya Natarajan": ("new", 9),
}


# How much of the exercises each demo client has done (1.0 = everything in exercises/demo.py).
DEMO_EXERCISES = {"Jordan Ellis": 1.0, "Samira Haddad": 0.5}


# Written together in session: the client's own words, and the clinician saved a second version.
DEMO_SAFETY_PLANS: dict[str, dict[str, Any]] = {
    "Jordan Ellis": {
        "warning_signs": [
            "Staying in bed past noon",
            "Thinking 'what's the point'",
            "Not replying to texts",
        ],
        "coping_strategies": [
            "Box breathing for 3 minutes",
            "A hot shower",
            "Walk round the block",
        ],
        "distraction": ["The cafe on Main Street", "Calling Sam to talk about anything"],
        "people_to_ask": [{"name": "My sister Ana", "phone": "555 0142"}],
        "professionals": [
            {"name": "Dr. Alex Rivera", "phone": "555 0100", "hours": "Mon-Fri 9-5"},
            {"name": "988 Suicide & Crisis Lifeline", "phone": "988", "hours": "24/7"},
        ],
        "safe_environment": ["Ana keeps the spare medication"],
        "reasons_for_living": ["My niece", "Finishing the garden"],
    }
}


def _demo_safety_plan(client: Client) -> None:
    from interlude.care.models import SafetyPlanVersion
    from interlude.care.services import safety_plan_save

    if client.user is None or SafetyPlanVersion.objects.filter(client=client).exists():
        return
    content = DEMO_SAFETY_PLANS[client.full_name]
    first = {**content, "reasons_for_living": content["reasons_for_living"][:1]}
    safety_plan_save(client=client, actor=client.user, content=first, base_version=0)
    therapist = client.care_team.select_related("membership__user").first()
    actor = therapist.membership.user if therapist else client.user
    safety_plan_save(client=client, actor=actor, content=content, base_version=1)


def _demo_between_sessions(practice: Practice) -> None:
    from interlude.alerts.demo import demo_alerts
    from interlude.exercises.demo import demo_exercises
    from interlude.measures.demo import demo_measures
    from interlude.tracking.demo import demo_checkins
    from interlude.tracking.models import CheckIn

    measured: dict[str, Client] = {}
    for client in Client.objects.filter(practice=practice, full_name__in=DEMO_HISTORIES):
        story, days = DEMO_HISTORIES[client.full_name]
        if client.full_name in DEMO_SAFETY_PLANS:
            _demo_safety_plan(client)
        if client.full_name in DEMO_EXERCISES:
            demo_exercises(client=client, richness=DEMO_EXERCISES[client.full_name])
        if demo_checkins(client=client, days=days, story=story):
            latest = CheckIn.objects.filter(client=client).order_by("-recorded_at").first()
            Client.objects.filter(pk=client.pk).update(
                last_activity_at=latest.recorded_at if latest else None
            )
        # Questionnaires, schedules and sessions (after the check-ins: last activity is the latest).
        if demo_measures(client=client, story=story):
            measured[story] = client
    if measured:
        # The time-based alert rules, once, right after the questionnaires were first created.
        demo_alerts(practice=practice, mood_client=measured.get("struggling"))
    _demo_care_between_sessions(practice)


# Who gets homework, a treatment plan and a message thread in the demo (after their check-ins,
# worksheets and sessions exist, so homework links real records and notes match sessions).
DEMO_HOMEWORK = ("Jordan Ellis", "Samira Haddad")
DEMO_PLANS = ("Jordan Ellis",)
DEMO_THREADS = ("Jordan Ellis",)
# Who brought two months of Daylio history with them (imported app data, [7]).
DEMO_IMPORTS = ("Jordan Ellis",)


def _demo_care_between_sessions(practice: Practice) -> None:
    from interlude.care.demo import seed_demo_appointment_logistics, seed_demo_plan
    from interlude.catalog.demo import seed_demo as seed_demo_catalog
    from interlude.homework.demo import seed_demo as seed_demo_homework
    from interlude.interop.demo import seed_demo as seed_demo_import
    from interlude.messaging.demo import demo_messages
    from interlude.reminders.demo import seed_demo as seed_demo_reminders

    now = timezone.now()
    seed_demo_appointment_logistics(practice=practice, now=now)
    therapist = Membership.objects.filter(
        practice=practice, user__email=f"therapist@{DEMO_DOMAIN}"
    ).first()
    clients = {
        c.full_name: c
        for c in Client.objects.filter(practice=practice, user__isnull=False).select_related(
            "user", "practice"
        )
    }
    if therapist is not None:
        for name in DEMO_HOMEWORK:
            if name in clients:
                seed_demo_homework(client=clients[name], clinician_membership=therapist, now=now)
    for name in DEMO_PLANS:
        if name in clients:
            seed_demo_plan(client=clients[name])
    for name in DEMO_THREADS:
        if name in clients:
            demo_messages(client=clients[name], now=now)
    for name in DEMO_IMPORTS:
        if name in clients:
            seed_demo_import(client=clients[name], now=now)
    if therapist is not None:
        # [8]: Jordan's readiness answers, a suggested app and a suitability note; Sam asked.
        seed_demo_catalog(
            jordan=clients.get("Jordan Ellis"),
            sam=clients.get("Samira Haddad"),
            therapist=therapist,
        )
    seed_demo_reminders(
        practice=practice,
        clients=[clients[n] for n in DEMO_HOMEWORK if n in clients],
        now=now,
    )


# Every account demo_seed creates (tests check this list and the README's against the seed).
DEMO_LOGINS = [
    ("therapist@demo.interlude.test", "clinician, Demo Practice"),
    ("owner@demo.interlude.test", "practice owner, Demo Practice"),
    ("client@demo.interlude.test", "client of the therapist (Jordan)"),
    ("client2@demo.interlude.test", "client of the therapist (Sam)"),
    ("priya@demo.interlude.test", "client of the therapist (Priya, new)"),
    ("lena@demo.interlude.test", "client of the therapist (Lena, paused)"),
    ("chris@demo.interlude.test", "client of the therapist (Chris, discharged)"),
    ("other@demo.interlude.test", "clinician and owner, Harbour Counselling"),
    ("other-client@demo.interlude.test", "client of Harbour Counselling (Tom)"),
]
