"""The reminder email. It says only that there is something to do today, with a link to Today:
no name, no tool, no clinical content (SR: no clinical content in email)."""

from __future__ import annotations

import os
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

SUBJECT = "You have something to do in Interlude today"
TEXT = "You have something to do in Interlude today"
TODAY_PATH = "/today/"  # Today lists what is due; it is the client's home screen


def app_link(path: str = TODAY_PATH) -> str:
    """An address in the app: SITE_URL in production; the local server while developing. Without
    SITE_URL in production there is no link (never a wrong one)."""
    if settings.SITE_URL:
        base = settings.SITE_URL + "/"
    elif settings.IS_PRODUCTION:
        return ""
    else:
        base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/"
    return urljoin(base, path)


def reminder_email_send(*, email: str) -> None:
    """Send one reminder. Raises what the mail backend raises (the caller sorts a temporary
    refusal from a final one)."""
    body = render_to_string("reminders/email/reminder.txt", {"link": app_link()})
    send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
