"""The care team's email when an owner opens a client's record in an emergency. It says who
opened a record and links to it behind sign-in and two-step verification; no client name, no
reason, nothing clinical."""

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

SUBJECT = "Interlude: a client's record was opened in an emergency"


def _link(path: str) -> str:
    """SITE_URL in production; the local server while developing; no link (never a wrong one)
    in production without SITE_URL."""
    if settings.SITE_URL:
        base = settings.SITE_URL + "/"
    elif settings.IS_PRODUCTION:
        return ""
    else:
        base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/"
    return urljoin(base, path)


def break_glass_email_send(
    *, users: Iterable[User], owner: User, client_public_id: uuid.UUID
) -> int:
    recipients = sorted({u.email for u in users if u.email})
    if not recipients:
        return 0
    body = render_to_string(
        "consents/email/break_glass.txt",
        {
            "owner_name": owner.get_full_name() or "An owner of your practice",
            "link": _link(reverse("client_record", args=[client_public_id])),
        },
    )
    # One message per person: recipients never see each other's addresses.
    for email in recipients:
        send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [email])
    return len(recipients)
