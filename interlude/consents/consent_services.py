"""Writes for informed consent: the practice's versioned consent documents, a client's answers
(accepted, withdrawn), and the onboarding steps that follow the first answer.

Each answer appends a `ConsentEvent` (never updated or deleted: the database refuses) and updates
the client's `ClientPrivacy` row, which the gate reads, in one transaction with its audit event.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import (
    event_consent_accepted,
    event_consent_published,
    event_consent_withdrawn,
)
from interlude.consents.models import (
    ClientPrivacy,
    ConsentDocument,
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    ConsentStatus,
)
from interlude.consents.sharing_services import sharing_update
from interlude.core.errors import ApplicationError
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client, Practice

DEFAULT_TEXT_FILE = Path(__file__).resolve().parent / "content" / "consent_default.md"
DEFAULT_TITLE = "Using Interlude: what you agree to"
MAX_BODY = 50_000
MAX_TYPED_NAME = 200


def consent_default_text(*, practice: Practice) -> str:
    """The project's consent text, with the practice's name in it."""
    return DEFAULT_TEXT_FILE.read_text(encoding="utf-8").replace("{practice}", practice.name)


def consent_text_sha256(text: str) -> str:
    """The hash stored with a document and with every acceptance of it: of the exact text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def consent_document_current(*, practice: Practice) -> ConsentDocument:
    """The practice's current (newest) consent document; version 1, from the project's default
    text, is created the first time anyone asks."""
    document = ConsentDocument.objects.filter(practice=practice).order_by("-version").first()
    if document is not None:
        return document
    body = consent_default_text(practice=practice)
    try:
        with transaction.atomic():
            return ConsentDocument.objects.create(
                practice=practice,
                version=1,
                title=DEFAULT_TITLE,
                body=body,
                sha256=consent_text_sha256(body),
            )
    except IntegrityError:
        # Two first requests at once: the other one created version 1.
        return ConsentDocument.objects.get(practice=practice, version=1)


@transaction.atomic
def consent_document_publish(
    *, practice: Practice, actor: User, title: str, body: str
) -> ConsentDocument:
    """Publish a new version. Documents are never edited; clients are asked again at their next
    page load."""
    title = title.strip()
    if not title:
        raise ApplicationError("Give the document a title.", field="title")
    if not body.strip():
        raise ApplicationError("Write the text clients will read and agree to.", field="body")
    if len(body) > MAX_BODY:
        raise ApplicationError(
            f"The text is too long: keep it under {MAX_BODY:,} characters.", field="body"
        )
    current = consent_document_current(practice=practice)
    # Lock the newest version so two owners publishing at once get versions n+1 and n+2.
    latest = (
        ConsentDocument.objects.select_for_update()
        .filter(practice=practice)
        .order_by("-version")
        .first()
    ) or current
    if body == latest.body and title == latest.title:
        raise ApplicationError(
            "This is the same as the current version, so nothing was published. Change the "
            "text first.",
            field="body",
        )
    document = ConsentDocument.objects.create(
        practice=practice,
        version=latest.version + 1,
        title=title,
        body=body,
        sha256=consent_text_sha256(body),
        published_by=actor,
    )
    event_consent_published(actor=actor, practice=practice, version=document.version)
    return document


def _privacy_for_update(client: Client) -> ClientPrivacy:
    """The client's privacy row, locked; created (pending, the practice's defaults) if missing."""
    privacy = ClientPrivacy.objects.select_for_update().filter(client_id=client.pk).first()
    if privacy is None:
        ClientPrivacy.objects.get_or_create(client=client)
        privacy = ClientPrivacy.objects.select_for_update().get(client_id=client.pk)
    return privacy


def client_privacy_create_pending(*, client: Client) -> ClientPrivacy:
    """A new client's privacy row (called when the client record is created): consent not yet
    given, and no choices of their own, so every category takes the practice's default
    (`rules.sharing_choices`) until they choose in onboarding. A default the practice changes
    before then still reaches them."""
    privacy, _ = ClientPrivacy.objects.get_or_create(
        client=client, defaults={"consent_status": ConsentStatus.PENDING, "categories": {}}
    )
    return privacy


@transaction.atomic
def consent_accept(
    *, client: Client, actor: User, version: int, typed_name: str, method: ConsentMethod | str
) -> ConsentEvent:
    """The client agrees to `version` of their practice's consent document, by typing their name.

    Accepting the version already accepted changes nothing and returns that acceptance."""
    name = " ".join((typed_name or "").split())
    if not name:
        raise ApplicationError(
            "Type your name to show that you agree, for example the name you go by.",
            field="typed_name",
        )
    if len(name) > MAX_TYPED_NAME:
        raise ApplicationError(
            f"Your name is too long: keep it under {MAX_TYPED_NAME} characters.",
            field="typed_name",
        )
    how = ConsentMethod(method)
    current = consent_document_current(practice=client.practice)
    if version != current.version:
        raise ApplicationError(
            f"Version {version} is not the current consent document (version "
            f"{current.version} is). Read the current version and agree to that one.",
            field="version",
        )
    privacy = _privacy_for_update(client)
    if (
        privacy.consent_status == ConsentStatus.ACCEPTED
        and privacy.consent_version == current.version
    ):
        previous = (
            ConsentEvent.objects.filter(
                client=client, kind=ConsentEventKind.ACCEPTED, document=current
            )
            .order_by("-at", "-id")
            .first()
        )
        if previous is not None:
            return previous
    now = timezone.now()
    event = ConsentEvent.objects.create(
        practice=client.practice,
        client=client,
        kind=ConsentEventKind.ACCEPTED,
        document=current,
        document_version=current.version,
        document_sha256=current.sha256,
        typed_name=name,
        method=how,
        at=now,
        actor=actor,
    )
    privacy.consent_status = ConsentStatus.ACCEPTED
    privacy.consent_version = current.version
    privacy.consent_at = now
    privacy.save(update_fields=["consent_status", "consent_version", "consent_at", "updated_at"])
    event_consent_accepted(actor=actor, client=client, version=current.version, method=how)
    return event


@transaction.atomic
def consent_withdraw(*, client: Client, actor: User, method: ConsentMethod | str) -> ConsentEvent:
    """The client takes their consent back. From the care team's next request, nothing the client
    recorded reaches them, except what never hides (risk alerts, the safety plan, what the care
    team recorded). Withdrawing again changes nothing and returns the withdrawal."""
    how = ConsentMethod(method)
    privacy = _privacy_for_update(client)
    if privacy.consent_status == ConsentStatus.WITHDRAWN:
        previous = (
            ConsentEvent.objects.filter(client=client, kind=ConsentEventKind.WITHDRAWN)
            .order_by("-at", "-id")
            .first()
        )
        if previous is not None:
            return previous
    now = timezone.now()
    # The text the client withdraws from, when they had agreed to one in the app.
    document = (
        ConsentDocument.objects.filter(
            practice_id=client.practice_id, version=privacy.consent_version
        ).first()
        if privacy.consent_status == ConsentStatus.ACCEPTED and privacy.consent_version
        else None
    )
    event = ConsentEvent.objects.create(
        practice=client.practice,
        client=client,
        kind=ConsentEventKind.WITHDRAWN,
        document=document,
        document_version=document.version if document else None,
        document_sha256=document.sha256 if document else "",
        method=how,
        at=now,
        actor=actor,
    )
    privacy.consent_status = ConsentStatus.WITHDRAWN
    privacy.consent_at = now
    privacy.save(update_fields=["consent_status", "consent_at", "updated_at"])
    event_consent_withdrawn(actor=actor, client=client, method=how)
    return event


# --- onboarding ----------------------------------------------------------------------------------
@transaction.atomic
def onboarding_sharing_save(
    *, client: Client, actor: User, categories: dict[ShareScope, bool]
) -> ClientPrivacy:
    """The sharing step of onboarding: the client's switch for every category (through the
    Sharing page's own service, so both write and audit the same way)."""
    chosen: dict[ShareScope | str, object] = {cat: on for cat, on in categories.items()}
    return sharing_update(client=client, actor=actor, categories=chosen)


@transaction.atomic
def onboarding_time_zone_set(*, client: Client, actor: User, time_zone: str) -> Client:
    from zoneinfo import available_timezones

    if time_zone not in available_timezones():
        raise ApplicationError(
            f"“{time_zone[:64]}” is not a time zone we know. Start typing a city, such as "
            "London or New York, and pick the zone from the list.",
            field="time_zone",
        )
    if client.time_zone != time_zone:
        client.time_zone = time_zone
        client.updated_by = actor
        client.save(update_fields=["time_zone", "updated_by", "updated_at"])
    return client


@transaction.atomic
def onboarding_finish(*, client: Client, actor: User, reminders_opt_in: bool) -> ClientPrivacy:
    """The last step: the reminders choice, and onboarding marked done."""
    privacy = _privacy_for_update(client)
    privacy.reminders_opt_in = reminders_opt_in
    if privacy.onboarded_at is None:
        privacy.onboarded_at = timezone.now()
    privacy.save(update_fields=["reminders_opt_in", "onboarded_at", "updated_at"])
    return privacy
