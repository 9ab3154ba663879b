"""Writes for calendar feeds: create and revoke a clinician's private feed link, note its use,
and set the practice's event label (ADR 0022).

The token is shown once, at creation; only its SHA-256 is stored, so a copy of the database does
not open anyone's feed. A clinician has at most one live link: making a new one revokes the old.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import event_calendar_feed_created, event_calendar_feed_revoked
from interlude.care.calendar_selectors import token_hash
from interlude.care.models import CalendarFeed, PracticeCalendarSettings
from interlude.core.errors import ApplicationError
from interlude.practices.enums import Role
from interlude.practices.models import Membership

MAX_LABEL_CHARS = 60
# "Last used" is for the clinician to spot a link they forgot about, not a log: one write per
# this long at most, however often a calendar app fetches.
LAST_USED_GRANULARITY = timedelta(minutes=5)


def calendar_feed_create(*, actor: User, membership: Membership) -> tuple[CalendarFeed, str]:
    """A new feed link for the clinician; returns the feed and its token (shown once)."""
    if membership.user_id != actor.pk or not membership.is_active:
        raise ApplicationError("Only the clinician can make their own calendar link.")
    if not Role(membership.role).is_clinical:
        raise ApplicationError("Calendar links are for clinicians with clients.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        for old in CalendarFeed.objects.select_for_update().filter(
            membership=membership, revoked_at__isnull=True
        ):
            calendar_feed_revoke(actor=actor, feed=old)
        feed = CalendarFeed.objects.create(
            practice_id=membership.practice_id, membership=membership, token_hash=token_hash(token)
        )
        event_calendar_feed_created(
            actor=actor, practice=membership.practice, feed_id=str(feed.public_id)
        )
    return feed, token


def calendar_feed_revoke(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    """Stop a feed link: from now on its URL answers 404. Revoking twice changes nothing."""
    with transaction.atomic():
        updated = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            event_calendar_feed_revoked(
                actor=actor, practice=feed.practice, feed_id=str(feed.public_id)
            )
    feed.refresh_from_db(fields=["revoked_at"])
    return feed


def calendar_feed_used(*, feed: CalendarFeed, now: datetime | None = None) -> None:
    """Note that a calendar app fetched the feed (shown as "last used")."""
    now = now or timezone.now()
    if feed.last_used_at is not None and now - feed.last_used_at < LAST_USED_GRANULARITY:
        return
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    feed.last_used_at = now


def calendar_event_label_set(
    *, actor: User, membership: Membership, label: str
) -> PracticeCalendarSettings:
    """The practice's owner chooses what feed events are called ("" for the client's initials).
    A label is the same for every session, so it can never name a client."""
    if membership.user_id != actor.pk or membership.role != Role.OWNER or not membership.is_active:
        raise ApplicationError("Only the practice owner can change this.")
    label = " ".join((label or "").split())
    if len(label) > MAX_LABEL_CHARS:
        raise ApplicationError(
            f"Keep the label to {MAX_LABEL_CHARS} characters.", field="event_label"
        )
    if any(not ch.isprintable() for ch in label):
        raise ApplicationError("Remove the unusual characters from the label.", field="event_label")
    settings, _ = PracticeCalendarSettings.objects.update_or_create(
        practice_id=membership.practice_id, defaults={"event_label": label}
    )
    return settings
