"""Alert emails. They say only that something needs attention: no client name, no reason, no
score (SR: no clinical content in email). The link opens the inbox behind sign-in and MFA."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from interlude.accounts.models import User

SUBJECT = "Interlude: something needs your attention"
SUBJECT_ESCALATED = "Interlude: an urgent alert has not been acknowledged"


def attention_email_send(*, users: Iterable[User], escalation: bool) -> int:
    recipients = sorted({u.email for u in users if u.email})
    if not recipients:
        return 0
    base = settings.SITE_URL + "/" if settings.SITE_URL else "http://127.0.0.1:8000/"
    body = render_to_string(
        "alerts/email/attention.txt",
        {"link": urljoin(base, reverse("alert_inbox")), "escalation": escalation},
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
