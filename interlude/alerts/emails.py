"""Alert emails. They say only that something needs attention: no client name, no reason, no
score (SR: no clinical content in email). The link opens the inbox behind sign-in and MFA."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from interlude.accounts.models import User

SUBJECT = "Interlude: something needs your attention"
SUBJECT_ESCALATED = "Interlude: an urgent alert has not been acknowledged"


SUBJECT_HANDOVER = "Interlude: a colleague has handed an alert to you"


def _link(path: str) -> str:
    """An address in the app: SITE_URL in production; the local server while developing. Without
    SITE_URL in production the email says to sign in, with no link (never a wrong one)."""
    if settings.SITE_URL:
        base = settings.SITE_URL + "/"
    elif settings.IS_PRODUCTION:
        return ""
    else:
        base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/"
    return urljoin(base, path)


def _inbox_link() -> str:
    return _link(reverse("alert_inbox"))


def handover_email_send(*, user: User, alert_id: uuid.UUID) -> int:
    """Tell a clinician an alert was handed to them. The link names the alert by its random id
    and opens, behind sign-in and MFA, the page where they can act; nothing clinical is said."""
    if not user.email:
        return 0
    body = render_to_string(
        "alerts/email/handover.txt", {"link": _link(reverse("alert_detail", args=[alert_id]))}
    )
    send_mail(SUBJECT_HANDOVER, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return 1


def attention_email_send(*, users: Iterable[User], escalation: bool) -> int:
    recipients = sorted({u.email for u in users if u.email})
    if not recipients:
        return 0
    body = render_to_string(
        "alerts/email/attention.txt", {"link": _inbox_link(), "escalation": escalation}
    )
    # One message per person: recipients never see each other's addresses.
    for email in recipients:
        send_mail(
            SUBJECT_ESCALATED if escalation else SUBJECT,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    return len(recipients)
