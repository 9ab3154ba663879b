"""Alert emails. They say only that something needs attention: no client name, no reason, no
score (SR: no clinical content in email). The link opens the inbox behind sign-in and MFA."""

from __future__ import annotations

import os
from collections.abc import Iterable
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from interlude.accounts.models import User

SUBJECT = "Interlude: something needs your attention"
SUBJECT_ESCALATED = "Interlude: an urgent alert has not been acknowledged"


def _inbox_link() -> str:
    """The inbox's address: SITE_URL in production; the local server while developing. Without
    SITE_URL in production the email says to sign in, with no link (never a wrong one)."""
    if settings.SITE_URL:
        base = settings.SITE_URL + "/"
    elif settings.IS_PRODUCTION:
        return ""
    else:
        base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/"
    return urljoin(base, reverse("alert_inbox"))


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
