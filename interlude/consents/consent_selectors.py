"""Reads for informed consent: a client's consent state and history, what a page load must ask
first, the practice's document versions, and the document rendered for a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import markdown
import nh3
from django.db.models import Count, Subquery
from django.utils.safestring import SafeString, mark_safe

from interlude.consents.models import (
    ClientPrivacy,
    ConsentDocument,
    ConsentEvent,
    ConsentStatus,
)
from interlude.practices.models import Client, Practice

_ALLOWED_TAGS = {"p", "h2", "h3", "ul", "ol", "li", "strong", "em", "a", "br"}
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}
_ALLOWED_SCHEMES = {"https", "mailto", "tel"}


def consent_render(*, document: ConsentDocument) -> SafeString:
    """The document's Markdown as HTML, sanitised against a short allow-list (an owner writes it;
    nothing they type becomes a script)."""
    html = markdown.markdown(document.body, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above  # nosec B308, B703


class ConsentAsk(StrEnum):
    """What a client's next page load must ask before anything else."""

    NOTHING = "nothing"
    ONBOARDING = "onboarding"  # never finished onboarding: start (or go on) there
    CONSENT = "consent"  # onboarded, but must answer the current consent document


def _latest_version(practice_id: int) -> Subquery:
    return Subquery(
        ConsentDocument.objects.filter(practice_id=practice_id)
        .order_by("-version")
        .values("version")[:1]
    )


def consent_ask(*, client: Client) -> ConsentAsk:
    """Pending, prior (before digital consent) or an older version than the current one: ask.
    A client who has not answered yet and never finished onboarding starts there. A client who
    withdrew is not asked again; they can give consent again from Me. One query."""
    row = (
        ClientPrivacy.objects.filter(client_id=client.pk)
        .annotate(latest=_latest_version(client.practice_id))
        .values("consent_status", "consent_version", "onboarded_at", "latest")
        .first()
    )
    if row is None:
        return ConsentAsk.ONBOARDING
    status = row["consent_status"]
    if status == ConsentStatus.PENDING:
        return ConsentAsk.ONBOARDING if row["onboarded_at"] is None else ConsentAsk.CONSENT
    if status == ConsentStatus.PRIOR:
        return ConsentAsk.CONSENT
    if status == ConsentStatus.ACCEPTED:
        # No document yet means version 1 (the default) is current.
        latest = row["latest"] or 1
        if (row["consent_version"] or 0) < latest:
            return ConsentAsk.CONSENT
    return ConsentAsk.NOTHING


@dataclass(frozen=True)
class ConsentState:
    status: ConsentStatus
    accepted_version: int | None
    accepted_at: datetime | None  # when the current version was accepted (None if it was not)
    changed_at: datetime | None  # when the status last changed
    onboarded_at: datetime | None
    reminders_opt_in: bool

    def accepted(self, version: int) -> bool:
        return self.status == ConsentStatus.ACCEPTED and self.accepted_version == version


def consent_state(*, client: Client, current_version: int) -> ConsentState:
    privacy = ClientPrivacy.objects.filter(client_id=client.pk).first()
    if privacy is None:
        return ConsentState(ConsentStatus.PENDING, None, None, None, None, False)
    status = ConsentStatus(privacy.consent_status)
    accepted_now = status == ConsentStatus.ACCEPTED and privacy.consent_version == current_version
    return ConsentState(
        status=status,
        accepted_version=privacy.consent_version if status == ConsentStatus.ACCEPTED else None,
        accepted_at=privacy.consent_at if accepted_now else None,
        changed_at=privacy.consent_at,
        onboarded_at=privacy.onboarded_at,
        reminders_opt_in=privacy.reminders_opt_in,
    )


def consent_history(*, client: Client) -> list[ConsentEvent]:
    """The client's answers, newest first (one query)."""
    return list(ConsentEvent.objects.filter(client_id=client.pk).order_by("-at", "-id"))


@dataclass(frozen=True)
class DocumentRow:
    document: ConsentDocument
    accepted_by: int  # clients whose latest answer accepted this version
    is_current: bool


def consent_document_list(*, practice: Practice) -> list[DocumentRow]:
    """Every version, newest first, each with how many clients currently stand on it. Two
    queries whatever the number of versions or clients."""
    documents = list(
        ConsentDocument.objects.filter(practice=practice)
        .select_related("published_by")
        .order_by("-version")
    )
    counts = dict(
        ClientPrivacy.objects.filter(
            client__practice=practice, consent_status=ConsentStatus.ACCEPTED
        )
        .values("consent_version")
        .annotate(n=Count("client_id"))
        .values_list("consent_version", "n")
    )
    newest = max((d.version for d in documents), default=None)
    return [
        DocumentRow(
            document=d, accepted_by=counts.get(d.version, 0), is_current=d.version == newest
        )
        for d in documents
    ]


def consent_document_get(*, practice: Practice, version: int) -> ConsentDocument | None:
    return ConsentDocument.objects.filter(practice=practice, version=version).first()
