"""Writes for guided relaxation (breathing, muscle relaxation, grounding) and the library.

A relaxation session becomes observations in the canonical series (minutes practised, distress
before and after), written in the same transaction as the session.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.core.errors import ApplicationError
from interlude.core.hooks import client_changed, record_done
from interlude.core.idempotency import idempotency_remember, idempotency_replay, request_hash
from interlude.core.validation import require_past_datetime
from interlude.exercises.models import ArticleRead, RelaxationKind, RelaxationSession
from interlude.practices.models import Client
from interlude.tracking.models import ObservationKind, ObservationSource
from interlude.tracking.services import observations_replace

MAX_SECONDS_PRACTISED = 3 * 60 * 60
RATING_EDIT_WINDOW = timedelta(hours=24)
SOURCE_TYPE = "exercises.relaxationsession"


def relaxation_minutes(seconds: int) -> float:
    """Minutes practised, to one decimal (180 s -> 3.0, 10 s -> 0.2)."""
    return round(seconds / 60, 1)


def _validate_distress(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= 10:
        raise ApplicationError("Distress goes from 0 to 10.", field=name)


def _observations(session: RelaxationSession, actor: User) -> None:
    observations_replace(
        client=session.client,
        actor=actor,
        source=ObservationSource.EXERCISE,
        source_type=SOURCE_TYPE,
        source_id=str(session.public_id),
        effective_at=session.started_at,
        time_zone=session.client.time_zone,
        values={
            ObservationKind.RELAXATION_MINUTES: relaxation_minutes(session.seconds_practised),
            ObservationKind.DISTRESS_BEFORE: session.distress_before,
            ObservationKind.DISTRESS_AFTER: session.distress_after,
        },
    )


SESSION_KIND = "exercises.relaxation_session"


def relaxation_session_create(
    *,
    client: Client,
    actor: User,
    kind: str,
    started_at: datetime,
    seconds_practised: int,
    idempotency_key: str,
    distress_before: int | None = None,
    distress_after: int | None = None,
) -> tuple[RelaxationSession, bool]:
    """Store a relaxation session and its observations. Returns (session, created).

    The same idempotency key again returns the stored session and stores nothing new, so a
    retried request or an offline sync creates exactly one record.
    """
    key = idempotency_key.strip()
    if not 0 < len(key) <= 100:
        raise ApplicationError(
            "idempotency_key must be 1 to 100 characters.", field="idempotency_key"
        )
    digest = request_hash(
        {
            "kind": kind,
            "started_at": started_at,
            "seconds_practised": seconds_practised,
            "distress_before": distress_before,
            "distress_after": distress_after,
        }
    )
    existing = RelaxationSession.objects.filter(client=client, idempotency_key=key).first()
    if existing is not None:
        idempotency_replay(user=actor, kind=SESSION_KIND, key=key, digest=digest, what="session")
        return existing, False
    if kind not in RelaxationKind.values:
        raise ApplicationError(
            "Choose one of: " + ", ".join(RelaxationKind.values) + ".", field="kind"
        )
    if timezone.is_naive(started_at):
        raise ApplicationError(
            "started_at needs a UTC offset, like 2026-03-02T20:30:00+01:00.", field="started_at"
        )
    now = timezone.now()
    require_past_datetime(started_at, field="started_at")  # shared bounds (core/validation.py)
    if started_at > now + timedelta(minutes=5):
        raise ApplicationError("A session cannot start in the future.", field="started_at")
    if not 1 <= seconds_practised <= MAX_SECONDS_PRACTISED:
        raise ApplicationError(
            "Time practised must be from 1 second to 3 hours.", field="seconds_practised"
        )
    _validate_distress("distress_before", distress_before)
    _validate_distress("distress_after", distress_after)
    try:
        with transaction.atomic():
            session = RelaxationSession.objects.create(
                practice_id=client.practice_id,
                client=client,
                kind=kind,
                started_at=started_at,
                seconds_practised=seconds_practised,
                distress_before=distress_before,
                distress_after=distress_after,
                idempotency_key=key,
                created_by=actor,
                updated_by=actor,
            )
            _observations(session, actor)
            idempotency_remember(user=actor, kind=SESSION_KIND, key=key, digest=digest)
            Client.objects.filter(pk=client.pk).update(last_activity_at=now)
            # Homework that asked for this exercise is completed (core.hooks).
            record_done(
                client=client,
                kind="relaxation",
                ref=str(kind),
                record_type="exercises.relaxation_session",
                record_id=str(session.public_id),
                at=now,
            )
            client_changed(client_id=client.pk, parts=("activity",))
    except IntegrityError:
        # Two copies of the same request raced; the other one stored it.
        existing = RelaxationSession.objects.filter(client=client, idempotency_key=key).first()
        if existing is None:
            raise
        idempotency_replay(user=actor, kind=SESSION_KIND, key=key, digest=digest, what="session")
        return existing, False
    return session, True


def relaxation_session_rate_after(
    *, session: RelaxationSession, actor: User, distress_after: int | None
) -> RelaxationSession:
    """Add (or change) how distressed the person felt after a session, within 24 hours.

    The pacer saves a session as soon as it ends, so nothing is lost; the rating comes after.
    """
    _validate_distress("distress_after", distress_after)
    if timezone.now() - session.created_at > RATING_EDIT_WINDOW:
        raise ApplicationError(
            "You can rate a session for 24 hours after it ends.", field="distress_after"
        )
    with transaction.atomic():
        session.distress_after = distress_after
        session.updated_by = actor
        session.save(update_fields=["distress_after", "updated_by", "updated_at"])
        _observations(session, actor)
    return session


def article_mark_read(*, client: Client, slug: str) -> tuple[ArticleRead, bool]:
    """Record that the client read an article. Idempotent: returns (record, created).

    The caller checks that the slug names a real article (exercises/library.py).
    """
    try:
        with transaction.atomic():
            record, created = ArticleRead.objects.get_or_create(
                client=client, slug=slug, defaults={"practice_id": client.practice_id}
            )
            # Reading an assigned article completes that homework (core.hooks).
            record_done(
                client=client,
                kind="article",
                ref=slug,
                record_type="exercises.article_read",
                record_id=slug,
                at=timezone.now(),
            )
            return record, created
    except IntegrityError:
        # A double tap raced; the other request stored it.
        return ArticleRead.objects.get(client=client, slug=slug), False
