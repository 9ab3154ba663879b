"""Emails about invitations. They never contain clinical content: only who invited you to what."""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from interlude.clinic.invitation_tokens import invitation_token
from interlude.practices.enums import InvitationKind
from interlude.practices.models import Invitation


def invitation_email_send(*, invitation_id: int, base_url: str) -> bool:
    """Send the invitation email once. Returns False if it was already sent or is void."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("practice", "created_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.email_sent_at is not None or not invitation.is_pending:
            return False
        link = urljoin(
            settings.SITE_URL + "/" if settings.SITE_URL else base_url,
            reverse("invitation_accept", kwargs={"token": invitation_token(invitation=invitation)}),
        )
        context = {
            "practice_name": invitation.practice.name,
            "inviter_name": invitation.created_by.get_full_name(),
            "link": link,
            "expires_at": invitation.expires_at,
            "is_client": invitation.kind == InvitationKind.CLIENT,
        }
        body = render_to_string("practices/email/invitation.txt", context)
        send_mail(
            subject=f"Your invitation to Interlude from {invitation.practice.name}",
            message=body,
            from_email=None,
            recipient_list=[invitation.email],
        )
        invitation.email_sent_at = timezone.now()
        invitation.save(update_fields=["email_sent_at"])
    return True
