"""Writes for the digital readiness check: the care team asks for it, the client answers it (asked
or from onboarding), the care team withdraws an unanswered request, and switches modules with the
suggestions in view.

Every function is keyword-only and raises `ApplicationError(message, field=...)` before anything
is stored when a rule is broken. Audit details never carry the answers: the submit event says
only whether the eHEALS part was answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import (
    event_readiness_cancelled,
    event_readiness_requested,
    event_readiness_submitted,
)
from interlude.catalog.enums import ReadinessStatus
from interlude.catalog.models import ReadinessCheck
from interlude.catalog.readiness import answers_validate, eheals_score
from interlude.consents.access import CareAccess, Viewer
from interlude.consents.models import ClientPrivacy
from interlude.consents.modules_services import client_modules_set, modules_parse
from interlude.core.errors import ApplicationError
from interlude.measures.services import dues_resume
from interlude.practices.enums import Module
from interlude.practices.models import Client, Membership

MSG_ALREADY_ANSWERED = (
    "You have already answered these questions, thank you. If something changes, tell your "
    "care team: they can ask you again."
)


def _care_team(care: CareAccess, membership: Membership) -> None:
    if care.viewer is not Viewer.CARE_TEAM or membership.practice_id != care.client.practice_id:
        raise ApplicationError("Only the client's care team can do this.")


def _open(client: Client) -> ReadinessCheck | None:
    return (
        ReadinessCheck.objects.select_for_update()
        .filter(client=client, status=ReadinessStatus.REQUESTED)
        .first()
    )


def readiness_request(*, care: CareAccess, membership: Membership) -> ReadinessCheck:
    """Ask the client for the readiness check (it shows on their Today page). One request is open
    at a time: asking again while one is open changes nothing and returns that one."""
    _care_team(care, membership)
    client = care.client
    with transaction.atomic():
        existing = _open(client)
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                check = ReadinessCheck.objects.create(
                    practice_id=client.practice_id,
                    client=client,
                    requested_by=membership,
                    created_by=care.user,
                    updated_by=care.user,
                )
        except IntegrityError:
            # Asked at the same moment from another tab: that request stands.
            return ReadinessCheck.objects.get(client=client, status=ReadinessStatus.REQUESTED)
        event_readiness_requested(actor=care.user, client=client, check_id=str(check.public_id))
    return check


def readiness_submit(
    *,
    client: Client,
    actor: User,
    answers: Mapping[str, Any],
    eheals_answers: Sequence[Any] | None,
) -> ReadinessCheck:
    """The client's answers. Answers the open request; without one (onboarding, or a client who
    finds the page first) a check is made for them, but only once: after that, a new check needs
    the care team to ask again. The eHEALS part is optional as a whole (all eight or none)."""
    cleaned = answers_validate(answers)
    eheals, total = eheals_score(eheals_answers)
    with transaction.atomic():
        check = _open(client)
        if check is None:
            answered = ReadinessCheck.objects.filter(
                client=client, status=ReadinessStatus.SUBMITTED
            ).exists()
            if answered:
                raise ApplicationError(MSG_ALREADY_ANSWERED, field="answers")
            check = ReadinessCheck(
                practice_id=client.practice_id,
                client=client,
                requested_by=None,
                created_by=actor,
            )
        check.status = ReadinessStatus.SUBMITTED
        check.submitted_at = timezone.now()
        check.answers = cleaned
        check.eheals_answers = eheals
        check.eheals_total = total
        check.updated_by = actor
        check.save()
        event_readiness_submitted(
            actor=actor, client=client, check_id=str(check.public_id), eheals=eheals is not None
        )
    return check


def readiness_cancel(*, care: CareAccess, membership: Membership) -> ReadinessCheck | None:
    """Withdraw the open request (the client no longer sees it); None when none is open."""
    _care_team(care, membership)
    with transaction.atomic():
        check = _open(care.client)
        if check is None:
            return None
        check.status = ReadinessStatus.CANCELLED
        check.updated_by = care.user
        check.save(update_fields=["status", "updated_by", "updated_at"])
        event_readiness_cancelled(
            actor=care.user, client=care.client, check_id=str(check.public_id)
        )
    return check


def readiness_modules_apply(
    *, care: CareAccess, membership: Membership, switched_off: Iterable[Module | str]
) -> ClientPrivacy:
    """Switch off exactly `switched_off` for this client (module switches, audited there). When
    questionnaires come back on, windows that closed while they were off are withdrawn."""
    _care_team(care, membership)
    off = modules_parse(switched_off)
    with transaction.atomic():
        privacy = client_modules_set(client=care.client, actor=care.user, modules_off=off)
        if Module.QUESTIONNAIRES.value in care.modules_off and Module.QUESTIONNAIRES not in off:
            dues_resume(client=care.client, actor=care.user)
    return privacy
