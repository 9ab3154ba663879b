"""Message notifications. They say only "You have a new message in Interlude" and link to the
thread behind sign-in: no name, no words from the message, no attachment (no clinical content in
email)."""

from __future__ import annotations

import os
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

SUBJECT = "You have a new message in Interlude"


def link(path: str) -> str:
    """An address in the app: SITE_URL in production; the local server while developing; no link
    in production without SITE_URL (never a wrong one)."""
    if settings.SITE_URL:
        base = settings.SITE_URL + "/"
    elif settings.IS_PRODUCTION:
        return ""
    else:
        base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/"
    return urljoin(base, path)


def new_message_email_send(*, email: str, path: str) -> int:
    if not email:
        return 0
    body = render_to_string("messaging/email/new_message.txt", {"link": link(path)})
    send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [email])
    return 1
