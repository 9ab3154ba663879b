"""Demo data for the app catalog, written through the services like real use. Idempotent: a
client who already has a suggestion or a readiness check is left alone.

Jordan answered the readiness check (a phone someone else sometimes uses, a few reminders,
worksheets on paper) and their therapist suggested Daylio, which Jordan already keeps; a
suitability note says so for the brief. Sam has been asked for the readiness check, so the
question waits on their Today page.
"""

from __future__ import annotations

from django.db import transaction

from interlude.catalog.models import CatalogApp, ReadinessCheck, Recommendation
from interlude.catalog.readiness_services import readiness_request, readiness_submit
from interlude.catalog.recommend_services import recommendation_create
from interlude.catalog.suitability_services import suitability_note_add
from interlude.consents.access import Viewer, care_access_for
from interlude.practices.models import Client, Membership

JORDAN_READINESS = {
    "devices": ["smartphone", "computer"],
    "connection": "wifi",
    "phone_shared": "may_look",
    "comfort": "4",
    "reminders": "few",
    "privacy": ["others_see"],
    "privacy_note": "My partner sometimes picks up my phone.",
    "worksheets": "paper",
    "accessibility": "",
    "apps_used": "yes",
    "apps_used_note": "Daylio, most evenings",
}
JORDAN_EHEALS = [4, 4, 3, 3, 4, 3, 3, 3]  # 27 of 40


def seed_demo(*, jordan: Client | None, sam: Client | None, therapist: Membership) -> bool:
    """Returns whether anything was added."""
    added = False
    if jordan is not None and not Recommendation.objects.filter(client=jordan).exists():
        app = CatalogApp.objects.filter(practice=None, slug="daylio").first()
        user = jordan.user
        if app is not None and user is not None:
            care = care_access_for(
                client=jordan, user=therapist.user, viewer=Viewer.CARE_TEAM, membership=therapist
            )
            with transaction.atomic():
                readiness_submit(
                    client=jordan,
                    actor=user,
                    answers=JORDAN_READINESS,
                    eheals_answers=JORDAN_EHEALS,
                )
                recommendation_create(
                    care=care,
                    membership=therapist,
                    app=app,
                    reason="You already keep Daylio most evenings. Bringing it in lets us look "
                    "at your weeks together, without you writing anything twice.",
                )
                suitability_note_add(
                    care=care,
                    membership=therapist,
                    text="Prefers worksheets on paper; partner sometimes sees the phone, so "
                    "reminders stay few and plain.",
                )
            added = True
    if sam is not None and not ReadinessCheck.objects.filter(client=sam).exists():
        care = care_access_for(
            client=sam, user=therapist.user, viewer=Viewer.CARE_TEAM, membership=therapist
        )
        readiness_request(care=care, membership=therapist)
        added = True
    return added
