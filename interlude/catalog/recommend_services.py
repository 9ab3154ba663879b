"""Writes for app recommendations: recommend an app to a client (optionally as homework),
withdraw it, and note that the client has seen it.

Every function is keyword-only and raises `ApplicationError(message, field=...)` before anything
is stored when a rule is broken. Field names are those of the API body (`app_id`, `reason`,
`homework`, `homework.times_per_week`, ...), so the API's 422 names the field as it was sent.

Withdrawing a recommendation also ends the "use this app" homework that was set with it: the
homework exists only to try the app, so keeping it would go on asking the client to use an app
the therapist no longer suggests. What the client recorded for it stays (homework's own rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.audit.services import event_app_recommended, event_recommendation_withdrawn
from interlude.catalog.catalog_selectors import catalog_apps_of_practice
from interlude.catalog.models import CatalogApp, Recommendation
from interlude.catalog.recommend_selectors import recommendation_open_for_app
from interlude.consents.access import CareAccess, Viewer
from interlude.core.clock import client_date, client_today
from interlude.core.errors import ApplicationError
from interlude.core.validation import MSG_BAD_TEXT, text_problem
from interlude.homework.models import ScheduleKind, ToolKind
from interlude.homework.services import AssignmentValues, assignment_create, assignment_end
from interlude.practices.enums import Module
from interlude.practices.models import Membership

MAX_REASON = 1000
# The homework's title and the name it gives the tool (homework keeps app names to 80).
MAX_APP_NAME = 80

MSG_REASON_MISSING = "Say why you recommend this app, in your words. The client reads this."
MSG_REASON_LONG = f"Keep the reason to {MAX_REASON:,} characters or fewer."
MSG_HOMEWORK_OFF = (
    "Homework is switched off for this client. Switch it on under Parts of the app on their "
    "record, or recommend the app without homework."
)


class DuplicateRecommendation(ApplicationError):
    """The client already has an open recommendation of this app (the API answers 409)."""


@dataclass(frozen=True)
class HomeworkChoice:
    """The simple schedule of a "try this app" homework: `times_per_week` times a week until
    `until` (schedule "weekly"), or once by `due_on` (schedule "once"). Starts today (the
    client's day) unless `starts_on` is given."""

    schedule: str  # "weekly" or "once"
    times_per_week: int | None = None
    until: date | None = None
    due_on: date | None = None
    starts_on: date | None = None


SCHEDULES = {"weekly": ScheduleKind.WEEKLY_COUNT, "once": ScheduleKind.ONCE}


def reason_clean(reason: str) -> str:
    """The reason, trimmed; ApplicationError(field="reason") when it is empty, too long or holds
    characters that cannot be stored."""
    value = (reason or "").strip()
    if text_problem(value) is not None:
        raise ApplicationError(MSG_BAD_TEXT, field="reason")
    if not value:
        raise ApplicationError(MSG_REASON_MISSING, field="reason")
    if len(value) > MAX_REASON:
        raise ApplicationError(MSG_REASON_LONG, field="reason")
    return value


def _check_app(*, care: CareAccess, app: CatalogApp) -> None:
    in_catalog = catalog_apps_of_practice(practice_id=care.client.practice_id).filter(pk=app.pk)
    if not in_catalog.exists():
        raise ApplicationError("Choose an app from your practice's catalog.", field="app_id")
    if app.archived_at is not None:
        raise ApplicationError(
            f"{app.name} has been archived from the catalog, so it cannot be recommended.",
            field="app_id",
        )
    if not app.available:
        raise ApplicationError(
            f"{app.name} can no longer be downloaded, so it cannot be recommended.",
            field="app_id",
        )


def _duplicate(care: CareAccess, existing: Recommendation) -> DuplicateRecommendation:
    day = client_date(existing.created_at, care.client)
    return DuplicateRecommendation(
        f"You already recommended {existing.app.name} to this client on {day:%-d %B %Y}. "
        "Withdraw that recommendation first to recommend it again.",
        field="app_id",
    )


def _homework_values(
    *, care: CareAccess, app: CatalogApp, reason: str, homework: HomeworkChoice
) -> AssignmentValues:
    schedule = SCHEDULES.get(homework.schedule)
    if schedule is None:
        raise ApplicationError(
            "Choose how often: weekly (a number of times a week) or once (by a date).",
            field="homework.schedule",
        )
    if schedule == ScheduleKind.WEEKLY_COUNT and homework.until is None:
        raise ApplicationError("Enter the last day to try it.", field="homework.until")
    return AssignmentValues(
        tool_kind=ToolKind.APP,
        tool_ref=app.name[:MAX_APP_NAME],
        title=f"Try {app.name}",
        instructions=reason,
        starts_on=homework.starts_on or client_today(care.client),
        schedule=schedule,
        times_per_week=homework.times_per_week if schedule == ScheduleKind.WEEKLY_COUNT else None,
        until=homework.until if schedule == ScheduleKind.WEEKLY_COUNT else None,
        due_on=homework.due_on if schedule == ScheduleKind.ONCE else None,
        app_url=app.website,
        catalog_app_id=app.pk,
    )


def recommendation_create(
    *,
    care: CareAccess,
    membership: Membership,
    app: CatalogApp,
    reason: str,
    homework: HomeworkChoice | None = None,
) -> Recommendation:
    """Recommend `app` to the client of `care` (the care team's access, opened for writing),
    with the reason in the clinician's words. With `homework`, a "use this app" homework is set
    in the same transaction and linked to the recommendation."""
    client = care.client
    if care.viewer is not Viewer.CARE_TEAM or membership.practice_id != client.practice_id:
        raise ApplicationError("Only the client's care team can recommend an app.")
    actor = care.user
    _check_app(care=care, app=app)
    text = reason_clean(reason)
    existing = recommendation_open_for_app(client_id=client.pk, app=app)
    if existing is not None:
        raise _duplicate(care, existing)
    values = None
    if homework is not None:
        if not care.module_on(Module.HOMEWORK):
            raise ApplicationError(MSG_HOMEWORK_OFF, field="homework")
        values = _homework_values(care=care, app=app, reason=text, homework=homework)
    try:
        with transaction.atomic():
            assignment = None
            if values is not None:
                try:
                    assignment = assignment_create(
                        client=client, assigned_by=membership, actor=actor, values=values
                    )
                except ApplicationError as exc:
                    raise ApplicationError(
                        exc.message, field=f"homework.{exc.field}" if exc.field else "homework"
                    ) from None
            recommendation = Recommendation.objects.create(
                practice_id=client.practice_id,
                client=client,
                app=app,
                reason=text,
                recommended_by=membership,
                assignment=assignment,
                created_by=actor,
                updated_by=actor,
            )
            event_app_recommended(
                actor=actor,
                client=client,
                recommendation_id=str(recommendation.public_id),
                app_slug=app.slug,
                homework=assignment is not None,
            )
    except IntegrityError:
        # Another request recommended the same app a moment ago (the one-open constraint).
        existing = recommendation_open_for_app(client_id=client.pk, app=app)
        if existing is None:
            raise
        raise _duplicate(care, existing) from None
    return recommendation


def recommendation_withdraw(*, care: CareAccess, recommendation: Recommendation) -> Recommendation:
    """Withdraw an open recommendation (the client no longer sees it) and end the homework set
    with it. Withdrawing twice changes nothing."""
    if care.viewer is not Viewer.CARE_TEAM or recommendation.client_id != care.client.pk:
        raise ApplicationError("Only the client's care team can withdraw a recommendation.")
    if recommendation.withdrawn_at is not None:
        return recommendation
    actor = care.user
    with transaction.atomic():
        recommendation.withdrawn_at = timezone.now()
        recommendation.updated_by = actor
        recommendation.save(update_fields=["withdrawn_at", "updated_by", "updated_at"])
        if recommendation.assignment is not None:
            assignment_end(assignment=recommendation.assignment, actor=actor)
        event_recommendation_withdrawn(
            actor=actor, client=care.client, recommendation_id=str(recommendation.public_id)
        )
    return recommendation


def recommendation_seen(*, care: CareAccess, recommendations: list[Recommendation]) -> int:
    """The client opened these: note the first time (later openings change nothing). Only the
    client's own reading counts; returns how many were seen for the first time."""
    if not care.is_self:
        return 0
    fresh = [r for r in recommendations if r.seen_at is None and r.client_id == care.client.pk]
    if not fresh:
        return 0
    now = timezone.now()
    count = Recommendation.objects.filter(
        pk__in=[r.pk for r in fresh], seen_at__isnull=True
    ).update(seen_at=now, updated_at=now)
    return count
